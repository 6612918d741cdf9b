"""Test fixtures: a real InvenioRDM app, osmem-server as search, the ORCID simulator.

The database is PostgreSQL when ``SQLALCHEMY_DATABASE_URI`` is set (CI sets
it) and SQLite otherwise. Celery tasks run eagerly, so the push task runs
right after the publishing transaction commits, as ``TaskOp`` schedules it.

Only fixtures here: what tests import (record data, ``Depositor``...) is in
``helpers.py``, the ORCID and DataCite simulators in ``simulators/``.
"""

import copy
import uuid
from pathlib import Path

import pytest
from flask_security.utils import hash_password
from invenio_app.factory import create_app as _create_app
from invenio_db import db as db_
from osmem_server import OsmemServer

from invenio_orcid_push.oauth import REMOTE_APP

from helpers import (
    RESOURCE_TYPES,
    Depositor,
    ensure_resource_types,
    ensure_vocabulary,
    link_new_researcher,
    pid_settings_without_datacite,
    redis_available,
    redis_settings,
    settings_without_redis,
    stand_in_manifest_loader,
)
from simulators import DataCiteSimulator, OrcidSimulator
from simulators.app import load_work_schema

ROOT = Path(__file__).resolve().parent.parent
ORCID_MODEL = ROOT.parent / "shared" / "orcid-model"


@pytest.fixture(scope="session")
def orcid_model_dir():
    """ORCID's official orcid-model checkout, beside the project (never copied in)."""
    if not (ORCID_MODEL / "record_3.0" / "work-3.0.xsd").is_file():
        pytest.fail(f"ORCID's XSDs are expected in {ORCID_MODEL}")
    return ORCID_MODEL


@pytest.fixture(scope="session")
def work_schema(orcid_model_dir):
    """The official ``work-3.0.xsd`` as an lxml schema."""
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


@pytest.fixture(scope="module")
def datacite():
    """A DataCite simulator over HTTP (modules that mint DOIs ask for it)."""
    with DataCiteSimulator(prefix="10.5555") as simulator:
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
    # Only the Redis database ORCID_PUSH_TEST_REDIS_URL names; keys of this module only.
    if redis_available():
        app_config.update(redis_settings(f"orcid-push-test-{uuid.uuid4().hex}-"))
    else:
        app_config.update(settings_without_redis())
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
    ensure_vocabulary(
        "languages",
        "lng",
        [
            {"id": "eng", "title": {"en": "English"}, "props": {"alpha_2": "en"}},
            {"id": "fra", "title": {"en": "French"}, "props": {"alpha_2": "fr"}},
        ],
    )
    ensure_vocabulary(
        "titletypes",
        "ttyp",
        [
            {"id": kind, "title": {"en": kind}, "props": {"datacite": datacite}}
            for kind, datacite in (
                ("subtitle", "Subtitle"),
                ("translated-title", "TranslatedTitle"),
                ("alternative-title", "AlternativeTitle"),
            )
        ],
    )
    roles = [
        {"id": role, "title": {"en": role}, "props": {"datacite": "Other"}}
        for role in ("datacurator", "supervisor", "contactperson", "other")
    ]
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
def admin(make_user):
    """A superuser (test_admin.py has its own: administration access only)."""
    from invenio_access.models import ActionUsers
    from invenio_access.permissions import superuser_access

    user = make_user()
    db_.session.add(ActionUsers.allow(superuser_access, user=user))
    db_.session.commit()
    return user


@pytest.fixture
def link_orcid(app, db, orcid_simulator, orcid_api_client):
    """Link a user's account to a new ORCID record, as invenio-oauthclient does.

    The simulator grants the token (as its OAuth token endpoint would).
    """

    def _link(
        user, name="Josiah Carberry", scopes=("/read-limited", "/activities/update")
    ):
        return link_new_researcher(
            user, orcid_simulator, orcid_api_client, name, scopes
        )

    return _link


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
