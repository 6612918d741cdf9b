"""Disconnecting without surprises (issue 11, point 6).

Only a POST with a CSRF token revokes access at ORCID; nobody can remove
their only way to sign in; a second account authorizing an iD already linked
elsewhere leaves the first account's link as it was. Everything goes through
the real app and the ORCID simulator, and checks what the researcher (or
ORCID) sees: the token at ORCID, the link, the works, the page's message.
"""

import html

import pytest
from invenio_access.permissions import system_identity
from invenio_accounts.models import UserIdentity
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db
from invenio_oauthclient.models import RemoteAccount, RemoteToken

from invenio_orcid_push.models import LinkStatus, OrcidPushAccount
from invenio_orcid_push.proxies import current_orcid_push_service
from invenio_orcid_push.services.errors import OnlySignInMethodError

from helpers import authorize_via_orcid, record_data


@pytest.fixture
def researcher(make_user, link_orcid, publish):
    """A linked user (with a password) with one record on ORCID."""
    user = make_user()
    orcid = link_orcid(user)
    publish(user, record_data(title="Already on ORCID"))
    return user, orcid


def token_of(orcid_simulator, orcid):
    """The token ORCID issued to this repository for ``orcid``."""
    return next(t for t in orcid_simulator.state.tokens.values() if t.orcid == orcid)


def still_linked(user, orcid):
    """The link a researcher sees: identity and remote account both kept."""
    identity = UserIdentity.query.filter_by(id_user=user.id, method="orcid").first()
    accounts = RemoteAccount.query.filter_by(user_id=user.id).count()
    return identity is not None and identity.id == orcid and accounts == 1


def shown(client, response):
    """The page a browser lands on after ``response`` (a redirect), as text."""
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return html.unescape(page)


# -- The stock "Linked accounts" route never revokes ------------------------------


def test_a_plain_get_on_the_stock_disconnect_revokes_nothing_and_unlinks_nothing(
    client, researcher, orcid_simulator, publish
):
    user, orcid = researcher
    login_user_via_session(client, user=user)

    response = client.get("/oauth/disconnect/orcid/")

    assert response.headers["Location"].endswith("/account/settings/orcid/")
    page = shown(client, response)
    assert "To disconnect ORCID, use the Disconnect button below" in page
    assert 'id="orcid-disconnect"' in page  # the POST form with its CSRF token
    assert token_of(orcid_simulator, orcid).revoked is False
    assert still_linked(user, orcid)
    publish(user, record_data(title="Still pushed after the GET"))
    titles = sorted(w.work["title"] for w in orcid_simulator.state.works_of(orcid))
    assert titles == ["Already on ORCID", "Still pushed after the GET"]


def test_the_stock_disconnect_route_accepts_no_post(
    client, researcher, orcid_simulator
):
    user, orcid = researcher
    login_user_via_session(client, user=user)

    assert client.post("/oauth/disconnect/orcid/").status_code == 405
    assert token_of(orcid_simulator, orcid).revoked is False
    assert still_linked(user, orcid)


def test_the_disconnect_form_still_revokes_and_unlinks(
    client, researcher, orcid_simulator
):
    user, orcid = researcher
    login_user_via_session(client, user=user)

    page = shown(client, client.post("/account/settings/orcid/disconnect", data={}))

    assert "ORCID is disconnected." in page
    assert token_of(orcid_simulator, orcid).revoked is True
    assert RemoteAccount.query.filter_by(user_id=user.id).count() == 0


# -- Nobody locks themselves out -----------------------------------------------------


def only_orcid(user):
    """The user has no password: ORCID is their only way to sign in."""
    user.password = None
    db.session.commit()


def test_an_orcid_only_user_is_refused_and_keeps_everything(
    client, researcher, orcid_simulator
):
    user, orcid = researcher
    only_orcid(user)
    login_user_via_session(client, user=user)

    response = client.post(
        "/account/settings/orcid/disconnect", data={"remove_works": "y"}
    )

    page = shown(client, response)
    assert "ORCID is your only way to sign in here" in page
    assert "ORCID is disconnected." not in page
    assert token_of(orcid_simulator, orcid).revoked is False
    assert still_linked(user, orcid)
    assert [w.work["title"] for w in orcid_simulator.state.works_of(orcid)] == [
        "Already on ORCID"
    ]


