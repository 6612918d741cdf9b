"""End-to-end demo on embedded defaults: ``python tests/demo.py`` (``./run-demo.sh``).

It runs InvenioRDM on SQLite with osmem-server as search engine, the ORCID
and DataCite simulators over HTTP and eager Celery, and nothing else (no Redis,
no message broker: see ``in_process_settings``); creates a depositor with
a linked ORCID, publishes a dataset and a software record, and prints what
DataCite and the ORCID record then hold. Development code: it lives under
``tests/`` beside the simulators and helpers it uses (a script's own folder
is on ``sys.path``), not in the plugin's package.
"""

import argparse
import logging
import os
import shutil
import signal
import sys
import tempfile
import warnings
from urllib.parse import urlsplit

import assets

from helpers import (
    DEMO_RESOURCE_TYPES,
    deposit,
    embedded_config,
    ensure_resource_types,
    find_orcid_model,
    link_orcid_account,
    person,
    settings_without_redis,
)

DEMO_PASSWORD = "orcid-demo"
DEMO_EMAIL = "josiah@example.org"
CO_CREATOR_EMAIL = "ada@example.org"
ADMIN_EMAIL = "admin@example.org"
ADMIN_PASSWORD = "orcid-demo-admin"


def serve(app, port, simulator):
    """Serve the demo repository until interrupted."""
    from werkzeug.serving import run_simple

    site = f"https://127.0.0.1:{port}"
    print(
        f"""
Serving the demo repository on {site} (self-signed certificate:
accept it in the browser; ORCID and invenio-oauthclient redirect to HTTPS only)
  log in:            {site}/login/
      depositor      {DEMO_EMAIL} / {DEMO_PASSWORD}  (ORCID linked)
      co-creator     {CO_CREATOR_EMAIL} / {DEMO_PASSWORD}  (ORCID linked)
      administrator  {ADMIN_EMAIL} / {ADMIN_PASSWORD}  (no ORCID link: connect one)
  ORCID settings:    {site}/account/settings/orcid/
  REST API:          {site}/api/user/orcid  (and /api/user/orcid/records)
  administration:    {site}/administration  (ORCID sync ledger: {site}/administration/orcid-push)
  ORCID simulator:   {simulator.url}  (its consent page appears when you connect ORCID)
{assets.describe(app)}
Ctrl-C stops.""",
        flush=True,
    )
    try:
        run_simple(
            "127.0.0.1",
            port,
            app,
            threaded=False,
            use_reloader=False,
            ssl_context="adhoc",
        )
    except KeyboardInterrupt:
        pass


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--schema-dir", help="orcid-model folder, to validate works as ORCID does"
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="then serve the repository on https://127.0.0.1:PORT until Ctrl-C, "
        "to try the ORCID settings page in a browser",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=5000,
        help="the port --serve listens on (default 5000)",
    )
    parser.add_argument(
        "--build-assets",
        action="store_true",
        help="build InvenioRDM's web assets (npm, a few minutes) into "
        "$VENV/var/orcid-push-assets unless already built, for styled pages",
    )
    return parser.parse_args(argv)


def show_plugin_log():
    """Show the plugin's ORCID calls; keep InvenioRDM's start-up chatter out."""
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.CRITICAL)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("    %(message)s"))
    plugin_logger = logging.getLogger("invenio_orcid_push")
    plugin_logger.addHandler(handler)
    plugin_logger.setLevel(logging.INFO)
    plugin_logger.propagate = False
    logging.getLogger("invenio").setLevel(logging.CRITICAL)


def in_process_settings():
    """Everything InvenioRDM would keep in Redis or hand to a broker, in this process.

    The plugin's per-iD locks and ORCID rate limit (``memory://``), caches, the
    rate limiter, sessions, OAuth grants, Celery's results and broker. The UI
    app and the REST API app (mounted at ``/api``) each build their session
    store: both get the same in-memory one, so the browser's login also holds
    for ``/api`` (as a shared Redis gives an instance). The demo only: an
    instance with several processes or workers needs Redis for all of these.
    """
    from cachelib import SimpleCache
    from simplekv.memory import DictStore

    sessions = DictStore()
    return dict(
        settings_without_redis(identities=SimpleCache()),
        ACCOUNTS_SESSION_STORE_FACTORY=lambda app: sessions,
        BROKER_URL="memory://",
        CELERY_BROKER_URL="memory://",
    )


