"""The reconcile reads ORCID back: works researchers deleted, stray copies of ours,
other sources' copies, works of ours nobody here explains."""

import copy

import pytest
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db
from invenio_jobs.models import Run, RunStatusEnum
from invenio_jobs.proxies import current_jobs_service, current_runs_service

from invenio_orcid_push.cli import orcid_push
from invenio_orcid_push.models import OrcidPushAccount, OrcidWorkLedger, SyncStatus
from invenio_orcid_push.reconcile import RowView, compare, identifier_key

from helpers import record_data, with_datacite

CLIENT = "APP-OURS"
SYNCED, REMOVED = SyncStatus.SYNCED, SyncStatus.REMOVED
PENDING, BY_RESEARCHER = SyncStatus.PENDING, SyncStatus.REMOVED_BY_RESEARCHER


# -- The comparison, a table -----------------------------------------------------------


def summary(put_code, *dois, source=CLIENT, name=None, relationship="self"):
    return {
        "put_code": str(put_code),
        "title": f"Work {put_code}",
        "source_client_id": source,
        "source_name": name,
        "external_ids": [
            {"type": "doi", "value": doi, "relationship": relationship} for doi in dois
        ],
    }


IDS = {
    "fam-a": {identifier_key("doi", "10.1/a"), identifier_key("doi", "10.1/a.v1")},
    "fam-b": {identifier_key("doi", "10.1/b")},
}

# (what ORCID holds, ledger rows) -> (deleted by researcher, adopted, strays, unknown)
CASES = {
    "all as the ledger says": (
        [summary(1, "10.1/a"), summary(2, "10.1/b")],
        [RowView("fam-a", "1", SYNCED), RowView("fam-b", "2", SYNCED)],
        ([], {}, [], []),
    ),
    "the researcher deleted our work": (
        [summary(2, "10.1/b")],
        [RowView("fam-a", "1", SYNCED), RowView("fam-b", "2", SYNCED)],
        (["fam-a"], {}, [], []),
    ),
    "a gone row already said so": (
        [],
        [RowView("fam-a", None, BY_RESEARCHER)],
        ([], {}, [], []),
    ),
    "a stray copy of ours citing the version DOI": (
        [summary(1, "10.1/a"), summary(3, "10.1/A.V1")],
        [RowView("fam-a", "1", SYNCED)],
        ([], {}, [("3", "fam-a")], []),
    ),
    "a DOI written as a URL is the same DOI": (
        [summary(1, "10.1/a"), summary(3, "https://doi.org/10.1/a")],
        [RowView("fam-a", "1", SYNCED)],
        ([], {}, [("3", "fam-a")], []),
    ),
    "a leftover of a record no longer public": (
        [summary(4, "10.1/b")],
        [RowView("fam-b", None, REMOVED)],
        ([], {}, [("4", "fam-b")], []),
    ),
    "the researcher deleted one of two copies: the other is adopted": (
        [summary(3, "10.1/a.v1")],
        [RowView("fam-a", "1", SYNCED)],
        ([], {"fam-a": "3"}, [], []),
    ),
    "a push under way is not judged": (
        [summary(5, "10.1/a")],
        [RowView("fam-a", None, PENDING)],
        ([], {}, [], []),
    ),
    "a work of ours no family explains": (
        [summary(1, "10.1/a"), summary(6, "10.9/elsewhere")],
        [RowView("fam-a", "1", SYNCED)],
        ([], {}, [], ["6"]),
    ),
    "another source's copy is never ours to delete": (
        [summary(1, "10.1/a"), summary(7, "10.1/a", source="APP-DC", name="DataCite")],
        [RowView("fam-a", "1", SYNCED)],
        ([], {}, [], []),
    ),
    "a DOI cited as part-of is not a copy": (
        [summary(1, "10.1/a"), summary(8, "10.1/a", relationship="part-of")],
        [RowView("fam-a", "1", SYNCED)],
        ([], {}, [], ["8"]),
    ),
}


