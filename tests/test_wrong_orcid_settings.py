"""A wrong ORCID setting is the repository's problem, never blamed on researchers.

- A redirect that names no merged iD (an http URL redirected to https, a
  wrong host) fails the push with a reason naming ``ORCID_PUSH_API_URL``;
  the link stays as it was, and the push goes through once the URL is fixed.
- ORCID rejecting the tokens of several researchers within minutes (here: the
  API URL points at another ORCID, which knows none of our tokens) pauses
  pushes: no link marked revoked, no researcher e-mailed, one notice to the
  administrators, and every push goes through once the setting is fixed.
"""

import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from invenio_accounts.testutils import login_user_via_session
from invenio_cache import current_cache
from invenio_db import db

from invenio_orcid_push.jobs import nightly_reconcile_job
from invenio_orcid_push.models import (
    LinkStatus,
    OrcidCallLog,
    OrcidPushAccount,
    OrcidWorkLedger,
    SyncStatus,
)
from invenio_orcid_push.tasks import push_record_to_orcid
from invenio_orcid_push.token_rejections import _TOLD_KEY, send_held_link_notices

from helpers import record_data


class _RedirectToHttps(BaseHTTPRequestHandler):
    """What ORCID's web servers do with plain http: 301 to the https URL."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(301)
        self.send_header("Location", "https://api.orcid.org" + self.path)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def redirecting_api():
    """An http server on loopback answering every call with a 301 to https."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RedirectToHttps)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v3.0"
    server.shutdown()
    server.server_close()


@contextmanager
def api_url(app, url):
    saved = app.config["ORCID_PUSH_API_URL"]
    app.config["ORCID_PUSH_API_URL"] = url
    try:
        yield
    finally:
        app.config["ORCID_PUSH_API_URL"] = saved


@pytest.fixture
def quiet_call_log(app, db):
    """Earlier tests' token rejections lie outside the window; no pause told yet."""
    OrcidCallLog.query.update(
        {OrcidCallLog.created: datetime.now(timezone.utc) - timedelta(days=1)}
    )
    db.session.commit()
    current_cache.delete(_TOLD_KEY)


def _window_passes(app):
    """As if the pause window passed since every call so far."""
    window = timedelta(seconds=app.config["ORCID_PUSH_TOKEN_REJECTIONS_WINDOW"] + 1)
    for call in OrcidCallLog.query.all():
        call.created = call.created - window
    db.session.commit()


def _link_status(user):
    account = OrcidPushAccount.get(user.id)
    return account.link_status if account else LinkStatus.ACTIVE


def test_a_redirect_naming_no_merged_id_is_a_settings_error_not_a_moved_id(
    app, make_user, link_orcid, depositor_of, orcid_simulator, redirecting_api, mailbox
):
    user = make_user()
    orcid = link_orcid(user)

    with api_url(app, redirecting_api):
        record = depositor_of(user).publish(record_data(title="Redirected"))

    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.error_code) == (SyncStatus.FAILED, "301")
    assert entry.last_error.startswith("ORCID_PUSH_API_URL does not lead to ORCID")
    assert "An administrator must check ORCID_PUSH_API_URL" in entry.last_error
    assert _link_status(user) == LinkStatus.ACTIVE
    assert (
        OrcidPushAccount.get(user.id) is None
        or not OrcidPushAccount.get(user.id).moved_to
    )
    assert not [m for m in mailbox if user.email in m.recipients]

    push_record_to_orcid(record.id)  # the next retry, the URL fixed

    (work,) = orcid_simulator.state.works_of(orcid)
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.put_code) == (SyncStatus.SYNCED, str(work.put_code))


def test_a_merged_id_is_still_recognised(
    make_user, link_orcid, depositor_of, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    primary = orcid_simulator.state.add_researcher()
    orcid_simulator.state.deprecate(orcid, primary.orcid)

    depositor_of(user).publish(record_data())

    account = OrcidPushAccount.get(user.id)
    assert (account.link_status, account.moved_to) == (LinkStatus.MOVED, primary.orcid)


def test_orcid_rejecting_many_researchers_tokens_pauses_pushes_and_tells_admins_once(
    app,
    client,
    make_user,
    link_orcid,
    depositor_of,
    orcid_simulator,
    fresh_simulator,
    admin,
    mailbox,
    quiet_call_log,
):
    researchers = [make_user() for _ in range(4)]
    orcids = [link_orcid(user) for user in researchers]
    depositors = [depositor_of(user) for user in researchers]

    # A wrong host: another ORCID, which knows none of our researchers' tokens.
    with api_url(app, fresh_simulator.api_url):
        records = [
            depositor.publish(record_data(title=f"While misconfigured {number}"))
            for number, depositor in enumerate(depositors)
        ]

    # Researchers: their links are as they were, nobody is e-mailed.
    assert [_link_status(user) for user in researchers] == [LinkStatus.ACTIVE] * 4
    emails = {user.email for user in researchers}
    assert not [m for m in mailbox if emails & set(m.recipients)]
    rows = [
        OrcidWorkLedger.get(orcid, record["parent"]["id"])
        for orcid, record in zip(orcids, records)
    ]
    assert {(row.status, row.error_code) for row in rows} == {
        (SyncStatus.FAILED, "paused")
    }
    assert all(
        row.last_error.startswith("Paused: ORCID rejected the tokens of 3 researchers")
        and "check ORCID_PUSH_API_URL and the ORCID client credentials"
        in row.last_error
        for row in rows
    )
    # Three rejections started the pause; the fourth push made no call.
    rejected = {
        entry["path"].split("/")[2] for entry in fresh_simulator.state.request_log
    }
    assert rejected == set(orcids[:3])
    # Administrators: told once, and the ledger page says so.
    (notice,) = [m for m in mailbox if admin.email in m.recipients]
    assert "ORCID pushes are paused" in notice.subject
    assert "rejected the tokens of 3 researchers within 10 minutes" in notice.body
    login_user_via_session(client, user=admin)
    page = client.get("/administration/orcid-push").get_data(as_text=True)
    assert "ORCID pushes are paused" in page
    # Held link notices stay held: nobody's link is revoked.
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert not set(send_held_link_notices(now=later)) & {u.id for u in researchers}

    # The setting is fixed; once the window passed, the retries go through.
    _window_passes(app)
    nightly_reconcile_job()

    for orcid, record in zip(orcids, records):
        (work,) = orcid_simulator.state.works_of(orcid)
        entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
        assert (entry.status, entry.put_code) == (SyncStatus.SYNCED, str(work.put_code))
    assert len([m for m in mailbox if admin.email in m.recipients]) == 1
    assert not [m for m in mailbox if emails & set(m.recipients)]
    page = client.get("/administration/orcid-push").get_data(as_text=True)
    assert "ORCID pushes are paused" not in page


def test_one_researcher_revoking_access_is_still_their_own_doing(
    make_user, link_orcid, depositor_of, orcid_simulator, orcid_api_client, admin,
    mailbox, quiet_call_log,
):  # fmt: skip
    user = make_user()
    orcid = link_orcid(user)
    orcid_simulator.state.revoke_by_researcher(orcid, orcid_api_client.client_id)

    depositor_of(user).publish(record_data())

    assert _link_status(user) == LinkStatus.REVOKED
    assert not [m for m in mailbox if admin.email in m.recipients]
