"""One decider: the dry run, the real run and the quick resync agree.

The records here are varied on purpose (new, edited, restricted, invalid,
unchanged, waiting for their DOI, deleted by the researcher on ORCID, listing
co-creators who opted out or stopped automatic sync, published before a
link), and changed while pushing was off so that only a resync can notice.
"""

import pytest
from invenio_access.permissions import system_identity
from invenio_db import db
from invenio_rdm_records.proxies import current_rdm_records_service as service

from invenio_orcid_push.models import Consent, OrcidPushAccount, OrcidPushConsent
from invenio_orcid_push.plan import (
    CREATED,
    DELETED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    WAITING,
    plan_record,
)
from invenio_orcid_push.resync import resync_inline, unchanged_among
from invenio_orcid_push.sync import sync_record

from helpers import person, receive_records_by_others, record_data, with_datacite


@pytest.fixture(scope="module")
def app_config(app_config, datacite):
    """DOIs minted at the DataCite simulator."""
    return with_datacite(app_config, datacite)


def _by(*people):
    return [person(given, family, orcid) for given, family, orcid in people]


@pytest.fixture
def varied(app, make_user, link_orcid, depositor_of, orcid_simulator, datacite):
    """Records in every situation, changed while pushing was off; their ids."""
    ada, bob, cy, dee, eve = (make_user() for _ in range(5))
    depositor = depositor_of(ada)
    orcid = {user: link_orcid(user) for user in (ada, bob, cy, dee)}
    for co_creator in (bob, cy):
        receive_records_by_others(co_creator, "automatic")
    ids = {}

    def publish(name, who=depositor, **metadata):
        ids[name] = who.publish(record_data(title=name, **metadata))["id"]

    def edit(name, change):
        depositor.edit(ids[name], change)

    def new_version(name, **metadata):
        change = lambda data: data["metadata"].update(metadata)  # noqa: E731
        ids[name] = depositor.new_version(ids[name], change)["id"]

    publish(
        "unchanged", creators=_by(("Ada", "A", orcid[ada]), ("Bob", "B", orcid[bob]))
    )
    publish("edited")
    publish("restricted")
    publish("co-creator opts out", creators=_by(("Cy", "C", orcid[cy])))
    publish("owner stops auto sync", who=depositor_of(dee))
    publish("invalid", resource_type="dataset-simulation")
    publish("deleted on ORCID")
    publish("published before linking", who=depositor_of(eve))
    orcid_of_eve = link_orcid(eve)
    (work,) = [
        w
        for w in orcid_simulator.state.works_of(orcid[ada])
        if w.work["title"] == "deleted on ORCID"
    ]
    orcid_simulator.state.delete_by_researcher(orcid[ada], work.put_code)
    edit("deleted on ORCID", lambda d: d["metadata"].update(title="deleted, edited"))

    # A new version drops Bob; ORCID refuses the removal (400): his row failed.
    both = _by(("Ada", "A", orcid[ada]), ("Bob", "B", orcid[bob]))
    publish("co-creator dropped", creators=both)
    orcid_simulator.state.inject_fault(status=400, method="DELETE")
    new_version("co-creator dropped", creators=_by(("Ada", "A", orcid[ada])))
    # A new version's DOI is registered only after the push gave up waiting.
    publish("doi registered late")
    datacite.inject_fault(status=500, times=2)  # the version's and concept DOI
    new_version("doi registered late", title="doi registered late, v2")
    for parent in (False, True):
        service.pids.register_or_update(
            system_identity, ids["doi registered late"], "doi", parent=parent
        )

    # Eve is asked about a record by Ada; she approves it, but the push is lost.
    publish("approved, push lost", creators=_by(("Eve", "E", orcid_of_eve)))
    family = service.read(system_identity, ids["approved, push lost"])["parent"]["id"]
    OrcidPushConsent.decide(eve.id, family, Consent.APPROVED)
    db.session.commit()
    publish("awaiting approval", creators=_by(("Eve", "E", orcid_of_eve)))

    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        edit("edited", lambda d: d["metadata"].update(title="edited, new title"))
        edit("restricted", lambda d: d["access"].update(record="restricted"))
        OrcidPushAccount.get_or_create(cy.id).include_as_creator = False
        OrcidPushAccount.get_or_create(dee.id).auto_sync = False
        db.session.commit()
        publish("new while pushing was off")
        datacite.inject_fault(status=500, times=2)  # the version's and concept DOI
        publish("doi not registered yet")
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    return ids


def test_the_dry_run_says_exactly_what_the_real_run_does(varied):
    planned = {name: plan_record(record_id) for name, record_id in varied.items()}

    done = {name: sync_record(record_id).actions for name, record_id in varied.items()}

    assert done == planned
    seen = {action for actions in done.values() for action in actions.values()}
    assert seen == {CREATED, UPDATED, DELETED, UNCHANGED, SKIPPED, WAITING}
    assert sorted(done["co-creator opts out"].values()) == [DELETED, UNCHANGED]
    assert done["owner stops auto sync"] == {}
    assert sorted(done["co-creator dropped"].values()) == [DELETED, UNCHANGED]
    assert sorted(done["approved, push lost"].values()) == [CREATED, UNCHANGED]
    assert list(done["awaiting approval"].values()) == [UNCHANGED]  # Ada's only
    assert list(done["doi registered late"].values()) == [UPDATED]
    assert done["published before linking"] == {}


def _orcid_holds(orcid_simulator):
    """Every work on every ORCID record: what researchers and ORCID observe."""
    state = orcid_simulator.state
    return {
        orcid: sorted(
            (w.put_code, w.work["title"], repr(w.work["external_ids"]))
            for w in state.works_of(orcid)
        )
        for orcid in list(state.researchers)
    }


def test_a_full_resync_after_a_quick_one_changes_nothing_on_orcid(
    varied, orcid_simulator
):
    ids = list(varied.values())
    skipped_unread = unchanged_among(ids)
    assert varied["unchanged"] in skipped_unread
    assert varied["edited"] not in skipped_unread

    quick = resync_inline(ids)
    after_quick = _orcid_holds(orcid_simulator)
    full = resync_inline(ids, full=True)

    assert _orcid_holds(orcid_simulator) == after_quick
    assert quick[CREATED] and quick[UPDATED] and quick[DELETED]
    assert not (full[CREATED] or full[UPDATED] or full[DELETED])