@pytest.mark.parametrize("held, rows, expected", CASES.values(), ids=CASES.keys())
def test_the_comparison(held, rows, expected):
    found = compare(held, rows, IDS, CLIENT)

    assert (
        found.deleted_by_researcher,
        found.adopted,
        found.strays,
        [s["put_code"] for s in found.unknown],
    ) == expected


def test_other_sources_are_named_per_family():
    held = [
        summary(1, "10.1/a"),
        summary(7, "10.1/a.v1", source="APP-DC", name="DataCite", relationship="self"),
        summary(9, "10.1/a", source="APP-CR", name="Crossref Metadata Search"),
        summary(10, "10.1/zzz", source="APP-CR", name="Crossref Metadata Search"),
    ]

    found = compare(held, [RowView("fam-a", "1", SYNCED)], IDS, CLIENT)

    assert found.other_sources == {"fam-a": ["Crossref Metadata Search", "DataCite"]}


def test_per_version_works_are_not_copies_of_their_siblings():
    per_version = {
        "v1": {identifier_key("doi", "10.1/a.v1")},
        "v2": {identifier_key("doi", "10.1/a.v2")},
    }
    held = [summary(1, "10.1/a.v1"), summary(2, "10.1/a.v2")]
    rows = [RowView("v1", "1", SYNCED), RowView("v2", "2", SYNCED)]

    found = compare(held, rows, per_version, CLIENT)

    assert (found.strays, found.unknown, found.deleted_by_researcher) == ([], [], [])


# -- Against the ORCID and DataCite simulators -----------------------------------------


@pytest.fixture(scope="module")
def app_config(app_config, datacite):
    """DOIs minted at the DataCite simulator."""
    return with_datacite(app_config, datacite)


@pytest.fixture
def run_cli(base_app):
    def _run(*args):
        return base_app.test_cli_runner().invoke(orcid_push, ["reconcile", *args])

    return _run


def run_job():
    """The nightly reconcile, run as an administrator runs it in the panel."""
    job = current_jobs_service.create(
        system_identity(), {"title": "Nightly", "task": "orcid_push_nightly_reconcile"}
    )
    run = current_runs_service.create(
        system_identity(), job.id, {"title": "Manual run", "args": {}}
    )
    return db.session.get(Run, run.id)


def system_identity():
    from invenio_access.permissions import system_identity as identity

    return identity


@pytest.fixture(params=["cli", "job"])
def reconcile(request, run_cli):
    """``invenio orcid-push reconcile`` or the nightly job: the same run."""

    def _reconcile():
        if request.param == "cli":
            result = run_cli()
            assert result.exit_code == 0, result.output
            return result.output
        run = run_job()
        assert run.status == RunStatusEnum.SUCCESS, run.message
        return ""

    _reconcile.by = request.param
    return _reconcile


@pytest.fixture
def published(make_user, link_orcid, publish, orcid_simulator):
    """A linked researcher and a record with DOIs, on ORCID."""
    user = make_user()
    orcid = link_orcid(user)
    record = publish(user, record_data(title="Read back"))
    (work,) = orcid_simulator.state.works_of(orcid)
    return user, orcid, record, work


def put_work(simulator, orcid, like, external_ids, client_name=None, client_id=None):
    """A work put on the researcher's record by a client (ours unless named)."""
    if client_name is not None:
        client_id = simulator.state.register_client(name=client_name).client_id
    token = simulator.state.issue_token(orcid, client_id)
    work = copy.deepcopy(like.work)
    work["put_code"] = None
    work["external_ids"] = external_ids
    return simulator.state.create_work(token, orcid, work)


def doi(value, relationship="self"):
    return {
        "type": "doi",
        "value": value,
        "url": f"https://doi.org/{value}",
        "relationship": relationship,
    }


def writes_since(simulator, start):
    return [
        call
        for call in simulator.state.request_log[start:]
        if call["method"] in ("POST", "PUT", "DELETE")
    ]


