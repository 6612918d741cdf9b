"""The ORCID simulator applies ORCID's rules over real HTTP."""

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from lxml import etree

from invenio_orcid_push import orcid_model
from invenio_orcid_push.work import Contributor, ExternalId, Work

from simulators import OrcidSimulator

XML = "application/vnd.orcid+xml"
JSON = "application/vnd.orcid+json"
NS = {
    "common": "http://www.orcid.org/ns/common",
    "work": "http://www.orcid.org/ns/work",
    "activities": "http://www.orcid.org/ns/activities",
    "error": "http://www.orcid.org/ns/error",
}


@pytest.fixture
def sim(fresh_simulator):
    return fresh_simulator


@pytest.fixture
def client(sim):
    return sim.state.register_client(name="Repo A")


@pytest.fixture
def researcher(sim):
    return sim.state.add_researcher(name="Jane Doe")


@pytest.fixture
def token(sim, client, researcher):
    return sim.state.issue_token(researcher.orcid, client.client_id).access_token


def work_xml(doi="10.1234/a", title="A work", put_code=None, relationship="self"):
    work = Work(
        title=title,
        type="data-set",
        external_ids=[ExternalId("doi", doi, relationship, f"https://doi.org/{doi}")],
    )
    return work.to_xml(put_code=put_code)


def call(sim, method, path, token, body=None, content_type=XML, accept=XML):
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    if body is not None:
        headers["Content-Type"] = content_type
    return requests.request(
        method, sim.api_url + path, data=body, headers=headers, timeout=5
    )


def error_code(response):
    if response.headers["Content-Type"].startswith(JSON):
        return response.json()["error-code"]
    return etree.fromstring(response.content).findtext(
        "error:error-code", namespaces=NS
    )


def post(sim, researcher, token, **kwargs):
    return call(sim, "POST", f"/{researcher.orcid}/work", token, work_xml(**kwargs))


def test_post_creates_a_work_and_answers_201_with_its_location(
    sim, researcher, token, client
):
    response = post(sim, researcher, token)
    assert response.status_code == 201
    assert response.content == b""
    put_code = int(response.headers["Location"].rsplit("/", 1)[1])
    (stored,) = sim.state.works_of(researcher.orcid)
    assert stored.put_code == put_code
    assert stored.source_client_id == client.client_id


def test_get_work_returns_xml_valid_against_the_xsd_and_json(
    sim, researcher, token, work_schema
):
    put_code = post(sim, researcher, token).headers["Location"].rsplit("/", 1)[1]
    xml = call(sim, "GET", f"/{researcher.orcid}/work/{put_code}", token)
    assert xml.status_code == 200
    assert work_schema.validate(etree.fromstring(xml.content)), work_schema.error_log
    as_json = call(
        sim, "GET", f"/{researcher.orcid}/work/{put_code}", token, accept=JSON
    ).json()
    assert as_json["put-code"] == int(put_code)
    assert as_json["title"]["title"]["value"] == "A work"


def test_json_bodies_are_accepted(sim, researcher, token):
    body = {
        "title": {"title": {"value": "From JSON"}},
        "type": "software",
        "external-ids": {
            "external-id": [
                {
                    "external-id-type": "doi",
                    "external-id-value": "10.1234/json",
                    "external-id-relationship": "self",
                }
            ]
        },
    }
    response = call(
        sim,
        "POST",
        f"/{researcher.orcid}/work",
        token,
        json.dumps(body),
        content_type=JSON,
        accept=JSON,
    )
    assert response.status_code == 201
    assert sim.state.works_of(researcher.orcid)[0].work["title"] == "From JSON"


def test_xml_that_breaks_the_schema_is_rejected(sim, researcher, token):
    bad = work_xml().replace(b"<work:type>", b"<work:bogus>x</work:bogus><work:type>")
    response = call(sim, "POST", f"/{researcher.orcid}/work", token, bad)
    assert response.status_code == 400
    assert error_code(response) == "9001"


def test_a_work_without_a_self_identifier_is_rejected(sim, researcher, token):
    response = post(sim, researcher, token, relationship="part-of")
    assert response.status_code == 400
    assert error_code(response) == "9023"


def test_an_unknown_work_type_is_rejected(sim, researcher, token):
    body = work_xml().replace(b">data-set<", b">dataset<")
    response = call(sim, "POST", f"/{researcher.orcid}/work", token, body)
    assert response.status_code == 400
    assert error_code(response) == "9037"


