"""A work of ours already on the researcher's record is adopted, never duplicated.

ORCID's own duplicate check only fires for the same relationship, so a work our
client wrote citing a record's DOI another way (the other per-version setting,
an earlier integration with the same client, a database restore) must be
found before creating one. Works are put on the simulator with our client's
own token, as such an earlier writer would have.
"""

import pytest

from invenio_orcid_push.cli import orcid_push
from invenio_orcid_push.client import OrcidClient
from invenio_orcid_push.links import orcid_link_of
from invenio_orcid_push.models import OrcidPushAccount, OrcidWorkLedger, SyncStatus
from invenio_orcid_push.work import ExternalId, Work

from helpers import record_data, with_datacite

WRITES = ("POST", "PUT", "DELETE")


@pytest.fixture(scope="module")
def app_config(app_config, datacite):
    """DOIs (record and concept) minted at the DataCite simulator."""
    return with_datacite(app_config, datacite)


@pytest.fixture
def run(base_app):
    def _run(*args):
        result = base_app.test_cli_runner().invoke(orcid_push, list(args))
        assert result.exit_code == 0, result.output
        return result

    return _run


@pytest.fixture
def per_version(app):
    """Set ``ORCID_PUSH_WORK_PER_VERSION`` for one test."""
    before = app.config["ORCID_PUSH_WORK_PER_VERSION"]

    def _set(on):
        app.config["ORCID_PUSH_WORK_PER_VERSION"] = on

    yield _set
    app.config["ORCID_PUSH_WORK_PER_VERSION"] = before


def put_work(app, token, orcid, ids, title="Written by an earlier integration"):
    """Put a work on ``orcid`` directly through ORCID's API; returns its put-code."""
    work = Work(title=title, type="data-set", external_ids=ids)
    client = OrcidClient(app.config["ORCID_PUSH_API_URL"], token)
    return int(client.create_work(orcid, work.to_xml()))


def doi(value, relationship="self"):
    return ExternalId("doi", value, relationship, f"https://doi.org/{value}")


def ours(orcid_simulator, orcid_api_client, orcid):
    return orcid_simulator.state.works_of(orcid, orcid_api_client.client_id)


def ids_of(stored):
    return [(e["value"], e["relationship"]) for e in stored.work["external_ids"]]


def requests_to(orcid_simulator, since, orcid, methods=None):
    return [
        (e["method"], e["path"].rsplit("/v3.0/", 1)[-1])
        for e in orcid_simulator.state.request_log[since:]
        if f"/{orcid}/" in e["path"] and (methods is None or e["method"] in methods)
    ]


@pytest.fixture
def researcher(app, make_user, link_orcid, depositor_of):
    """A linked depositor: (user, depositor, orcid, our client's token for them)."""
    user = make_user()
    orcid = link_orcid(user)
    return user, depositor_of(user), orcid, orcid_link_of(user.id).access_token


def draft_and_doi(depositor, data):
    """A draft and the DOI DataCite will give it on publish (``{prefix}/{id}``)."""
    draft = depositor.service.create(depositor.identity, data)
    return draft, f"10.5555/{draft.id}"


def test_our_work_citing_the_version_doi_as_self_is_adopted_on_publish(
    app, researcher, orcid_simulator, orcid_api_client
):
    _, depositor, orcid, token = researcher
    draft, version_doi = draft_and_doi(depositor, record_data(title="Adopted"))
    put_code = put_work(app, token, orcid, [doi(version_doi)])
    since = len(orcid_simulator.state.request_log)

    record = depositor.service.publish(depositor.identity, draft.id)

    (work,) = ours(orcid_simulator, orcid_api_client, orcid)
    assert work.put_code == put_code
    assert work.work["title"] == "Adopted"
    concept = record["parent"]["pids"]["doi"]["identifier"]
    assert ids_of(work) == [(concept, "self"), (version_doi, "version-of")]
    assert requests_to(orcid_simulator, since, orcid) == [
        ("GET", f"{orcid}/works"),
        ("PUT", f"{orcid}/work/{put_code}"),
    ]
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.put_code, entry.status) == (str(put_code), SyncStatus.SYNCED)


def test_our_work_citing_the_landing_page_is_adopted_on_publish(
    app, researcher, orcid_simulator, orcid_api_client
):
    _, depositor, orcid, token = researcher
    draft, _ = draft_and_doi(depositor, record_data(title="Found by its page"))
    landing = f"https://repo.example.org/records/{draft.id}"
    put_code = put_work(app, token, orcid, [ExternalId("uri", landing, "self")])

    record = depositor.service.publish(depositor.identity, draft.id)

    (work,) = ours(orcid_simulator, orcid_api_client, orcid)
    assert (work.put_code, work.work["title"]) == (put_code, "Found by its page")
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.put_code == str(put_code)


