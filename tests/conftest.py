"""Test stack: a real InvenioRDM app, osmem-server as search engine, the ORCID simulator.

The database is PostgreSQL when ``SQLALCHEMY_DATABASE_URI`` is set (CI sets
it) and SQLite otherwise. Celery tasks run eagerly, so the push task runs
right after the publishing transaction commits, as ``TaskOp`` schedules it.
"""

import copy
import os
import uuid
import socket
from pathlib import Path

import pytest
from flask_security.utils import hash_password
from invenio_access.permissions import system_identity
from invenio_app.factory import create_app as _create_app
from invenio_db import db as db_
from invenio_rdm_records.proxies import current_rdm_records_service
from osmem_server import OsmemServer

from invenio_orcid_push.demo import (
    DEMO_RESOURCE_TYPES,
    deposit,
    ensure_resource_types,
    ensure_vocabulary,
    link_orcid_account,
    person,
    pid_settings_without_datacite,
    stand_in_manifest_loader,
)
from invenio_orcid_push.oauth import REMOTE_APP
from invenio_orcid_push.simulator import OrcidSimulator

ROOT = Path(__file__).resolve().parent.parent
ORCID_MODEL = ROOT.parent / "shared" / "orcid-model"

RESOURCE_TYPES = {
    **DEMO_RESOURCE_TYPES,
    # An instance's own type that ORCID's mapping does not know.
    "dataset-simulation": ("Simulation output", "dataset"),
}


