"""What the tests, the demo and the benchmarks share: ``from helpers import ...``.

Development code only, beside the simulators: record metadata, vocabulary and
user set-up, an ORCID link made as invenio-oauthclient makes it, and the
settings of an InvenioRDM running on embedded services. conftest.py holds the
pytest fixtures; everything else tests need lives here, so no test imports
conftest (pytest loads it under its own name, which a plain import would
duplicate).

Invenio imports stay inside the functions: ``python tests/demo.py --help``
and the simulators need no application.
"""

import copy
import os
import socket
import uuid
from pathlib import Path
from urllib.parse import urlsplit

REDIS_URL = os.environ.get("ORCID_PUSH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
"""The one Redis database the tests may use (cache, sessions, locks, rate limit)."""


def redis_available():
    """Whether the Redis server of :data:`REDIS_URL` answers."""
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=0.5
        ):
            return True
    except OSError:
        return False


def closed_port():
    """A local TCP port nothing listens on: a service that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_settings(key_prefix, url=REDIS_URL):
    """Every setting of the test app that names a Redis database, on ``url`` only.

    invenio-app-rdm's defaults spread over databases 0 to 4 of localhost (cache,
    sessions, Celery results, rate limits, community identities); test runs
    side by side must each touch only the database they are given. Keys carry
    ``key_prefix``: each test module gets fresh tables and reused user ids, so
    never a stale cached permission or identity of another module. The
    plugin's locks and rate limit follow ``CACHE_REDIS_URL``, as in production.
    """
    return dict(
        CACHE_TYPE="RedisCache",
        CACHE_REDIS_URL=url,
        CACHE_KEY_PREFIX=key_prefix,
        ACCOUNTS_SESSION_REDIS_URL=url,
        RATELIMIT_STORAGE_URI=url,
        COMMUNITIES_IDENTITIES_CACHE_REDIS_URL=url,
        COMMUNITIES_IDENTITIES_CACHE_REDIS_PREFIX=f"{key_prefix}identity",
        IIIF_CACHE_REDIS_URL=url,
    )


def settings_without_redis(identities=None):
    """Without a Redis server: caches, sessions, locks and rate limits in memory.

    Community identities go to ``identities`` (a cachelib cache, to share one
    between the UI and the REST API apps), else to a cache of each app's own.
    """
    return dict(
        CACHE_TYPE="SimpleCache",
        CACHE_REDIS_URL=None,
        ACCOUNTS_SESSION_REDIS_URL=None,
        RATELIMIT_STORAGE_URI="memory://",
        OAUTH2_CACHE_TYPE="simple",
        COMMUNITIES_IDENTITIES_CACHE_REDIS_URL=None,
        COMMUNITIES_IDENTITIES_CACHE_HANDLER=identity_cache_in_memory(identities),
        IIIF_CACHE_REDIS_URL=None,
        ORCID_PUSH_LOCK_URL="memory://",
    )


def identity_cache_in_memory(cache=None):
    """A ``COMMUNITIES_IDENTITIES_CACHE_HANDLER`` keeping identities in this process.

    invenio-communities ships only a Redis one; this is the same cache on a
    cachelib ``SimpleCache`` (``cache``, else one per app).
    """

    def handler(app):
        from cachelib import SimpleCache
        from invenio_communities.cache.cache import IdentityCache
        from invenio_communities.cache.redis import IdentityRedisCache

        class IdentityMemoryCache(IdentityRedisCache):
            def __init__(self, app=None):
                IdentityCache.__init__(self, app)
                self.cache = cache if cache is not None else SimpleCache()

        return IdentityMemoryCache(app)

    return handler


ALEMBIC_DATABASE = (
    os.environ.get("ORCID_PUSH_TEST_ALEMBIC_DATABASE")
    or f"orcid_push_alembic_{uuid.uuid4().hex[:8]}"
)
"""The PostgreSQL database the migration test creates and drops (on the server of
``SQLALCHEMY_DATABASE_URI``); its own name each run unless set."""

ARTIFACTS = Path(
    os.environ.get(
        "ORCID_PUSH_TEST_ARTIFACTS",
        Path(__file__).resolve().parent.parent / "build" / "test-artifacts",
    )
)
"""Where tests leave files for people to look at (screenshots); never tracked."""

DEMO_RESOURCE_TYPES = {
    "dataset": ("Dataset", "dataset"),
    "software": ("Software", "software"),
    "publication-article": ("Journal article", "publication"),
    "image-figure": ("Figure", "image"),
}

RESOURCE_TYPES = {
    **DEMO_RESOURCE_TYPES,
    # An instance's own type that ORCID's mapping does not know.
    "dataset-simulation": ("Simulation output", "dataset"),
}


def stand_in_manifest_loader():
    """A webpack manifest loader answering every asset with nothing.

    Theme pages ask the webpack manifest for their CSS and JS; without built
    assets (``invenio webpack buildall``, which needs npm) rendering fails.
    Tests and a quick demo use this stand-in: pages render, unstyled.
    """
    from flask_webpackext.manifest import JinjaManifestLoader
    from markupsafe import Markup

    class NoAssets(dict):
        def __getitem__(self, key):
            return Markup("")

        def __getattr__(self, name):
            return Markup("")

    class StandInManifestLoader(JinjaManifestLoader):
        def load(self, filepath):
            return NoAssets()

    return StandInManifestLoader


def ensure_vocabulary(vocabulary_type, pid_type, entries):
    """Create vocabulary entries (``{"id", "title", "props", ...}``) that are missing.

    Loading RDM's full vocabularies takes minutes; the demo and tests need a few.
    """
    from invenio_access.permissions import system_identity
    from invenio_pidstore.errors import PIDDoesNotExistError
    from invenio_vocabularies.proxies import current_service
    from invenio_vocabularies.records.api import Vocabulary
    from invenio_vocabularies.records.models import VocabularyType

    if VocabularyType.query.filter_by(id=vocabulary_type).one_or_none() is None:
        current_service.create_type(system_identity, vocabulary_type, pid_type)
    for entry in entries:
        try:
            current_service.read(system_identity, (vocabulary_type, entry["id"]))
        except PIDDoesNotExistError:
            current_service.create(system_identity, {**entry, "type": vocabulary_type})
    Vocabulary.index.refresh()


def ensure_resource_types(types):
    """Create the resource types ``{id: (title, general type)}`` that are missing."""
    ensure_vocabulary(
        "resourcetypes",
        "rsrct",
        [
            {
                "id": type_id,
                "title": {"en": title},
                "props": {
                    "csl": "dataset",
                    "datacite_general": "Dataset",
                    "datacite_type": "",
                    "openaire_resourceType": "21",
                    "openaire_type": "dataset",
                    "eurepo": "info:eu-repo/semantics/other",
                    "schema.org": "https://schema.org/Dataset",
                    "subtype": type_id if "-" in type_id else "",
                    "type": general_type,
                },
                "icon": "table",
                "tags": ["depositable", "linkable"],
            }
            for type_id, (title, general_type) in types.items()
        ],
    )


RELATION_TYPES = {"isversionof": "IsVersionOf", "issupplementto": "IsSupplementTo"}
"""Relation types the tests use (id: DataCite's relationType)."""


def ensure_relation_types(types=None):
    """Create the related identifiers' relation types ``{id: DataCite relationType}``."""
    ensure_vocabulary(
        "relationtypes",
        "rlt",
        [
            {"id": type_id, "title": {"en": type_id}, "props": {"datacite": datacite}}
            for type_id, datacite in (types or RELATION_TYPES).items()
        ],
    )


def related(identifier, relation, scheme="doi"):
    """A related identifier as the deposit form sends it."""
    return {
        "identifier": identifier,
        "scheme": scheme,
        "relation_type": {"id": relation},
    }


def link_orcid_account(user, orcid, name, access_token, client_id, remote_app="orcid"):
    """Store an ORCID link for ``user`` exactly as invenio-oauthclient's ORCID app does.

    ``RemoteToken.create`` keeps the (encrypted) token; the ORCID contrib's
    ``account_setup`` records the iD in the remote account and a
    ``UserIdentity``.
    """
    from invenio_db import db
    from invenio_oauthclient import current_oauthclient
    from invenio_oauthclient.contrib import orcid as stock_orcid
    from invenio_oauthclient.models import RemoteToken

    remote = current_oauthclient.oauth.remote_apps[remote_app]
    token = RemoteToken.create(user.id, client_id, access_token, "")
    stock_orcid.account_setup(remote, token, {"orcid": orcid, "name": name})
    db.session.commit()


def link_new_researcher(
    user,
    simulator,
    client,
    name="Josiah Carberry",
    scopes=("/read-limited", "/activities/update"),
):
    """Link ``user`` to a new ORCID record of the simulator; returns its iD.

    The simulator grants the token (as its OAuth token endpoint would).
    """
    researcher = simulator.state.add_researcher(name=name)
    token = simulator.state.issue_token(researcher.orcid, client.client_id, scopes)
    link_orcid_account(
        user, researcher.orcid, name, token.access_token, client.client_id
    )
    return researcher.orcid


def receive_records_by_others(user, choice="automatic"):
    """The user's choice for records deposited by others that list them."""
    from invenio_db import db

    from invenio_orcid_push.models import OrcidPushAccount

    OrcidPushAccount.get_or_create(user.id).records_by_others = choice
    db.session.commit()


def with_datacite(app_config, datacite):
    """``app_config`` minting DOIs at a DataCite simulator, as an instance would."""
    from invenio_orcid_push.datacite import datacite_settings

    app_config.update(
        datacite_settings(
            datacite.url, datacite.username, datacite.password, datacite.prefix
        )
    )
    return app_config


def deposit(title, resource_type, creators, description="", doi=None, access="public"):
    """Minimal deposit metadata for the record service."""
    data = {
        "access": {"record": access, "files": access},
        "files": {"enabled": False},
        "metadata": {
            "title": title,
            "resource_type": {"id": resource_type},
            "publication_date": "2024-03-05",
            "creators": creators,
            "description": description,
            "publisher": "Demo Repository",
        },
    }
    if doi:
        data["pids"] = {"doi": {"identifier": doi, "provider": "external"}}
    return data


def person(given, family, orcid=None):
    """A personal creator, with an ORCID iD if given."""
    entry = {"type": "personal", "given_name": given, "family_name": family}
    if orcid:
        entry["identifiers"] = [{"scheme": "orcid", "identifier": orcid}]
    return {"person_or_org": entry}


def record_data(title="A dataset about ORCID", resource_type="dataset", **metadata):
    """Minimal valid deposit metadata; ``metadata`` overrides fields."""
    data = deposit(
        title,
        resource_type,
        [person("Josiah", "Carberry")],
        "<p>Measurements of <b>things</b>.</p>",
    )
    data["metadata"].update(metadata)
    return data


def pid_settings_without_datacite():
    """RDM PID settings for an instance without DataCite: external DOIs only, optional.

    Tests and the demo's defaults only: an instance without DataCite keeps
    InvenioRDM's own settings (``DATACITE_ENABLED = False``).
    """
    import idutils
    from invenio_rdm_records.services.pids import providers

    return dict(
        RDM_PERSISTENT_IDENTIFIERS={
            "doi": {
                "providers": ["external"],
                "required": False,
                "label": "DOI",
                "validator": idutils.is_doi,
                "normalizer": idutils.normalize_doi,
                "is_enabled": lambda app: True,
            },
            "oai": {
                "providers": ["oai"],
                "required": True,
                "label": "OAI",
                "is_enabled": providers.OAIPIDProvider.is_enabled,
            },
        },
        RDM_PARENT_PERSISTENT_IDENTIFIERS={},
    )


def embedded_config(instance_path, osmem_url, simulator, client):
    """Configuration for InvenioRDM on embedded services only (demo, benchmarks)."""
    from invenio_orcid_push.oauth import REMOTE_APP

    host, port = osmem_url.rsplit("//", 1)[1].rsplit(":", 1)
    return dict(
        SECRET_KEY="demo-only-not-secret",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance_path}/demo.db",
        SQLALCHEMY_ENGINE_OPTIONS={},
        SEARCH_HOSTS=[{"host": host, "port": int(port)}],
        CACHE_TYPE="SimpleCache",
        CELERY_TASK_ALWAYS_EAGER=True,
        CELERY_TASK_EAGER_PROPAGATES=False,
        CELERY_RESULT_BACKEND="cache",
        CELERY_CACHE_BACKEND="memory",
        RATELIMIT_ENABLED=False,
        RATELIMIT_STORAGE_URI="memory://",
        ACCOUNTS_SESSION_REDIS_URL=None,
        ACCOUNTS_DEFAULT_USERS_VERIFIED=True,
        THEME_SITENAME="Demo Repository",
        SITE_UI_URL="https://127.0.0.1:5000",
        SITE_API_URL="https://127.0.0.1:5000/api",
        DATACITE_ENABLED=False,
        **pid_settings_without_datacite(),
        OAUTHCLIENT_REMOTE_APPS={"orcid": copy.deepcopy(REMOTE_APP)},
        WEBPACKEXT_MANIFEST_LOADER=stand_in_manifest_loader(),
        ORCID_APP_CREDENTIALS={
            "consumer_key": client.client_id,
            "consumer_secret": client.secret,
        },
        ORCID_PUSH_ENABLED=True,
        ORCID_PUSH_API_URL=simulator.api_url,
        ORCID_PUSH_OAUTH_URL=simulator.oauth_url,
    )


