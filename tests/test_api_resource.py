"""The REST API as callers see it: status codes and messages naming what is wrong,
for session users and for personal access tokens."""

import pytest
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db
from invenio_oauth2server.models import Token

from invenio_orcid_push.models import OrcidPushAccount

from helpers import record_data


@pytest.fixture
def researcher(make_user, link_orcid, publish):
    """A linked user with one record on ORCID."""
    user = make_user()
    orcid = link_orcid(user)
    record = publish(user, record_data(title="Measured by the API"))
    return user, orcid, record


def csrf(client):
    """Headers carrying the REST API's CSRF token (cookie set by a first unsafe call)."""
    if client.get_cookie("csrftoken") is None:
        client.post("/api/user/orcid/records/none/sync")
    return {"X-CSRFToken": client.get_cookie("csrftoken").value}


@pytest.fixture
def logged_in(client, researcher):
    """The researcher's browser session, with the CSRF header for changes."""
    login_user_via_session(client, user=researcher[0])
    return client, csrf(client)


def personal_token(user):
    """A personal access token, as a user creates one under Applications.

    RDM's REST API asks for no OAuth scope: the token's user is the identity.
    """
    token = Token.create_personal("orcid-push-test", user.id, scopes=[])
    db.session.commit()
    return {"Authorization": f"Bearer {token.access_token}"}


# -- 400: every malformed request names what is wrong --------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"auto_sync": "no"}, "auto_sync"),
        ({"include_as_creator": 1}, "include_as_creator"),
        ({"auto_sync": None}, "auto_sync"),
        ({"auto_sync": True, "colour": "blue"}, "colour"),
        ({}, "request body"),
        ([{"auto_sync": False}], "request body"),
        ("auto_sync", "request body"),
    ],
)
def test_bad_preferences_are_refused_naming_the_field(
    logged_in, researcher, body, field
):
    client, headers = logged_in

    response = client.put("/api/user/orcid", json=body, headers=headers)

    assert response.status_code == 400
    assert field in response.json["message"]
    assert OrcidPushAccount.get(researcher[0].id) is None


@pytest.mark.parametrize(
    "data, named",
    [
        ("auto_sync=false", "JSON"),
        ("{auto_sync: false", "JSON"),
        ("", "request body"),
    ],
)
def test_a_body_that_is_not_json_is_refused(logged_in, data, named):
    client, headers = logged_in
    response = client.put(
        "/api/user/orcid", data=data, headers=headers, content_type="application/json"
    )
    assert response.status_code == 400
    assert named in response.json["message"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=0", "page"),
        ("page=-3", "page"),
        ("page=two", "page"),
        ("size=0", "size"),
        ("size=101", "size"),
        ("size=many", "size"),
        ("user_id=me", "user_id"),
        ("user_id=0", "user_id"),
        ("page=99999999999999999999", "page"),
        ("user_id=99999999999999999999", "user_id"),
    ],
)
def test_bad_paging_is_refused_naming_the_argument(logged_in, query, field):
    client, _ = logged_in

    response = client.get(f"/api/user/orcid/records?{query}")

    assert response.status_code == 400
    assert field in response.json["message"]
    assert response.json["errors"][0]["field"] == field


def test_paging_within_bounds_is_answered(logged_in, researcher):
    client, _ = logged_in
    first = client.get("/api/user/orcid/records?page=1&size=100").json
    beyond = client.get("/api/user/orcid/records?page=2&size=1").json
    assert (first["page"], first["size"], first["hits"]["total"]) == (1, 100, 1)
    assert beyond["hits"] == {"hits": [], "total": 1}


# -- 401, 403, 404 ------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/user/orcid"),
        ("put", "/api/user/orcid"),
        ("get", "/api/user/orcid/records"),
        ("post", "/api/user/orcid/records/{record}/sync"),
        ("get", "/api/records/{record}/orcid"),
    ],
)
def test_anonymous_callers_are_asked_to_log_in(client, researcher, method, path):
    response = getattr(client, method)(
        path.format(record=researcher[2].id),
        json={"auto_sync": False},
        headers=csrf(client),
    )
    assert response.status_code == 401
    assert "Log in" in response.json["message"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/user/orcid?user_id={user}"),
        ("put", "/api/user/orcid?user_id={user}"),
        ("get", "/api/user/orcid/records?user_id={user}"),
        ("post", "/api/user/orcid/records/{record}/sync"),
        ("get", "/api/records/{record}/orcid"),
    ],
)
def test_other_users_are_refused(client, researcher, make_user, method, path):
    user, _, record = researcher
    login_user_via_session(client, user=make_user())

    response = getattr(client, method)(
        path.format(user=user.id, record=record.id),
        json={"auto_sync": False},
        headers=csrf(client),
    )

    assert response.status_code == 403
    assert response.json["message"]
    assert OrcidPushAccount.get(user.id) is None


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/user/orcid/records/nope-00000/sync"),
        ("get", "/api/records/nope-00000/orcid"),
    ],
)
def test_an_unknown_record_is_404(logged_in, method, path):
    client, headers = logged_in
    response = getattr(client, method)(path, headers=headers)
    assert response.status_code == 404
    assert "does not exist" in response.json["message"]


