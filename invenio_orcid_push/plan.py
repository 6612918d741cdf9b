"""The one decider: what each ORCID record should hold for a record family.

:func:`plan_family` reads what the decision depends on (the family, its ledger
rows, the links, consent and preferences of everyone concerned) and returns a
:class:`FamilyPlan`; :func:`decide` turns one ledger row and that plan into an
action, without reading anything. The real run (``sync.sync_record``), the dry
run (:func:`plan_record`), the removal of a researcher's works on disconnect
and the bulk resync's shortcut all ask this module, so they cannot disagree.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import Optional

from flask import current_app
from invenio_accounts.models import UserIdentity

from .family import RecordFamily, aware, orcid_ids_in, owner_id_of, resolve_family
from .links import OrcidLink, orcid_link_of
from .models import (
    Consent,
    OrcidPushAccount,
    OrcidPushConsent,
    OrcidWorkLedger,
    RecordsByOthers,
    SyncStatus,
)
from .work import WorkConversionError, WorkOptions, work_from_record

CREATED, UPDATED, DELETED, UNCHANGED, SKIPPED, WAITING, FAILED = (
    "created",
    "updated",
    "deleted",
    "unchanged",
    "skipped",
    "waiting",
    "failed",
)
"""Actions, as the reports, the dry run and the job summaries name them.
``waiting``: the DOI the work would cite is not registered yet; ``failed`` is
never planned, only reported after a failed call."""

ACTIONS = (CREATED, UPDATED, DELETED, UNCHANGED, SKIPPED, WAITING)
"""The actions a plan can hold, in the order people read them."""

SETTLED = (
    SyncStatus.SYNCED,
    SyncStatus.REMOVED,
    SyncStatus.REMOVED_BY_RESEARCHER,
    SyncStatus.INVALID,
)
"""Row states no later run changes unless one of the plan's inputs changes."""

GONE = (SyncStatus.REMOVED, SyncStatus.REMOVED_BY_RESEARCHER)


# -- The decision ---------------------------------------------------------------------


def decide(
    entry,
    show,
    payload_hash,
    *,
    force=False,
    recreate_deleted=False,
    doi_pending=False,
):
    """The change ORCID needs for one (iD, family): a pure function of its inputs.

    ``entry``: the ledger row (``None`` if there is none; only ``status``,
    ``put_code``, ``payload_hash``, ``attempts`` and ``self_id`` are read);
    ``show``: whether that ORCID record should show the family;
    ``payload_hash``: the hash of the work to show, ``None`` when the record
    cannot be a work. A researcher's deletion on ORCID is respected unless
    ``force`` (their own "send again") or ``recreate_deleted`` (the setting).
    """
    if not show:
        return _decide_hidden(entry)
    status = entry.status if entry is not None else None
    if status == SyncStatus.REMOVED_BY_RESEARCHER and not (force or recreate_deleted):
        return SKIPPED
    if doi_pending:
        return UNCHANGED if status == SyncStatus.SYNCED else WAITING
    if payload_hash is None:
        return SKIPPED
    return _decide_shown(entry, payload_hash)


def _decide_hidden(entry):
    """Remove what may be on ORCID; a row never sent needs nothing."""
    if entry is None or entry.status in GONE:
        return UNCHANGED
    # An earlier POST may have reached ORCID without us learning the put-code.
    may_be_on_orcid = entry.put_code or (entry.attempts and entry.self_id)
    return DELETED if may_be_on_orcid else UNCHANGED


def _decide_shown(entry, payload_hash):
    if entry is None or not entry.put_code:
        return CREATED
    if entry.status == SyncStatus.SYNCED and entry.payload_hash == payload_hash:
        return UNCHANGED
    return UPDATED


# -- Who should show the family -------------------------------------------------------


def _account(user_id):
    return OrcidPushAccount.get(user_id) if user_id is not None else None


def records_by_others_of(account):
    """The user's choice for records deposited by others (the default if none)."""
    choice = account.records_by_others if account is not None else None
    return choice or current_app.config["ORCID_PUSH_RECORDS_BY_OTHERS_DEFAULT"]


def link_usable(link):
    """Automatic sync on, and ORCID still accepts the link."""
    account = _account(link.user_id)
    return account is None or (account.usable_for(link.orcid) and account.auto_sync)


