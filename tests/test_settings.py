"""The researcher's ORCID settings page and JSON API: who may do what, and what they see."""

import pytest
from invenio_accounts.models import UserIdentity
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db
from invenio_oauthclient.models import RemoteAccount

from invenio_orcid_push.models import OrcidPushAccount, OrcidWorkLedger, SyncStatus

from helpers import authorize_via_orcid, record_data


@pytest.fixture
def researcher(make_user, link_orcid, publish):
    """A linked user with one record on ORCID."""
    user = make_user()
    orcid = link_orcid(user)
    record = publish(user, record_data(title="My dataset on ORCID"))
    return user, orcid, record


# -- The page ----------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get("/account/settings/orcid/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_page_shows_the_link_permissions_and_records(client, researcher):
    user, orcid, record = researcher
    login_user_via_session(client, user=user)

    page = client.get("/account/settings/orcid/").get_data(as_text=True)

    assert f'href="https://orcid.org/{orcid}"' in page
    assert "My dataset on ORCID" in page
    assert "On ORCID since" in page
    assert "Disconnect ORCID" in page
    assert "ORCID</a>" in page or "> ORCID" in page  # in the settings menu


def test_a_user_without_orcid_is_offered_to_connect(client, make_user):
    login_user_via_session(client, user=make_user())
    page = client.get("/account/settings/orcid/").get_data(as_text=True)
    assert "Connect your ORCID iD" in page
    assert "/oauth/login/orcid/" in page


def test_a_link_without_update_permission_asks_for_it(
    client, make_user, link_orcid, app
):
    user = make_user()
    orcid = link_orcid(user, scopes=("/authenticate",))
    OrcidPushAccount.get_or_create(user.id).mark_authorized(orcid, "/authenticate")
    db.session.commit()
    login_user_via_session(client, user=user)

    page = client.get("/account/settings/orcid/").get_data(as_text=True)

    assert "Grant update permission" in page
    assert "know your ORCID iD" in page


def test_preferences_are_saved_from_the_form(client, researcher):
    user, _, _ = researcher
    login_user_via_session(client, user=user)

    response = client.post(
        "/account/settings/orcid/preferences", data={"auto_sync": ""}
    )

    assert response.status_code == 302
    account = OrcidPushAccount.get(user.id)
    assert (account.auto_sync, account.records_by_others) == (False, None)


def test_sync_now_sends_an_old_record(
    client, make_user, link_orcid, publish, orcid_simulator, app
):
    user = make_user()
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        record = publish(user, record_data(title="Published before linking"))
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    orcid = link_orcid(user)
    login_user_via_session(client, user=user)

    response = client.post(f"/account/settings/orcid/records/{record.id}/sync")

    assert response.status_code == 302
    (work,) = orcid_simulator.state.works_of(orcid)
    assert work.work["title"] == "Published before linking"


def test_sync_now_on_someone_elses_record_is_refused(client, researcher, make_user):
    _, _, record = researcher
    login_user_via_session(client, user=make_user())
    assert (
        client.post(f"/account/settings/orcid/records/{record.id}/sync").status_code
        == 403
    )
    assert (
        client.post("/account/settings/orcid/records/nope-00000/sync").status_code
        == 404
    )


def test_send_existing_records_backfills_older_public_records(
    client, make_user, link_orcid, publish, orcid_simulator, app
):
    user = make_user()
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        publish(user, record_data(title="Old one"))
        publish(user, record_data(title="Old two"))
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    orcid = link_orcid(user)
    login_user_via_session(client, user=user)

    response = client.post("/account/settings/orcid/send-existing")

    assert response.status_code == 302
    titles = sorted(w.work["title"] for w in orcid_simulator.state.works_of(orcid))
    assert titles == ["Old one", "Old two"]


