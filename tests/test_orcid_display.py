"""ORCID's display and authentication rules on every ORCID surface.

The iD icon with "Connect your ORCID iD"; iDs as full https URIs with the icon;
a "What is ORCID" link on the settings page, the admin views and the e-mails;
distinct messages after granting and after denying access at ORCID; landing
pages marking the iDs authenticated here, not the iDs typed into a record.
"""

import html
import re

import pytest
from invenio_access.models import ActionUsers
from invenio_accounts.models import UserIdentity
from invenio_accounts.testutils import login_user_via_session
from invenio_administration.permissions import administration_access_action
from invenio_db import db

from invenio_orcid_push.approvals import notify_awaiting_approval
from invenio_orcid_push.models import (
    LinkStatus,
    OrcidPushAccount,
    OrcidPushConsent,
    OrcidWorkLedger,
)
from invenio_orcid_push.notifications import notify_link_problem

from helpers import authorize_via_orcid, person, record_data

ICON = "/static/images/orcid.svg"
ABOUT = "/account/settings/orcid/about"
ABOUT_TEXT = "What is ORCID, and what does this repository do with your permission?"
TYPED_ORCID = "0000-0002-1825-0097"  # valid, linked by nobody here


def page_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def landed(client, response):
    """The page a browser lands on after a redirect, as text."""
    assert response.status_code == 302
    return page_of(client, response.headers["Location"])


def element(page, element_id):
    """The opening tag and content of the element with this id, up to its end tag."""
    match = re.search(rf'<a [^>]*id="{element_id}".*?</a>', page, re.S)
    assert match, element_id
    return match.group(0)


# -- Settings page ------------------------------------------------------------------


def test_an_unlinked_researcher_sees_the_id_icon_and_connect_your_orcid_id(
    client, make_user
):
    login_user_via_session(client, user=make_user())

    page = page_of(client, "/account/settings/orcid/")

    button = element(page, "orcid-connect")
    assert "Connect your ORCID iD" in button
    assert f'src="{ICON}"' in button and "/oauth/login/orcid/" in button
    assert f'href="{ABOUT}"' in page and ABOUT_TEXT in page


def test_a_linked_researcher_sees_the_id_as_an_https_uri_with_the_icon(
    client, make_user, link_orcid
):
    user = make_user()
    orcid = link_orcid(user)
    login_user_via_session(client, user=user)

    page = page_of(client, "/account/settings/orcid/")

    shown = element(page, "orcid-id")
    assert f'href="https://orcid.org/{orcid}"' in shown
    assert f'src="{ICON}"' in shown and f">https://orcid.org/{orcid}</a>" in shown
    assert f'href="{ABOUT}"' in page


def test_what_is_orcid_says_what_the_repository_does_and_needs_no_login(client):
    page = page_of(client, ABOUT)

    assert "What is ORCID?" in page
    assert "reads the list of works on your ORCID record" in page
    assert "does nothing else" in page and "disconnect at any time" in page
    assert 'id="authenticated"' in page


# -- Granting and denying at ORCID ----------------------------------------------------


def test_granting_access_at_orcid_says_the_id_is_connected(
    client, make_user, orcid_simulator
):
    user = make_user()
    login_user_via_session(client, user=user)
    researcher = orcid_simulator.state.add_researcher(name="Says Yes")

    page = landed(
        client, authorize_via_orcid(client, orcid_simulator, researcher.orcid)
    )

    assert f"Your ORCID iD https://orcid.org/{researcher.orcid} is connected" in page
    assert "may now add your public records to your ORCID record" in page
    assert "You did not give this repository permission" not in page


def test_denying_access_at_orcid_says_nothing_changed_and_links_nothing(
    client, make_user, orcid_simulator
):
    user = make_user()
    login_user_via_session(client, user=user)
    researcher = orcid_simulator.state.add_researcher(name="Says No")

    denied = authorize_via_orcid(
        client, orcid_simulator, researcher.orcid, action="deny"
    )

    assert denied.headers["Location"].endswith("/account/settings/orcid/")
    page = landed(client, denied)
    assert "You did not give this repository permission" in page
    assert "nothing was changed" in page and "connect again any time" in page
    assert "is connected" not in page
    assert UserIdentity.query.filter_by(id_user=user.id).count() == 0
    assert OrcidPushAccount.get(user.id) is None