def test_a_body_over_orcids_size_limit_is_refused_413(sim, researcher, token):
    crowd = [Contributor(credit_name=f"{i:05d} " + "x" * 140) for i in range(5000)]
    work = Work(
        title="Thousands of authors",
        type="data-set",
        external_ids=[
            ExternalId("doi", "10.1234/a", "self", "https://doi.org/10.1234/a")
        ],
        contributors=crowd,
    )
    body = work.to_xml()
    assert len(body) > orcid_model.WORK_BODY_MAX

    response = call(sim, "POST", f"/{researcher.orcid}/work", token, body)

    assert response.status_code == 413
    assert sim.state.works_of(researcher.orcid) == []


@pytest.mark.parametrize(
    "doi",
    [
        "10.1642/0004-8038(2004)121[0593:TPOPAS]2.0.CO;2",  # the XSD catches it
        "10.1234/a <b>",  # these pass the XSD, not ORCID
        "10.1234/é",
    ],
)
def test_a_url_that_is_not_an_rfc3986_uri_is_rejected(sim, researcher, token, doi):
    response = post(sim, researcher, token, doi=doi)  # URL left unencoded
    assert response.status_code == 400
    assert error_code(response) == "9001"


def test_put_code_on_post_is_rejected(sim, researcher, token):
    response = call(
        sim, "POST", f"/{researcher.orcid}/work", token, work_xml(put_code=5)
    )
    assert (response.status_code, error_code(response)) == (400, "9024")


def test_a_duplicate_from_the_same_client_is_409_9021_naming_the_put_code(
    sim, researcher, token
):
    first = post(sim, researcher, token).headers["Location"].rsplit("/", 1)[1]
    response = post(
        sim, researcher, token, doi="10.1234/A", title="Same DOI, other case"
    )
    assert response.status_code == 409
    assert error_code(response) == "9021"
    message = etree.fromstring(response.content).findtext(
        "error:developer-message", namespaces=NS
    )
    assert f"put-code {first}" in message
    assert len(sim.state.works_of(researcher.orcid)) == 1


def test_the_same_doi_from_another_source_is_grouped_not_rejected(
    sim, researcher, token
):
    other = sim.state.register_client(name="DataCite")
    other_token = sim.state.issue_token(researcher.orcid, other.client_id).access_token
    assert post(sim, researcher, token).status_code == 201
    assert post(sim, researcher, other_token).status_code == 201
    works = call(sim, "GET", f"/{researcher.orcid}/works", token)
    groups = etree.fromstring(works.content).findall("activities:group", NS)
    assert len(groups) == 1
    sources = groups[0].findall(".//common:source-client-id/common:path", NS)
    assert sorted(s.text for s in sources) == sorted(
        [other.client_id, sim.state.works_of(researcher.orcid)[0].source_client_id]
    )


def test_another_sources_work_cannot_be_changed_403_9010(sim, researcher, token):
    other = sim.state.register_client(name="Other")
    other_token = sim.state.issue_token(researcher.orcid, other.client_id).access_token
    put_code = post(sim, researcher, other_token).headers["Location"].rsplit("/", 1)[1]
    update = call(
        sim,
        "PUT",
        f"/{researcher.orcid}/work/{put_code}",
        token,
        work_xml(put_code=put_code),
    )
    delete = call(sim, "DELETE", f"/{researcher.orcid}/work/{put_code}", token)
    assert (update.status_code, error_code(update)) == (403, "9010")
    assert (delete.status_code, error_code(delete)) == (403, "9010")


def test_put_updates_and_checks_the_put_code(sim, researcher, token):
    put_code = post(sim, researcher, token).headers["Location"].rsplit("/", 1)[1]
    mismatch = call(
        sim,
        "PUT",
        f"/{researcher.orcid}/work/{put_code}",
        token,
        work_xml(put_code=1, title="New"),
    )
    assert (mismatch.status_code, error_code(mismatch)) == (400, "9019")
    ok = call(
        sim,
        "PUT",
        f"/{researcher.orcid}/work/{put_code}",
        token,
        work_xml(put_code=put_code, title="New"),
    )
    assert ok.status_code == 200
    assert sim.state.works_of(researcher.orcid)[0].work["title"] == "New"


