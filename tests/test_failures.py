"""ORCID's failures never leave two works, lose a push, or keep hammering ORCID."""

import os
import time
from datetime import datetime, timedelta, timezone

import pytest
import redis
from invenio_db import db

from invenio_orcid_push import sync
from invenio_orcid_push.models import (
    LinkStatus,
    OrcidCallLog,
    OrcidPushAccount,
    OrcidWorkLedger,
    SyncStatus,
)
from invenio_orcid_push.ratelimit import RedisRateLimiter
from invenio_orcid_push.tasks import push_record_to_orcid
from invenio_orcid_push.token_rejections import send_held_link_notices

from helpers import closed_port, record_data


@pytest.fixture
def linked(make_user, link_orcid, depositor_of):
    user = make_user()
    return depositor_of(user), link_orcid(user)


def calls(orcid_simulator, since, orcid=None):
    """ORCID calls since a point of the request log, to one iD if given."""
    return [
        (e["method"], e["status"])
        for e in orcid_simulator.state.request_log[since:]
        if orcid is None or f"/{orcid}/" in e["path"]
    ]


def retitle(title):
    return lambda data: data["metadata"].update(title=title)


def test_a_lost_put_code_is_recovered_from_orcid_and_the_work_updated(
    linked, orcid_simulator, db
):
    depositor, orcid = linked
    record = depositor.publish(record_data())
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    put_code = entry.put_code
    entry.put_code = None  # e.g. a restored backup, or a crash after ORCID answered
    db.session.commit()
    since = len(orcid_simulator.state.request_log)

    depositor.edit(record.id, retitle("Edited after the put-code was lost"))

    # Our work citing the record is found among the researcher's works first.
    assert calls(orcid_simulator, since, orcid) == [("GET", 200), ("PUT", 200)]
    (work,) = orcid_simulator.state.works_of(orcid)
    assert work.work["title"] == "Edited after the put-code was lost"
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.put_code, entry.status) == (put_code, SyncStatus.SYNCED)


def test_a_lost_answer_after_orcid_stored_the_work_leaves_one_work(
    linked, orcid_simulator
):
    depositor, orcid = linked
    orcid_simulator.state.inject_fault(status=502, method="POST", after_store=True)
    since = len(orcid_simulator.state.request_log)

    record = depositor.publish(record_data())

    assert calls(orcid_simulator, since, orcid) == [
        ("GET", 200),
        ("POST", 502),
        ("GET", 200),  # the retry finds the work ORCID stored, and adopts it
        ("PUT", 200),
    ]
    (work,) = orcid_simulator.state.works_of(orcid)
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.put_code, entry.status) == (str(work.put_code), SyncStatus.SYNCED)


def test_a_duplicate_without_a_named_put_code_is_found_by_listing_our_works(
    linked, orcid_simulator, db, monkeypatch
):
    from invenio_orcid_push import client as client_module

    depositor, orcid = linked
    record = depositor.publish(record_data())
    OrcidWorkLedger.get(orcid, record["parent"]["id"]).put_code = None
    db.session.commit()
    # ORCID's message does not always name the put-code.
    monkeypatch.setattr(client_module, "_put_code_in", lambda message: None)
    # Reading the works before creating fails: the push creates, ORCID's 409 guards.
    orcid_simulator.state.inject_fault(status=500, method="GET")
    since = len(orcid_simulator.state.request_log)

    depositor.edit(record.id, retitle("Found by listing"))

    assert calls(orcid_simulator, since, orcid) == [
        ("GET", 500),
        ("POST", 409),
        ("GET", 200),
        ("PUT", 200),
    ]
    assert [w.work["title"] for w in orcid_simulator.state.works_of(orcid)] == [
        "Found by listing"
    ]


def test_a_work_the_researcher_deleted_is_not_recreated_but_can_be_sent_again(
    linked, orcid_simulator
):
    depositor, orcid = linked
    record = depositor.publish(record_data())
    (work,) = orcid_simulator.state.works_of(orcid)
    orcid_simulator.state.delete_by_researcher(orcid, work.put_code)
    since = len(orcid_simulator.state.request_log)

    depositor.edit(record.id, retitle("Edited after the researcher deleted it"))

    assert calls(orcid_simulator, since, orcid) == [("PUT", 404)]
    assert orcid_simulator.state.works_of(orcid) == []
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.REMOVED_BY_RESEARCHER
    assert "You deleted this work on ORCID" in entry.last_error

    since = len(orcid_simulator.state.request_log)
    depositor.edit(record.id, retitle("Edited once more"))
    assert calls(orcid_simulator, since, orcid) == []

    push_record_to_orcid(record.id, force=True)  # "send again"
    (work,) = orcid_simulator.state.works_of(orcid)
    assert work.work["title"] == "Edited once more"
    assert (
        OrcidWorkLedger.get(orcid, record["parent"]["id"]).status == SyncStatus.SYNCED
    )