def test_sync_now_is_accepted_with_202(logged_in, researcher):
    client, headers = logged_in
    record = researcher[2]
    response = client.post(f"/api/user/orcid/records/{record.id}/sync", headers=headers)
    assert response.status_code == 202
    assert response.json == {
        "record": record.id,
        "user_id": researcher[0].id,
        "message": "Sync requested.",
    }


# -- Personal access tokens ---------------------------------------------------------


def test_a_personal_access_token_reads_and_changes_the_settings(client, researcher):
    user, orcid, record = researcher
    auth = personal_token(user)

    link = client.get("/api/user/orcid", headers=auth)
    changed = client.put(
        "/api/user/orcid", json={"include_as_creator": False}, headers=auth
    )  # no CSRF token: tokens need none
    records = client.get("/api/user/orcid/records", headers=auth)
    status = client.get(f"/api/records/{record.id}/orcid", headers=auth)

    assert link.status_code == 200 and link.json["orcid"] == orcid
    assert changed.status_code == 200
    assert changed.json["preferences"] == {
        "auto_sync": True,
        "records_by_others": "never",
        "include_as_creator": False,
    }
    assert OrcidPushAccount.get(user.id).records_by_others == "never"
    assert records.json["hits"]["total"] == 1
    assert [hit["orcid"] for hit in status.json["hits"]["hits"]] == [orcid]


def test_a_personal_access_token_sees_only_its_users_settings(
    client, researcher, make_user
):
    user, _, record = researcher
    auth = personal_token(make_user())

    assert (
        client.get(f"/api/user/orcid?user_id={user.id}", headers=auth).status_code
        == 403
    )
    assert (
        client.get(f"/api/records/{record.id}/orcid", headers=auth).status_code == 403
    )
    assert client.get("/api/user/orcid", headers=auth).json["linked"] is False


def test_a_bad_token_is_not_a_login(client, researcher):
    response = client.get(
        "/api/user/orcid", headers={"Authorization": "Bearer nonsense"}
    )
    assert response.status_code == 401


@pytest.mark.parametrize("method", ["get", "put"])
def test_an_admin_asking_for_a_user_that_does_not_exist_gets_404(client, admin, method):
    login_user_via_session(client, user=admin)

    response = getattr(client, method)(
        "/api/user/orcid?user_id=424242",
        json={"auto_sync": False},
        headers=csrf(client),
    )

    assert response.status_code == 404
    assert "No such user" in response.json["message"]
    assert OrcidPushAccount.get(424242) is None


def test_a_draft_id_is_an_unknown_record(logged_in, researcher, depositor_of):
    client, headers = logged_in
    depositor = depositor_of(researcher[0])
    draft = depositor.service.create(depositor.identity, record_data(title="Not yet"))

    api = client.post(f"/api/user/orcid/records/{draft.id}/sync", headers=headers)
    page = client.post(f"/account/settings/orcid/records/{draft.id}/sync")

    assert api.status_code == 404
    assert page.status_code == 404


def test_a_record_owned_by_the_system_has_no_owner_to_ask(client, admin, make_user):
    from invenio_access.permissions import system_identity
    from invenio_rdm_records.proxies import current_rdm_records_service as service

    draft = service.create(system_identity, record_data(title="Imported"))
    record = service.publish(system_identity, draft.id)
    assert record["parent"]["access"]["owned_by"] == {"user": "system"}

    login_user_via_session(client, user=make_user())
    stranger = client.get(f"/api/records/{record.id}/orcid")
    login_user_via_session(client, user=admin)
    answered = client.get(f"/api/records/{record.id}/orcid")

    assert stranger.status_code == 403
    assert answered.status_code == 200 and answered.json["hits"]["total"] == 0
