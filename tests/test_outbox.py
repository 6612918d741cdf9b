"""A push owed to ORCID is never lost between the publish and the broker.

The publishing transaction writes the push into the outbox; the task settles
it. When the message is lost (here: the broker is unreachable when the record
is published), the record is still published and the sweep sends the push
later. Tests with real worker processes are in ``test_real_workers.py``.
"""

import socket
import uuid
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import current_app
from invenio_access.permissions import system_identity
from kombu import Connection, pools
from kombu.exceptions import OperationalError

from invenio_orcid_push.ext import SWEEP_SCHEDULE_NAME
from invenio_orcid_push.models import OrcidPushOutbox, OrcidWorkLedger, SyncStatus
from invenio_orcid_push.proxies import current_orcid_ledger_service
from invenio_orcid_push.tasks import sweep_stale_orcid_pushes

from helpers import record_data

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672//"


def closed_port():
    """A loopback port nothing listens on (never one of the machine's services)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def celery_sending_to(broker_url):
    """Send task messages to ``broker_url`` instead of running them eagerly."""
    celery = current_app.extensions["invenio-celery"].celery
    saved = (celery.conf.task_always_eager, celery.conf.broker_url)
    celery.conf.task_always_eager = False
    celery.conf.broker_url = broker_url
    celery._pool = celery.amqp._producer_pool = None
    try:
        yield celery
    finally:
        # Celery's pools live in kombu's process-wide registry, keyed by broker
        # URL: reset it (closing one pool would hand a closed pool to the next
        # app that uses the same broker).
        pools.reset()
        celery._pool = celery.amqp._producer_pool = None
        celery.conf.task_always_eager, celery.conf.broker_url = saved


def publish_while_the_broker_is_down(depositor, data):
    """Publish with every task message failing to reach the broker.

    InvenioRDM's own after-commit tasks (``send_post_published_signal``) then
    raise to the caller, after the record was committed; ours does not.
    """
    draft = depositor.service.create(depositor.identity, data)
    with celery_sending_to(f"amqp://guest:guest@127.0.0.1:{closed_port()}//"):
        try:
            depositor.service.publish(depositor.identity, draft.id)
        except OperationalError:
            pass
    return depositor.service.read(depositor.identity, draft.id)


@pytest.fixture
def stale_at_once(app):
    """Owed pushes count as stale at once (instead of after 15 minutes)."""
    saved = app.config["ORCID_PUSH_STALE_AFTER"]
    app.config["ORCID_PUSH_STALE_AFTER"] = timedelta(0)
    yield
    app.config["ORCID_PUSH_STALE_AFTER"] = saved


def owed(record_id):
    return OrcidPushOutbox.query.filter_by(record_id=record_id).count()


def test_a_push_done_leaves_nothing_owed(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)

    record = publish(user, record_data())

    assert len(orcid_simulator.state.works_of(orcid)) == 1
    assert owed(record.id) == 0


def test_broker_down_at_publish_the_record_is_published_and_the_sweep_pushes_it(
    make_user, link_orcid, depositor_of, orcid_simulator, stale_at_once
):
    user = make_user()
    orcid = link_orcid(user)

    record = publish_while_the_broker_is_down(
        depositor_of(user), record_data(title="Published while the broker is down")
    )

    # The depositor got their record; ORCID has nothing yet, the outbox owes it.
    assert record.data["status"] == "published"
    assert orcid_simulator.state.works_of(orcid) == []
    assert owed(record.id) == 1
    assert record.id in list(
        current_orcid_ledger_service.select_families(system_identity, failed=True)
    )

    assert sweep_stale_orcid_pushes() == 1

    works = orcid_simulator.state.works_of(orcid)
    assert [w.work["title"] for w in works] == ["Published while the broker is down"]
    entry = OrcidWorkLedger.query.filter_by(orcid=orcid).one()
    assert entry.status == SyncStatus.SYNCED
    assert owed(record.id) == 0
    assert sweep_stale_orcid_pushes() == 0


def test_the_sweep_leaves_pushes_that_are_not_overdue(
    make_user, link_orcid, depositor_of, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    before = current_orcid_ledger_service.status_counts(system_identity)["pushes"]

    record = publish_while_the_broker_is_down(depositor_of(user), record_data())

    # ORCID_PUSH_STALE_AFTER is 15 minutes: its task may still be on its way.
    assert sweep_stale_orcid_pushes() == 0
    assert orcid_simulator.state.works_of(orcid) == []
    assert owed(record.id) == 1
    counts = current_orcid_ledger_service.status_counts(system_identity)
    assert counts["pushes"] == {"owed": before["owed"] + 1, "stale": before["stale"]}


def test_push_messages_go_to_the_configured_queue_and_carry_the_outbox_token(
    app, make_user, link_orcid, publish
):
    queue = f"orcid-push-test-{uuid.uuid4().hex[:12]}"
    app.config["ORCID_PUSH_CELERY_QUEUE"] = queue
    user = make_user()
    link_orcid(user)
    try:
        with celery_sending_to(RABBITMQ_URL):
            record = publish(user, record_data())
        with Connection(RABBITMQ_URL) as conn:
            message = conn.SimpleQueue(queue).get(timeout=10)
            headers, (args, kwargs) = message.headers, message.decode()[:2]
            message.ack()
            conn.default_channel.queue_delete(queue)
    finally:
        app.config["ORCID_PUSH_CELERY_QUEUE"] = None
    assert headers["task"] == "invenio_orcid_push.tasks.push_record_to_orcid"
    assert args == [record.id]
    row = OrcidPushOutbox.query.filter_by(record_id=record.id).one()
    assert kwargs["outbox"] == row.token


def test_the_sweep_is_on_celery_beats_schedule(app):
    celery = app.extensions["invenio-celery"].celery
    entry = celery.conf.beat_schedule[SWEEP_SCHEDULE_NAME]
    assert entry["task"] == sweep_stale_orcid_pushes.name
    assert entry["schedule"] == app.config["ORCID_PUSH_SWEEP_INTERVAL"]
    assert entry["options"] == {}  # Celery's default queue, like our other tasks
    assert sweep_stale_orcid_pushes.name in celery.tasks


def test_with_a_queue_of_its_own_the_sweep_is_sent_there(app_config):
    from invenio_app.factory import create_app

    app = create_app(**{**app_config, "ORCID_PUSH_CELERY_QUEUE": "orcid-push"})
    entry = app.extensions["invenio-celery"].celery.conf.beat_schedule[
        SWEEP_SCHEDULE_NAME
    ]
    assert entry["options"] == {"queue": "orcid-push"}