def test_a_404_on_delete_counts_as_done(linked, orcid_simulator):
    depositor, orcid = linked
    record = depositor.publish(record_data())
    (work,) = orcid_simulator.state.works_of(orcid)
    orcid_simulator.state.delete_by_researcher(orcid, work.put_code)
    OrcidWorkLedger.get(orcid, record["parent"]["id"])  # still says synced
    since = len(orcid_simulator.state.request_log)

    depositor.delete(record.id)

    assert calls(orcid_simulator, since, orcid) == [("DELETE", 404)]
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.put_code) == (SyncStatus.REMOVED, None)


def test_a_revoked_link_stops_all_pushes_for_that_user_and_keeps_the_ledger(
    make_user, link_orcid, depositor_of, orcid_simulator, orcid_api_client
):
    user = make_user()
    orcid = link_orcid(user)
    depositor = depositor_of(user)
    first = depositor.publish(record_data(title="Before revocation"))
    orcid_simulator.state.revoke_by_researcher(orcid, orcid_api_client.client_id)
    since = len(orcid_simulator.state.request_log)

    depositor.edit(first.id, retitle("After revocation"))
    second = depositor.publish(record_data(title="Another record"))
    depositor.delete(first.id)

    assert calls(orcid_simulator, since, orcid) == [
        ("PUT", 401)
    ]  # one call, no retries
    account = OrcidPushAccount.get(user.id)
    assert account.link_status == LinkStatus.REVOKED
    assert "connect ORCID again" in account.link_problem
    entry = OrcidWorkLedger.get(orcid, first["parent"]["id"])
    assert entry.put_code is not None and entry.status == SyncStatus.FAILED
    assert OrcidWorkLedger.get(orcid, second["parent"]["id"]) is None


def test_a_link_without_update_permission_is_marked_as_needing_it(
    make_user, link_orcid, depositor_of, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user, scopes=("/authenticate",))

    record = depositor_of(user).publish(record_data())

    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.error_code) == (SyncStatus.FAILED, "403/9004")
    assert "grant update permission" in entry.last_error
    assert OrcidPushAccount.get(user.id).link_status == LinkStatus.NEEDS_PERMISSION


def test_a_deprecated_orcid_id_is_recorded_and_no_longer_pushed_to(
    make_user, link_orcid, depositor_of, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    primary = orcid_simulator.state.add_researcher()
    orcid_simulator.state.deprecate(orcid, primary.orcid)
    depositor = depositor_of(user)
    since = len(orcid_simulator.state.request_log)

    record = depositor.publish(record_data())
    depositor.publish(record_data(title="Later record"))

    # The read before creating already says the iD moved: no POST after it.
    assert calls(orcid_simulator, since, orcid) == [("GET", 301)]
    account = OrcidPushAccount.get(user.id)
    assert (account.link_status, account.moved_to) == (LinkStatus.MOVED, primary.orcid)
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.error_code == "301/9007"
    assert f"merged {orcid} into {primary.orcid}" in entry.last_error


def test_orcid_unavailable_is_retried_until_it_works(linked, orcid_simulator):
    depositor, orcid = linked
    orcid_simulator.state.inject_fault(status=503, method="POST", times=2)
    since = len(orcid_simulator.state.request_log)

    record = depositor.publish(record_data())

    # Each attempt first reads the works (one of ours may be there to adopt).
    assert calls(orcid_simulator, since, orcid) == [
        ("GET", 200),
        ("POST", 503),
        ("GET", 200),
        ("POST", 503),
        ("GET", 200),
        ("POST", 201),
    ]
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.attempts) == (SyncStatus.SYNCED, 3)


def test_a_timeout_is_retried_and_never_leaves_two_works(app, linked, orcid_simulator):
    depositor, orcid = linked
    timeout = app.config["ORCID_PUSH_HTTP_TIMEOUT"]
    app.config["ORCID_PUSH_HTTP_TIMEOUT"] = (2, 0.3)
    orcid_simulator.latency = 0.6  # ORCID answers after we stopped waiting
    try:
        record = depositor.publish(record_data())
        time.sleep(0.8)  # the requests we gave up on still reach ORCID
    finally:
        orcid_simulator.latency = 0
        app.config["ORCID_PUSH_HTTP_TIMEOUT"] = timeout
    assert (
        OrcidWorkLedger.get(orcid, record["parent"]["id"]).status == SyncStatus.FAILED
    )
    push_record_to_orcid(record.id)  # the nightly resync picks it up

    (work,) = orcid_simulator.state.works_of(orcid)
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.put_code) == (SyncStatus.SYNCED, str(work.put_code))


def test_a_400_is_not_retried_and_its_reason_is_kept(linked, orcid_simulator):
    depositor, orcid = linked
    orcid_simulator.state.inject_fault(status=400, method="POST", error_code="9001")
    since = len(orcid_simulator.state.request_log)

    record = depositor.publish(record_data())

    assert calls(orcid_simulator, since, orcid) == [("GET", 200), ("POST", 400)]
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.error_code) == (SyncStatus.FAILED, "400/9001")
    assert entry.last_error.startswith("ORCID rejected the work: Injected fault")


