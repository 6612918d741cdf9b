"""Pushes survive real failures of real workers, on RabbitMQ and on Redis.

Every test here runs ``celery worker`` processes (prefork, two children,
prefetch multiplier 1, as production should) on the machine's broker, with a
PostgreSQL database of its own that both the test's publishing app and the
workers use for real (nothing is rolled back), and the ORCID simulator over
HTTP. Then it breaks something: a worker SIGKILLed mid-push, a broker that
is down when a record is published, a message dropped from the queue, ORCID
answering 5xx or losing its answers, the locks' Redis unreachable. It asserts
on what ORCID holds (each record exactly once) and on the sync ledger.
docs/reliability.md gives the figures and how to reproduce them.
"""

import collections
import time
import uuid

import pytest
from invenio_accounts.proxies import current_datastore
from invenio_db import db
from kombu import pools
from real_workers import (
    AMQP_URL,
    BROKERS,
    ROOT,
    Worker,
    broker_settings,
    database_url,
    flask_config,
    forget_broker_state,
    purge_queue,
    reachable,
    wait_for,
    write_settings,
)

from invenio_orcid_push.models import OrcidPushOutbox, OrcidWorkLedger, SyncStatus

from helpers import (
    REDIS_URL,
    RESOURCE_TYPES,
    Depositor,
    closed_port,
    deposit,
    ensure_resource_types,
    link_new_researcher,
    person,
)
from simulators import OrcidSimulator

# Retries within seconds, not minutes; a lock left by a killed worker expires soon.
QUICK_RETRIES = dict(
    ORCID_PUSH_RETRY_BACKOFF=0.2,
    ORCID_PUSH_RETRY_BACKOFF_MAX=1,
    ORCID_PUSH_MAX_RETRIES=10,
    ORCID_PUSH_LOCK_TIMEOUT=5,
    ORCID_PUSH_STALE_AFTER=3,
    ORCID_PUSH_SWEEP_INTERVAL=1,
)


def _require_services():
    missing = [
        name
        for name, url, port in (
            ("PostgreSQL", database_url(), 5432),
            ("Redis", REDIS_URL, 6379),
            ("RabbitMQ", AMQP_URL, 5672),
        )
        if not reachable(url.replace("postgresql+psycopg2", "postgresql"), port)
    ]
    if missing:
        pytest.skip(f"real-worker tests need {', '.join(missing)}")


@pytest.fixture(scope="module")
def simulator(orcid_model_dir):
    """The ORCID simulator of this module (its latency and faults are changed)."""
    with OrcidSimulator(schema_dir=orcid_model_dir) as sim:
        sim.client = sim.state.register_client(name="Real workers repository")
        yield sim


@pytest.fixture(scope="module")
def base_settings(osmem, simulator):
    """A committed database with tables, search indices and resource types."""
    _require_services()
    import shutil

    from invenio_app.factory import create_app
    from invenio_files_rest.models import Location
    from invenio_search.proxies import current_search
    from sqlalchemy_utils import create_database, database_exists, drop_database

    # In the checkout (build/ is not tracked), not in /tmp: other pytest runs
    # of this user prune pytest's folders, and /tmp is shared.
    folder = ROOT / "build" / f"real-workers-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True)
    host, port = osmem.url.rsplit("//", 1)[1].rsplit(":", 1)
    tag = uuid.uuid4().hex[:8]
    settings = dict(
        database_url=database_url(),
        search_hosts=[{"host": host, "port": int(port)}],
        redis_prefix=f"orcid-push-workers-{tag}-",
        client_id=simulator.client.client_id,
        client_secret=simulator.client.secret,
        orcid_api_url=simulator.api_url,
        orcid_oauth_url=simulator.oauth_url,
        folder=str(folder),
        **broker_settings("redis", f"orcid-push-workers-setup-{tag}"),
    )
    if database_exists(settings["database_url"]):  # left by an interrupted run
        drop_database(settings["database_url"])
        shutil.rmtree(folder, ignore_errors=True)
    create_database(settings["database_url"])
    app = create_app(**flask_config(settings))
    with app.app_context():
        db.create_all()
        list(current_search.create(ignore_existing=True))
        db.session.add(Location(name="default", uri=f"{folder}/data", default=True))
        db.session.commit()
        ensure_resource_types(RESOURCE_TYPES)
    try:
        yield settings
    finally:
        with app.app_context():
            list(current_search.delete(ignore=[400, 404]))
            db.session.remove()
            db.engine.dispose()
        drop_database(settings["database_url"])
        shutil.rmtree(folder, ignore_errors=True)