def records_api(client, user):
    login_user_via_session(client, user=user)
    (item,) = client.get("/api/user/orcid/records").json["hits"]["hits"]
    return item


def test_a_work_the_researcher_deleted_is_marked_so_and_not_sent_again(
    reconcile, published, orcid_simulator, client, depositor_of
):
    user, orcid, record, work = published
    orcid_simulator.state.delete_by_researcher(orcid, work.put_code)

    reconcile()

    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.REMOVED_BY_RESEARCHER
    assert "You deleted this work on ORCID" in entry.last_error
    assert records_api(client, user)["orcid"]["state"] == "removed-by-researcher"
    # A later edit of the record does not put it back.
    depositor_of(user).edit(
        record.id, lambda data: data["metadata"].update(title="Edited")
    )
    assert orcid_simulator.state.works_of(orcid) == []


def test_stray_copies_of_ours_go_other_sources_stay_unknown_works_are_reported(
    reconcile, published, orcid_simulator, orcid_api_client, client
):
    user, orcid, record, work = published
    version_doi = record["pids"]["doi"]["identifier"]
    stray = put_work(
        orcid_simulator,
        orcid,
        work,
        [doi(version_doi)],
        client_id=orcid_api_client.client_id,
    )
    theirs = put_work(
        orcid_simulator, orcid, work, [doi(version_doi)], client_name="DataCite"
    )
    unknown = put_work(
        orcid_simulator,
        orcid,
        work,
        [doi("10.9999/not-from-here")],
        client_id=orcid_api_client.client_id,
    )
    start = len(orcid_simulator.state.request_log)

    output = reconcile()

    held = {w.put_code for w in orcid_simulator.state.works_of(orcid)}
    assert held == {work.put_code, theirs, unknown}
    assert stray not in held
    deletes = writes_since(orcid_simulator, start)
    assert [(c["method"], c["path"]) for c in deletes] == [
        ("DELETE", f"/v3.0/{orcid}/work/{stray}")
    ]
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.put_code) == (SyncStatus.SYNCED, str(work.put_code))
    # The researcher sees why ORCID groups another copy with ours.
    item = records_api(client, user)
    assert item["orcid"]["other_sources"] == ["DataCite"]
    page = client.get("/account/settings/orcid/").get_data(as_text=True)
    assert "ORCID also holds a copy from DataCite with the same DOI" in page
    assert "ORCID last checked:" in page
    assert client.get("/api/user/orcid").json["checked_at"]
    # Administrators are told about the unknown work of ours.
    account = OrcidPushAccount.get(user.id)
    assert [w["put_code"] for w in account.unknown_works] == [str(unknown)]
    if reconcile.by == "cli":
        assert "1 stray copy(ies) deleted" in output
        assert f"{orcid} put-code {unknown}" in output

    # Nothing changed since: a second run reads, and writes nothing.
    start = len(orcid_simulator.state.request_log)
    account_updated, checked = account.updated, account.checked_at
    reconcile()
    assert writes_since(orcid_simulator, start) == []
    # Reading back is no change of the researcher's settings (the quick resync's input).
    db.session.expire_all()
    account = OrcidPushAccount.get(user.id)
    assert account.updated == account_updated
    assert account.checked_at > checked
    reads = [
        c["path"]
        for c in orcid_simulator.state.request_log[start:]
        if c["path"] == f"/v3.0/{orcid}/works"
    ]
    assert len(reads) == 1


def test_the_admin_ledger_page_lists_unknown_works(
    run_cli, published, orcid_simulator, orcid_api_client, client, admin
):
    _, orcid, _, work = published
    unknown = put_work(
        orcid_simulator,
        orcid,
        work,
        [doi("10.9999/old-import")],
        client_id=orcid_api_client.client_id,
    )

    assert run_cli().exit_code == 0

    login_user_via_session(client, user=admin)
    page = client.get("/administration/orcid-push").get_data(as_text=True)
    assert f'data-put-code="{unknown}"' in page
    assert "10.9999/old-import" in page


