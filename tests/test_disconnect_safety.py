"""Disconnecting without surprises (issue 11, point 6).

Only a POST with a CSRF token revokes access at ORCID. Everything goes through
the real app and the ORCID simulator, and checks what the researcher (or
ORCID) sees: the token at ORCID, the link, the works, the page's message.
"""

import html

import pytest
from invenio_accounts.models import UserIdentity
from invenio_accounts.testutils import login_user_via_session
from invenio_oauthclient.models import RemoteAccount

from helpers import record_data


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