class Stack:
    """One test's broker queue, publishing app and workers; torn down after it."""

    def __init__(self, broker, base_settings, simulator):
        self.broker = broker
        self.simulator = simulator
        self.queue = f"orcid-push-workers-{broker}-{uuid.uuid4().hex[:10]}"
        self.settings = dict(base_settings, **broker_settings(broker, self.queue))
        self.settings["config"] = dict(QUICK_RETRIES)
        self.workers = []
        self.record_ids = []
        self.dois = []
        self.app = None
        self._context = None

    def publishing_app(self, **settings):
        """The test's own InvenioRDM app (``settings`` override the workers')."""
        from invenio_app.factory import create_app

        self.app = create_app(**flask_config(dict(self.settings, **settings)))
        _forget_celery_connections(self.app)
        self._context = self.app.app_context()
        self._context.push()
        return self.app

    def worker(self, name, beat=False, **config):
        """Start a worker (``config``: its own ``ORCID_PUSH_*`` values)."""
        settings = dict(self.settings)
        settings["config"] = dict(self.settings["config"], **config)
        path = write_settings(settings, self.settings["folder"])
        worker = Worker(path, self.queue, name, self.settings["folder"], beat=beat)
        self.workers.append(worker)
        return worker.start()

    def depositors(self, count):
        """``count`` users, each linked to an ORCID record of their own."""
        linked = []
        for _ in range(count):
            user = current_datastore.create_user(
                email=f"worker-{uuid.uuid4().hex[:10]}@example.org",
                password=None,
                active=True,
            )
            db.session.commit()
            orcid = link_new_researcher(user, self.simulator, self.simulator.client)
            linked.append((Depositor(user), orcid))
        return linked

    def publish(self, depositors, count):
        """Publish ``count`` records round robin; ``{doi: orcid}``."""
        published = {}
        for n in range(count):
            depositor, orcid = depositors[n % len(depositors)]
            doi = f"10.5555/workers.{uuid.uuid4().hex[:10]}"
            data = deposit(
                f"Worker record {n}", "dataset", [person("Josiah", "Carberry")], doi=doi
            )
            draft = depositor.service.create(depositor.identity, data)
            # Noted first: publishing may raise after its commit (RDM's own tasks).
            self.dois.append(doi)
            self.record_ids.append(draft.id)  # the published record keeps it
            depositor.service.publish(depositor.identity, draft.id)
            published[doi] = orcid
        return published

    def works_per_doi(self, published):
        """How many works of ours ORCID holds citing each DOI as ``self``."""
        counts = collections.Counter({doi: 0 for doi in published})
        for orcid in set(published.values()):
            for stored in self.simulator.state.works_of(
                orcid, self.simulator.client.client_id
            ):
                for ext in stored.work["external_ids"]:
                    if ext["relationship"] == "self" and ext["value"] in counts:
                        counts[ext["value"]] += 1
        return counts

    def ledger(self, published):
        """The ledger rows of the published records' ORCID records, fresh."""
        db.session.rollback()
        return OrcidWorkLedger.query.filter(
            OrcidWorkLedger.orcid.in_(set(published.values()))
        ).all()

    def owed(self):
        """Outbox rows of the records this test published (pushes not settled)."""
        db.session.rollback()
        return OrcidPushOutbox.query.filter(
            OrcidPushOutbox.record_id.in_(self.record_ids)
        ).count()

    def all_on_orcid(self, published):
        counts = self.works_per_doi(published)
        rows = self.ledger(published)
        done = all(counts.values()) and len(rows) == len(published)
        return done and all(row.status == SyncStatus.SYNCED for row in rows)

    def explain(self, published):
        """What ORCID, the ledger and the workers show (for failure messages)."""
        counts = collections.Counter(self.works_per_doi(published).values())
        statuses = collections.Counter(row.status for row in self.ledger(published))
        errors = collections.Counter(
            row.last_error for row in self.ledger(published) if row.last_error
        )
        logs = "\n".join(
            f"--- worker {w.name}:\n{w.log()[-1500:]}" for w in self.workers
        )
        return (
            f"records by number of works on ORCID: {dict(counts)}; "
            f"ledger: {dict(statuses)}; reasons: {dict(errors)}\n{logs}"
        )

    def wait_until_all_on_orcid(self, published, timeout):
        wait_for(
            lambda: self.all_on_orcid(published),
            timeout,
            "every record on ORCID",
            explain=lambda: self.explain(published),
        )

    def calls(self, published):
        """ORCID's answers to this test's iDs: ``Counter`` of status codes."""
        orcids = set(published.values())
        return collections.Counter(
            entry["status"]
            for entry in list(self.simulator.state.request_log)
            if entry["path"].split("/")[2:3] and entry["path"].split("/")[2] in orcids
        )

    def figures(self, published, **figures):
        """Print what the test did and what survived (docs/reliability.md)."""
        rows = self.ledger(published)
        figures.update(
            records=len(published),
            orcid_answers=dict(sorted(self.calls(published).items())),
            ledger_attempts=sum(row.attempts or 0 for row in rows),
        )
        print(
            f"\nFIGURES {self.broker}: "
            + "; ".join(f"{k}={v}" for k, v in figures.items())
        )

    def close(self):
        for worker in self.workers:
            worker.kill()
        if self._context is not None:
            db.session.remove()
            db.engine.dispose()
            _forget_celery_connections(self.app)
            self._context.pop()
        forget_broker_state(self.broker, self.queue)
        self.simulator.latency = 0
        self.simulator.state.clear_faults()