def test_a_404_on_a_stray_copys_delete_counts_as_done(
    run_cli, published, orcid_simulator, orcid_api_client
):
    _, orcid, record, work = published
    stray = put_work(
        orcid_simulator,
        orcid,
        work,
        [doi(record["pids"]["doi"]["identifier"])],
        client_id=orcid_api_client.client_id,
    )
    # Gone by the time our DELETE arrives.
    orcid_simulator.state.inject_fault(
        status=404, method="DELETE", error_code="9016", after_store=True
    )

    result = run_cli()

    assert result.exit_code == 0, result.output
    assert "1 stray copy(ies) deleted" in result.output
    assert "could not be deleted" not in result.output
    assert stray not in {w.put_code for w in orcid_simulator.state.works_of(orcid)}


@pytest.mark.parametrize(
    "fault",
    [dict(status=500), dict(status=200, body=b"<html>Maintenance</html>")],
    ids=["500", "garbage"],
)
def test_a_summary_orcid_cannot_give_skips_that_researcher_only(
    reconcile, fault, make_user, link_orcid, publish, orcid_simulator
):
    people = []
    for name in ("Ada", "Grace"):
        user = make_user()
        orcid = link_orcid(user, name=name)
        record = publish(user, record_data(title=f"{name}'s data"))
        (work,) = orcid_simulator.state.works_of(orcid)
        orcid_simulator.state.delete_by_researcher(orcid, work.put_code)
        people.append((user, orcid, record))
    (ada, ada_orcid, ada_record), (grace, grace_orcid, grace_record) = people
    orcid_simulator.state.inject_fault(
        method="GET", path=f"/v3.0/{ada_orcid}/works", **fault
    )

    output = reconcile()

    # Ada's ORCID record could not be read: left as it was, nothing deleted.
    ada_row = OrcidWorkLedger.get(ada_orcid, ada_record["parent"]["id"])
    assert ada_row.status == SyncStatus.SYNCED
    assert OrcidPushAccount.get_or_create(ada.id).checked_at is None
    # Grace's was read back all the same.
    grace_row = OrcidWorkLedger.get(grace_orcid, grace_record["parent"]["id"])
    assert grace_row.status == SyncStatus.REMOVED_BY_RESEARCHER
    assert OrcidPushAccount.get(grace.id).checked_at is not None
    if reconcile.by == "cli":
        assert f"{ada_orcid} (ORCID answered" in output


def test_a_reconcile_that_cannot_go_on_stops_with_one_line(
    run_cli, published, monkeypatch
):
    from redis.exceptions import ConnectionError

    def unreachable(orcid):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr("invenio_orcid_push.reconcile.orcid_write_lock", unreachable)

    result = run_cli()

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: Reconcile stopped: ConnectionError: Error 111 connecting to "
        "127.0.0.1:6379."
    ]


def test_in_per_version_mode_each_versions_work_is_its_own(
    app, make_user, link_orcid, depositor_of, orcid_simulator, run_cli
):
    user = make_user()
    orcid = link_orcid(user)
    depositor = depositor_of(user)
    app.config["ORCID_PUSH_WORK_PER_VERSION"] = True
    try:
        first = depositor.publish(record_data(title="Per version"))
        second = depositor.new_version(first.id)
        assert len(orcid_simulator.state.works_of(orcid)) == 2
        start = len(orcid_simulator.state.request_log)

        result = run_cli()
    finally:
        app.config["ORCID_PUSH_WORK_PER_VERSION"] = False

    assert result.exit_code == 0, result.output
    assert writes_since(orcid_simulator, start) == []
    assert len(orcid_simulator.state.works_of(orcid)) == 2
    for record in (first, second):
        assert OrcidWorkLedger.get(orcid, record.id).status == SyncStatus.SYNCED
    assert OrcidPushAccount.get(user.id).unknown_works is None