def consent(link, as_creator, decision=None):
    """``SHOW``, ``HIDE`` or ``ASK``: does this researcher agree to show the family?

    Their own deposit needs no approval; someone else's follows their choice
    (``records_by_others``) unless they decided about this very family.
    """
    if decision == Consent.DISMISSED or not link_usable(link):
        return HIDE
    if not as_creator or decision == Consent.APPROVED:
        return SHOW
    return _BY_CHOICE[records_by_others_of(_account(link.user_id))]


SHOW, HIDE, ASK = "show", "hide", "ask"
_BY_CHOICE = {
    RecordsByOthers.AUTOMATIC: SHOW,
    RecordsByOthers.ASK: ASK,
    RecordsByOthers.NEVER: HIDE,
}


def _opened(link, family, managed, force):
    """Only records published after linking go automatically; older ones on request.

    A family already on that ORCID record stays managed; ``force`` (the
    researcher's "sync now") and "send my existing records" open the rest.
    """
    if force or link.orcid in managed or family.first_published is None:
        return True
    account = _account(link.user_id)
    if account is not None and account.include_existing:
        return True
    linked_at = account.linked_at if account and account.linked_at else link.linked_at
    linked_at = aware(linked_at)
    return linked_at is None or family.first_published >= linked_at


def orcid_holders(orcids):
    """``{orcid: user id}`` of the users whose own ORCID link is one of ``orcids``."""
    if not orcids:
        return {}
    rows = UserIdentity.query.filter(
        UserIdentity.method == "orcid", UserIdentity.id.in_(sorted(orcids))
    ).with_entities(UserIdentity.id, UserIdentity.id_user)
    return dict(rows)


def candidates(record, holders):
    """``[(user id, as_creator)]``: the depositor, then every user whose linked iD
    is listed among the creators or contributors.

    The same list decides the plan and the bulk resync's shortcut.
    """
    owner = owner_id_of(record)
    found = [(owner, False)] if owner is not None else []
    listed = orcid_ids_in(record)
    others = {holders[orcid] for orcid in listed if orcid in holders} - {owner}
    return found + [(user_id, True) for user_id in sorted(others)]


@dataclass
class Recipients:
    """Who should show a family, and who is asked first."""

    wanted: dict = field(default_factory=dict)
    """``{orcid: link}`` of the ORCID records that should show it."""
    awaiting: dict = field(default_factory=dict)
    """``{user id: link}`` of researchers whose approval it waits for."""


def recipients(record, family=None, managed=(), force_for=None, decisions=None):
    """The ORCID records that should show ``record``, and who must approve first.

    An iD typed into the metadata reaches an ORCID record only through its
    owner's own link. With ``family``, records published before a link was
    made are left out unless ``managed`` already (iDs with a ledger row),
    asked for by that very user (``force_for``: their "sync now"), or the
    researcher asked for existing records. ``decisions``: ``{user id: Consent}``.
    """
    family = family or RecordFamily(key="")
    decisions = decisions or {}
    listed = orcid_ids_in(record)
    found = Recipients()
    for user_id, as_creator in candidates(record, orcid_holders(listed)):
        link = orcid_link_of(user_id)
        if link is None or (as_creator and link.orcid not in listed):
            continue
        decision = decisions.get(user_id)
        asked_for = user_id == force_for or decision == Consent.APPROVED
        if _opened(link, family, managed, asked_for):
            _place(found, link, consent(link, as_creator, decision))
    return found


def _place(found, link, agreed):
    if agreed == SHOW:
        found.wanted.setdefault(link.orcid, link)
    elif agreed == ASK:
        found.awaiting[link.user_id] = link


# -- The plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One ORCID record the plan concerns, through whose link, shown or not.

    ``force``: the action is that researcher's own "sync now" / "send again",
    which may put back a work they deleted on ORCID; never anyone else's.
    """

    link: OrcidLink
    show: bool
    force: bool = False


@dataclass(frozen=True)
class PlanSettings:
    """The settings a plan depends on, read once from the app config."""

    work_options: WorkOptions
    recreate_deleted: bool = False

    @classmethod
    def from_config(cls, config):
        """The settings of an application's ``ORCID_PUSH_*`` config."""
        journal_title = config["ORCID_PUSH_JOURNAL_TITLE"]
        if journal_title is None:
            journal_title = config.get("THEME_SITENAME")
        options = WorkOptions(
            orcid_host=config["ORCID_PUSH_ORCID_HOST"],
            journal_title=journal_title,
            per_version=config["ORCID_PUSH_WORK_PER_VERSION"],
            max_contributors=config["ORCID_PUSH_MAX_CONTRIBUTORS"],
        )
        return cls(options, bool(config["ORCID_PUSH_RECREATE_DELETED_WORKS"]))