def test_the_researcher_is_told_once_by_email_when_orcid_access_is_revoked(
    app, make_user, link_orcid, depositor_of, orcid_simulator, orcid_api_client, mailbox
):
    user = make_user()
    orcid = link_orcid(user)
    depositor = depositor_of(user)
    orcid_simulator.state.revoke_by_researcher(orcid, orcid_api_client.client_id)

    depositor.publish(record_data(title="First after revocation"))
    depositor.publish(record_data(title="Second after revocation"))
    # Told once the link stayed revoked a whole window without a pause (a wave
    # of rejections would be the repository's settings, not this researcher).
    assert not [m for m in mailbox if user.email in m.recipients]
    window = timedelta(seconds=app.config["ORCID_PUSH_TOKEN_REJECTIONS_WINDOW"])
    later = datetime.now(timezone.utc) + window + timedelta(seconds=1)
    assert user.id in send_held_link_notices(now=later)
    assert user.id not in send_held_link_notices(now=later)

    (message,) = [m for m in mailbox if user.email in m.recipients]
    assert "ORCID connection needs your attention" in message.subject
    assert "https://repo.example.org/account/settings/orcid/" in message.body
    assert "Reconnect ORCID" in message.body
    assert f"https://orcid.org/{orcid}" in message.body


def _revoked_and_window_passed(app, user, link_orcid, depositor_of, simulator, api):
    """``user``'s link revoked at ORCID, a push marking it, the window passed.

    Earlier tests' rejections are moved out of the window first: three
    researchers rejected within it would be a pause, which holds the notice.
    """
    OrcidCallLog.query.update(
        {OrcidCallLog.created: datetime.now(timezone.utc) - timedelta(days=1)}
    )
    db.session.commit()
    orcid = link_orcid(user)
    simulator.state.revoke_by_researcher(orcid, api.client_id)
    depositor_of(user).publish(record_data(title="After revocation"))
    window = timedelta(seconds=app.config["ORCID_PUSH_TOKEN_REJECTIONS_WINDOW"])
    return datetime.now(timezone.utc) + window + timedelta(seconds=1)


def test_a_researcher_who_turned_notifications_off_gets_no_link_problem_email(
    app, db, make_user, link_orcid, depositor_of, orcid_simulator, orcid_api_client,
    mailbox,
):  # fmt: skip
    user = make_user()
    user.preferences = {**(user.preferences or {}), "notifications": {"enabled": False}}
    db.session.commit()
    later = _revoked_and_window_passed(
        app, user, link_orcid, depositor_of, orcid_simulator, orcid_api_client
    )

    send_held_link_notices(now=later)

    assert OrcidPushAccount.get(user.id).link_status == LinkStatus.REVOKED
    assert not [m for m in mailbox if user.email in m.recipients]


@pytest.fixture
def instance_template(app):
    """``instance_template(name, text)``: a template in the instance's folder,
    which comes before every package's (as an instance overrides one)."""
    written = []

    def _write(name, text):
        path = os.path.join(app.instance_path, "templates", name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as target:
            target.write(text)
        written.append(path)
        app.jinja_env.cache.clear()

    yield _write
    for path in written:
        os.remove(path)
    app.jinja_env.cache.clear()


def test_an_instance_template_overrides_the_link_problem_email(
    app, make_user, link_orcid, depositor_of, orcid_simulator, orcid_api_client,
    mailbox, instance_template,
):  # fmt: skip
    instance_template(
        "invenio_notifications/orcid-push.link-problem.jinja",
        "{%- block subject -%}Our own words: {{ notification.context.orcid }}"
        "{%- endblock subject -%}"
        "{%- block html_body -%}<p>{{ notification.context.problem }}</p>"
        "{%- endblock html_body -%}"
        "{%- block plain_body -%}{{ notification.context.problem }}"
        "{%- endblock plain_body -%}",
    )
    user = make_user()
    later = _revoked_and_window_passed(
        app, user, link_orcid, depositor_of, orcid_simulator, orcid_api_client
    )

    assert user.id in send_held_link_notices(now=later)

    (message,) = [m for m in mailbox if user.email in m.recipients]
    orcid = OrcidPushAccount.get(user.id).orcid
    assert message.subject == f"Our own words: {orcid}"


def test_an_unreachable_rate_limit_redis_is_retried_with_its_reason_on_the_row(
    app, linked, monkeypatch
):
    depositor, orcid = linked
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        record = depositor.publish(record_data())
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    down = redis.Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0")
    monkeypatch.setattr(
        sync, "rate_limiter", lambda app: RedisRateLimiter(down, rate=20, burst=20)
    )

    assert sync.sync_record(record.id).retry
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.error_code) == (
        SyncStatus.PENDING,
        "rate-limit-unreachable",
    )
    assert entry.last_error.startswith("The rate limit service (Redis at")

    monkeypatch.undo()  # Redis is back
    assert not sync.sync_record(record.id).retry
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.last_error) == (SyncStatus.SYNCED, None)
