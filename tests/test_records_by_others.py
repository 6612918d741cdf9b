"""Researchers decide what others' deposits put on their ORCID record.

Through the record service and the REST API (browser session and personal
access tokens), asserting on what ORCID holds and what the researcher sees.
"""

import re

import pytest
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db
from invenio_oauth2server.models import Token

from invenio_orcid_push.models import OrcidPushAccount

from helpers import person, receive_records_by_others, record_data


def token_of(user):
    token = Token.create_personal("orcid-push-test", user.id, scopes=[])
    db.session.commit()
    return {"Authorization": f"Bearer {token.access_token}"}


def csrf(client):
    if client.get_cookie("csrftoken") is None:
        client.post("/api/user/orcid/records/none/sync")
    return {"X-CSRFToken": client.get_cookie("csrftoken").value}


@pytest.fixture
def shared(make_user, link_orcid, depositor_of):
    """A depositor who never linked ORCID publishes a record listing Ada (linked)."""
    depositor, ada = make_user(), make_user()
    ada_orcid = link_orcid(ada, name="Ada Lovelace")
    record = depositor_of(depositor).publish(
        record_data(
            title="Survey by a colleague",
            creators=[
                person("Josiah", "Carberry"),
                person("Ada", "Lovelace", ada_orcid),
            ],
        )
    )
    return {
        "depositor": depositor,
        "owner": depositor_of(depositor),
        "ada": ada,
        "ada_orcid": ada_orcid,
        "record": record,
    }


def calls_for(orcid_simulator, orcid, since=0):
    return [e for e in orcid_simulator.state.request_log[since:] if orcid in e["path"]]


def test_a_record_by_someone_else_waits_for_approval_and_calls_nothing(
    client, shared, orcid_simulator
):
    assert orcid_simulator.state.works_of(shared["ada_orcid"]) == []
    assert calls_for(orcid_simulator, shared["ada_orcid"]) == []

    rows = client.get("/api/user/orcid/records", headers=token_of(shared["ada"])).json[
        "hits"
    ]["hits"]

    (row,) = rows
    assert (row["id"], row["role"]) == (shared["record"].id, "creator")
    assert row["orcid"]["state"] == "awaiting-approval"
    assert row["title"] == "Survey by a colleague"


def test_approval_sends_exactly_one_work_and_keeps_it_true(
    client, shared, orcid_simulator
):
    auth = token_of(shared["ada"])

    approved = client.post(
        f"/api/user/orcid/records/{shared['record'].id}/sync", headers=auth
    )
    shared["owner"].edit(
        shared["record"].id, lambda d: d["metadata"].update(title="Survey, revised")
    )

    assert approved.status_code == 202
    (work,) = orcid_simulator.state.works_of(shared["ada_orcid"])
    assert work.work["title"] == "Survey, revised"
    (row,) = client.get("/api/user/orcid/records", headers=auth).json["hits"]["hits"]
    assert row["orcid"]["state"] == "synced"


def test_a_dismissed_record_is_never_sent_even_after_edits_and_sync_undoes_it(
    client, shared, orcid_simulator
):
    login_user_via_session(client, user=shared["ada"])
    record_id = shared["record"].id

    dismissed = client.post(
        f"/api/user/orcid/records/{record_id}/dismiss", headers=csrf(client)
    )
    shared["owner"].edit(record_id, lambda d: d["metadata"].update(title="Edited"))

    assert dismissed.status_code == 200
    assert orcid_simulator.state.works_of(shared["ada_orcid"]) == []
    (row,) = client.get("/api/user/orcid/records").json["hits"]["hits"]
    assert row["orcid"]["state"] == "dismissed"

    client.post(f"/api/user/orcid/records/{record_id}/sync", headers=csrf(client))
    assert len(orcid_simulator.state.works_of(shared["ada_orcid"])) == 1


def test_dismissing_a_record_on_orcid_removes_it(client, shared, orcid_simulator):
    auth = token_of(shared["ada"])
    record_id = shared["record"].id
    client.post(f"/api/user/orcid/records/{record_id}/sync", headers=auth)
    assert len(orcid_simulator.state.works_of(shared["ada_orcid"])) == 1

    client.post(f"/api/user/orcid/records/{record_id}/dismiss", headers=auth)

    assert orcid_simulator.state.works_of(shared["ada_orcid"]) == []