def test_unknown_put_codes_are_404_9016_and_delete_is_204(sim, researcher, token):
    missing = call(sim, "DELETE", f"/{researcher.orcid}/work/999999", token)
    assert (missing.status_code, error_code(missing)) == (404, "9016")
    put_code = post(sim, researcher, token).headers["Location"].rsplit("/", 1)[1]
    assert (
        call(sim, "DELETE", f"/{researcher.orcid}/work/{put_code}", token).status_code
        == 204
    )
    assert sim.state.works_of(researcher.orcid) == []


def test_unknown_or_revoked_tokens_get_401_invalid_token(
    sim, researcher, token, client
):
    unknown = post(sim, researcher, "not-a-token")
    assert unknown.status_code == 401
    assert unknown.json()["error"] == "invalid_token"
    sim.state.revoke(client.client_id, client.secret, token)
    revoked = post(sim, researcher, token)
    assert (revoked.status_code, revoked.json()["error"]) == (401, "invalid_token")


def test_a_token_for_another_record_gets_401_9017(sim, token):
    other = sim.state.add_researcher()
    response = post(sim, other, token)
    assert (response.status_code, error_code(response)) == (401, "9017")


def test_a_token_without_update_scope_cannot_write(sim, researcher, client):
    read_only = sim.state.issue_token(
        researcher.orcid, client.client_id, ["/authenticate"]
    )
    response = post(sim, researcher, read_only.access_token)
    assert response.status_code == 403
    assert (
        call(
            sim, "GET", f"/{researcher.orcid}/works", read_only.access_token
        ).status_code
        == 200
    )


def test_a_deprecated_id_answers_301_9007_with_the_new_location(sim, researcher, token):
    primary = sim.state.add_researcher()
    sim.state.deprecate(researcher.orcid, primary.orcid)
    response = requests.post(
        f"{sim.api_url}/{researcher.orcid}/work",
        data=work_xml(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": XML,
            "Accept": XML,
        },
        allow_redirects=False,
        timeout=5,
    )
    assert (response.status_code, error_code(response)) == (301, "9007")
    assert primary.orcid in response.headers["Location"]


def test_wrong_media_types_get_415_and_406(sim, researcher, token):
    assert (
        call(
            sim,
            "POST",
            f"/{researcher.orcid}/work",
            token,
            work_xml(),
            content_type="text/plain",
        ).status_code
        == 415
    )
    assert (
        call(
            sim, "GET", f"/{researcher.orcid}/works", token, accept="text/html"
        ).status_code
        == 406
    )


def test_beyond_the_burst_orcid_answers_503(orcid_model_dir):
    with OrcidSimulator(rate_limit=(24, 40)) as sim:
        client = sim.state.register_client()
        researcher = sim.state.add_researcher()
        token = sim.state.issue_token(researcher.orcid, client.client_id).access_token
        session = requests.Session()
        statuses = [
            session.get(
                f"{sim.api_url}/{researcher.orcid}/works",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            ).status_code
            for _ in range(60)
        ]
        assert statuses.count(503) >= 1
        assert statuses[:40] == [200] * 40
        time.sleep(0.2)  # about 5 requests' worth of budget comes back
        assert (
            session.get(
                f"{sim.api_url}/{researcher.orcid}/works",
                headers={"Authorization": f"Bearer {token}"},
                timeout=5,
            ).status_code
            == 200
        )


def test_the_request_log_records_method_path_status_and_error_code(
    sim, researcher, token
):
    post(sim, researcher, token)
    post(sim, researcher, token)
    assert [
        (e["method"], e["status"], e["error_code"]) for e in sim.state.request_log
    ] == [("POST", 201, None), ("POST", 409, "9021")]
    assert (
        requests.get(f"{sim.url}/_simulator/requests", timeout=5).json()[1]["status"]
        == 409
    )