def _forget_celery_connections(app):
    """Drop the process-wide Celery app's pools, built for an earlier app's broker.

    Every Invenio app of the process reconfigures the one Celery app, which
    keeps its connection pool and queue declarations from the first use.
    """
    celery = app.extensions["invenio-celery"].celery
    celery.close()
    celery.__dict__.pop("amqp", None)
    pools.reset()  # kombu's process-wide registry of pools, keyed by broker URL


@pytest.fixture(params=BROKERS)
def stack(request, base_settings, simulator):
    """A test's stack on each broker; workers killed and queues deleted after."""
    stack = Stack(request.param, base_settings, simulator)
    try:
        yield stack
    finally:
        stack.close()


def test_a_worker_killed_mid_push_loses_no_record_and_duplicates_none(stack):
    records = 20
    stack.publishing_app()
    depositors = stack.depositors(4)
    published = stack.publish(depositors, records)
    stack.simulator.latency = 0.3  # pushes take a while: some are in flight
    first = stack.worker("first").wait_ready()
    wait_for(
        lambda: sum(stack.works_per_doi(published).values()) >= 4,
        30,
        "the first pushes",
        explain=lambda: stack.explain(published),
    )
    first.kill()
    killed_at = time.monotonic()
    on_orcid_at_kill = sum(stack.works_per_doi(published).values())
    assert on_orcid_at_kill < records, "the kill came too late to test anything"

    stack.worker("second").wait_ready()
    stack.wait_until_all_on_orcid(published, 60)
    recovered = time.monotonic() - killed_at
    time.sleep(1)  # a late duplicate would show now
    stack.figures(
        published,
        kills=1,
        on_orcid_at_kill=on_orcid_at_kill,
        seconds_from_kill_to_all_synced=round(recovered, 1),
    )

    assert stack.works_per_doi(published) == {doi: 1 for doi in published}
    rows = stack.ledger(published)
    assert [row.status for row in rows] == [SyncStatus.SYNCED] * records
    assert stack.owed() == 0


def _down_broker_url(broker):
    """The broker's URL with the port of a service that is down."""
    if broker == "redis":
        return f"redis://127.0.0.1:{closed_port()}/0"
    return f"amqp://guest:guest@127.0.0.1:{closed_port()}//"


def _publish_while_broker_is_down(stack, depositor):
    """Publish one record; the error RDM's own after-commit tasks raise, if any.

    RDM sends its tasks (``send_post_published_signal``, PID registration) with
    ``TaskOp``, which raises a broker error after the commit; the plugin's own
    message never raises (``tasks.send``). Any other error fails the test.
    """
    try:
        stack.publish([depositor], 1)
    except Exception as exc:
        frames = [frame.f_code.co_filename for frame, _ in _frames(exc)]
        assert any(
            f.endswith("invenio_records_resources/services/uow.py") for f in frames
        )
        assert not any("invenio_orcid_push" in f for f in frames)
        return type(exc).__name__
    return None


def _frames(exc):
    import traceback

    return traceback.walk_tb(exc.__traceback__)


