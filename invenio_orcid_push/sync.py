"""Carrying out the plan: one ORCID call per change, the outcome in the ledger.

Everything (publish, edits, new versions, access changes, deletion, restore,
embargo lift, the resyncs, "sync now", the removal of works on disconnect)
enters through :func:`sync_record` with a record id. :mod:`.plan` says what
each ORCID record should hold; here, under each iD's write lock, the ledger
row is read again, the same :func:`.plan.decide` is asked again (another
worker may have written meanwhile) and its action is carried out.
"""

import logging
from dataclasses import dataclass, field

from flask import current_app
from invenio_db import db
from lxml import etree

from .adoption import choose, family_ids
from .approvals import notify_awaiting_approval
from .client import (
    OrcidClient,
    OrcidDuplicateError,
    OrcidError,
    OrcidNotFoundError,
    OrcidPermissionError,
    OrcidRecordMovedError,
    OrcidTokenInvalidError,
)
from .links import orcid_client_id, orcid_link_of
from .locks import LockServiceUnavailable, LockUnavailable, orcid_write_lock
from .models import (
    Consent,
    LinkStatus,
    OrcidCallLog,
    OrcidPushAccount,
    OrcidPushConsent,
    OrcidWorkLedger,
    SyncStatus,
)
from .notifications import notify_link_problem
from .plan import (
    CREATED,
    DELETED,
    FAILED,
    GONE,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    WAITING,
    plan_family,
)
from .ratelimit import RateLimitUnavailable, rate_limiter
from .reasons import Reason, then
from .shared_ids import ids_held_elsewhere
from .token_rejections import (
    PAUSED_CODE,
    current_pause,
    enter_pause,
    hold_link_notice,
    holds_link_notices,
)
from .work import without_ids

logger = logging.getLogger(__name__)

__all__ = ("sync_record", "withdraw_works", "SyncReport", "OrcidWorksCache")

DOI_WAIT_MESSAGE = Reason("doi-pending")
DOI_GIVEN_UP_MESSAGE = Reason("doi-not-registered")
DELETED_ON_ORCID_MESSAGE = Reason("deleted-on-orcid")


@dataclass
class SyncReport:
    """What one pass did: an action per ORCID iD, and whether to try again."""

    actions: dict = field(default_factory=dict)
    retry: bool = False
    """Some change failed for a passing reason (ORCID down, lock busy)."""
    waiting_for_doi: bool = False
    """The family's DOI is not registered yet; the work was not sent."""


class OrcidWorksCache:
    """Researchers' works as ORCID listed them, read at most once per run.

    A run is one push, or a chunk of a bulk resync (one instance for the
    chunk), so adopting works costs one ``GET /works`` per iD and run. Our
    own writes are applied to it, so a later record of the chunk neither
    adopts a work just adopted for another family nor misses one just made.
    """

    def __init__(self):
        self._works = {}
        """``{orcid: {put-code: summary}}``, ``None`` when ORCID's list could
        not be read (then works are created and ORCID's 409 still guards)."""

    def summaries(self, orcid, client):
        """The works on ``orcid`` (read through ``client`` the first time), or ``None``."""
        if orcid not in self._works:
            self._works[orcid] = _read_summaries(client, orcid)
        works = self._works[orcid]
        return None if works is None else list(works.values())

    def wrote(self, orcid, put_code, work):
        """We created or updated ``put_code`` with ``work``."""
        works = self._works.get(orcid)
        if works is not None:
            works[str(put_code)] = {
                "put_code": str(put_code),
                "source_client_id": orcid_client_id(),
                "external_ids": [
                    {"type": e.type, "value": e.value, "relationship": e.relationship}
                    for e in work.external_ids
                ],
            }

    def forget(self, orcid, put_code):
        """``put_code`` is no longer on ``orcid`` (deleted, or ORCID says so)."""
        works = self._works.get(orcid)
        if works is not None:
            works.pop(str(put_code), None)


