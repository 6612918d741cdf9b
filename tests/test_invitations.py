"""Co-creators whose iD nobody here linked get one ORCID inbox invitation.

Records are published through the real record service; ORCID is the simulator
over HTTP; the assertions read what the researcher's ORCID inbox holds.
"""

from datetime import timedelta

import pytest
from flask import current_app
from invenio_db import db
from lxml import etree

from invenio_orcid_push import invitations
from invenio_orcid_push.invitations import invited_families, opted_out
from invenio_orcid_push.models import (
    InvitationStatus,
    OrcidCallLog,
    OrcidPushInvitation,
)
from invenio_orcid_push.permission_notification import permission_notification_xml

from helpers import authorize_via_orcid, person, record_data
from simulators import new_orcid_id
from simulators.app import load_notification_schema

AUTHORIZATION_URL = (
    "https://repo.example.org/oauth/login/orcid/?next=%2Faccount%2Fsettings%2Forcid%2F"
)


@pytest.fixture
def notify(app, orcid_simulator, orcid_api_client, monkeypatch):
    """Invitations on, ORCID having enabled premium notifications for our client."""
    orcid_simulator.state.enable_premium_notifications(orcid_api_client.client_id)
    monkeypatch.setitem(app.config, "ORCID_PUSH_NOTIFY_UNLINKED", True)
    invitations._forget_tokens()
    yield
    invitations._forget_tokens()


@pytest.fixture
def co_creator(orcid_simulator):
    """A researcher on ORCID whom no user of the repository has linked."""
    return orcid_simulator.state.add_researcher(name="Ann Other").orcid


def listing(orcid, title="A dataset about ORCID"):
    return record_data(
        title=title,
        creators=[person("Josiah", "Carberry"), person("Ann", "Other", orcid)],
    )


def inbox(orcid_simulator, orcid):
    return orcid_simulator.state.notifications_of(orcid)


def rows(orcid):
    return OrcidPushInvitation.query.filter_by(orcid=orcid).all()


def test_off_by_default_nothing_is_sent(
    app, make_user, publish, orcid_simulator, co_creator
):
    assert app.config["ORCID_PUSH_NOTIFY_UNLINKED"] is False
    publish(make_user(), listing(co_creator))
    assert inbox(orcid_simulator, co_creator) == []
    assert rows(co_creator) == []


def test_one_invitation_with_the_record_as_item_and_our_login_as_authorization_url(
    notify, make_user, publish, orcid_simulator, co_creator, orcid_model_dir
):
    record = publish(make_user(), listing(co_creator))

    [sent] = inbox(orcid_simulator, co_creator)
    assert sent["type"] == "permission"
    assert sent["authorization_url"]["uri"] == AUTHORIZATION_URL
    assert "Test Repository" in sent["intro"]
    assert sent["subject"]
    landing = f"https://repo.example.org/records/{record.id}"
    assert sent["items"] == [
        {
            "type": "work",
            "name": "A dataset about ORCID",
            "external_id": {
                "type": "uri",
                "value": landing,
                "url": landing,
                "relationship": "self",
            },
        }
    ]
    [row] = rows(co_creator)
    assert row.status == InvitationStatus.SENT
    assert row.put_code == str(sent["put_code"])
    assert row.parent_id == record["parent"]["id"]
    assert invited_families(co_creator) == [record["parent"]["id"]]
    [call] = OrcidCallLog.query.filter_by(orcid=co_creator).all()
    assert (call.method, call.status) == ("POST", 201)
    assert call.path == f"/{co_creator}/notification-permission"
    token_call = OrcidCallLog.query.filter_by(path="/oauth/token").one()
    assert (token_call.method, token_call.status) == ("POST", 200)

    # What we send is valid against ORCID's schema on its own, too.
    schema = load_notification_schema(orcid_model_dir)
    xml = permission_notification_xml(record.to_dict())
    assert schema.validate(etree.fromstring(xml)), schema.error_log


def test_an_edit_or_a_new_version_does_not_invite_again(
    notify, make_user, depositor_of, orcid_simulator, co_creator
):
    depositor = depositor_of(make_user())
    record = depositor.publish(listing(co_creator))
    assert len(inbox(orcid_simulator, co_creator)) == 1

    def retitle(data):
        data["metadata"]["title"] = "A better title"

    depositor.edit(record.id, retitle)
    depositor.new_version(record.id)

    assert len(inbox(orcid_simulator, co_creator)) == 1
    assert len(rows(co_creator)) == 1