@dataclass
class FamilyPlan:
    """What every ORCID record concerned by a family should hold."""

    family: RecordFamily
    targets: dict = field(default_factory=dict)
    """``{orcid: Target}``, sorted by iD."""
    work: object = None
    invalid_reason: Optional[str] = None
    recreate_deleted: bool = False
    awaiting: dict = field(default_factory=dict)
    """``{user id: link}`` of researchers asked to approve (nothing is sent)."""

    @property
    def waiting_for_doi(self):
        """The family is public but a DOI it would cite is not registered yet."""
        return self.family.record is not None and self.family.doi_pending

    @cached_property
    def payload_hash(self):
        """The hash of the work to show, ``None`` if there is none."""
        return self.work.payload_hash() if self.work is not None else None

    def decide(self, orcid, entry):
        """The action for one target, given its (freshly read) ledger row."""
        target = self.targets[orcid]
        return decide(
            entry,
            target.show,
            self.payload_hash,
            force=target.force,
            recreate_deleted=self.recreate_deleted,
            doi_pending=self.family.doi_pending,
        )

    def actions(self, entries):
        """``{orcid: action}`` for every target, from ``{orcid: ledger row}``."""
        return {orcid: self.decide(orcid, entries.get(orcid)) for orcid in self.targets}


def _convert(record, options):
    """The work for a record, or the reason it cannot be one."""
    if record is None:
        return None, None
    try:
        return work_from_record(record, options), None
    except WorkConversionError as exc:
        return None, exc.reason


def _removal_targets(entries, wanted, decisions):
    """Rows no longer wanted, removable through the link that created them.

    An opted-out researcher's existing works are left alone (no call at all),
    unless they dismissed this family.
    """
    targets = {}
    for orcid, entry in entries.items():
        link = orcid_link_of(entry.user_id) if orcid not in wanted else None
        if link is None or link.orcid != orcid:
            continue
        dismissed = decisions.get(link.user_id) == Consent.DISMISSED
        if dismissed or link_usable(link):
            targets[orcid] = Target(link, show=False)
    return targets


def plan_family(record_id, force_for=None, withdraw=None, settings=None):
    """Read everything the decision depends on and plan each ORCID record.

    ``force_for`` (a user id): the plan is that user's own "sync now".
    ``withdraw`` (a link): plan only that ORCID record, and without the
    family (its owner disconnects and asked to remove their works).
    """
    settings = settings or PlanSettings.from_config(current_app.config)
    family = resolve_family(record_id, per_version=settings.work_options.per_version)
    entries = ledger_rows(family.key)
    work, invalid_reason = _convert(family.record, settings.work_options)
    plan = FamilyPlan(family, {}, work, invalid_reason, settings.recreate_deleted)
    if withdraw is not None:
        plan.targets = {withdraw.orcid: Target(withdraw, show=False)}
        return plan, entries
    decisions = OrcidPushConsent.decisions_for(family.key)
    found = Recipients()
    if family.record is not None:
        found = recipients(family.record, family, set(entries), force_for, decisions)
    targets = {
        orcid: Target(link, True, link.user_id == force_for)
        for orcid, link in found.wanted.items()
    }
    targets.update(_removal_targets(entries, found.wanted, decisions))
    plan.targets = dict(sorted(targets.items()))
    plan.awaiting = found.awaiting
    return plan, entries


def ledger_rows(key):
    """``{orcid: row}`` of a family's ledger rows."""
    return {e.orcid: e for e in OrcidWorkLedger.query.filter_by(parent_id=key)}


def plan_record(record_id, force_for=None):
    """What ``sync.sync_record`` would do, without calling ORCID: ``{orcid: action}``."""
    plan, entries = plan_family(record_id, force_for=force_for)
    return plan.actions(entries)