def _read_summaries(client, orcid):
    """``{put-code: summary}`` of ORCID's list, ``None`` when it cannot be read
    (logged). Only an answer saying the link no longer works is raised: the
    push then stops there, as it would on the POST."""
    try:
        summaries = client.list_works(orcid)
    except (OrcidError, etree.LxmlError) as exc:
        if isinstance(exc, OrcidError) and _link_problem(exc) is not None:
            raise
        logger.warning(
            "Could not read the works of %s to adopt ours (%s); creating instead.",
            orcid,
            getattr(exc, "code", type(exc).__name__),
        )
        return None
    return {str(s["put_code"]): s for s in summaries if s.get("put_code")}


@dataclass
class _Run:
    """One pass over a plan: the plan and how this attempt ends failures."""

    plan: object
    final_attempt: bool
    doi_given_up: bool
    report: SyncReport
    works: OrcidWorksCache = field(default_factory=OrcidWorksCache)
    pause: object = None
    """The token rejections pause in force (``token_rejections``), once known."""
    pause_known: bool = False
    notices_held: bool = False
    """A link was marked revoked; its researcher is told after the window."""

    def paused(self):
        """The pause in force, asked once per pass (``None``: pushes go on)."""
        if not self.pause_known:
            self.pause, self.pause_known = current_pause(), True
        return self.pause


def sync_record(record_id, attempt=0, force_for=None, withdraw=None, works=None):
    """Bring every ORCID record concerned by a record's family up to date.

    Never raises for an ORCID failure: the ledger row records it. ``attempt``
    counts earlier tries (the last allowed one records failures as given up).
    ``force_for`` (a user id) is that user's own "sync now": it may send to
    their ORCID record a work they had deleted there, or an older record;
    ``withdraw`` (a link) removes the family from that ORCID record only.
    ``works``: the :class:`OrcidWorksCache` of a bulk run (one per chunk).
    """
    config = current_app.config
    plan, _ = plan_family(record_id, force_for=force_for, withdraw=withdraw)
    _ask_approval(plan)
    db.session.commit()
    report = SyncReport(waiting_for_doi=plan.waiting_for_doi and withdraw is None)
    run = _Run(
        plan,
        final_attempt=attempt >= config["ORCID_PUSH_MAX_RETRIES"],
        doi_given_up=attempt >= config["ORCID_PUSH_DOI_WAIT_RETRIES"],
        report=report,
        works=works or OrcidWorksCache(),
    )
    for orcid in plan.targets:
        report.actions[orcid] = _sync_target(run, orcid)
    if run.notices_held:
        hold_link_notice()
    return report


def _ask_approval(plan):
    """Researchers asked to approve the family are told once (a pending decision)."""
    key = plan.family.key
    decisions = OrcidPushConsent.decisions_for(key) if plan.awaiting else {}
    asked = [user_id for user_id in plan.awaiting if user_id not in decisions]
    for user_id in asked:
        OrcidPushConsent.decide(user_id, key, Consent.PENDING)
    if asked:
        db.session.flush()
        notify_awaiting_approval(asked)


PASSING = (LockUnavailable, RateLimitUnavailable)
"""Failures of our own services that pass (a busy lock, the locks' or the rate
limit's Redis unreachable): the push is retried."""

UNREACHABLE = (LockServiceUnavailable, RateLimitUnavailable)
"""Passing failures the ledger row tells (a busy lock is routine and short)."""


def _sync_target(run, orcid):
    """One ORCID record under its lock; a bug here must not stop the others."""
    try:
        with orcid_write_lock(orcid):
            return _sync_one(run, orcid)
    except PASSING as exc:
        db.session.rollback()
        run.report.retry = True
        logger.info("Record family %s, %s: %s", run.plan.family.key, orcid, exc.reason)
        if isinstance(exc, UNREACHABLE):
            _note_unreachable(run, orcid, exc)
    except Exception:
        db.session.rollback()
        logger.exception("ORCID push of %s to %s failed", run.plan.family.key, orcid)
        _note_internal_error(orcid, run.plan.family.key)
    return FAILED


