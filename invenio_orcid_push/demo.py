"""End-to-end demo on embedded defaults: ``python -m invenio_orcid_push.demo``.

It runs InvenioRDM on SQLite with osmem-server as search engine, the ORCID
simulator over HTTP and eager Celery; creates a depositor with a linked
ORCID, publishes a dataset and a software record, and prints what the
ORCID record then holds. The helpers here are reused by the test suite.
"""

import argparse
import copy
import logging
import os
import sys
import tempfile
import warnings
from pathlib import Path

DEMO_RESOURCE_TYPES = {
    "dataset": ("Dataset", "dataset"),
    "software": ("Software", "software"),
    "publication-article": ("Journal article", "publication"),
    "image-figure": ("Figure", "image"),
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
    ensure_vocabulary("resourcetypes", "rsrct", [
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
    ])


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


def pid_settings_without_datacite():
    """RDM PID settings for an instance without DataCite: external DOIs only, optional."""
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


def datacite_settings(url, username, password, prefix):
    """RDM settings minting DataCite DOIs (records and concept DOIs) at ``url``.

    Uses this plugin's DataCite client and provider: the URL is configurable
    and a DOI counts as registered only once DataCite accepted it.
    """
    import idutils
    from invenio_rdm_records.services.pids import providers

    from .datacite import (
        DataCiteClient,
        DataCitePIDProvider,
        OrcidAwareDataCite45JSONSerializer,
    )

    def client():
        return DataCiteClient("datacite", config_prefix="DATACITE")

    return dict(
        DATACITE_ENABLED=True,
        DATACITE_URL=url,
        DATACITE_USERNAME=username,
        DATACITE_PASSWORD=password,
        DATACITE_PREFIX=prefix,
        DATACITE_TEST_MODE=False,
        RDM_PERSISTENT_IDENTIFIER_PROVIDERS=[
            DataCitePIDProvider("datacite", client=client(), label="DOI"),
            providers.ExternalPIDProvider(
                "external", "doi",
                validators=[providers.BlockedPrefixes(config_names=["DATACITE_PREFIX"])],
                label="DOI",
            ),
            providers.OAIPIDProvider("oai", label="OAI ID"),
        ],
        RDM_PARENT_PERSISTENT_IDENTIFIER_PROVIDERS=[
            DataCitePIDProvider(
                "datacite", client=client(),
                serializer=OrcidAwareDataCite45JSONSerializer(is_parent=True),
                label="Concept DOI",
            ),
        ],
        RDM_PERSISTENT_IDENTIFIERS={
            "doi": {
                "providers": ["datacite", "external"],
                "required": True,
                "label": "DOI",
                "validator": idutils.is_doi,
                "normalizer": idutils.normalize_doi,
                "is_enabled": providers.DataCitePIDProvider.is_enabled,
            },
            "oai": {
                "providers": ["oai"],
                "required": True,
                "label": "OAI",
                "is_enabled": providers.OAIPIDProvider.is_enabled,
            },
        },
        RDM_PARENT_PERSISTENT_IDENTIFIERS={
            "doi": {
                "providers": ["datacite"],
                "required": True,
                "condition": lambda rec: rec.pids.get("doi", {}).get("provider") == "datacite",
                "label": "Concept DOI",
                "validator": idutils.is_doi,
                "normalizer": idutils.normalize_doi,
                "is_enabled": providers.DataCitePIDProvider.is_enabled,
            },
        },
    )


def embedded_config(instance_path, osmem_url, simulator, client):
    """Configuration for InvenioRDM on embedded services only."""
    from .oauth import REMOTE_APP

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
    """ORCID's orcid-model folder (``shared/orcid-model`` beside the project), if present."""
    here = Path(start or __file__).resolve()
    for folder in here.parents:
        candidate = folder / "shared" / "orcid-model"
        if (candidate / "record_3.0" / "work-3.0.xsd").is_file():
            return candidate
    return None


DEMO_PASSWORD = "orcid-demo"


def serve(app, port, simulator):
    """Serve the demo repository until interrupted."""
    from werkzeug.serving import run_simple

    print(f"""
Serving the demo repository on https://127.0.0.1:{port} (self-signed certificate:
accept it in the browser; ORCID and invenio-oauthclient redirect to HTTPS only)
  log in:            https://127.0.0.1:{port}/login/  (josiah@example.org / {DEMO_PASSWORD})
  ORCID settings:    https://127.0.0.1:{port}/account/settings/orcid/
  ORCID simulator:   {simulator.url}  (its consent page appears when you connect ORCID)
Pages are unstyled: the demo does not build InvenioRDM's web assets (npm). Ctrl-C stops.""",
          flush=True)
    try:
        run_simple("127.0.0.1", port, app, threaded=False, use_reloader=False,
                   ssl_context="adhoc")
    except KeyboardInterrupt:
        pass


def main(argv=None):
    """Run the demo and print the ORCID record's works."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schema-dir", help="orcid-model folder, to validate works as ORCID does")
    parser.add_argument("--serve", action="store_true",
                        help="then serve the repository on https://127.0.0.1:PORT until Ctrl-C, "
                             "to try the ORCID settings page in a browser")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)

    from osmem_server import OsmemServer

    from .client import OrcidClient
    from .simulator import OrcidSimulator
    from .simulator.datacite import DataCiteSimulator

    # Show the plugin's ORCID calls; keep InvenioRDM's start-up chatter out.
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.CRITICAL)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("    %(message)s"))
    plugin_logger = logging.getLogger("invenio_orcid_push")
    plugin_logger.addHandler(handler)
    plugin_logger.setLevel(logging.INFO)
    plugin_logger.propagate = False
    logging.getLogger("invenio").setLevel(logging.CRITICAL)

    schema_dir = args.schema_dir or find_orcid_model()
    instance_path = tempfile.mkdtemp(prefix="orcid-push-demo-")
    os.environ["INVENIO_INSTANCE_PATH"] = instance_path

    print("Starting embedded services: osmem-server, ORCID and DataCite simulators ...")
    osmem = OsmemServer.start(japanese=False)
    simulator = OrcidSimulator(schema_dir=schema_dir).start()
    client = simulator.state.register_client(name="Demo Repository")
    datacite = DataCiteSimulator(prefix="10.12345").start()
    try:
        from invenio_access.permissions import any_user, authenticated_user
        from invenio_access.utils import get_identity
        from invenio_accounts.proxies import current_datastore
        from invenio_app.factory import create_app
        from invenio_db import db
        from invenio_files_rest.models import Location
        from invenio_rdm_records.proxies import current_rdm_records_service
        from invenio_search.proxies import current_search

        config = embedded_config(instance_path, osmem.url, simulator, client)
        config.update(datacite_settings(datacite.url, datacite.username, datacite.password,
                                        datacite.prefix))
        if args.serve:
            site = f"https://127.0.0.1:{args.port}"
            config.update(SITE_UI_URL=site, SITE_API_URL=f"{site}/api",
                          TRUSTED_HOSTS=["127.0.0.1", "localhost"],
                          APP_ALLOWED_HOSTS=["127.0.0.1", "localhost"])
        app = create_app(**config)
        app.logger.setLevel(logging.CRITICAL)
        with app.app_context():
            db.create_all()
            list(current_search.create(ignore_existing=True))
            db.session.add(Location(name="default", uri=f"{instance_path}/data", default=True))
            ensure_resource_types(DEMO_RESOURCE_TYPES)

            researcher = simulator.state.add_researcher(name="Josiah Carberry")
            token = simulator.state.issue_token(researcher.orcid, client.client_id)
            from flask_security.utils import hash_password

            user = current_datastore.create_user(
                email="josiah@example.org", password=hash_password(DEMO_PASSWORD),
                active=True, confirmed_at=db.func.now(),
            )
            db.session.commit()
            link_orcid_account(user, researcher.orcid, researcher.name,
                               token.access_token, client.client_id)
            print(f"Depositor josiah@example.org linked to ORCID iD {researcher.orcid} "
                  f"(XSD validation at the simulator: {'on' if schema_dir else 'off'})")

            identity = get_identity(user)
            identity.provides.update({any_user, authenticated_user})
            # Josiah is listed without his iD: it is added from his ORCID link.
            creators = [person("Josiah", "Carberry"), person("Ada", "Lovelace", "0000-0002-1825-0097")]
            for data in (
                deposit("Ocean temperature measurements 2020-2024", "dataset", creators,
                        "<p>Hourly sea surface temperatures.</p>"),
                deposit("oceantools: analysis scripts", "software", creators,
                        "Python scripts for the dataset.", doi="10.5555/demo.oceantools"),
            ):
                draft = current_rdm_records_service.create(identity, data)
                record = current_rdm_records_service.publish(identity, draft.id)
                print(f"Published {record['metadata']['resource_type']['id']} record "
                      f"{record.id}: {record['metadata']['title']}")
                doi = record["pids"]["doi"]
                if doi["provider"] == "datacite":
                    names = [
                        f"{c.get('name')} {[i['nameIdentifier'] for i in c.get('nameIdentifiers', [])]}"
                        for c in datacite.metadata(doi["identifier"])["creators"]
                    ]
                    print(f"    DataCite registered {doi['identifier']} "
                          f"({datacite.state_of(doi['identifier'])}); creators: {'; '.join(names)}")

            works = OrcidClient(simulator.api_url, token.access_token).list_works(researcher.orcid)
            print(f"\nORCID record {researcher.orcid} now holds {len(works)} work(s):")
            for work in works:
                ids = ", ".join(
                    f"{e['type']}:{e['value']} ({e['relationship']})" for e in work["external_ids"]
                )
                print(f"  - {work['title']}\n      type: {work['type']}, "
                      f"put-code: {work['put_code']}\n      external ids: {ids}")
            if len(works) != 2:
                return 1
        if args.serve:
            serve(app, args.port, simulator)
        return 0
    finally:
        datacite.stop()
        simulator.stop()
        osmem.close()


if __name__ == "__main__":
    sys.exit(main())
