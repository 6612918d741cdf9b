"""Who gets the work: the depositor and linked co-creators, each only through their own link."""

import pytest
from invenio_db import db

from invenio_orcid_push.models import OrcidPushAccount, OrcidWorkLedger

from helpers import person, receive_records_by_others, record_data


def creators(*people):
    return [person(given, family, orcid) for given, family, orcid in people]


@pytest.fixture
def team(make_user, link_orcid, depositor_of):
    """A depositor and a colleague, both with linked ORCID iDs."""
    depositor, colleague = make_user(), make_user()
    team = {
        "depositor": depositor_of(depositor),
        "depositor_orcid": link_orcid(depositor, name="Josiah Carberry"),
        "colleague": colleague,
        "colleague_orcid": link_orcid(colleague, name="Ada Lovelace"),
    }
    receive_records_by_others(colleague, "automatic")
    return team


def test_a_linked_co_creator_also_gets_the_work(team, orcid_simulator):
    record = team["depositor"].publish(
        record_data(
            creators=creators(
                ("Josiah", "Carberry", team["depositor_orcid"]),
                ("Ada", "Lovelace", team["colleague_orcid"]),
            )
        )
    )

    for orcid in (team["depositor_orcid"], team["colleague_orcid"]):
        (work,) = orcid_simulator.state.works_of(orcid)
        assert work.work["title"] == "A dataset about ORCID"
    entry = OrcidWorkLedger.get(team["colleague_orcid"], record["parent"]["id"])
    assert entry.user_id == team["colleague"].id


def test_an_orcid_id_typed_into_the_metadata_never_writes_to_that_record(
    team, orcid_simulator
):
    stranger = orcid_simulator.state.add_researcher(name="Not A User")
    since = len(orcid_simulator.state.request_log)

    team["depositor"].publish(
        record_data(
            creators=creators(
                ("Not", "A User", stranger.orcid),
            )
        )
    )

    assert orcid_simulator.state.works_of(stranger.orcid) == []
    paths = [e["path"] for e in orcid_simulator.state.request_log[since:]]
    assert not any(stranger.orcid in path for path in paths)
    assert len(orcid_simulator.state.works_of(team["depositor_orcid"])) == 1


def test_a_co_creator_removed_from_the_record_loses_the_work(team, orcid_simulator):
    both = creators(
        ("Josiah", "Carberry", team["depositor_orcid"]),
        ("Ada", "Lovelace", team["colleague_orcid"]),
    )
    record = team["depositor"].publish(record_data(creators=both))

    team["depositor"].edit(record.id, lambda d: d["metadata"].update(creators=both[:1]))

    assert orcid_simulator.state.works_of(team["colleague_orcid"]) == []
    assert len(orcid_simulator.state.works_of(team["depositor_orcid"])) == 1


def test_a_depositor_who_turned_sync_off_gets_nothing(
    make_user, link_orcid, depositor_of, orcid_simulator
):
    user = make_user()
    orcid = link_orcid(user)
    OrcidPushAccount.get_or_create(user.id).auto_sync = False
    db.session.commit()

    record = depositor_of(user).publish(record_data())

    assert record["is_published"]
    assert orcid_simulator.state.works_of(orcid) == []


def test_a_co_creator_who_excluded_others_deposits_gets_nothing(team, orcid_simulator):
    OrcidPushAccount.get_or_create(team["colleague"].id).include_as_creator = False
    db.session.commit()

    team["depositor"].publish(
        record_data(
            creators=creators(
                ("Josiah", "Carberry", team["depositor_orcid"]),
                ("Ada", "Lovelace", team["colleague_orcid"]),
            )
        )
    )

    assert orcid_simulator.state.works_of(team["colleague_orcid"]) == []
    assert len(orcid_simulator.state.works_of(team["depositor_orcid"])) == 1


def test_the_depositor_gets_the_work_even_when_not_listed_as_creator(
    team, orcid_simulator
):
    team["depositor"].publish(record_data(creators=creators(("Ada", "Lovelace", None))))

    assert len(orcid_simulator.state.works_of(team["depositor_orcid"])) == 1
    assert orcid_simulator.state.works_of(team["colleague_orcid"]) == []