def _note_unreachable(run, orcid, exc):
    """Say on the row why a change owed to ORCID waits (a shown family gets a row).

    Written without the iD's lock, which is out of reach: nothing but the
    reason (or, on the last attempt, the failure) is written.
    """
    entry = _fresh_entry(orcid, run.plan.family.key)
    action = run.plan.decide(orcid, entry)
    if action not in (CREATED, UPDATED, DELETED):
        return
    entry = _row_for(run, orcid, entry, action)
    if run.final_attempt:
        fallback = f"{exc.reason.split(';')[0]}; gave up, a resync will send it."
        entry.mark_failed(then(exc.reason, "gave-up", fallback), exc.code)
    else:
        entry.note_reason(exc.reason, exc.code)
    db.session.commit()


def _note_internal_error(orcid, key):
    entry = OrcidWorkLedger.get(orcid, key)
    if entry is not None:
        entry.mark_failed(Reason("internal-error"), "internal-error")
        db.session.commit()


def _fresh_entry(orcid, key):
    return (
        OrcidWorkLedger.query.filter_by(orcid=orcid, parent_id=key)
        .populate_existing()
        .one_or_none()
    )


def _row_for(run, orcid, entry, action):
    """The row to write to: a shown family always has one.

    The version (and the link's user) is noted only when something is done
    with it: a row that stays as it is keeps saying which version ORCID shows,
    so a version held back (its DOI not registered) is still seen as changed.
    """
    target = run.plan.targets[orcid]
    if not target.show or (entry is not None and action == UNCHANGED):
        return entry
    return OrcidWorkLedger.get_or_create(
        orcid=orcid,
        parent_id=run.plan.family.key,
        record_id=run.plan.family.record["id"],
        user_id=target.link.user_id,
    )


def _sync_one(run, orcid):
    """Decide again on the fresh row (under the lock) and do what it says."""
    entry = _fresh_entry(orcid, run.plan.family.key)
    action = run.plan.decide(orcid, entry)
    entry = _row_for(run, orcid, entry, action)
    carry_out = _CARRY_OUT[action]
    if action in _CALLS_ORCID and run.paused() is not None:
        carry_out = _wait_for_pause
    done = carry_out(run, entry, run.plan.targets[orcid].link)
    db.session.commit()
    return done


# -- What each action does -----------------------------------------------------------


def _leave(run, entry, link):
    """Nothing to send; a hidden row not yet marked removed is marked so."""
    hidden = not run.plan.targets[link.orcid].show
    if hidden and entry is not None and entry.status not in GONE:
        entry.mark_removed()
    return UNCHANGED


def _skip(run, entry, link):
    """A work that cannot be made is marked invalid; a researcher's deletion stays."""
    plan = run.plan
    deleted_on_orcid = entry.status == SyncStatus.REMOVED_BY_RESEARCHER
    forced = plan.targets[link.orcid].force
    respected = deleted_on_orcid and not (forced or plan.recreate_deleted)
    if plan.work is None and not respected:
        entry.mark_invalid(plan.invalid_reason)
    return SKIPPED


def _wait_for_doi(run, entry, link):
    """Say on the row that the push waits for DataCite; never cite an unregistered DOI."""
    if run.doi_given_up:
        entry.mark_failed(DOI_GIVEN_UP_MESSAGE, "doi-not-registered")
    else:
        entry.status = SyncStatus.PENDING
        entry.note_reason(DOI_WAIT_MESSAGE, "doi-pending")
    return WAITING


def _show(run, entry, link):
    """Create or update the work."""
    client = client_for(link, entry)
    work = run.plan.work
    entry.self_id = work.self_id
    entry.attempts = (entry.attempts or 0) + 1
    try:
        return _leaving_out_ids_held_elsewhere(run, client, entry, link, work)
    except OrcidError as exc:
        _record_failure(run, entry, link, exc)
        return FAILED


def _send(run, client, entry, link, work):
    """Update the work, or create it (adopting a lost one)."""
    done = _update(run, client, entry, link, work) if entry.put_code else None
    if done is None:
        # A work of ours citing the family is taken over; a lost put-code (or
        # a lost answer) shows up as a duplicate.
        put_code = _adopted(run, client, link, work) or _create_or_adopt(
            client, link.orcid, work, run.plan.family.key
        )
        entry.mark_synced(put_code, run.plan.payload_hash, *_notes_of(work))
        done = CREATED
    if entry.put_code:
        run.works.wrote(link.orcid, entry.put_code, work)
    return done


