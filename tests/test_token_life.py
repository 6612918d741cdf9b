"""A researcher's ORCID token from authorization to revocation (issue 14, part 2).

What ORCID answers is kept beside the token (never shown); authorizing again
revokes the replaced token at ORCID; an administrator blocking a user revokes
theirs and keeps or removes their works (``ORCID_PUSH_ON_USER_DELETION``).
Checked on the real app against the ORCID simulator: what ORCID holds and
accepts, and what the user and the API show.
"""

import importlib.metadata
import logging
from datetime import datetime, timedelta, timezone

import pytest
import requests
from invenio_access.permissions import system_identity
from invenio_accounts.testutils import login_user_via_session
from invenio_app.factory import create_app as create_ui_app
from invenio_db import db
from invenio_oauthclient.models import RemoteAccount, RemoteToken
from invenio_users_resources.proxies import current_users_service
from invenio_users_resources.services.users.tasks import execute_moderation_actions

from invenio_orcid_push.models import LinkStatus, OrcidPushAccount

from helpers import authorize_via_orcid, record_data

MODERATION_ACTIONS = "invenio_users_resources.moderation.actions"
ON_BLOCK = "invenio_orcid_push.moderation:on_block"


@pytest.fixture(scope="module")
def extra_entry_points():
    """Our moderation callbacks, when the installed package predates them (a
    development install not reinstalled yet); never registered twice."""
    installed = importlib.metadata.entry_points(group=MODERATION_ACTIONS)
    if any(ep.value == ON_BLOCK for ep in installed):
        return {}
    return {MODERATION_ACTIONS: [f"block = {ON_BLOCK}", f"delete = {ON_BLOCK}"]}


@pytest.fixture(scope="module", name="create_app")
def create_app_with_moderation(instance_path, entry_points):
    """The full application, with the moderation callbacks registered.

    (Not named ``create_app`` here: pytest-invenio would call a module
    attribute of that name as the factory.)
    """
    return create_ui_app


def tokens_of(orcid_simulator, orcid):
    """The tokens ORCID issued to this repository for ``orcid``, oldest first."""
    return [t for t in orcid_simulator.state.tokens.values() if t.orcid == orcid]


def orcid_accepts(orcid_simulator, token):
    """Whether ORCID's Member API accepts ``token`` (a read of the works)."""
    response = requests.get(
        f"{orcid_simulator.api_url}/{token.orcid}/works",
        headers={
            "Authorization": f"Bearer {token.access_token}",
            "Accept": "application/vnd.orcid+json",
        },
        timeout=5,
    )
    return response.status_code == 200


def refresh_works(orcid_simulator, client_id, secret, token):
    """Whether ORCID still gives a new access token for ``token``'s refresh token."""
    response = requests.post(
        f"{orcid_simulator.oauth_url}/token",
        data={
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "refresh_token",
            "refresh_token": token.refresh_token,
        },
        timeout=5,
    )
    return response.status_code == 200


def titles_on_orcid(orcid_simulator, orcid):
    return sorted(w.work["title"] for w in orcid_simulator.state.works_of(orcid))


# -- What is kept ---------------------------------------------------------------------


def test_authorizing_keeps_expiry_refresh_token_scope_and_name_never_shown(
    client, make_user, orcid_simulator, orcid_api_client
):
    user = make_user()
    login_user_via_session(client, user=user)
    person = orcid_simulator.state.add_researcher(name="Ada Authorized")

    authorize_via_orcid(client, orcid_simulator, person.orcid)

    (issued,) = tokens_of(orcid_simulator, person.orcid)
    stored = RemoteToken.get(user.id, orcid_api_client.client_id)
    assert stored.access_token == issued.access_token
    assert stored.refresh_token == issued.refresh_token
    in_19_years = datetime.now(timezone.utc) + timedelta(days=19 * 365)
    assert stored.expires.replace(tzinfo=timezone.utc) > in_19_years
    extra = RemoteAccount.get(user.id, orcid_api_client.client_id).extra_data
    assert extra["orcid"] == person.orcid
    assert extra["full_name"] == "Ada Authorized"
    assert extra["scope"] == "/activities/update /read-limited"
    assert datetime.fromisoformat(extra["expires_at"]) > in_19_years
    assert "token" not in str(extra)

    shown = client.get("/api/user/orcid").get_data(as_text=True)
    assert person.orcid in shown
    assert issued.refresh_token not in shown
    assert issued.access_token not in shown


def test_authorizing_again_keeps_orcids_new_answer(
    client, make_user, orcid_simulator, orcid_api_client
):
    user = make_user()
    login_user_via_session(client, user=user)
    person = orcid_simulator.state.add_researcher(name="Ada Before")
    authorize_via_orcid(client, orcid_simulator, person.orcid)
    person.name = "Ada After"

    authorize_via_orcid(client, orcid_simulator, person.orcid)

    db.session.expire_all()
    extra = RemoteAccount.get(user.id, orcid_api_client.client_id).extra_data
    assert extra["full_name"] == "Ada After"
    stored = RemoteToken.get(user.id, orcid_api_client.client_id)
    assert (
        stored.refresh_token
        == tokens_of(orcid_simulator, person.orcid)[-1].refresh_token
    )


# -- Authorizing again -----------------------------------------------------------------


