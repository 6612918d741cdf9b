"""With DataCite: works cite the DOIs DataCite registered, never one that does not resolve."""

import pytest
from invenio_access.permissions import system_identity
from invenio_rdm_records.proxies import current_rdm_records_service

from invenio_orcid_push.models import OrcidWorkLedger, SyncStatus
from invenio_orcid_push.tasks import push_record_to_orcid

from helpers import ensure_relation_types, record_data, related, with_datacite


@pytest.fixture(scope="module")
def app_config(app_config, datacite):
    """DOIs minted at the DataCite simulator."""
    return with_datacite(app_config, datacite)


def test_the_work_cites_the_concept_doi_and_the_version_doi_datacite_registered(
    make_user, link_orcid, publish, orcid_simulator, datacite
):
    user = make_user()
    orcid = link_orcid(user)

    record = publish(user, record_data())

    doi = record["pids"]["doi"]["identifier"]
    concept = record["parent"]["pids"]["doi"]["identifier"]
    assert datacite.state_of(doi) == "findable"
    assert datacite.state_of(concept) == "findable"
    (work,) = orcid_simulator.state.works_of(orcid)
    assert [(e["value"], e["relationship"]) for e in work.work["external_ids"]] == [
        (concept, "self"),
        (doi, "version-of"),
    ]


def test_when_datacite_fails_the_record_stays_published_and_orcid_waits_for_the_doi(
    make_user, link_orcid, publish, orcid_simulator, datacite
):
    user = make_user()
    orcid = link_orcid(user)
    datacite.inject_fault(status=500, times=2)  # the record's and the concept's DOI

    record = publish(user, record_data())

    assert record["is_published"] is True
    doi = record["pids"]["doi"]["identifier"]
    assert datacite.state_of(doi) is None
    assert orcid_simulator.state.works_of(orcid) == []
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert (entry.status, entry.error_code) == (SyncStatus.FAILED, "doi-not-registered")
    assert "not registered at DataCite" in entry.last_error

    # DataCite is back: the DOIs get registered, then the push goes through.
    current_rdm_records_service.pids.register_or_update(
        system_identity, record.id, "doi"
    )
    current_rdm_records_service.pids.register_or_update(
        system_identity, record.id, "doi", parent=True
    )
    assert datacite.state_of(doi) == "findable"
    push_record_to_orcid(record.id)

    (work,) = orcid_simulator.state.works_of(orcid)
    assert doi in [e["value"] for e in work.work["external_ids"]]
    assert (
        OrcidWorkLedger.get(orcid, record["parent"]["id"]).status == SyncStatus.SYNCED
    )


def test_the_concept_doi_drops_the_depositors_is_version_of(
    make_user, publish, datacite
):
    ensure_relation_types()
    user = make_user()
    data = record_data(
        related_identifiers=[related("10.1234/earlier-edition", "isversionof")]
    )

    record = publish(user, data)

    concept = datacite.metadata(record["parent"]["pids"]["doi"]["identifier"])
    assert [r["relationType"] for r in concept["relatedIdentifiers"]] == ["HasVersion"]
    version = datacite.metadata(record["pids"]["doi"]["identifier"])
    assert {
        "relatedIdentifier": "10.1234/earlier-edition",
        "relationType": "IsVersionOf",
        "relatedIdentifierType": "DOI",
    } in version["relatedIdentifiers"]


# -- ORCID iDs in the DOI metadata ---------------------------------------------------

JOSIAH_TYPED = "0000-0002-1825-0097"
GRACE_TYPED = "0000-0002-4325-871X"


def creator(given, family, orcid=None, role=None):
    person = {"type": "personal", "given_name": given, "family_name": family}
    if orcid:
        person["identifiers"] = [{"scheme": "orcid", "identifier": orcid}]
    entry = {"person_or_org": person}
    if role:
        entry["role"] = {"id": role}
    return entry