def find_orcid_model(start=None):
    """The orcid-model folder (``shared/orcid-model`` beside the project), or None."""
    here = Path(start or __file__).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "orcid-model"
        if (candidate / "record_3.0" / "work-3.0.xsd").is_file():
            return candidate
    return None


class Depositor:
    """Drives the RDM record service as one user (admin actions as the system)."""

    def __init__(self, user):
        from invenio_access.permissions import any_user, authenticated_user
        from invenio_access.utils import get_identity

        self.user = user
        self.identity = get_identity(user)
        self.identity.provides.add(any_user)
        self.identity.provides.add(authenticated_user)

    @property
    def service(self):
        from invenio_rdm_records.proxies import current_rdm_records_service

        return current_rdm_records_service

    @property
    def system(self):
        from invenio_access.permissions import system_identity

        return system_identity

    def publish(self, data):
        draft = self.service.create(self.identity, data)
        return self.service.publish(self.identity, draft.id)

    def _change(self, draft, change):
        data = draft.to_dict()
        change(data)
        self.service.update_draft(self.identity, draft.id, data)
        return self.service.publish(self.identity, draft.id)

    def edit(self, record_id, change):
        """Edit a published record and publish the change."""
        return self._change(self.service.edit(self.identity, record_id), change)

    def new_version(self, record_id, change=lambda data: None):
        """Publish a new version of a record."""
        draft = self.service.new_version(self.identity, record_id)

        def with_date(data):
            data["metadata"]["publication_date"] = "2025-01-01"
            change(data)

        return self._change(draft, with_date)

    def delete(self, record_id):
        return self.service.delete_record(self.system, record_id, {})

    def restore(self, record_id):
        return self.service.restore_record(self.system, record_id)

    def mark_for_purge(self, record_id):
        return self.service.mark_record_for_purge(self.system, record_id)

    def unmark(self, record_id):
        return self.service.unmark_record_for_purge(self.system, record_id)


def authorize_via_orcid(client, orcid_simulator, orcid, action="authorize"):
    """The researcher (logged in here) connects ORCID: consent at ORCID, back here.

    ``action="deny"``: they refuse on ORCID's consent page instead.
    """
    from urllib.parse import parse_qs, urlsplit

    import requests

    start = client.get("/oauth/login/orcid/")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert start.headers["Location"].startswith(
        orcid_simulator.oauth_url + "/authorize"
    )
    assert query["scope"] == ["/read-limited /activities/update"]
    consent = requests.post(
        orcid_simulator.oauth_url + "/authorize",
        data={
            "client_id": query["client_id"][0],
            "scope": query["scope"][0],
            "redirect_uri": query["redirect_uri"][0],
            "state": query["state"][0],
            "orcid": orcid,
            "action": action,
        },
        allow_redirects=False,
        timeout=5,
    )
    back = urlsplit(consent.headers["Location"])
    return client.get(f"{back.path}?{back.query}")
