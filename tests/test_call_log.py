"""Every ORCID call is recorded (method, path, status, error code, duration), never a token."""

from datetime import datetime, timedelta, timezone

from invenio_orcid_push.models import OrcidCallLog, OrcidWorkLedger
from invenio_orcid_push.tasks import purge_orcid_call_log

from helpers import record_data


def test_each_call_is_logged_against_its_ledger_row(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    orcid_simulator.state.inject_fault(status=503, method="POST")
    token = next(t for t in orcid_simulator.state.tokens.values() if t.orcid == orcid)

    record = publish(user, record_data())

    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    calls = (
        OrcidCallLog.query.filter_by(ledger_id=entry.id).order_by(OrcidCallLog.id).all()
    )
    # Each attempt reads the researcher's works first (a work of ours to adopt?).
    assert [(c.method, c.path, c.status, c.error_code) for c in calls] == [
        ("GET", f"/{orcid}/works", 200, None),
        ("POST", f"/{orcid}/work", 503, None),
        ("GET", f"/{orcid}/works", 200, None),
        ("POST", f"/{orcid}/work", 201, None),
    ]
    assert all(c.duration_ms >= 0 and c.orcid == orcid for c in calls)
    assert not any(token.access_token in c.path for c in calls)


def test_old_calls_are_purged_after_the_retention_period(app, db):
    old = OrcidCallLog(
        method="GET",
        path="/x/works",
        status=200,
        duration_ms=1,
        created=datetime.now(timezone.utc) - timedelta(days=400),
    )
    recent = OrcidCallLog(method="GET", path="/y/works", status=200, duration_ms=1)
    db.session.add_all([old, recent])
    db.session.commit()

    purge_orcid_call_log()

    paths = {c.path for c in OrcidCallLog.query.all()}
    assert "/y/works" in paths and "/x/works" not in paths