def test_oauth_authorize_token_and_revoke_round_trip(sim, client, researcher):
    page = requests.get(
        f"{sim.oauth_url}/authorize",
        params={
            "client_id": client.client_id,
            "response_type": "code",
            "scope": "/read-limited /activities/update",
            "redirect_uri": "https://repo.example.org/oauth/authorized/orcid/",
        },
        timeout=5,
    )
    assert page.status_code == 200
    assert "Add/update your research activities" in page.text
    granted = requests.post(
        f"{sim.oauth_url}/authorize",
        data={
            "client_id": client.client_id,
            "scope": "/read-limited /activities/update",
            "redirect_uri": "https://repo.example.org/oauth/authorized/orcid/",
            "state": "xyz",
            "orcid": researcher.orcid,
            "action": "authorize",
        },
        allow_redirects=False,
        timeout=5,
    )
    assert granted.status_code == 302
    query = parse_qs(urlsplit(granted.headers["Location"]).query)
    assert query["state"] == ["xyz"]
    token = requests.post(
        f"{sim.oauth_url}/token",
        data={
            "client_id": client.client_id,
            "client_secret": client.secret,
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": "https://repo.example.org/oauth/authorized/orcid/",
        },
        timeout=5,
    ).json()
    assert token["orcid"] == researcher.orcid
    assert token["scope"] == "/activities/update /read-limited"
    assert token["token_type"] == "bearer"
    assert post(sim, researcher, token["access_token"]).status_code == 201

    revoke = requests.post(
        f"{sim.oauth_url}/revoke",
        data={
            "client_id": client.client_id,
            "client_secret": client.secret,
            "token": token["access_token"],
        },
        timeout=5,
    )
    assert revoke.status_code == 200
    assert post(sim, researcher, token["access_token"], doi="10.1/x").status_code == 401


def test_a_code_cannot_be_used_twice_or_by_another_client(sim, client, researcher):
    code = sim.state.authorize(
        client.client_id, researcher.orcid, ["/authenticate"], ""
    )
    other = sim.state.register_client()
    stolen = requests.post(
        f"{sim.oauth_url}/token",
        data={
            "client_id": other.client_id,
            "client_secret": other.secret,
            "grant_type": "authorization_code",
            "code": code,
        },
        timeout=5,
    )
    assert (stolen.status_code, stolen.json()["error"]) == (400, "invalid_grant")
    bad_secret = requests.post(
        f"{sim.oauth_url}/token",
        data={
            "client_id": client.client_id,
            "client_secret": "wrong",
            "grant_type": "authorization_code",
            "code": code,
        },
        timeout=5,
    )
    assert bad_secret.status_code == 401


def work_with_ids(title, *ids):
    """A work whose ids are ``(type, value, relationship)``; its own DOI first."""
    return Work(
        title=title,
        type="book",
        external_ids=[ExternalId("doi", f"10.1234/{title}", "self")]
        + [ExternalId(*ext) for ext in ids],
    ).to_xml()


def post_work(sim, researcher, token, body):
    return call(sim, "POST", f"/{researcher.orcid}/work", token, body)


def test_works_of_one_client_may_share_version_of_and_part_of_ids(
    sim, researcher, token
):
    # ORCID checks duplicates on self ids only (since November 2018).
    shared = [
        ("doi", "10.1234/concept", "version-of"),
        ("issn", "2049-3630", "part-of"),
    ]
    first = post_work(sim, researcher, token, work_with_ids("a", *shared))
    second = post_work(sim, researcher, token, work_with_ids("b", *shared))
    assert (first.status_code, second.status_code) == (201, 201)
    works = call(sim, "GET", f"/{researcher.orcid}/works", token)
    groups = etree.fromstring(works.content).findall("activities:group", NS)
    assert len(groups) == 1  # version-of still groups them


def test_self_ids_are_compared_as_orcid_normalizes_them(sim, researcher, token):
    first = post_work(
        sim,
        researcher,
        token,
        work_with_ids("a", ("isbn", "978-3-16-148410-0", "self")),
    )
    second = post_work(
        sim, researcher, token, work_with_ids("b", ("isbn", "9783161484100", "self"))
    )
    arxiv = post_work(
        sim,
        researcher,
        token,
        work_with_ids("c", ("arxiv", "arXiv:2101.00001", "self")),
    )
    again = post_work(
        sim, researcher, token, work_with_ids("d", ("arxiv", "2101.00001", "self"))
    )
    assert [first.status_code, arxiv.status_code] == [201, 201]
    assert (second.status_code, error_code(second)) == (409, "9021")
    assert (again.status_code, error_code(again)) == (409, "9021")


def test_funded_by_takes_only_grant_numbers_proposals_uris_and_dois(
    sim, researcher, token
):
    grant = post_work(
        sim, researcher, token, work_with_ids("a", ("grant_number", "123", "funded-by"))
    )
    isbn = post_work(
        sim,
        researcher,
        token,
        work_with_ids("b", ("isbn", "9783161484100", "funded-by")),
    )
    assert grant.status_code == 201
    assert isbn.status_code == 400