def test_a_password_does_not_help_when_local_login_is_off(
    app, client, researcher, orcid_simulator
):
    user, orcid = researcher
    login_user_via_session(client, user=user)
    app.config["ACCOUNTS_LOCAL_LOGIN_ENABLED"] = False
    try:
        response = client.post("/account/settings/orcid/disconnect", data={})
    finally:
        app.config["ACCOUNTS_LOCAL_LOGIN_ENABLED"] = True

    assert "ORCID is your only way to sign in here" in shown(client, response)
    assert token_of(orcid_simulator, orcid).revoked is False
    assert still_linked(user, orcid)


def test_another_linked_sign_in_account_is_a_way_in(
    app, client, researcher, orcid_simulator
):
    user, orcid = researcher
    only_orcid(user)
    app.config["OAUTHCLIENT_REMOTE_APPS"]["other"] = {
        "title": "Other",
        "params": {"app_key": "OTHER_APP_CREDENTIALS"},
    }
    app.config["OTHER_APP_CREDENTIALS"] = {"consumer_key": "other-key"}
    try:
        RemoteAccount.create(user.id, "other-key", {})
        db.session.commit()
        login_user_via_session(client, user=user)
        response = client.post("/account/settings/orcid/disconnect", data={})
    finally:
        del app.config["OAUTHCLIENT_REMOTE_APPS"]["other"]
        del app.config["OTHER_APP_CREDENTIALS"]

    assert "ORCID is disconnected." in shown(client, response)
    assert token_of(orcid_simulator, orcid).revoked is True


def test_the_service_refuses_with_the_reason(app, researcher, orcid_simulator):
    user, orcid = researcher
    only_orcid(user)

    with pytest.raises(OnlySignInMethodError) as refused:
        current_orcid_push_service.disconnect(
            system_identity, params={"user_id": user.id}
        )

    assert "only way to sign in" in str(refused.value.description)
    assert token_of(orcid_simulator, orcid).revoked is False
    assert still_linked(user, orcid)


# -- A second account authorizing an iD that is already linked ----------------------


def link_state(user):
    """What the settings page and the pushes go by, for ``user``."""
    account = OrcidPushAccount.get(user.id)
    token = RemoteToken.query.join(RemoteAccount).filter_by(user_id=user.id).one()
    return {
        "orcid": account.orcid,
        "granted_scopes": account.granted_scopes,
        "linked_at": account.linked_at,
        "link_status": account.link_status,
        "link_problem": account.link_problem,
        "access_token": token.access_token,
    }


def test_a_second_account_authorizing_a_linked_id_leaves_the_first_alone(
    client, make_user, orcid_simulator
):
    first, second = make_user(), make_user()
    person = orcid_simulator.state.add_researcher(name="Shared iD")
    login_user_via_session(client, user=first)
    authorize_via_orcid(client, orcid_simulator, person.orcid)
    account = OrcidPushAccount.get(first.id)
    account.mark_link_problem(
        person.orcid, LinkStatus.REVOKED, "ORCID says access was revoked."
    )
    account.granted_scopes = "/authenticate"
    db.session.commit()
    before = link_state(first)

    login_user_via_session(client, user=second)
    page = shown(client, authorize_via_orcid(client, orcid_simulator, person.orcid))

    assert "already linked to another account" in page
    db.session.expire_all()
    assert link_state(first) == before
    assert UserIdentity.query.filter_by(id_user=second.id).count() == 0
    assert OrcidPushAccount.get(second.id) is None


def test_the_holder_signing_in_with_orcid_records_the_new_grant(
    client, make_user, link_orcid, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user, scopes=("/authenticate",))
    OrcidPushAccount.get_or_create(user.id).mark_authorized(orcid, "/authenticate")
    db.session.commit()

    authorize_via_orcid(client, orcid_simulator, orcid)  # not logged in: signs in

    db.session.expire_all()
    assert OrcidPushAccount.get(user.id).can_update_orcid is True
