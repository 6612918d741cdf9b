"""The ORCID work stays true through the whole life of a record family."""

from datetime import date, timedelta

import pytest
from invenio_db import db
from invenio_rdm_records.proxies import current_rdm_records_service
from invenio_rdm_records.records.api import RDMRecord

from invenio_orcid_push.models import OrcidWorkLedger, SyncStatus

from helpers import record_data


@pytest.fixture
def linked(make_user, link_orcid, depositor_of):
    """A depositor with a linked ORCID: (depositor, orcid)."""
    user = make_user()
    return depositor_of(user), link_orcid(user)


def calls(orcid_simulator, since, orcid):
    """ORCID calls to one iD since a point of the request log."""
    return [
        (e["method"], e["status"])
        for e in orcid_simulator.state.request_log[since:]
        if f"/{orcid}/" in e["path"]
    ]


def the_work(orcid_simulator, orcid):
    works = orcid_simulator.state.works_of(orcid)
    assert len(works) == 1, works
    return works[0]


def with_doi(doi):
    data = record_data(resource_type="software")
    data["pids"] = {"doi": {"identifier": doi, "provider": "external"}}
    return data


def test_a_published_edit_updates_the_work_with_one_put(linked, orcid_simulator):
    depositor, orcid = linked
    record = depositor.publish(record_data(title="First title"))
    put_code = the_work(orcid_simulator, orcid).put_code
    since = len(orcid_simulator.state.request_log)

    depositor.edit(record.id, lambda d: d["metadata"].update(title="Better title"))

    assert calls(orcid_simulator, since, orcid) == [("PUT", 200)]
    work = the_work(orcid_simulator, orcid)
    assert (work.put_code, work.work["title"]) == (put_code, "Better title")
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.SYNCED and entry.put_code == str(put_code)


def test_publishing_unchanged_content_makes_no_orcid_call(linked, orcid_simulator):
    depositor, orcid = linked
    record = depositor.publish(record_data())
    since = len(orcid_simulator.state.request_log)

    # Only the files' access changes: the work's content does not.
    depositor.edit(record.id, lambda d: d["access"].update(files="restricted"))

    assert calls(orcid_simulator, since, orcid) == []
    assert the_work(orcid_simulator, orcid).work["title"] == "A dataset about ORCID"


def test_a_new_version_updates_the_same_work_and_cites_its_doi_as_version_of(
    linked, orcid_simulator
):
    depositor, orcid = linked
    first = depositor.publish(with_doi("10.5555/v1"))
    put_code = the_work(orcid_simulator, orcid).put_code
    since = len(orcid_simulator.state.request_log)

    def second_version(data):
        data["metadata"]["title"] = "Version 2"
        data["pids"] = {"doi": {"identifier": "10.5555/v2", "provider": "external"}}

    second = depositor.new_version(first.id, second_version)

    assert second["parent"]["id"] == first["parent"]["id"]
    assert calls(orcid_simulator, since, orcid) == [("PUT", 200)]
    work = the_work(orcid_simulator, orcid)
    assert work.put_code == put_code
    assert work.work["title"] == "Version 2"
    assert [(e["value"], e["relationship"]) for e in work.work["external_ids"]] == [
        ("10.5555/v2", "self")
    ]
    assert OrcidWorkLedger.get(orcid, first["parent"]["id"]).record_id == second.id


def test_the_concept_doi_is_self_and_the_version_doi_version_of():
    from invenio_orcid_push.work import external_ids_of

    record = {
        "pids": {"doi": {"identifier": "10.5555/zenodo.2", "provider": "datacite"}},
        "parent": {
            "pids": {"doi": {"identifier": "10.5555/zenodo.1", "provider": "datacite"}}
        },
        "links": {"self_html": "https://repo.example.org/records/x"},
    }
    ids = external_ids_of(record)
    assert [(e.value, e.relationship) for e in ids] == [
        ("10.5555/zenodo.1", "self"),
        ("10.5555/zenodo.2", "version-of"),
    ]
    per_version = external_ids_of(record, per_version=True)
    assert [(e.value, e.relationship) for e in per_version] == [
        ("10.5555/zenodo.2", "self")
    ]


def test_work_per_version_mode_gives_each_version_its_own_work(
    app, linked, orcid_simulator
):
    depositor, orcid = linked
    app.config["ORCID_PUSH_WORK_PER_VERSION"] = True
    try:
        first = depositor.publish(with_doi("10.5555/pv1"))
        second = depositor.new_version(
            first.id,
            lambda d: d.update(
                pids={"doi": {"identifier": "10.5555/pv2", "provider": "external"}}
            ),
        )
    finally:
        app.config["ORCID_PUSH_WORK_PER_VERSION"] = False
    works = orcid_simulator.state.works_of(orcid)
    assert sorted(w.work["external_ids"][0]["value"] for w in works) == [
        "10.5555/pv1",
        "10.5555/pv2",
    ]
    assert OrcidWorkLedger.get(orcid, first.id) and OrcidWorkLedger.get(
        orcid, second.id
    )


