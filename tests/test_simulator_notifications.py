"""The ORCID simulator's inbox: client-credentials tokens and permission notifications."""

import pytest
import requests
from lxml import etree

from simulators.app import load_notification_schema

XML = "application/vnd.orcid+xml"
SAMPLE = "notification_3.0/samples/notification-permission-3.0.xml"


@pytest.fixture
def sim(fresh_simulator):
    return fresh_simulator


@pytest.fixture
def client(sim):
    return sim.state.register_client(name="Repo A")


@pytest.fixture
def researcher(sim):
    return sim.state.add_researcher(name="Jane Doe")


def client_token(sim, client, scope="/premium-notification"):
    return requests.post(
        f"{sim.oauth_url}/token",
        data={
            "client_id": client.client_id,
            "client_secret": client.secret,
            "grant_type": "client_credentials",
            "scope": scope,
        },
        headers={"Accept": "application/json"},
        timeout=5,
    )


def sample_body(orcid_model_dir):
    """ORCID's own sample, without what only ORCID writes (put-code, dates, source)."""
    root = etree.parse(str(orcid_model_dir / SAMPLE)).getroot()
    root.attrib.pop("put-code")
    common = "{http://www.orcid.org/ns/common}"
    for name in ("created-date", "sent-date", "source"):
        root.remove(root.find(common + name))
    return etree.tostring(root)


def post(sim, orcid, token, body):
    return requests.post(
        f"{sim.api_url}/{orcid}/notification-permission",
        data=body,
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": XML,
            "Accept": XML,
        },
        timeout=5,
    )


def error_code(response):
    return etree.fromstring(response.content).findtext(
        "{http://www.orcid.org/ns/error}error-code"
    )


def test_the_notification_schema_accepts_orcids_sample(orcid_model_dir):
    schema = load_notification_schema(orcid_model_dir)
    assert schema.validate(etree.parse(str(orcid_model_dir / SAMPLE)))


def test_premium_notification_tokens_only_for_clients_orcid_enabled(sim, client):
    refused = client_token(sim, client)
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_scope"

    sim.state.enable_premium_notifications(client.client_id)
    granted = client_token(sim, client)
    assert granted.status_code == 200, granted.text
    assert granted.json()["scope"] == "/premium-notification"
    assert granted.json()["orcid"] is None


def test_a_valid_notification_lands_in_the_inbox_with_a_put_code(
    sim, client, researcher, orcid_model_dir
):
    sim.state.enable_premium_notifications(client.client_id)
    token = client_token(sim, client).json()["access_token"]

    response = post(sim, researcher.orcid, token, sample_body(orcid_model_dir))

    assert response.status_code == 201, response.text
    put_code = response.headers["Location"].rsplit("/", 1)[-1]
    [stored] = sim.state.notifications_of(researcher.orcid)
    assert str(stored["put_code"]) == put_code
    assert stored["source_client_id"] == client.client_id
    assert stored["subject"] == "Subject"
    assert stored["items"][0]["type"] == "work"
    assert stored["items"][0]["external_id"]["type"] == "doi"
    inspected = requests.get(
        f"{sim.url}/_simulator/notifications/{researcher.orcid}", timeout=5
    ).json()
    assert inspected[0]["put_code"] == stored["put_code"]


def test_invalid_xml_is_400(sim, client, researcher):
    sim.state.enable_premium_notifications(client.client_id)
    token = client_token(sim, client).json()["access_token"]
    body = (
        b'<notification:notification xmlns:notification="http://www.orcid.org/ns/'
        b'notification"><notification:notification-type>permission'
        b"</notification:notification-type></notification:notification>"
    )
    response = post(sim, researcher.orcid, token, body)
    assert response.status_code == 400
    assert error_code(response) == "9001"
    assert sim.state.notifications_of(researcher.orcid) == []


def test_wrong_tokens_scopes_and_ids(sim, client, researcher, orcid_model_dir):
    body = sample_body(orcid_model_dir)
    assert post(sim, researcher.orcid, "nonsense", body).status_code == 401
    read_public = client_token(sim, client, "/read-public").json()["access_token"]
    assert post(sim, researcher.orcid, read_public, body).status_code == 403
    member = sim.state.issue_token(researcher.orcid, client.client_id)
    assert post(sim, researcher.orcid, member.access_token, body).status_code == 403

    sim.state.enable_premium_notifications(client.client_id)
    token = client_token(sim, client).json()["access_token"]
    assert post(sim, "0000-0002-1825-0097", token, body).status_code == 404


def test_a_researcher_who_opted_out_is_409_9032(
    sim, client, researcher, orcid_model_dir
):
    sim.state.enable_premium_notifications(client.client_id)
    token = client_token(sim, client).json()["access_token"]
    sim.state.opt_out_of_notifications(researcher.orcid, client.client_id)

    response = post(sim, researcher.orcid, token, sample_body(orcid_model_dir))

    assert response.status_code == 409
    assert error_code(response) == "9032"
    assert sim.state.notifications_of(researcher.orcid) == []
