"""Administration panel: the sync ledger with filters, each row's ORCID calls, retry."""

import pytest
from invenio_access.models import ActionUsers
from invenio_accounts.testutils import login_user_via_session
from invenio_administration.permissions import administration_access_action
from invenio_db import db

from invenio_orcid_push.models import OrcidWorkLedger, SyncStatus

from helpers import record_data


@pytest.fixture
def admin(make_user):
    user = make_user()
    db.session.add(ActionUsers.allow(administration_access_action, user=user))
    db.session.commit()
    return user


@pytest.fixture
def ledger(make_user, link_orcid, publish, orcid_simulator):
    """One synced row and one failed row."""
    user = make_user()
    orcid = link_orcid(user)
    good = publish(user, record_data(title="Fine"))
    orcid_simulator.state.inject_fault(status=400, method="POST", error_code="9001")
    bad = publish(user, record_data(title="Refused"))
    return user, orcid, good, bad


def test_only_administrators_see_the_ledger(client, make_user, ledger):
    assert client.get("/administration/orcid-push").status_code in (302, 401, 403)
    login_user_via_session(client, user=make_user())
    assert client.get("/administration/orcid-push").status_code == 403


def test_the_ledger_lists_rows_and_filters_them(client, admin, ledger):
    user, orcid, good, bad = ledger
    login_user_via_session(client, user=admin)

    everything = client.get(f"/administration/orcid-push?user={user.email}")
    failed = client.get(
        "/administration/orcid-push?status=failed&error_code=400/9001"
        f"&user={user.id}"
    )
    by_record = client.get(f"/administration/orcid-push?record={good.id}")

    assert everything.status_code == 200
    page = everything.get_data(as_text=True)
    assert good.id in page and bad.id in page and user.email in page
    failed_page = failed.get_data(as_text=True)
    assert bad.id in failed_page and good.id not in failed_page
    assert "ORCID rejected the work" in failed_page
    assert bad.id not in by_record.get_data(as_text=True)


def test_a_row_shows_its_orcid_calls_and_can_be_retried(
    client, admin, ledger, orcid_simulator
):
    _, orcid, _, bad = ledger
    entry = OrcidWorkLedger.get(orcid, bad["parent"]["id"])
    login_user_via_session(client, user=admin)

    page = client.get(f"/administration/orcid-push/{entry.id}").get_data(as_text=True)
    assert f"/{orcid}/work" in page and "9001" in page and "Retry now" in page

    response = client.post(f"/administration/orcid-push/{entry.id}")

    assert response.status_code == 302
    assert OrcidWorkLedger.get(orcid, bad["parent"]["id"]).status == SyncStatus.SYNCED
    assert "Refused" in [w.work["title"] for w in orcid_simulator.state.works_of(orcid)]


def test_an_unknown_row_is_404(client, admin):
    login_user_via_session(client, user=admin)
    assert client.get("/administration/orcid-push/999999").status_code == 404
