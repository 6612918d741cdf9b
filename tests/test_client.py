"""The ORCID client types ORCID's answers by (status, error code)."""

import pytest

from invenio_orcid_push.client import (
    OrcidBadRequestError,
    OrcidClient,
    OrcidConnectionError,
    OrcidDuplicateError,
    OrcidNotFoundError,
    OrcidPermissionError,
    OrcidRecordMovedError,
    OrcidTokenInvalidError,
    OrcidUnavailableError,
)
from invenio_orcid_push.work import ExternalId, Work


@pytest.fixture
def sim(fresh_simulator):
    return fresh_simulator


@pytest.fixture
def setup(sim):
    client = sim.state.register_client()
    researcher = sim.state.add_researcher()
    token = sim.state.issue_token(researcher.orcid, client.client_id)
    return client, researcher.orcid, OrcidClient(sim.api_url, token.access_token)


def xml(doi="10.1234/c", put_code=None, title="T"):
    return Work(
        title=title, type="software", external_ids=[ExternalId("doi", doi, "self")]
    ).to_xml(put_code=put_code)


def test_create_update_delete(sim, setup):
    _, orcid, api = setup
    put_code = api.create_work(orcid, xml())
    assert put_code.isdigit()
    api.update_work(orcid, put_code, xml(put_code=put_code, title="U"))
    assert sim.state.works_of(orcid)[0].work["title"] == "U"
    api.delete_work(orcid, put_code)
    assert sim.state.works_of(orcid) == []


def test_duplicate_carries_the_existing_put_code(setup):
    _, orcid, api = setup
    put_code = api.create_work(orcid, xml())
    with pytest.raises(OrcidDuplicateError) as caught:
        api.create_work(orcid, xml())
    assert caught.value.put_code == put_code
    assert caught.value.code == "409/9021"


def test_not_found(setup):
    _, orcid, api = setup
    with pytest.raises(OrcidNotFoundError) as caught:
        api.delete_work(orcid, "424242")
    assert caught.value.code == "404/9016"


def test_revoked_token(sim, setup):
    client, orcid, api = setup
    sim.state.revoke_by_researcher(orcid, client.client_id)
    with pytest.raises(OrcidTokenInvalidError) as caught:
        api.create_work(orcid, xml())
    assert caught.value.code == "401/invalid_token"
    assert not caught.value.retryable


def test_missing_scope_and_wrong_record(sim, setup):
    client, orcid, api = setup
    read_only = sim.state.issue_token(orcid, client.client_id, ["/authenticate"])
    with pytest.raises(OrcidPermissionError) as scope:
        OrcidClient(sim.api_url, read_only.access_token).create_work(orcid, xml())
    assert scope.value.status == 403
    other = sim.state.add_researcher()
    with pytest.raises(OrcidPermissionError) as wrong:
        api.create_work(other.orcid, xml())
    assert wrong.value.code == "401/9017"


def test_bad_request_is_not_retryable(setup):
    _, orcid, api = setup
    with pytest.raises(OrcidBadRequestError) as caught:
        api.create_work(orcid, xml(put_code=3))
    assert caught.value.code == "400/9024"
    assert not caught.value.retryable


def test_deprecated_record_names_the_new_id(sim, setup):
    _, orcid, api = setup
    primary = sim.state.add_researcher()
    sim.state.deprecate(orcid, primary.orcid)
    with pytest.raises(OrcidRecordMovedError) as caught:
        api.create_work(orcid, xml())
    assert caught.value.new_orcid == primary.orcid


def test_5xx_and_unreachable_are_retryable(sim, setup):
    _, orcid, api = setup
    sim.state.inject_fault(status=503)
    with pytest.raises(OrcidUnavailableError) as caught:
        api.create_work(orcid, xml())
    assert caught.value.retryable
    with pytest.raises(OrcidConnectionError) as unreachable:
        OrcidClient("http://127.0.0.1:9/v3.0", "t").create_work(orcid, xml())
    assert unreachable.value.retryable


def test_the_client_never_shows_its_token(setup):
    _, _, api = setup
    assert "Bearer" not in repr(api)
    assert api._headers["Authorization"] not in repr(api)


def test_list_works_shows_every_source_with_put_codes_and_identifiers(sim, setup):
    client, orcid, api = setup
    put_code = api.create_work(orcid, xml(doi="10.1234/mine"))
    other = sim.state.register_client(name="DataCite")
    other_token = sim.state.issue_token(orcid, other.client_id).access_token
    OrcidClient(sim.api_url, other_token).create_work(orcid, xml(doi="10.1234/mine"))

    summaries = api.list_works(orcid)

    assert sorted(s["source_client_id"] for s in summaries) == sorted(
        [client.client_id, other.client_id]
    )
    mine = next(s for s in summaries if s["source_client_id"] == client.client_id)
    assert mine["put_code"] == put_code
    assert mine["type"] == "software"
    assert mine["external_ids"] == [
        {"type": "doi", "value": "10.1234/mine", "relationship": "self"}
    ]