def orcid_name_ids(people):
    return [
        [
            i
            for i in person.get("nameIdentifiers", [])
            if i["nameIdentifierScheme"] == "ORCID"
        ]
        for person in people
    ]


def test_the_doi_carries_every_orcid_including_the_depositors_from_their_link(
    make_user, link_orcid, publish, orcid_simulator, datacite
):
    user = make_user()
    orcid = link_orcid(user, name="Josiah Carberry")
    data = record_data(
        creators=[
            creator("Josiah", "Carberry"),
            creator("Ada", "Lovelace", JOSIAH_TYPED),
        ],
        contributors=[creator("Grace", "Hopper", GRACE_TYPED, role="datacurator")],
    )

    record = publish(user, data)

    # The depositor sees the iD added from their link in the published record.
    creators = record["metadata"]["creators"]
    assert creators[0]["person_or_org"]["identifiers"] == [
        {"scheme": "orcid", "identifier": orcid}
    ]
    # DataCite received every iD, with ORCID's scheme URI, and accepted schema 4.5.
    doi = record["pids"]["doi"]["identifier"]
    metadata = datacite.metadata(doi)
    assert orcid_name_ids(metadata["creators"]) == [
        [
            {
                "nameIdentifier": orcid,
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        ],
        [
            {
                "nameIdentifier": JOSIAH_TYPED,
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        ],
    ]
    assert orcid_name_ids(metadata["contributors"]) == [
        [
            {
                "nameIdentifier": GRACE_TYPED,
                "nameIdentifierScheme": "ORCID",
                "schemeUri": "https://orcid.org",
            }
        ]
    ]
    from datacite import schema45

    assert schema45.validate(metadata)
    # The ORCID work cites that DOI.
    (work,) = orcid_simulator.state.works_of(orcid)
    assert doi in [e["value"] for e in work.work["external_ids"]]


def test_an_ambiguous_name_gets_no_orcid(make_user, link_orcid, publish, datacite):
    user = make_user()
    link_orcid(user, name="Josiah Carberry")
    data = record_data(
        creators=[creator("Josiah", "Carberry"), creator("Josiah", "Carberry")]
    )

    record = publish(user, data)

    for entry in record["metadata"]["creators"]:
        assert "identifiers" not in entry["person_or_org"]


def test_adding_the_orcid_can_be_switched_off(
    app, make_user, link_orcid, publish, datacite
):
    user = make_user()
    link_orcid(user, name="Josiah Carberry")
    app.config["ORCID_PUSH_ADD_ORCID_TO_CREATORS"] = False
    try:
        record = publish(user, record_data(creators=[creator("Josiah", "Carberry")]))
    finally:
        app.config["ORCID_PUSH_ADD_ORCID_TO_CREATORS"] = True
    assert "identifiers" not in record["metadata"]["creators"][0]["person_or_org"]


def test_a_wrong_orcid_is_a_validation_error_on_its_field(
    make_user, depositor_of, client
):
    from invenio_accounts.testutils import login_user_via_session
    from invenio_rdm_records.proxies import current_rdm_records_service

    user = make_user()
    depositor = depositor_of(user)
    data = record_data(creators=[creator("Ada", "Lovelace", "0000-0002-1825-0098")])

    draft = current_rdm_records_service.create(depositor.identity, data)

    field = "metadata.creators.0.person_or_org.identifiers.0.identifier"
    assert {"field": field, "messages": ["Invalid ORCID identifier."]} in draft.errors
    with pytest.raises(Exception):
        current_rdm_records_service.publish(depositor.identity, draft.id)

    # The same through the REST API the deposit form uses.
    login_user_via_session(client, user=user)
    client.post("/api/records", json={})  # sets the REST API's CSRF cookie
    response = client.post(
        "/api/records",
        json=data,
        headers={"X-CSRFToken": client.get_cookie("csrftoken").value},
    )
    assert response.status_code == 201
    assert {"field": field, "messages": ["Invalid ORCID identifier."]} in response.json[
        "errors"
    ]