def test_disconnect_revokes_at_orcid_keeps_the_ledger_and_can_remove_the_works(
    client, researcher, orcid_simulator
):
    user, orcid, record = researcher
    token = next(t for t in orcid_simulator.state.tokens.values() if t.orcid == orcid)
    login_user_via_session(client, user=user)

    response = client.post(
        "/account/settings/orcid/disconnect", data={"remove_works": "y"}
    )

    assert response.status_code == 302
    assert token.revoked
    assert orcid_simulator.state.works_of(orcid) == []
    assert RemoteAccount.query.filter_by(user_id=user.id).count() == 0
    assert UserIdentity.query.filter_by(id_user=user.id, method="orcid").count() == 0
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    assert entry is not None and entry.status == SyncStatus.REMOVED


def test_disconnect_keeps_the_works_unless_asked(client, researcher, orcid_simulator):
    user, orcid, _ = researcher
    login_user_via_session(client, user=user)
    client.post("/account/settings/orcid/disconnect", data={})
    assert len(orcid_simulator.state.works_of(orcid)) == 1


def test_the_linked_accounts_disconnect_link_only_leads_to_the_form(
    client, researcher, orcid_simulator
):
    """The stock route is a plain GET: it must not revoke; the form (a POST) does."""
    user, orcid, _ = researcher
    token = next(t for t in orcid_simulator.state.tokens.values() if t.orcid == orcid)
    login_user_via_session(client, user=user)

    response = client.get("/oauth/disconnect/orcid/")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/settings/orcid/")
    assert not token.revoked
    assert RemoteAccount.query.filter_by(user_id=user.id).count() == 1
    client.post("/account/settings/orcid/disconnect", data={})
    assert token.revoked
    assert RemoteAccount.query.filter_by(user_id=user.id).count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/account/settings/orcid/preferences",
        "/account/settings/orcid/send-existing",
        "/account/settings/orcid/disconnect",
    ],
)
def test_every_form_needs_its_csrf_token(app, client, researcher, path):
    user, orcid, _ = researcher
    login_user_via_session(client, user=user)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post(path, data={"auto_sync": "y"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert RemoteAccount.query.filter_by(user_id=user.id).count() == 1


# -- The JSON API -------------------------------------------------------------------


def csrf(client):
    """Headers carrying the REST API's CSRF token (cookie set by a first unsafe call)."""
    if client.get_cookie("csrftoken") is None:
        client.post("/api/user/orcid/records/none/sync")
    return {"X-CSRFToken": client.get_cookie("csrftoken").value}


def test_api_changes_need_the_csrf_token(client, researcher):
    login_user_via_session(client, user=researcher[0])
    response = client.put("/api/user/orcid", json={"auto_sync": False})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert OrcidPushAccount.get(researcher[0].id) is None


def test_api_requires_login(client):
    assert client.get("/api/user/orcid").status_code == 401
    assert client.get("/api/user/orcid/records").status_code == 401
    assert client.post("/api/user/orcid/records/x/sync").status_code == 401


def test_api_shows_the_owner_their_link_and_records(client, researcher):
    user, orcid, record = researcher
    login_user_via_session(client, user=user)

    link = client.get("/api/user/orcid").json
    records = client.get("/api/user/orcid/records").json

    assert link["orcid"] == orcid and link["linked"] is True
    assert link["preferences"] == {
        "auto_sync": True,
        "records_by_others": "ask",
        "include_as_creator": False,
    }
    (row,) = records["hits"]["hits"]
    assert (row["id"], row["orcid"]["state"]) == (record.id, "synced")


def test_api_updates_preferences_and_rejects_bad_payloads(client, researcher):
    user, _, _ = researcher
    login_user_via_session(client, user=user)

    ok = client.put("/api/user/orcid", json={"auto_sync": False}, headers=csrf(client))
    wrong_type = client.put(
        "/api/user/orcid", json={"auto_sync": "no"}, headers=csrf(client)
    )
    unknown = client.put(
        "/api/user/orcid", json={"colour": "blue"}, headers=csrf(client)
    )
    not_json = client.put(
        "/api/user/orcid", data="auto_sync=false", headers=csrf(client)
    )

    assert ok.status_code == 200 and ok.json["preferences"]["auto_sync"] is False
    assert wrong_type.status_code == 400
    assert "auto_sync: must be true or false" in wrong_type.json["message"]
    assert (
        unknown.status_code == 400
        and "colour: unknown field" in unknown.json["message"]
    )
    assert not_json.status_code == 400


def test_api_other_users_see_only_their_own(client, researcher, make_user):
    user, _, record = researcher
    login_user_via_session(client, user=make_user())
    assert client.get(f"/api/user/orcid?user_id={user.id}").status_code == 403
    assert client.get(f"/api/user/orcid/records?user_id={user.id}").status_code == 403
    assert (
        client.post(
            f"/api/user/orcid/records/{record.id}/sync", headers=csrf(client)
        ).status_code
        == 403
    )


def test_api_admins_see_anyone(client, researcher, admin):
    user, orcid, record = researcher
    login_user_via_session(client, user=admin)
    assert client.get(f"/api/user/orcid?user_id={user.id}").json["orcid"] == orcid
    assert (
        client.get(f"/api/user/orcid/records?user_id={user.id}").json["hits"]["total"]
        == 1
    )
    assert (
        client.post(
            f"/api/user/orcid/records/{record.id}/sync", headers=csrf(client)
        ).status_code
        == 202
    )


def test_api_sync_of_unknown_record_is_404(client, make_user):
    login_user_via_session(client, user=make_user())
    assert (
        client.post(
            "/api/user/orcid/records/nope-00000/sync", headers=csrf(client)
        ).status_code
        == 404
    )


def test_api_rejects_bad_paging(client, researcher):
    login_user_via_session(client, user=researcher[0])
    assert client.get("/api/user/orcid/records?size=1000").status_code == 400


# -- OAuth with the simulator ---------------------------------------------------------


def test_linking_runs_a_real_authorize_and_token_round_trip_and_records_the_scopes(
    client, make_user, orcid_simulator, publish
):
    user = make_user()
    login_user_via_session(client, user=user)
    person = orcid_simulator.state.add_researcher(name="Round Trip")

    done = authorize_via_orcid(client, orcid_simulator, person.orcid)

    assert done.status_code == 302
    identity = UserIdentity.query.filter_by(id_user=user.id, method="orcid").one()
    assert identity.id == person.orcid
    account = OrcidPushAccount.get(user.id)
    assert account.granted_scopes == "/activities/update /read-limited"
    assert account.can_update_orcid is True

    publish(user, record_data(title="Pushed with the OAuth token"))
    (work,) = orcid_simulator.state.works_of(person.orcid)
    assert work.work["title"] == "Pushed with the OAuth token"


def test_a_sign_in_only_link_is_upgraded_without_unlinking(
    client, make_user, link_orcid, orcid_simulator, publish
):
    user = make_user()
    orcid = link_orcid(user, scopes=("/authenticate",))
    OrcidPushAccount.get_or_create(user.id).mark_authorized(orcid, "/authenticate")
    db.session.commit()
    account_id = RemoteAccount.query.filter_by(user_id=user.id).one().id
    login_user_via_session(client, user=user)
    assert "Grant update permission" in client.get("/account/settings/orcid/").get_data(
        as_text=True
    )

    authorize_via_orcid(client, orcid_simulator, orcid)

    assert RemoteAccount.query.filter_by(user_id=user.id).one().id == account_id
    assert OrcidPushAccount.get(user.id).can_update_orcid is True
    assert "Grant update permission" not in client.get(
        "/account/settings/orcid/"
    ).get_data(as_text=True)
    publish(user, record_data(title="After the upgrade"))
    assert [w.work["title"] for w in orcid_simulator.state.works_of(orcid)] == [
        "After the upgrade"
    ]