class _IdsHeldElsewhere(Exception):
    """ORCID refused the work because another work of ours holds ``ids``."""

    def __init__(self, ids):
        super().__init__(ids)
        self.ids = ids


def _leaving_out_ids_held_elsewhere(run, client, entry, link, work):
    """Send ``work``; while ORCID refuses it because another of our works (another
    record family) holds some of its alternate ``self`` ids, send it again without
    them. They end up in the ledger row's note; the stored hash stays the plan's,
    so the same refusal is not asked for again until the record changes."""
    while True:
        try:
            return _send(run, client, entry, link, work)
        except _IdsHeldElsewhere as held:
            work = without_ids(work, held.ids)


def _raise_if_held_elsewhere(client, orcid, work, duplicate, family_key):
    """After a 409: return if the conflicting work is this family's own (adopt
    it); raise :class:`_IdsHeldElsewhere` if another work holds ids we may leave
    out; else the 409 stands."""
    held = ids_held_elsewhere(client, orcid, work, duplicate.put_code, family_key)
    if held is None:
        return
    if held:
        raise _IdsHeldElsewhere(held) from duplicate
    raise duplicate


def _update(run, client, entry, link, work):
    """PUT the work; ``None`` when it must be created again instead.

    A 404 means the researcher deleted the work on ORCID: respected unless
    forced or ``ORCID_PUSH_RECREATE_DELETED_WORKS``.
    """
    try:
        client.update_work(link.orcid, entry.put_code, work.to_xml(entry.put_code))
    except OrcidDuplicateError as exc:
        _raise_if_held_elsewhere(client, link.orcid, work, exc, run.plan.family.key)
        raise
    except OrcidNotFoundError:
        if run.plan.targets[link.orcid].force or run.plan.recreate_deleted:
            entry.put_code = None
            return None
        entry.mark_removed(by_researcher=True)
        entry.note_reason(DELETED_ON_ORCID_MESSAGE, None)
        return SKIPPED
    entry.mark_synced(entry.put_code, run.plan.payload_hash, *_notes_of(work))
    return UPDATED


def _notes_of(work):
    """What the ledger row notes about ``work``: contributors and ids left out."""
    left_out = [f"{ext.type}:{ext.value}" for ext in work.ids_left_out]
    return _shown_of(work), left_out or None


def _shown_of(work):
    """``(shown, total)`` contributors when the work leaves some out, else ``None``."""
    if not work.contributors_left_out:
        return None
    return len(work.contributors), work.contributors_total


def _adopted(run, client, link, work):
    """The put-code of a work of ours taken over for the family, else ``None``.

    Read once per run (:class:`OrcidWorksCache`); :func:`.adoption.choose`
    says which work. Our other copies of the family are deleted first (so
    the update cannot collide with them), and the ledger rows that held
    those works under another key (the other per-version mode) are retired.
    """
    summaries = run.works.summaries(link.orcid, client)
    family = run.plan.family
    choice = summaries and choose(
        summaries, orcid_client_id(), family_ids(family), _held_elsewhere(link, family)
    )
    if not choice:
        return None
    for put_code in choice.duplicates:
        _delete(client, link.orcid, put_code)
        run.works.forget(link.orcid, put_code)
        _retire_rows(link.orcid, family.key, put_code)
    try:
        client.update_work(link.orcid, choice.put_code, work.to_xml(choice.put_code))
    except OrcidDuplicateError as exc:  # another of our works holds an alternate id
        _raise_if_held_elsewhere(client, link.orcid, work, exc, family.key)
        raise
    except OrcidNotFoundError:  # deleted on ORCID since the list was read
        run.works.forget(link.orcid, choice.put_code)
        return None
    _retire_rows(link.orcid, family.key, choice.put_code)
    return choice.put_code