def test_authorizing_again_revokes_the_replaced_token_at_orcid(
    client, make_user, orcid_simulator, orcid_api_client, publish
):
    user = make_user()
    login_user_via_session(client, user=user)
    person = orcid_simulator.state.add_researcher(name="Twice Authorized")
    authorize_via_orcid(client, orcid_simulator, person.orcid)

    done = authorize_via_orcid(client, orcid_simulator, person.orcid)

    assert done.status_code == 302
    old, new = tokens_of(orcid_simulator, person.orcid)
    assert not orcid_accepts(orcid_simulator, old)
    assert not refresh_works(
        orcid_simulator, orcid_api_client.client_id, orcid_api_client.secret, old
    )
    assert orcid_accepts(orcid_simulator, new)
    db.session.expire_all()
    assert RemoteToken.get(user.id, orcid_api_client.client_id).access_token == (
        new.access_token
    )
    publish(user, record_data(title="Sent with the new token"))
    assert titles_on_orcid(orcid_simulator, person.orcid) == ["Sent with the new token"]


def test_signing_in_with_orcid_again_revokes_the_replaced_token(
    client, make_user, link_orcid, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    (old,) = tokens_of(orcid_simulator, orcid)

    authorize_via_orcid(client, orcid_simulator, orcid)  # not logged in: signs in

    old, new = tokens_of(orcid_simulator, orcid)
    assert not orcid_accepts(orcid_simulator, old)
    assert orcid_accepts(orcid_simulator, new)


def test_a_failed_revocation_is_logged_and_the_new_link_stands(
    client, make_user, orcid_simulator, orcid_api_client, caplog
):
    user = make_user()
    login_user_via_session(client, user=user)
    person = orcid_simulator.state.add_researcher(name="Revocation Fails")
    authorize_via_orcid(client, orcid_simulator, person.orcid)
    orcid_simulator.state.inject_fault(500, path="/oauth/revoke")

    with caplog.at_level(logging.WARNING, logger="invenio_orcid_push"):
        done = authorize_via_orcid(client, orcid_simulator, person.orcid)

    assert done.status_code == 302  # linked as usual
    old, new = tokens_of(orcid_simulator, person.orcid)
    assert old.revoked is False  # ORCID was not told; nothing else broke
    db.session.expire_all()
    assert RemoteToken.get(user.id, orcid_api_client.client_id).access_token == (
        new.access_token
    )
    assert OrcidPushAccount.get(user.id).link_status == LinkStatus.ACTIVE
    logged = caplog.text
    assert f"Could not revoke the superseded ORCID token of user {user.id}" in logged
    assert old.access_token not in logged and new.access_token not in logged


# -- An administrator blocks a user --------------------------------------------------


@pytest.fixture
def blockable(make_user, link_orcid, publish, orcid_simulator):
    """A linked researcher with two works this repository put on ORCID."""
    user = make_user()
    orcid = link_orcid(user)
    publish(user, record_data(title="First dataset"))
    publish(user, record_data(title="Second dataset"))
    assert titles_on_orcid(orcid_simulator, orcid) == [
        "First dataset",
        "Second dataset",
    ]
    (token,) = tokens_of(orcid_simulator, orcid)
    return user, orcid, token


def assert_link_ended(user, orcid_simulator, token, client_id):
    assert token.revoked is True
    assert not orcid_accepts(orcid_simulator, token)
    db.session.expire_all()
    assert RemoteToken.get(user.id, client_id) is None
    assert OrcidPushAccount.get(user.id).link_status == LinkStatus.SUSPENDED


def test_blocking_a_user_revokes_their_token_and_keeps_their_works(
    app, blockable, orcid_simulator, orcid_api_client
):
    user, orcid, token = blockable
    assert app.config["ORCID_PUSH_ON_USER_DELETION"] == "keep"

    current_users_service.block(system_identity, user.id)

    assert_link_ended(user, orcid_simulator, token, orcid_api_client.client_id)
    assert titles_on_orcid(orcid_simulator, orcid) == [
        "First dataset",
        "Second dataset",
    ]


def test_blocking_a_user_with_remove_takes_their_works_off_orcid(
    app, blockable, orcid_simulator, orcid_api_client, monkeypatch
):
    user, orcid, token = blockable
    monkeypatch.setitem(app.config, "ORCID_PUSH_ON_USER_DELETION", "remove")

    current_users_service.block(system_identity, user.id)

    assert titles_on_orcid(orcid_simulator, orcid) == []
    assert_link_ended(user, orcid_simulator, token, orcid_api_client.client_id)


def test_deleting_a_user_with_remove_takes_their_works_off_orcid(
    app, blockable, orcid_simulator, orcid_api_client, monkeypatch
):
    """InvenioRDM v14 has no ``delete`` moderation action; ours runs for it."""
    user, orcid, token = blockable
    monkeypatch.setitem(app.config, "ORCID_PUSH_ON_USER_DELETION", "remove")

    execute_moderation_actions(user_id=user.id, action="delete")

    assert titles_on_orcid(orcid_simulator, orcid) == []
    assert_link_ended(user, orcid_simulator, token, orcid_api_client.client_id)


def test_a_blocked_users_failed_revocation_is_logged_and_retried(
    app, blockable, orcid_simulator, orcid_api_client, caplog
):
    user, orcid, token = blockable
    orcid_simulator.state.inject_fault(500, path="/oauth/revoke")

    with caplog.at_level(logging.WARNING, logger="invenio_orcid_push"):
        current_users_service.block(system_identity, user.id)

    assert f"Could not revoke the blocked user's ORCID token of user {user.id}" in (
        caplog.text
    )
    assert token.access_token not in caplog.text
    assert_link_ended(user, orcid_simulator, token, orcid_api_client.client_id)
    assert len(titles_on_orcid(orcid_simulator, orcid)) == 2