def test_a_record_published_while_the_broker_is_down_reaches_orcid_by_the_sweep(
    stack,
):
    stack.publishing_app(broker_url=_down_broker_url(stack.broker))
    depositors = stack.depositors(1)
    started = time.monotonic()
    rdm_errors = [_publish_while_broker_is_down(stack, depositors[0]) for _ in range(3)]
    publish_time = (time.monotonic() - started) / 3
    published = {doi: depositors[0][1] for doi in stack.dois}
    # The records are published (committed) and the pushes owed.
    assert len(stack.record_ids) == 3 == stack.owed()
    assert stack.works_per_doi(published) == {doi: 0 for doi in published}

    # No admin action: a worker with beat (the sweep every second) on the broker.
    stack.worker("with-beat", beat=True).wait_ready()
    ready = time.monotonic()
    stack.wait_until_all_on_orcid(published, 45)
    assert stack.works_per_doi(published) == {doi: 1 for doi in published}
    wait_for(lambda: stack.owed() == 0, 10, "the outbox to be settled")
    stack.figures(
        published,
        seconds_per_publish=round(publish_time, 1),
        rdm_errors_after_commit=rdm_errors,
        seconds_from_worker_ready_to_all_synced=round(time.monotonic() - ready, 1),
    )
    assert publish_time < 10, "publishing waited long on the broker"


def test_a_push_message_dropped_from_the_queue_reaches_orcid_by_the_sweep(stack):
    stack.publishing_app()
    depositors = stack.depositors(1)
    published = stack.publish(depositors, 3)
    # Every message is lost before a worker takes it (a purge, a broker restart
    # without persistence...).
    dropped = purge_queue(stack.settings)
    assert dropped >= 3

    stack.worker("with-beat", beat=True).wait_ready()
    ready = time.monotonic()
    stack.wait_until_all_on_orcid(published, 45)
    assert stack.works_per_doi(published) == {doi: 1 for doi in published}
    wait_for(lambda: stack.owed() == 0, 10, "the outbox to be settled")
    stack.figures(
        published,
        messages_dropped=dropped,
        seconds_from_worker_ready_to_all_synced=round(time.monotonic() - ready, 1),
    )


ORCID_FAULTS = [
    dict(status=500),
    dict(status=502),
    dict(status=503),  # over ORCID's rate limit
    dict(status=500, after_store=True),  # the write happened, its answer was lost
    dict(status=503, after_store=True),
]


def test_thirty_percent_of_orcid_calls_failing_or_losing_answers_still_gives_each_work_once(
    stack,
):
    records = 20
    stack.publishing_app()
    depositors = stack.depositors(4)
    state = stack.simulator.state
    injected_before = len(state.faults_injected)
    state.inject_random_faults(0.3, ORCID_FAULTS, seed=12)
    published = stack.publish(depositors, records)
    stack.worker("first").wait_ready()
    ready = time.monotonic()
    stack.wait_until_all_on_orcid(published, 60)
    state.clear_faults()
    injected = collections.Counter(
        f"{method} {status}{' after store' if after else ''}"
        for method, status, after in state.faults_injected[injected_before:]
    )
    stack.figures(
        published,
        faults_injected=dict(sorted(injected.items())),
        seconds_from_worker_ready_to_all_synced=round(time.monotonic() - ready, 1),
    )

    assert stack.works_per_doi(published) == {doi: 1 for doi in published}
    assert len(state.faults_injected) - injected_before >= 3
    wait_for(lambda: stack.owed() == 0, 10, "the outbox to be settled")


def test_pushes_wait_with_a_reason_while_the_locks_redis_is_unreachable(stack):
    stack.publishing_app()
    depositors = stack.depositors(3)
    published = stack.publish(depositors, 3)
    down = f"redis://127.0.0.1:{closed_port()}/0"
    first = stack.worker(
        "locks-down", ORCID_PUSH_LOCK_URL=down, ORCID_PUSH_MAX_RETRIES=100
    ).wait_ready()

    def reasons():
        rows = stack.ledger(published)
        return len(rows) == 3 and all(row.error_code for row in rows) and rows

    rows = wait_for(
        reasons, 30, "the reason on every row", explain=lambda: stack.explain(published)
    )
    assert {row.error_code for row in rows} == {"lock-unreachable"}
    assert all("lock service" in row.last_error for row in rows)
    assert all(row.status == SyncStatus.PENDING for row in rows)
    assert stack.works_per_doi(published) == {doi: 0 for doi in published}

    # The locks' Redis is back (for the next worker): the retries complete.
    reason = rows[0].last_error
    first.stop()
    stack.worker("locks-up", ORCID_PUSH_MAX_RETRIES=100).wait_ready()
    ready = time.monotonic()
    stack.wait_until_all_on_orcid(published, 45)
    stack.figures(
        published,
        reason=reason,
        seconds_from_worker_ready_to_all_synced=round(time.monotonic() - ready, 1),
    )
    assert stack.works_per_doi(published) == {doi: 1 for doi in published}
    assert [row.last_error for row in stack.ledger(published)] == [None] * 3