def allow_http_to_loopback_orcid(*urls):
    """Let oauthlib talk OAuth over http to the ORCID simulator, in this process only.

    oauthlib refuses http token and authorize URLs unless
    ``OAUTHLIB_INSECURE_TRANSPORT`` is set (pytest-invenio sets it for tests).
    The demo sets it only when every ORCID URL is this machine's; a real
    ORCID is https, and the plugin's settings check refuses http elsewhere.
    """
    from invenio_orcid_push.settings_check import is_loopback

    parts = [urlsplit(url) for url in urls]
    if all(part.scheme == "https" for part in parts):
        return False
    if not all(is_loopback(part.hostname or "") for part in parts):
        raise SystemExit(f"ORCID over http is only for a local simulator: {urls}")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    return True


def create_demo_app(args, instance_path, osmem, simulator, client, datacite):
    """InvenioRDM on the embedded services, minting DOIs at the DataCite simulator."""
    from invenio_app.factory import create_app

    from invenio_orcid_push.datacite import datacite_settings

    config = embedded_config(instance_path, osmem.url, simulator, client)
    config.update(in_process_settings())
    config.update(
        datacite_settings(
            datacite.url, datacite.username, datacite.password, datacite.prefix
        )
    )
    config.update(assets.demo_settings(args.build_assets))
    if args.serve:
        site = f"https://127.0.0.1:{args.port}"
        config.update(
            SITE_UI_URL=site,
            SITE_API_URL=f"{site}/api",
            TRUSTED_HOSTS=["127.0.0.1", "localhost"],
            APP_ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        )
    app = create_app(**config)
    app.logger.setLevel(logging.CRITICAL)
    return app


def set_up_repository(instance_path):
    """Tables, search indices, a file location and the resource types the demo uses."""
    from invenio_db import db
    from invenio_files_rest.models import Location
    from invenio_search.proxies import current_search

    db.create_all()
    list(current_search.create(ignore_existing=True))
    db.session.add(Location(name="default", uri=f"{instance_path}/data", default=True))
    ensure_resource_types(DEMO_RESOURCE_TYPES)


def create_linked_user(simulator, client, email, name):
    """A user with a password and an ORCID link; their identity, researcher, token."""
    from flask_security.utils import hash_password
    from invenio_access.permissions import any_user, authenticated_user
    from invenio_access.utils import get_identity
    from invenio_accounts.proxies import current_datastore
    from invenio_db import db

    researcher = simulator.state.add_researcher(name=name)
    token = simulator.state.issue_token(researcher.orcid, client.client_id)
    user = current_datastore.create_user(
        email=email,
        password=hash_password(DEMO_PASSWORD),
        active=True,
        confirmed_at=db.func.now(),
    )
    db.session.commit()
    link_orcid_account(
        user, researcher.orcid, researcher.name, token.access_token, client.client_id
    )
    identity = get_identity(user)
    identity.provides.update({any_user, authenticated_user})
    return identity, researcher, token


def create_admin():
    """An administrator (superuser-access): the administration panel, ORCID ledger."""
    from flask_security.utils import hash_password
    from invenio_access.models import ActionUsers
    from invenio_access.permissions import superuser_access
    from invenio_accounts.proxies import current_datastore
    from invenio_db import db

    admin = current_datastore.create_user(
        email=ADMIN_EMAIL,
        password=hash_password(ADMIN_PASSWORD),
        active=True,
        confirmed_at=db.func.now(),
    )
    db.session.add(ActionUsers.allow(superuser_access, user=admin))
    db.session.commit()
    print(f"Administrator {ADMIN_EMAIL} (superuser-access)")


def create_linked_depositor(simulator, client, schema_dir):
    """Josiah, with a password and an ORCID link; his identity and ORCID token."""
    linked = create_linked_user(simulator, client, DEMO_EMAIL, "Josiah Carberry")
    print(
        f"Depositor {DEMO_EMAIL} linked to ORCID iD {linked[1].orcid} "
        f"(XSD validation at the simulator: {'on' if schema_dir else 'off'})"
    )
    return linked


def create_linked_co_creator(simulator, client):
    """Ada, a colleague with her own ORCID link and the default choice ("ask")."""
    linked = create_linked_user(simulator, client, CO_CREATOR_EMAIL, "Ada Lovelace")
    print(f"Co-creator {CO_CREATOR_EMAIL} linked to ORCID iD {linked[1].orcid}")
    return linked


def co_creator_approves(identity, researcher, token, simulator):
    """Ada sees the dataset waiting for her, approves it, and it reaches her record."""
    from invenio_orcid_push.proxies import current_orcid_push_service as service

    before = len(print_orcid_works(simulator, researcher, token, quiet=True))
    rows = service.list_records(identity)["hits"]["hits"]
    waiting = [row for row in rows if row["orcid"]["state"] == "awaiting-approval"]
    for row in waiting:
        print(
            f"\n{CO_CREATOR_EMAIL}: '{row['title']}' lists her as {row['role']} and "
            f"waits for her approval; her ORCID record holds {before} work(s)."
        )
        service.request_sync(identity, row["id"])
        print(f"{CO_CREATOR_EMAIL} approved '{row['title']}'.")
    return print_orcid_works(simulator, researcher, token)