def test_a_work_of_another_source_with_the_same_doi_is_left_alone(
    app, researcher, orcid_simulator, orcid_api_client
):
    _, depositor, orcid, _ = researcher
    draft, version_doi = draft_and_doi(depositor, record_data(title="Ours"))
    other = orcid_simulator.state.register_client(name="A publisher")
    their_token = orcid_simulator.state.issue_token(orcid, other.client_id)
    theirs = put_work(app, their_token.access_token, orcid, [doi(version_doi)])
    since = len(orcid_simulator.state.request_log)

    record = depositor.service.publish(depositor.identity, draft.id)

    # Their work was seen among the researcher's works, and ours created beside it.
    assert [m for m, _ in requests_to(orcid_simulator, since, orcid)] == ["GET", "POST"]

    works = orcid_simulator.state.works_of(orcid)
    assert [(w.source_client_id, w.work["title"]) for w in works] == [
        (other.client_id, "Written by an earlier integration"),
        (orcid_api_client.client_id, "Ours"),
    ]
    assert works[0].put_code == theirs
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.put_code == str(works[1].put_code)


def test_when_the_works_cannot_be_read_the_work_is_created(
    researcher, orcid_simulator, orcid_api_client, monkeypatch
):
    from lxml import etree

    from invenio_orcid_push import client as client_module

    _, depositor, orcid, _ = researcher
    monkeypatch.setattr(
        client_module, "parse_work_summaries", lambda content: etree.fromstring(b"<")
    )
    since = len(orcid_simulator.state.request_log)

    record = depositor.publish(record_data(title="Read failed"))

    assert [m for m, _ in requests_to(orcid_simulator, since, orcid)] == ["GET", "POST"]
    (work,) = ours(orcid_simulator, orcid_api_client, orcid)
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.put_code, entry.status) == (str(work.put_code), SyncStatus.SYNCED)


def family_of_two(depositor):
    first = depositor.publish(record_data(title="Version 1"))
    second = depositor.new_version(
        first.id, lambda data: data["metadata"].update(title="Version 2")
    )
    return first, second


def version_doi(record):
    return record["pids"]["doi"]["identifier"]


def test_switching_to_per_version_adopts_the_family_work_and_leaves_no_duplicate(
    researcher, per_version, run, orcid_simulator, orcid_api_client
):
    _, depositor, orcid, _ = researcher
    first, second = family_of_two(depositor)
    (family_work,) = ours(orcid_simulator, orcid_api_client, orcid)
    parent_id = first["parent"]["id"]

    per_version(True)
    run("resync", "--all", "--full")

    works = ours(orcid_simulator, orcid_api_client, orcid)
    assert sorted(ids_of(w) for w in works) == sorted(
        [[(version_doi(first), "self")], [(version_doi(second), "self")]]
    )
    adopted = next(w for w in works if w.put_code == family_work.put_code)
    assert adopted.work["title"] == "Version 2"
    assert OrcidWorkLedger.get(orcid, second.id).put_code == str(family_work.put_code)
    assert OrcidWorkLedger.get(orcid, first.id).status == SyncStatus.SYNCED
    retired = OrcidWorkLedger.get(orcid, parent_id)
    assert (retired.status, retired.put_code) == (SyncStatus.REMOVED, None)

    since = len(orcid_simulator.state.request_log)
    run("resync", "--all", "--full")
    assert requests_to(orcid_simulator, since, orcid, WRITES) == []


def test_switching_to_family_works_adopts_the_latest_versions_and_deletes_the_others(
    researcher, per_version, run, orcid_simulator, orcid_api_client
):
    _, depositor, orcid, _ = researcher
    per_version(True)
    first, second = family_of_two(depositor)
    put_codes = {
        ids_of(w)[0][0]: w.put_code
        for w in ours(orcid_simulator, orcid_api_client, orcid)
    }
    assert set(put_codes) == {version_doi(first), version_doi(second)}

    per_version(False)
    run("resync", "--all", "--full")

    (work,) = ours(orcid_simulator, orcid_api_client, orcid)
    assert work.put_code == put_codes[version_doi(second)]
    concept = second["parent"]["pids"]["doi"]["identifier"]
    assert ids_of(work) == [(concept, "self"), (version_doi(second), "version-of")]
    entry = OrcidWorkLedger.get(orcid, second["parent"]["id"])
    assert (entry.put_code, entry.status) == (str(work.put_code), SyncStatus.SYNCED)
    for version in (first, second):
        row = OrcidWorkLedger.get(orcid, version.id)
        assert (row.status, row.put_code) == (SyncStatus.REMOVED, None)

    since = len(orcid_simulator.state.request_log)
    run("resync", "--all", "--full")
    assert requests_to(orcid_simulator, since, orcid, WRITES) == []

    # And back again: per-version works, still no duplicate.
    per_version(True)
    run("resync", "--all", "--full")
    assert sorted(
        ids_of(w) for w in ours(orcid_simulator, orcid_api_client, orcid)
    ) == (sorted([[(version_doi(first), "self")], [(version_doi(second), "self")]]))


def test_a_bulk_chunk_reads_each_researchers_works_once(
    app, researcher, run, orcid_simulator, orcid_api_client
):
    from invenio_db import db

    user, depositor, orcid, _ = researcher
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        for n in range(3):
            depositor.publish(record_data(title=f"Unsent {n}"))
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    OrcidPushAccount.get_or_create(user.id).include_existing = True
    db.session.commit()
    since = len(orcid_simulator.state.request_log)

    run("resync", "--user", user.email)

    assert requests_to(orcid_simulator, since, orcid, ("GET",)) == [
        ("GET", f"{orcid}/works")
    ]
    assert len(ours(orcid_simulator, orcid_api_client, orcid)) == 3