def test_restricting_a_record_deletes_the_work_and_making_it_public_pushes_it_again(
    linked, orcid_simulator
):
    depositor, orcid = linked
    record = depositor.publish(record_data())
    family = record["parent"]["id"]
    since = len(orcid_simulator.state.request_log)

    depositor.edit(
        record.id, lambda d: d["access"].update(record="restricted", files="restricted")
    )

    assert calls(orcid_simulator, since, orcid) == [("DELETE", 204)]
    assert orcid_simulator.state.works_of(orcid) == []
    entry = OrcidWorkLedger.get(orcid, family)
    assert (entry.status, entry.put_code) == (SyncStatus.REMOVED, None)

    depositor.edit(
        record.id, lambda d: d["access"].update(record="public", files="public")
    )

    assert the_work(orcid_simulator, orcid).work["title"] == "A dataset about ORCID"
    assert OrcidWorkLedger.get(orcid, family).status == SyncStatus.SYNCED


def test_deleting_removes_the_work_and_restoring_brings_it_back(
    linked, orcid_simulator
):
    depositor, orcid = linked
    record = depositor.publish(record_data())
    family = record["parent"]["id"]

    depositor.delete(record.id)

    assert orcid_simulator.state.works_of(orcid) == []
    assert OrcidWorkLedger.get(orcid, family).status == SyncStatus.REMOVED

    depositor.restore(record.id)

    assert the_work(orcid_simulator, orcid).work["title"] == "A dataset about ORCID"
    assert OrcidWorkLedger.get(orcid, family).status == SyncStatus.SYNCED


def test_marking_for_purge_removes_the_work_and_unmarking_brings_it_back(
    linked, orcid_simulator
):
    depositor, orcid = linked
    record = depositor.publish(record_data())
    depositor.delete(record.id)
    depositor.restore(record.id)
    depositor.delete(record.id)

    depositor.mark_for_purge(record.id)
    assert orcid_simulator.state.works_of(orcid) == []
    depositor.unmark(record.id)
    assert orcid_simulator.state.works_of(orcid) == []  # still deleted (tombstone)
    depositor.restore(record.id)
    assert len(orcid_simulator.state.works_of(orcid)) == 1


def test_deleting_the_latest_version_shows_the_previous_one(linked, orcid_simulator):
    depositor, orcid = linked
    first = depositor.publish(with_doi("10.5555/keep1"))
    second = depositor.new_version(
        first.id,
        lambda d: d.update(
            pids={"doi": {"identifier": "10.5555/gone2", "provider": "external"}}
        ),
    )
    assert (
        the_work(orcid_simulator, orcid).work["external_ids"][0]["value"]
        == "10.5555/gone2"
    )

    depositor.delete(second.id)

    work = the_work(orcid_simulator, orcid)
    assert work.work["external_ids"][0]["value"] == "10.5555/keep1"


def test_an_embargoed_record_is_pushed_when_the_embargo_is_lifted(
    linked, orcid_simulator
):
    depositor, orcid = linked
    data = record_data()
    data["access"] = {
        "record": "restricted",
        "files": "restricted",
        "embargo": {
            "active": True,
            "until": (date.today() + timedelta(days=30)).isoformat(),
            "reason": "Under review",
        },
    }
    record = depositor.publish(data)
    assert orcid_simulator.state.works_of(orcid) == []

    # Time passes: the embargo date is reached.
    stored = RDMRecord.pid.resolve(record.id)
    stored.access.embargo.until = date.today() - timedelta(days=1)
    stored.commit()
    db.session.commit()
    from invenio_access.permissions import system_identity

    current_rdm_records_service.lift_embargo(system_identity, record.id)

    assert the_work(orcid_simulator, orcid).work["title"] == "A dataset about ORCID"


def test_restricting_only_the_files_keeps_the_work(linked, orcid_simulator):
    depositor, orcid = linked
    record = depositor.publish(record_data())

    depositor.edit(record.id, lambda d: d["access"].update(files="restricted"))

    assert len(orcid_simulator.state.works_of(orcid)) == 1
    assert (
        OrcidWorkLedger.get(orcid, record["parent"]["id"]).status == SyncStatus.SYNCED
    )


def test_syncing_never_changes_the_record_itself(linked, orcid_simulator):
    from invenio_orcid_push.sync import sync_record

    depositor, orcid = linked
    first = depositor.publish(record_data())
    second = depositor.new_version(first.id)
    revisions = {r: RDMRecord.pid.resolve(r).revision_id for r in (first.id, second.id)}

    sync_record(first.id)
    sync_record(second.id)
    db.session.expire_all()

    assert {r: RDMRecord.pid.resolve(r).revision_id for r in revisions} == revisions
