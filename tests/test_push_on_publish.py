"""A published public record arrives as a work on the depositor's ORCID record."""

import requests
from lxml import etree

from invenio_orcid_push.models import OrcidWorkLedger, SyncStatus

from helpers import record_data


def fetch_work_xml(orcid_simulator, orcid, put_code, token):
    """What ORCID serves for the work, over HTTP."""
    response = requests.get(
        f"{orcid_simulator.api_url}/{orcid}/work/{put_code}",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.orcid+xml",
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return etree.fromstring(response.content)


def token_of(orcid_simulator, orcid):
    return next(t for t in orcid_simulator.state.tokens.values() if t.orcid == orcid)


NS = {
    "common": "http://www.orcid.org/ns/common",
    "work": "http://www.orcid.org/ns/work",
}


def test_publishing_a_public_record_puts_one_valid_work_on_the_depositors_orcid(
    make_user, link_orcid, publish, orcid_simulator, orcid_api_client, work_schema
):
    user = make_user()
    orcid = link_orcid(user)

    record = publish(user, record_data())

    works = orcid_simulator.state.works_of(orcid)
    assert len(works) == 1
    stored = works[0]
    assert stored.source_client_id == orcid_api_client.client_id
    assert stored.work["title"] == "A dataset about ORCID"
    assert stored.work["type"] == "data-set"
    assert stored.work["publication_date"] == {
        "year": "2024",
        "month": "03",
        "day": "05",
    }
    assert stored.work["short_description"] == "Measurements of things."
    landing = f"https://repo.example.org/records/{record.id}"
    assert stored.work["external_ids"] == [
        {"type": "uri", "value": landing, "url": landing, "relationship": "self"}
    ]
    assert stored.work["url"] == landing

    # What ORCID serves back is a valid work carrying the record's identifier.
    xml = fetch_work_xml(
        orcid_simulator,
        orcid,
        stored.put_code,
        token_of(orcid_simulator, orcid).access_token,
    )
    assert work_schema.validate(xml), work_schema.error_log
    assert xml.findtext(".//common:external-id-value", namespaces=NS) == landing

    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.SYNCED
    assert entry.put_code == str(stored.put_code)
    assert entry.record_id == record.id
    assert entry.user_id == user.id
    assert entry.synced_at is not None
    assert entry.last_error is None


def test_the_records_doi_is_the_works_self_identifier(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    data = record_data(title="Software with a DOI", resource_type="software")
    data["pids"] = {
        "doi": {"identifier": "10.5555/orcid-push.1", "provider": "external"}
    }

    publish(user, data)

    (stored,) = orcid_simulator.state.works_of(orcid)
    assert stored.work["type"] == "software"
    assert stored.work["external_ids"] == [
        {
            "type": "doi",
            "value": "10.5555/orcid-push.1",
            "url": "https://doi.org/10.5555/orcid-push.1",
            "relationship": "self",
        }
    ]


def test_creators_orcid_ids_become_work_contributors(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    creators = [
        {
            "person_or_org": {
                "type": "personal",
                "given_name": "Josiah",
                "family_name": "Carberry",
                "identifiers": [
                    {"scheme": "orcid", "identifier": "0000-0002-1825-0097"}
                ],
            }
        },
        {"person_or_org": {"type": "organizational", "name": "The Data Lab"}},
    ]

    publish(user, record_data(creators=creators))

    (stored,) = orcid_simulator.state.works_of(orcid)
    assert stored.work["contributors"] == [
        {
            "orcid": "0000-0002-1825-0097",
            "credit_name": "Carberry, Josiah",
            "sequence": "first",
            "role": "author",
        },
        {
            "orcid": None,
            "credit_name": "The Data Lab",
            "sequence": "additional",
            "role": "author",
        },
    ]


def test_a_restricted_record_is_not_pushed(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    data = record_data()
    data["access"] = {"record": "restricted", "files": "restricted"}

    record = publish(user, data)

    assert record["access"]["record"] == "restricted"
    assert orcid_simulator.state.works_of(orcid) == []
    assert OrcidWorkLedger.get(orcid, record["parent"]["id"]) is None


def test_a_depositor_without_orcid_gets_nothing_and_publishing_succeeds(
    make_user, publish, orcid_simulator
):
    user = make_user()
    calls_before = len(orcid_simulator.state.request_log)

    record = publish(user, record_data())

    assert record["is_published"] is True
    assert len(orcid_simulator.state.request_log) == calls_before
    assert (
        OrcidWorkLedger.query.filter_by(parent_id=record["parent"]["id"]).count() == 0
    )


def test_nothing_is_pushed_when_the_plugin_is_disabled(
    app, make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        record = publish(user, record_data())
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True

    assert record["is_published"] is True
    assert orcid_simulator.state.works_of(orcid) == []
    assert OrcidWorkLedger.get(orcid, record["parent"]["id"]) is None


def test_a_record_that_cannot_be_a_work_is_not_sent_and_the_ledger_says_why(
    make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    calls_before = len(orcid_simulator.state.request_log)

    record = publish(user, record_data(resource_type="dataset-simulation"))

    assert record["is_published"] is True
    assert orcid_simulator.state.works_of(orcid) == []
    assert len(orcid_simulator.state.request_log) == calls_before
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.INVALID
    assert entry.put_code is None
    assert (
        "resource type 'dataset-simulation' has no ORCID work type" in entry.last_error
    )


def test_publishing_succeeds_when_orcid_keeps_failing_and_the_ledger_records_why(
    app, make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    attempts = app.config["ORCID_PUSH_MAX_RETRIES"] + 1
    orcid_simulator.state.inject_fault(status=500, method="POST", times=attempts)
    calls_before = len(orcid_simulator.state.request_log)

    record = publish(user, record_data())

    assert record["is_published"] is True
    assert orcid_simulator.state.works_of(orcid) == []
    # Each attempt reads the works (to adopt one of ours), then tries to create.
    posts = [
        e
        for e in orcid_simulator.state.request_log[calls_before:]
        if e["method"] == "POST"
    ]
    assert len(posts) == attempts
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.FAILED
    assert entry.error_code == "500"
    assert entry.last_error == (
        f"ORCID is unavailable or over its rate limit (HTTP 500); gave up after {attempts} attempts."
    )


def test_publishing_succeeds_when_orcid_cannot_be_reached(
    app, make_user, link_orcid, publish, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    api_url = app.config["ORCID_PUSH_API_URL"]
    # A port nobody listens on: connection refused.
    app.config["ORCID_PUSH_API_URL"] = "http://127.0.0.1:9/v3.0"
    try:
        record = publish(user, record_data())
    finally:
        app.config["ORCID_PUSH_API_URL"] = api_url

    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.FAILED
    assert entry.last_error.startswith("ORCID could not be reached")
    assert entry.last_error.endswith("attempts.")


def test_a_revoked_token_is_recorded_in_plain_words(
    make_user, link_orcid, publish, orcid_simulator, orcid_api_client
):
    user = make_user()
    orcid = link_orcid(user)
    orcid_simulator.state.revoke_by_researcher(orcid, orcid_api_client.client_id)

    record = publish(user, record_data())

    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry.status == SyncStatus.FAILED
    assert entry.error_code == "401/invalid_token"
    assert "connect ORCID again" in entry.last_error
    assert orcid_simulator.state.works_of(orcid) == []


def test_the_token_never_appears_in_the_logs(
    make_user, link_orcid, publish, orcid_simulator, caplog
):
    user = make_user()
    orcid = link_orcid(user)
    token = token_of(orcid_simulator, orcid).access_token
    caplog.set_level("DEBUG")

    publish(user, record_data())

    assert any("ORCID POST" in message for message in caplog.messages)
    assert token not in caplog.text
