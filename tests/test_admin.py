"""Administration panel: the sync ledger with filters, each row's ORCID calls, retry."""

import re
from datetime import timedelta

import pytest
from invenio_access.models import ActionUsers
from invenio_access.permissions import system_identity
from invenio_accounts.testutils import login_user_via_session
from invenio_administration.permissions import administration_access_action
from invenio_db import db

from invenio_orcid_push.cli import orcid_push
from invenio_orcid_push.models import OrcidPushAccount, OrcidWorkLedger, SyncStatus
from invenio_orcid_push.proxies import current_orcid_ledger_service

from helpers import person, record_data


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


# -- Uptake ---------------------------------------------------------------------


def _figures_on_page(page):
    """``{figure: number}`` of the uptake statistics on the ledger page."""
    return {
        key: int(value)
        for key, value in re.findall(
            r'data-figure="(\w+)">\s*<div class="value">(\d+)</div>', page
        )
    }


def _week_on_page(page, start):
    row = re.search(
        rf'<tr data-week="{start}"><td>[^<]*</td><td>(\d+)</td><td>(\d+)</td>', page
    )
    return int(row.group(1)), int(row.group(2))


def _figure_in_output(output, label):
    return int(re.search(rf"^\s+{re.escape(label)}\s+(\d+)$", output, re.M).group(1))


def test_uptake_counts_links_works_approvals_failures_and_weeks(
    app, base_app, client, admin, make_user, link_orcid, publish, orcid_simulator
):
    service = current_orcid_ledger_service
    before = service.uptake(system_identity)
    failed_before = dict(before["failures"]).get("400/9001", 0)
    this_week, two_weeks_ago = before["weeks"][-1].start, before["weeks"][-3].start
    week_before = {w.start: w for w in before["weeks"]}

    # A writes (its works reach ORCID); B granted only reading; C's scopes
    # include writing but nothing was sent yet; D is asked to approve.
    a, b, c, d = (make_user() for _ in range(4))
    link_orcid(a)
    link_orcid(b, scopes=("/read-limited",))
    link_orcid(c)
    d_orcid = link_orcid(d, name="Ada Lovelace")
    OrcidPushAccount.get_or_create(b.id).granted_scopes = "/read-limited"
    OrcidPushAccount.get_or_create(c.id).granted_scopes = "/activities/update"
    db.session.commit()
    first = publish(a, record_data(title="Counted"))
    publish(
        a, record_data(title="With D", creators=[person("Ada", "Lovelace", d_orcid)])
    )
    orcid_simulator.state.inject_fault(status=400, method="POST", error_code="9001")
    publish(a, record_data(title="Refused"))
    # The first work was last synced two weeks ago.
    row = OrcidWorkLedger.query.filter_by(parent_id=first["parent"]["id"]).one()
    row.synced_at = row.synced_at - timedelta(weeks=2)
    db.session.commit()

    after = service.uptake(system_identity)
    expected = {
        "linked": before["linked"] + 4,
        "can_write": before["can_write"] + 2,
        "works_on_orcid": before["works_on_orcid"] + 2,
        "awaiting_approval": before["awaiting_approval"] + 1,
    }
    assert {key: after[key] for key in expected} == expected
    assert dict(after["failures"])["400/9001"] == failed_before + 1
    weeks = {w.start: w for w in after["weeks"]}
    assert len(weeks) == app.config["ORCID_PUSH_UPTAKE_WEEKS"]
    assert (weeks[this_week].new_links, weeks[this_week].works_synced) == (
        week_before[this_week].new_links + 4,
        week_before[this_week].works_synced + 1,
    )
    assert (
        weeks[two_weeks_ago].works_synced == week_before[two_weeks_ago].works_synced + 1
    )

    # The administration panel shows them.
    login_user_via_session(client, user=admin)
    page = client.get("/administration/orcid-push").get_data(as_text=True)
    assert _figures_on_page(page) == expected
    assert re.search(
        rf'data-reason="400/9001">.*?</td><td>{failed_before + 1}</td>', page
    )
    assert _week_on_page(page, this_week.isoformat()) == (
        weeks[this_week].new_links,
        weeks[this_week].works_synced,
    )

    # So does ``invenio orcid-push status``, after its earlier lines.
    output = base_app.test_cli_runner().invoke(orcid_push, ["status"]).output
    assert "ORCID works per status:" in output and "Pushes owed:" in output
    assert _figure_in_output(output, "users linked to ORCID") == expected["linked"]
    assert (
        _figure_in_output(output, "of them able to add works") == expected["can_write"]
    )
    assert _figure_in_output(output, "works on ORCID") == expected["works_on_orcid"]
    assert (
        _figure_in_output(output, "records awaiting approval")
        == expected["awaiting_approval"]
    )
    assert _figure_in_output(output, "400/9001") == failed_before + 1
    assert re.search(
        rf"^\s+{this_week.isoformat()}\s+{weeks[this_week].new_links}\s+"
        rf"{weeks[this_week].works_synced}$",
        output,
        re.M,
    )