# -- Administration -------------------------------------------------------------------


@pytest.fixture
def administrator(make_user):
    user = make_user()
    db.session.add(ActionUsers.allow(administration_access_action, user=user))
    db.session.commit()
    return user


def test_admin_views_show_ids_as_https_uris_with_the_icon_and_link_what_is_orcid(
    client, administrator, make_user, link_orcid, publish
):
    user = make_user()
    orcid = link_orcid(user)
    record = publish(user, record_data(title="Seen by the admin"))
    entry = OrcidWorkLedger.get(orcid, record["parent"]["id"])
    login_user_via_session(client, user=administrator)

    for url in ("/administration/orcid-push", f"/administration/orcid-push/{entry.id}"):
        page = page_of(client, url)
        uri = f"https://orcid.org/{orcid}"
        assert re.search(
            rf'<a [^>]*href="{uri}"[^>]*><img [^>]*src="{ICON}"[^>]*>{uri}</a>', page
        ), url
        assert f'href="{ABOUT}"' in page and ABOUT_TEXT in page, url


# -- E-mails ----------------------------------------------------------------------


def test_the_link_problem_email_links_what_is_orcid(
    app, make_user, link_orcid, mailbox
):
    user = make_user()
    orcid = link_orcid(user)
    OrcidPushAccount.get_or_create(user.id).mark_link_problem(
        orcid, LinkStatus.REVOKED, "ORCID says access was revoked."
    )
    db.session.commit()

    assert notify_link_problem(user.id)

    (message,) = [m for m in mailbox if user.email in m.recipients]
    assert f"https://orcid.org/{orcid}" in message.body
    assert ABOUT_TEXT in message.body
    assert f"https://repo.example.org{ABOUT}" in message.body


def test_the_approval_email_links_what_is_orcid(
    app, make_user, link_orcid, depositor_of
):
    ada = make_user()
    ada_orcid = link_orcid(ada, name="Ada Lovelace")
    OrcidPushAccount.get_or_create(ada.id).records_by_others = "ask"
    db.session.commit()
    with app.extensions["mail"].record_messages() as outbox:
        depositor_of(make_user()).publish(
            record_data(
                title="Asks Ada", creators=[person("Ada", "Lovelace", ada_orcid)]
            )
        )
        if not outbox:  # told at once on publishing; else tell now
            OrcidPushConsent.query.filter_by(user_id=ada.id).update(
                {"notified_at": None}
            )
            notify_awaiting_approval([ada.id])

    (message,) = [m for m in outbox if ada.email in m.recipients]
    assert ABOUT_TEXT in message.body
    assert f"https://repo.example.org{ABOUT}" in message.body
    assert f'href="https://repo.example.org{ABOUT}"' in html.unescape(message.html)


# -- Record landing pages -----------------------------------------------------------


def test_the_landing_page_marks_the_id_linked_here_and_not_a_typed_one(
    client, make_user, link_orcid, publish
):
    user = make_user()
    linked = link_orcid(user, name="Josiah Carberry")
    record = publish(
        user,
        record_data(
            creators=[
                person("Josiah", "Carberry", linked),
                person("Typed", "Elsewhere", TYPED_ORCID),
            ]
        ),
    )

    page = page_of(client, f"/records/{record['id']}")  # anonymous reader

    marked = re.search(
        rf'<a [^>]*data-orcid="{linked}" data-orcid-authenticated="true"'
        rf'[^>]*href="https://orcid.org/{linked}".*?</a>',
        page,
        re.S,
    )
    assert marked and f'src="{ICON}"' in marked.group(0)
    typed = re.search(
        rf'<a [^>]*data-orcid="{TYPED_ORCID}" data-orcid-authenticated="false".*?</a>',
        page,
        re.S,
    )
    assert typed and ICON not in typed.group(0)
    assert "authenticated: connected by its holder in this repository" in page
    assert f'href="{ABOUT}#authenticated"' in page