def test_the_owners_sync_now_leaves_a_co_creators_deletion_standing(
    client, make_user, link_orcid, depositor_of, orcid_simulator
):
    owner, ada = make_user(), make_user()
    owner_orcid, ada_orcid = link_orcid(owner), link_orcid(ada, name="Ada Lovelace")
    receive_records_by_others(ada, "automatic")
    record = depositor_of(owner).publish(
        record_data(creators=[person("Ada", "Lovelace", ada_orcid)])
    )
    (work,) = orcid_simulator.state.works_of(ada_orcid)
    orcid_simulator.state.delete_by_researcher(ada_orcid, work.put_code)
    depositor_of(owner).edit(record.id, lambda d: d["metadata"].update(title="New"))
    assert orcid_simulator.state.works_of(ada_orcid) == []

    answer = client.post(
        f"/api/user/orcid/records/{record.id}/sync", headers=token_of(owner)
    )

    assert answer.status_code == 202
    assert orcid_simulator.state.works_of(ada_orcid) == []
    assert len(orcid_simulator.state.works_of(owner_orcid)) == 1


@pytest.mark.parametrize(
    "choice, ada_gets_it", [("automatic", True), ("ask", False), ("never", False)]
)
def test_each_choice_decides_what_arrives_without_asking(
    client, make_user, link_orcid, depositor_of, orcid_simulator, choice, ada_gets_it
):
    ada = make_user()
    ada_orcid = link_orcid(ada, name="Ada Lovelace")
    changed = client.put(
        "/api/user/orcid", json={"records_by_others": choice}, headers=token_of(ada)
    )

    depositor_of(make_user()).publish(
        record_data(creators=[person("Ada", "Lovelace", ada_orcid)])
    )

    assert changed.status_code == 200
    assert changed.json["preferences"]["records_by_others"] == choice
    assert bool(orcid_simulator.state.works_of(ada_orcid)) is ada_gets_it


@pytest.mark.parametrize("value", ["sometimes", "", None, True, ["ask"]])
def test_an_unknown_choice_is_400_naming_the_field(client, make_user, value):
    user = make_user()
    answer = client.put(
        "/api/user/orcid", json={"records_by_others": value}, headers=token_of(user)
    )
    assert answer.status_code == 400
    assert "records_by_others" in answer.json["message"]
    assert OrcidPushAccount.get(user.id) is None


def test_the_old_boolean_is_still_accepted(client, make_user):
    user = make_user()
    auth = token_of(user)
    on = client.put("/api/user/orcid", json={"include_as_creator": True}, headers=auth)
    assert on.json["preferences"]["records_by_others"] == "automatic"
    off = client.put(
        "/api/user/orcid", json={"include_as_creator": False}, headers=auth
    )
    assert off.json["preferences"]["records_by_others"] == "never"


def test_approving_a_record_that_does_not_list_me_is_refused(
    client, shared, make_user, link_orcid, orcid_simulator
):
    stranger = make_user()
    link_orcid(stranger)
    auth = token_of(stranger)
    record_id = shared["record"].id

    approve = client.post(f"/api/user/orcid/records/{record_id}/sync", headers=auth)
    dismiss = client.post(f"/api/user/orcid/records/{record_id}/dismiss", headers=auth)
    unknown = client.post("/api/user/orcid/records/nope-00000/dismiss", headers=auth)

    assert approve.status_code == 403 and approve.json["message"]
    assert dismiss.status_code == 403
    assert unknown.status_code == 404


def test_an_owner_sees_only_whether_a_co_creator_has_the_work(
    client, make_user, link_orcid, depositor_of
):
    owner, ada = make_user(), make_user()
    owner_orcid, ada_orcid = link_orcid(owner), link_orcid(ada, name="Ada Lovelace")
    receive_records_by_others(ada, "automatic")
    record = depositor_of(owner).publish(
        record_data(creators=[person("Ada", "Lovelace", ada_orcid)])
    )

    hits = client.get(f"/api/records/{record.id}/orcid", headers=token_of(owner)).json[
        "hits"
    ]["hits"]

    theirs = next(hit for hit in hits if hit["orcid"] == ada_orcid)
    mine = next(hit for hit in hits if hit["orcid"] == owner_orcid)
    assert theirs == {
        "orcid": ada_orcid,
        "orcid_url": f"https://orcid.org/{ada_orcid}",
        "on_orcid": True,
    }
    assert mine["status"] == "synced" and mine["on_orcid"] is True