REDIS_URL = os.environ.get("ORCID_PUSH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
"""The Redis database the tests may use (cache, locks, rate limit)."""


def _redis_available():
    from urllib.parse import urlsplit

    parts = urlsplit(REDIS_URL)
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def orcid_model_dir():
    """ORCID's official orcid-model checkout, beside the project (never copied in)."""
    if not (ORCID_MODEL / "record_3.0" / "work-3.0.xsd").is_file():
        pytest.fail(f"ORCID's XSDs are expected in {ORCID_MODEL}")
    return ORCID_MODEL


@pytest.fixture(scope="session")
def work_schema(orcid_model_dir):
    """The official ``work-3.0.xsd`` as an lxml schema."""
    from invenio_orcid_push.simulator.app import load_work_schema

    return load_work_schema(orcid_model_dir)


@pytest.fixture(scope="session")
def orcid_simulator(orcid_model_dir):
    """The ORCID simulator over HTTP on localhost, validating XML against the XSD."""
    simulator = OrcidSimulator(schema_dir=orcid_model_dir).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def fresh_simulator(orcid_model_dir):
    """An ORCID simulator of one test's own, with empty state."""
    with OrcidSimulator(schema_dir=orcid_model_dir) as simulator:
        yield simulator


@pytest.fixture(scope="session")
def orcid_api_client(orcid_simulator):
    """This repository's ORCID API client, registered at the simulator."""
    return orcid_simulator.state.register_client(name="Test InvenioRDM")


@pytest.fixture(scope="session")
def osmem():
    """An in-memory OpenSearch-compatible server for the whole session."""
    server = OsmemServer.start(japanese=False)
    yield server
    server.close()


@pytest.fixture(scope="module")
def search_hosts(osmem):
    """Point Invenio's search client at osmem."""
    host, port = osmem.url.rsplit("//", 1)[1].rsplit(":", 1)
    return [{"host": host, "port": int(port)}]


@pytest.fixture(scope="module")
def create_app(instance_path):
    """The full InvenioRDM application (UI, with the REST API under /api)."""
    return _create_app


@pytest.fixture(scope="module")
def app_config(app_config, db_uri, orcid_simulator, orcid_api_client):
    """InvenioRDM with the plugin pointed at the ORCID simulator."""
    if db_uri.startswith("sqlite"):
        # invenio-app-rdm sets PostgreSQL-only connection options.
        app_config["SQLALCHEMY_ENGINE_OPTIONS"] = {}
    if _redis_available():
        app_config["CACHE_TYPE"] = "RedisCache"
        app_config["CACHE_REDIS_URL"] = REDIS_URL
        # Each module gets fresh tables (and reused user ids): never a stale
        # cached permission from another module.
        app_config["CACHE_KEY_PREFIX"] = f"orcid-push-test-{uuid.uuid4().hex}-"
    else:
        app_config["CACHE_TYPE"] = "SimpleCache"
    app_config["RATELIMIT_ENABLED"] = False
    app_config["ACCOUNTS_DEFAULT_USERS_VERIFIED"] = True
    app_config["DATACITE_ENABLED"] = False
    # DOIs registered elsewhere ("external") are still accepted.
    app_config.update(pid_settings_without_datacite())
    app_config["THEME_SITENAME"] = "Test Repository"
    app_config["SITE_UI_URL"] = "https://repo.example.org"
    app_config["SITE_API_URL"] = "https://repo.example.org/api"

    app_config["OAUTHCLIENT_REMOTE_APPS"] = {"orcid": copy.deepcopy(REMOTE_APP)}
    app_config["WEBPACKEXT_MANIFEST_LOADER"] = stand_in_manifest_loader()
    app_config["ORCID_APP_CREDENTIALS"] = {
        "consumer_key": orcid_api_client.client_id,
        "consumer_secret": orcid_api_client.secret,
    }
    app_config["ORCID_PUSH_ENABLED"] = True
    app_config["ORCID_PUSH_API_URL"] = orcid_simulator.api_url
    app_config["ORCID_PUSH_OAUTH_URL"] = orcid_simulator.oauth_url
    # Eager Celery runs retries at once; keep their number small.
    app_config["ORCID_PUSH_MAX_RETRIES"] = 3
    app_config["ORCID_PUSH_DOI_WAIT_RETRIES"] = 3
    return app_config


@pytest.fixture(scope="module")
def resource_types(app, database):
    """Only the resource types the tests use (the full fixtures take minutes)."""
    ensure_resource_types(RESOURCE_TYPES)
    ensure_vocabulary("languages", "lng", [
        {"id": "eng", "title": {"en": "English"}, "props": {"alpha_2": "en"}},
        {"id": "fra", "title": {"en": "French"}, "props": {"alpha_2": "fr"}},
    ])
    ensure_vocabulary("titletypes", "ttyp", [
        {"id": kind, "title": {"en": kind}, "props": {"datacite": datacite}}
        for kind, datacite in (("subtitle", "Subtitle"), ("translated-title", "TranslatedTitle"),
                               ("alternative-title", "AlternativeTitle"))
    ])
    roles = [{"id": role, "title": {"en": role}, "props": {"datacite": "Other"}}
             for role in ("datacurator", "supervisor", "contactperson", "other")]
    ensure_vocabulary("creatorsroles", "crr", roles)
    ensure_vocabulary("contributorsroles", "cor", roles)
    return RESOURCE_TYPES


@pytest.fixture
def make_user(app, db):
    """Create repository users."""
    from invenio_accounts.proxies import current_datastore

    def _make_user(email=None):
        email = email or f"depositor-{uuid.uuid4().hex[:12]}@example.org"
        user = current_datastore.create_user(
            email=email,
            password=hash_password("secret-password"),
            active=True,
            confirmed_at=db_.func.now(),
        )
        db_.session.commit()
        return user

    return _make_user


@pytest.fixture
def link_orcid(app, db, orcid_simulator, orcid_api_client):
    """Link a user's account to a new ORCID record, as invenio-oauthclient does.

    The simulator grants the token (as its OAuth token endpoint would).
    """

    def _link(user, name="Josiah Carberry", scopes=("/read-limited", "/activities/update")):
        researcher = orcid_simulator.state.add_researcher(name=name)
        token = orcid_simulator.state.issue_token(
            researcher.orcid, orcid_api_client.client_id, scopes
        )
        link_orcid_account(user, researcher.orcid, name, token.access_token,
                           orcid_api_client.client_id)
        return researcher.orcid

    return _link


def record_data(title="A dataset about ORCID", resource_type="dataset", **metadata):
    """Minimal valid deposit metadata; ``metadata`` overrides fields."""
    data = deposit(title, resource_type, [person("Josiah", "Carberry")],
                   "<p>Measurements of <b>things</b>.</p>")
    data["metadata"].update(metadata)
    return data


class Depositor:
    """Drives the RDM record service as one user (admin actions as the system)."""

    def __init__(self, user):
        from invenio_access.permissions import any_user, authenticated_user
        from invenio_access.utils import get_identity

        self.user = user
        self.identity = get_identity(user)
        self.identity.provides.add(any_user)
        self.identity.provides.add(authenticated_user)

    def publish(self, data):
        draft = current_rdm_records_service.create(self.identity, data)
        return current_rdm_records_service.publish(self.identity, draft.id)

    def _change(self, draft, change):
        data = draft.to_dict()
        change(data)
        current_rdm_records_service.update_draft(self.identity, draft.id, data)
        return current_rdm_records_service.publish(self.identity, draft.id)

    def edit(self, record_id, change):
        """Edit a published record and publish the change."""
        return self._change(current_rdm_records_service.edit(self.identity, record_id), change)

    def new_version(self, record_id, change=lambda data: None):
        """Publish a new version of a record."""
        draft = current_rdm_records_service.new_version(self.identity, record_id)

        def with_date(data):
            data["metadata"]["publication_date"] = "2025-01-01"
            change(data)

        return self._change(draft, with_date)

    def delete(self, record_id):
        return current_rdm_records_service.delete_record(system_identity, record_id, {})

    def restore(self, record_id):
        return current_rdm_records_service.restore_record(system_identity, record_id)

    def mark_for_purge(self, record_id):
        return current_rdm_records_service.mark_record_for_purge(system_identity, record_id)

    def unmark(self, record_id):
        return current_rdm_records_service.unmark_record_for_purge(system_identity, record_id)


@pytest.fixture
def depositor_of(app, db, location, resource_types):
    """``depositor_of(user)``: publish and change records as that user."""
    return Depositor


@pytest.fixture
def publish(depositor_of):
    """Create a draft as ``user`` and publish it through the RDM record service."""

    def _publish(user, data):
        return depositor_of(user).publish(data)

    return _publish