def test_a_second_record_waits_for_the_reask_period(
    notify, make_user, publish, orcid_simulator, co_creator, depositor_of
):
    user = make_user()
    publish(user, listing(co_creator, "First"))
    second = publish(user, listing(co_creator, "Second"))
    assert [n["items"][0]["name"] for n in inbox(orcid_simulator, co_creator)] == [
        "First"
    ]

    # 61 days later, a change to the second record is its chance.
    for row in rows(co_creator):
        row.sent_at = row.sent_at - timedelta(days=61)
    db.session.commit()
    depositor_of(user).edit(second.id, lambda data: None)

    names = [n["items"][0]["name"] for n in inbox(orcid_simulator, co_creator)]
    assert names == ["First", "Second"]


def test_after_opting_out_nothing_more_and_the_row_says_why(
    notify, make_user, publish, orcid_simulator, orcid_api_client, co_creator
):
    orcid_simulator.state.opt_out_of_notifications(
        co_creator, orcid_api_client.client_id
    )
    user = make_user()
    publish(user, listing(co_creator, "First"))

    [row] = rows(co_creator)
    assert row.status == InvitationStatus.OPTED_OUT
    assert row.error_code == "409/9032"
    assert "opted out" in row.last_error
    assert opted_out(co_creator)
    assert invited_families(co_creator) == []

    calls = OrcidCallLog.query.filter_by(orcid=co_creator).count()
    publish(user, listing(co_creator, "Second"))
    assert OrcidCallLog.query.filter_by(orcid=co_creator).count() == calls
    assert inbox(orcid_simulator, co_creator) == []


def test_a_linked_id_is_never_invited(
    notify, make_user, link_orcid, publish, orcid_simulator
):
    colleague = make_user()
    orcid = link_orcid(colleague, name="Ann Other")

    publish(make_user(), listing(orcid))

    assert inbox(orcid_simulator, orcid) == []
    assert rows(orcid) == []


def test_orcid_down_never_breaks_publishing_and_ends_failed(
    notify, make_user, publish, orcid_simulator, co_creator
):
    retries = current_app.config["ORCID_PUSH_MAX_RETRIES"]
    orcid_simulator.state.inject_fault(500, times=retries + 1, method="POST")

    record = publish(make_user(), listing(co_creator))

    assert record["is_published"]
    assert inbox(orcid_simulator, co_creator) == []
    [row] = rows(co_creator)
    assert row.status == InvitationStatus.FAILED
    assert row.error_code == "500"


def test_a_refused_token_or_unknown_id_never_breaks_publishing(
    notify, make_user, publish, orcid_simulator, orcid_api_client
):
    orcid_simulator.state.enable_premium_notifications(
        orcid_api_client.client_id, False
    )
    invitations._forget_tokens()
    stranger = new_orcid_id()  # valid, but not on this ORCID
    assert stranger not in orcid_simulator.state.researchers
    user = make_user()
    publish(user, listing(stranger, "No token"))
    assert rows(stranger) == []  # nothing asked of ORCID: tried again next time
    refused = OrcidCallLog.query.filter_by(path="/oauth/token", status=401).one()
    assert refused.error_code == "invalid_scope"

    orcid_simulator.state.enable_premium_notifications(orcid_api_client.client_id)
    record = publish(user, listing(stranger, "Unknown iD"))

    assert record["is_published"]
    [row] = OrcidPushInvitation.query.filter_by(orcid=stranger).all()
    assert row.status == InvitationStatus.FAILED
    assert row.error_code.startswith("404")


def test_an_invited_researcher_who_links_gets_the_record_they_were_invited_for(
    notify, client, make_user, publish, orcid_simulator, co_creator
):
    from invenio_accounts.testutils import login_user_via_session

    publish(make_user(), listing(co_creator, title="The invited dataset"))
    publish(make_user(), listing(co_creator, title="Not invited for this one"))
    assert len(inbox(orcid_simulator, co_creator)) == 1  # the re-ask period
    ann = make_user()
    login_user_via_session(client, user=ann)

    authorize_via_orcid(client, orcid_simulator, co_creator)

    titles = [w.work["title"] for w in orcid_simulator.state.works_of(co_creator)]
    assert titles == ["The invited dataset"]  # the other one waits for approval