def _family_keys(family):
    """Every key this family's rows may have: the parent, or a version (per-version)."""
    parent_id = ((family.record or {}).get("parent") or {}).get("id")
    return {family.key, parent_id} | {record_id for record_id, _ in family.versions}


def _held_elsewhere(link, family):
    """Put-codes on this iD that another family's live ledger row holds: never
    adopted (in per-version mode a sibling version is another family)."""
    rows = OrcidWorkLedger.query.filter(
        OrcidWorkLedger.orcid == link.orcid,
        OrcidWorkLedger.put_code.isnot(None),
        OrcidWorkLedger.status.notin_(GONE),
        OrcidWorkLedger.parent_id.notin_(sorted(_family_keys(family) - {None})),
    ).with_entities(OrcidWorkLedger.put_code)
    return frozenset(str(put_code) for (put_code,) in rows)


def _retire_rows(orcid, key, put_code):
    """Rows of the family's other shape that held ``put_code``: never used again
    to update or delete it (the family's own row now holds it, or it is gone)."""
    rows = OrcidWorkLedger.query.filter(
        OrcidWorkLedger.orcid == orcid,
        OrcidWorkLedger.put_code == str(put_code),
        OrcidWorkLedger.parent_id != key,
    )
    for row in rows:
        row.mark_removed()


def _create_or_adopt(client, orcid, work, family_key):
    """POST the work; on 409/9021 find our existing work and update it instead
    (never another family's: see :func:`_raise_if_held_elsewhere`)."""
    try:
        return client.create_work(orcid, work.to_xml())
    except OrcidDuplicateError as exc:
        _raise_if_held_elsewhere(client, orcid, work, exc, family_key)
        put_code = exc.put_code or _find_our_work(client, orcid, work.self_id)
        if not put_code:
            raise
        client.update_work(orcid, put_code, work.to_xml(put_code))
        return put_code


def _find_our_work(client, orcid, self_id):
    """The put-code of this client's work whose identifiers include ``self_id``."""
    if not self_id:
        return None
    id_type, _, value = self_id.partition(":")
    ours = orcid_client_id()
    for summary in client.list_works(orcid):
        if summary["source_client_id"] == ours and _cites(summary, id_type, value):
            return summary["put_code"]
    return None


def _cites(summary, id_type, value):
    return any(
        ext["type"] == id_type and (ext["value"] or "").lower() == value.lower()
        for ext in summary["external_ids"]
    )


def _remove(run, entry, link):
    """Delete the work from ORCID (recovering a lost put-code); a 404 counts as done."""
    client = client_for(link, entry)
    try:
        put_code = entry.put_code or _find_our_work(client, link.orcid, entry.self_id)
        if put_code:
            entry.attempts = (entry.attempts or 0) + 1
            _delete(client, link.orcid, put_code)
            run.works.forget(link.orcid, put_code)
    except OrcidError as exc:
        _record_failure(run, entry, link, exc)
        return FAILED
    entry.mark_removed()
    return DELETED if put_code else UNCHANGED


def _delete(client, orcid, put_code):
    try:
        client.delete_work(orcid, put_code)
    except OrcidNotFoundError:
        pass  # already gone: the researcher deleted it


def _wait_for_pause(run, entry, link):
    """No ORCID call while ORCID rejects everyone's tokens; tried again later."""
    _mark_paused(run, entry, run.paused())
    return FAILED


def _mark_paused(run, entry, pause):
    run.report.retry = run.report.retry or not run.final_attempt
    entry.mark_failed(pause.reason, PAUSED_CODE)


_CALLS_ORCID = (CREATED, UPDATED, DELETED)

_CARRY_OUT = {
    UNCHANGED: _leave,
    SKIPPED: _skip,
    WAITING: _wait_for_doi,
    CREATED: _show,
    UPDATED: _show,
    DELETED: _remove,
}


# -- ORCID calls and their failures -------------------------------------------------