def publish_demo_records(identity, datacite, co_creator_orcid):
    """Publish a dataset (DataCite DOI, listing Ada) and a software record."""
    from invenio_rdm_records.proxies import current_rdm_records_service as service

    # Josiah is listed without his iD: it is added from his ORCID link.
    josiah = person("Josiah", "Carberry")
    for data in (
        deposit(
            "Ocean temperature measurements 2020-2024",
            "dataset",
            [josiah, person("Ada", "Lovelace", co_creator_orcid)],
            "<p>Hourly sea surface temperatures.</p>",
        ),
        deposit(
            "oceantools: analysis scripts",
            "software",
            [josiah],
            "Python scripts for the dataset.",
            doi="10.5555/demo.oceantools",
        ),
    ):
        draft = service.create(identity, data)
        record = service.publish(identity, draft.id)
        print(
            f"Published {record['metadata']['resource_type']['id']} record "
            f"{record.id}: {record['metadata']['title']}"
        )
        print_datacite_registration(record, datacite)


def print_datacite_registration(record, datacite):
    """What DataCite holds for a record's DOI, when DataCite minted it."""
    doi = record["pids"]["doi"]
    if doi["provider"] != "datacite":
        return
    names = [
        f"{c.get('name')} {[i['nameIdentifier'] for i in c.get('nameIdentifiers', [])]}"
        for c in datacite.metadata(doi["identifier"])["creators"]
    ]
    print(
        f"    DataCite registered {doi['identifier']} "
        f"({datacite.state_of(doi['identifier'])}); creators: {'; '.join(names)}"
    )


def print_orcid_works(simulator, researcher, token, quiet=False):
    """Print the works on the researcher's ORCID record, read through the Member API."""
    from invenio_orcid_push.client import OrcidClient

    client = OrcidClient(simulator.api_url, token.access_token)
    works = client.list_works(researcher.orcid)
    if quiet:
        return works
    print(
        f"\nORCID record {researcher.orcid} ({researcher.name}) now holds "
        f"{len(works)} work(s):"
    )
    for work in works:
        ids = ", ".join(
            f"{e['type']}:{e['value']} ({e['relationship']})"
            for e in work["external_ids"]
        )
        print(
            f"  - {work['title']}\n      type: {work['type']}, "
            f"put-code: {work['put_code']}\n      external ids: {ids}"
        )
    return works


def run_demo(args, instance_path, schema_dir):
    """The embedded services, the repository, the records; then serve if asked."""
    from osmem_server import OsmemServer

    from simulators import DataCiteSimulator, OrcidSimulator

    print("Starting embedded services: osmem-server, ORCID and DataCite simulators ...")
    osmem = OsmemServer.start(japanese=False)
    simulator = OrcidSimulator(schema_dir=schema_dir).start()
    client = simulator.state.register_client(name="Demo Repository")
    datacite = DataCiteSimulator(prefix="10.12345").start()
    try:
        allow_http_to_loopback_orcid(simulator.oauth_url, simulator.api_url)
        app = create_demo_app(args, instance_path, osmem, simulator, client, datacite)
        if args.build_assets:
            assets.ensure_built(app)
        with app.app_context():
            set_up_repository(instance_path)
            create_admin()
            identity, researcher, token = create_linked_depositor(
                simulator, client, schema_dir
            )
            ada = create_linked_co_creator(simulator, client)
            publish_demo_records(identity, datacite, ada[1].orcid)
            works = print_orcid_works(simulator, researcher, token)
            ada_works = co_creator_approves(*ada, simulator)
        if (len(works), len(ada_works)) != (2, 1):
            return 1
        if args.serve:
            serve(app, args.port, simulator)
        return 0
    finally:
        datacite.stop()
        simulator.stop()
        osmem.close()


def main(argv=None):
    """Run the demo and print the ORCID record's works; 0 when it holds both.

    The instance folder (database, files) is removed on the way out, also
    after Ctrl-C or a SIGTERM.
    """
    args = parse_args(argv)
    show_plugin_log()
    schema_dir = args.schema_dir or find_orcid_model()
    instance_path = tempfile.mkdtemp(prefix="orcid-push-demo-")
    os.environ["INVENIO_INSTANCE_PATH"] = instance_path
    # Ctrl-C and SIGTERM stop the demo through the clean-up below (also when a
    # shell started it in the background, which would have it ignore SIGINT).
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.default_int_handler)
    try:
        return run_demo(args, instance_path, schema_dir)
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(instance_path, ignore_errors=True)
        print(f"Removed {instance_path}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