def test_the_settings_page_offers_the_three_choices_and_the_waiting_record(
    client, shared
):
    login_user_via_session(client, user=shared["ada"])

    page = client.get("/account/settings/orcid/").get_data(as_text=True)

    for words in (
        "Send them to my ORCID record automatically",
        "Ask me first, record by record",
        "Never send them",
    ):
        assert words in page
    checked = re.findall(r'<input[^>]*name="records_by_others"[^>]*>', page)
    assert [tag for tag in checked if "checked" in tag] == [
        tag for tag in checked if 'value="ask"' in tag
    ]  # the default for a new link
    assert 'data-state="awaiting-approval"' in page
    assert "Dismiss" in page


# -- Telling people -------------------------------------------------------------


@pytest.fixture
def outbox(app):
    with app.extensions["mail"].record_messages() as sent:
        yield sent


def _mails_to(outbox, user):
    return [message for message in outbox if user.email in message.recipients]


def test_a_waiting_record_is_told_once_and_the_next_ones_in_a_daily_digest(
    outbox, make_user, link_orcid, depositor_of
):
    from datetime import timedelta

    from invenio_orcid_push.models import OrcidPushConsent
    from invenio_orcid_push.tasks import send_orcid_approval_digests

    ada = make_user()
    ada_orcid = link_orcid(ada, name="Ada Lovelace")
    colleague = depositor_of(make_user())

    def publish(title):
        return colleague.publish(
            record_data(title=title, creators=[person("Ada", "Lovelace", ada_orcid)])
        )

    publish("First shared survey")
    publish("Second shared survey")
    publish("Third shared survey")

    (first,) = _mails_to(outbox, ada)
    assert "First shared survey" in first.body
    assert "/account/settings/orcid/" in first.body

    send_orcid_approval_digests()  # within the day: nothing yet
    assert len(_mails_to(outbox, ada)) == 1

    for row in OrcidPushConsent.query.filter_by(user_id=ada.id):
        if row.notified_at:
            row.notified_at -= timedelta(days=1, minutes=1)
    db.session.commit()
    send_orcid_approval_digests()

    first, digest = _mails_to(outbox, ada)
    assert (
        "Second shared survey" in digest.body and "Third shared survey" in digest.body
    )
    assert "First shared survey" not in digest.body


def test_nobody_is_told_about_what_they_receive_automatically_or_turned_off(
    outbox, make_user, link_orcid, depositor_of
):
    automatic, quiet = make_user(), make_user()
    automatic_orcid = link_orcid(automatic, name="Ada Lovelace")
    quiet_orcid = link_orcid(quiet, name="Grace Hopper")
    receive_records_by_others(automatic, "automatic")
    quiet.preferences = {
        **(quiet.preferences or {}),
        "notifications": {"enabled": False},
    }
    db.session.commit()

    depositor_of(make_user()).publish(
        record_data(
            creators=[
                person("Ada", "Lovelace", automatic_orcid),
                person("Grace", "Hopper", quiet_orcid),
            ]
        )
    )

    assert _mails_to(outbox, automatic) == []
    assert _mails_to(outbox, quiet) == []


def test_an_admin_acting_for_a_co_creator_sends_only_to_their_record(
    client, shared, admin, orcid_simulator
):
    record_id, ada = shared["record"].id, shared["ada"]

    answer = client.post(
        f"/api/user/orcid/records/{record_id}/sync?user_id={ada.id}",
        headers=token_of(admin),
    )

    assert answer.status_code == 202 and answer.json["user_id"] == ada.id
    assert len(orcid_simulator.state.works_of(shared["ada_orcid"])) == 1


def test_a_title_with_markup_is_shown_as_text_in_the_approval_email(
    outbox, make_user, link_orcid, depositor_of
):
    ada = make_user()
    ada_orcid = link_orcid(ada, name="Ada Lovelace")
    depositor_of(make_user()).publish(
        record_data(
            title="Heat <img src=x onerror=alert(1)> & cold",
            creators=[person("Ada", "Lovelace", ada_orcid)],
        )
    )

    (mail,) = _mails_to(outbox, ada)
    assert "<img" not in mail.html
    assert "Heat &lt;img src=x onerror=alert(1)&gt; &amp; cold" in mail.html