def client_for(link, entry=None):
    """An ORCID client acting through ``link``, under the shared rate limit.

    Every call is written to the call log, attached to ``entry`` if given
    (saved with the caller's next commit).
    """
    config = current_app.config
    if entry is not None and entry.id is None:
        db.session.flush()
    ledger_id = entry.id if entry is not None else None

    def log_call(method, path, status, error_code, duration_ms):
        call = OrcidCallLog(
            ledger_id=ledger_id,
            orcid=link.orcid,
            method=method,
            path=path[:255],
            status=status,
            error_code=error_code,
            duration_ms=round(duration_ms, 2),
        )
        db.session.add(call)

    return OrcidClient(
        config["ORCID_PUSH_API_URL"],
        link.access_token,
        timeout=config["ORCID_PUSH_HTTP_TIMEOUT"],
        rate_limiter=rate_limiter(current_app),
        on_call=log_call,
    )


_LINK_PROBLEMS = (
    (OrcidTokenInvalidError, LinkStatus.REVOKED),
    (OrcidRecordMovedError, LinkStatus.MOVED),
    (OrcidPermissionError, LinkStatus.NEEDS_PERMISSION),
)
"""ORCID answers that say the link itself no longer works."""


def _link_problem(exc):
    return next(
        (status for cls, status in _LINK_PROBLEMS if isinstance(exc, cls)), None
    )


def _record_failure(run, entry, link, exc):
    """Write down why ORCID refused, and stop using a link ORCID no longer accepts.

    A rejected token is first counted with the others (``token_rejections``):
    when many researchers' tokens are rejected at once, nobody's link changes.
    """
    status = _link_problem(exc)
    pause = _pause_after_rejection(run) if status == LinkStatus.REVOKED else None
    if pause is not None:
        enter_pause(pause)
        _mark_paused(run, entry, pause)
        logger.warning("ORCID push to %s paused: %s", link.orcid, pause.reason)
        return
    if status is not None:
        reason = _stop_using_link(run, link, exc, status)
    else:
        reason = _passing_failure(run, entry, exc)
    entry.mark_failed(reason, exc.code)
    logger.info("ORCID push to %s failed: %s (%s)", link.orcid, exc.code, reason)


def _pause_after_rejection(run):
    """The pause this rejection (already in the call log) may have started."""
    if not holds_link_notices():
        return None
    db.session.flush()
    run.pause, run.pause_known = current_pause(), True
    return run.pause


def _stop_using_link(run, link, exc, status):
    reason = exc.reason
    new_orcid = getattr(exc, "new_orcid", None)
    if status == LinkStatus.MOVED and new_orcid:
        reason = Reason("merged-into", old=link.orcid, new=new_orcid)
    elif status == LinkStatus.MOVED:
        reason = Reason("merged-into-unknown", old=link.orcid)
    account = OrcidPushAccount.get_or_create(link.user_id)
    account.mark_link_problem(link.orcid, status, reason, new_orcid)
    db.session.flush()
    if status == LinkStatus.REVOKED and holds_link_notices():
        run.notices_held = True  # told only if no pause follows within the window
    else:
        notify_link_problem(link.user_id)
    return reason


def _passing_failure(run, entry, exc):
    """A retryable failure is retried until the last attempt, then given up."""
    if not exc.retryable:
        return exc.reason
    if run.final_attempt:
        fallback = (
            f"{exc.reason.split(';')[0]}; gave up after {entry.attempts} attempts."
        )
        return then(exc.reason, "gave-up-after", fallback, attempts=entry.attempts)
    run.report.retry = True
    return exc.reason


# -- Removal of a researcher's works on disconnect ------------------------------------


def withdraw_works(user_id):
    """Remove every work this repository put on the user's ORCID record.

    Each family goes through the same plan and removal as any other change
    (lost put-codes are recovered). Returns how many works were deleted.
    """
    link = orcid_link_of(user_id)
    if link is None:
        return 0
    rows = OrcidWorkLedger.query.filter(
        OrcidWorkLedger.orcid == link.orcid, OrcidWorkLedger.status.notin_(GONE)
    ).with_entities(OrcidWorkLedger.record_id)
    removed = 0
    for record_id in sorted({record_id for (record_id,) in rows}):
        report = sync_record(record_id, withdraw=link)
        removed += list(report.actions.values()).count(DELETED)
    return removed
