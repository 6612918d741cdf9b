"""The one place that decides what ORCID must hold for a record family.

Everything (publish, edits, new versions, access changes, deletion, restore,
embargo lift, later the resyncs) enters through :func:`sync_record` with a
record id. It works out which ORCID records should show the family and, for
each one, under that iD's write lock, whether the work must be created,
updated, deleted or left alone, from the ledger row's put-code and payload
hash. One ORCID call per change; the outcome is written to the ledger.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

from flask import current_app
from invenio_access.permissions import system_identity
from invenio_accounts.models import UserIdentity
from invenio_db import db
from invenio_pidstore.errors import PIDDoesNotExistError, PIDDeletedError
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from invenio_rdm_records.proxies import current_rdm_records_service
from invenio_rdm_records.records.api import RDMRecord

from .client import (
    OrcidClient,
    OrcidDuplicateError,
    OrcidError,
    OrcidNotFoundError,
    OrcidPermissionError,
    OrcidRecordMovedError,
    OrcidTokenInvalidError,
)
from .identifiers import normalize_orcid
from .links import orcid_client_id, orcid_link_of
from .locks import LockUnavailable, orcid_write_lock
from .models import (
    LinkStatus,
    OrcidCallLog,
    OrcidPushAccount,
    OrcidWorkLedger,
    SyncStatus,
)
from .notifications import notify_link_problem
from .ratelimit import rate_limiter
from .work import WorkConversionError, WorkOptions, work_from_record

logger = logging.getLogger(__name__)

CREATED, UPDATED, DELETED, UNCHANGED, SKIPPED, FAILED = (
    "created", "updated", "deleted", "unchanged", "skipped", "failed",
)


@dataclass
class SyncReport:
    """What one pass did: an action per ORCID iD, and whether to try again."""

    actions: dict = field(default_factory=dict)
    retry: bool = False
    """Some change failed for a passing reason (ORCID down, lock busy)."""
    waiting_for_doi: bool = False
    """The family's DOI is not registered yet; nothing was sent."""


@dataclass
class RecordFamily:
    """A record family and the version ORCID should show, if any."""

    key: str
    """The ledger key: the parent id, or the record id in per-version mode."""
    record: Optional[dict] = None
    """The version to show (service dump), ``None`` when nothing is public."""
    doi_pending: bool = False
    first_published: Optional[datetime] = None
    """When the family's first version was created."""


def owner_id_of(record):
    """The depositor: the owner of the record's parent (not whoever published)."""
    owned_by = ((record.get("parent") or {}).get("access") or {}).get("owned_by") or {}
    user = owned_by.get("user")
    return int(user) if user is not None else None


def _showable(model):
    """Public metadata and not deleted or marked for purge (read from the row:
    building record objects would mark the rows dirty and bump revisions)."""
    status = getattr(model.deletion_status, "value", model.deletion_status)
    access = (model.json or {}).get("access") or {}
    return status in (None, "P") and access.get("record") == "public"


def _doi_registered(scheme_data):
    """Whether a DOI we would cite resolves (external DOIs are taken as they are)."""
    if not scheme_data or not scheme_data.get("identifier"):
        return True
    if scheme_data.get("provider") == "external":
        return True
    try:
        pid = PersistentIdentifier.get("doi", scheme_data["identifier"])
    except PIDDoesNotExistError:
        return False
    return pid.status == PIDStatus.REGISTERED


def resolve_record(record_id):
    """The record of an id, deleted (tombstoned) ones included; ``None`` if unknown."""
    try:
        return RDMRecord.pid.resolve(record_id)
    except PIDDeletedError as exc:
        return exc.record
    except PIDDoesNotExistError:
        return None


def resolve_family(record_id, per_version=False):
    """The family of a record id and the version to show on ORCID."""
    record = resolve_record(record_id)
    if record is None:
        # Purged: only the ledger still knows the family.
        entry = OrcidWorkLedger.query.filter_by(record_id=record_id).first()
        return RecordFamily(key=entry.parent_id if entry else record_id)

    model_cls = RDMRecord.model_cls
    if per_version:
        key, candidates = record_id, [record.model]
    else:
        key = record.parent.pid.pid_value
        candidates = (
            model_cls.query.filter_by(parent_id=record.model.parent_id, is_deleted=False)
            .order_by(model_cls.index.desc())
            .all()
        )
    first_published = min((_aware(model.created) for model in candidates), default=None)
    shown = next((model for model in candidates if _showable(model)), None)
    if shown is None:
        return RecordFamily(key=key, first_published=first_published)
    dump = current_rdm_records_service.read(system_identity, shown.json["id"]).to_dict()
    doi_pending = not _doi_registered((dump.get("pids") or {}).get("doi"))
    if not per_version:
        doi_pending = doi_pending or not _doi_registered(
            ((dump.get("parent") or {}).get("pids") or {}).get("doi")
        )
    return RecordFamily(
        key=key, record=dump, doi_pending=doi_pending, first_published=first_published
    )


def _aware(moment):
    """A UTC-aware datetime (SQLite hands back naive ones)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _account(user_id):
    return OrcidPushAccount.get(user_id) if user_id is not None else None


def _wants_pushes(link, as_creator):
    account = _account(link.user_id)
    if account is None:
        return True
    if not account.usable_for(link.orcid) or not account.auto_sync:
        return False
    return account.include_as_creator or not as_creator


def _new_enough(link, family, managed, force):
    """Only records published after linking go automatically; older ones on request.

    A family already on that ORCID record stays managed; ``force`` (the
    researcher's "sync now") and "send my existing records" open the rest.
    """
    if force or link.orcid in managed or family.first_published is None:
        return True
    account = _account(link.user_id)
    if account is not None and account.include_existing:
        return True
    linked_at = _aware(account.linked_at if account and account.linked_at else link.linked_at)
    return linked_at is None or family.first_published >= linked_at


def orcid_ids_in(record):
    """The valid ORCID iDs among a record's creators and contributors."""
    metadata = record.get("metadata") or {}
    found = set()
    for entry in (metadata.get("creators") or []) + (metadata.get("contributors") or []):
        for identifier in (entry.get("person_or_org") or {}).get("identifiers") or []:
            if identifier.get("scheme") == "orcid":
                orcid = normalize_orcid(identifier.get("identifier"))
                if orcid:
                    found.add(orcid)
    return found


def recipients(record, family=None, managed=(), force=False):
    """``{orcid: link}`` of the ORCID records that should show ``record``.

    The depositor, and every user whose own ORCID link's iD is among the
    creators or contributors. An iD typed into the metadata reaches an ORCID
    record only through its owner's link. With ``family``, records published
    before a link was made are left out unless ``managed`` already (iDs with a
    ledger row), forced, or the researcher asked for existing records.
    """
    family = family or RecordFamily(key="")
    wanted = {}
    owner = owner_id_of(record)
    link = orcid_link_of(owner)
    if (
        link
        and _wants_pushes(link, as_creator=False)
        and _new_enough(link, family, managed, force)
    ):
        wanted[link.orcid] = link
    listed = orcid_ids_in(record)
    if listed:
        identities = UserIdentity.query.filter(
            UserIdentity.method == "orcid", UserIdentity.id.in_(sorted(listed))
        )
        for identity in identities:
            if identity.id_user == owner:
                continue
            link = orcid_link_of(identity.id_user)
            if (
                link
                and link.orcid in listed
                and _wants_pushes(link, as_creator=True)
                and _new_enough(link, family, managed, force)
            ):
                wanted.setdefault(link.orcid, link)
    return wanted


def _work_options():
    config = current_app.config
    journal_title = config["ORCID_PUSH_JOURNAL_TITLE"]
    if journal_title is None:
        journal_title = config.get("THEME_SITENAME")
    return WorkOptions(
        orcid_host=config["ORCID_PUSH_ORCID_HOST"],
        journal_title=journal_title,
        per_version=config["ORCID_PUSH_WORK_PER_VERSION"],
    )


def sync_record(record_id, attempt=0, force=False):
    """Bring every ORCID record concerned by a record's family up to date.

    Never raises for an ORCID failure: the ledger row records it. ``attempt``
    counts earlier tries (the last allowed one records failures as given up).
    ``force`` sends a work again even where the researcher had deleted it.
    """
    config = current_app.config
    final_attempt = attempt >= config["ORCID_PUSH_MAX_RETRIES"]
    report = SyncReport()
    family = resolve_family(record_id, per_version=config["ORCID_PUSH_WORK_PER_VERSION"])
    existing = OrcidWorkLedger.query.filter_by(parent_id=family.key).all()
    managed = {entry.orcid for entry in existing}
    if family.record is not None and family.doi_pending:
        report.waiting_for_doi = True
        _note_doi_wait(family, managed, force, attempt >= config["ORCID_PUSH_DOI_WAIT_RETRIES"])
        return report

    wanted = (
        recipients(family.record, family, managed, force) if family.record is not None else {}
    )
    targets = dict(wanted)
    for entry in existing:
        if entry.orcid in targets:
            continue
        link = orcid_link_of(entry.user_id)
        # Removal needs the same link that created the work, still usable.
        if link and link.orcid == entry.orcid and _wants_pushes(link, as_creator=False):
            targets[entry.orcid] = link
    db.session.commit()

    work = invalid_reason = None
    if family.record is not None:
        try:
            work = work_from_record(family.record, _work_options())
        except WorkConversionError as exc:
            invalid_reason = str(exc)

    for orcid, link in sorted(targets.items()):
        show = orcid in wanted
        try:
            with orcid_write_lock(orcid):
                action = _sync_one(
                    family, link, show, work, invalid_reason, final_attempt, force, report
                )
        except LockUnavailable as exc:
            action = FAILED
            report.retry = True
            logger.info("Record family %s, %s: %s", family.key, orcid, exc.reason)
        except Exception:
            # A bug must not stop the other targets, nor lose the failure.
            db.session.rollback()
            logger.exception("ORCID push of %s to %s failed", family.key, orcid)
            entry = OrcidWorkLedger.get(orcid, family.key)
            if entry is not None:
                entry.mark_failed("Internal error while pushing; see the server logs.",
                                  "internal-error")
                db.session.commit()
            action = FAILED
        report.actions[orcid] = action
    return report


def _note_doi_wait(family, managed, force, given_up):
    """Say on each row that the push waits for DataCite, never citing an unregistered DOI."""
    for orcid, link in recipients(family.record, family, managed, force).items():
        with orcid_write_lock(orcid):
            entry = _fresh_entry(orcid, family.key) or OrcidWorkLedger.get_or_create(
                orcid=orcid, parent_id=family.key, record_id=family.record["id"],
                user_id=link.user_id,
            )
            if entry.status == SyncStatus.SYNCED:
                continue  # ORCID shows an earlier version meanwhile
            if given_up:
                entry.mark_failed(
                    "The record's DOI is not registered at DataCite, so it was not sent "
                    "to ORCID; it will be once the DOI is registered.",
                    "doi-not-registered",
                )
            else:
                entry.status = SyncStatus.PENDING
                entry.last_error = "Waiting for DataCite to register the record's DOI."
                entry.error_code = "doi-pending"
            db.session.commit()


def _fresh_entry(orcid, key):
    return (
        OrcidWorkLedger.query.filter_by(orcid=orcid, parent_id=key)
        .populate_existing()
        .one_or_none()
    )


def decide(entry, show, work, force=False):
    """The change ORCID needs for one (iD, family), from its ledger row alone.

    ``show``: whether ORCID should show the family; ``work``: what it should
    show (``None`` if the record cannot be a work).
    """
    if not show:
        if entry is None or entry.status in (SyncStatus.REMOVED,
                                             SyncStatus.REMOVED_BY_RESEARCHER):
            return UNCHANGED
        may_be_on_orcid = entry.put_code or (entry.attempts and entry.self_id)
        return DELETED if may_be_on_orcid else UNCHANGED
    if work is None:
        return SKIPPED
    if entry is not None:
        if (entry.status == SyncStatus.SYNCED and entry.put_code
                and entry.payload_hash == work.payload_hash()):
            return UNCHANGED
        if (entry.status == SyncStatus.REMOVED_BY_RESEARCHER and not force
                and not current_app.config["ORCID_PUSH_RECREATE_DELETED_WORKS"]):
            return SKIPPED
        if entry.put_code:
            return UPDATED
    return CREATED


def plan_record(record_id, force=False):
    """What :func:`sync_record` would do, without calling ORCID: ``{orcid: action}``."""
    family = resolve_family(record_id,
                            per_version=current_app.config["ORCID_PUSH_WORK_PER_VERSION"])
    existing = {e.orcid: e for e in OrcidWorkLedger.query.filter_by(parent_id=family.key)}
    wanted = (recipients(family.record, family, set(existing), force)
              if family.record is not None else {})
    work = None
    if family.record is not None:
        try:
            work = work_from_record(family.record, _work_options())
        except WorkConversionError:
            work = None
    return {
        orcid: decide(existing.get(orcid), orcid in wanted, work, force)
        for orcid in sorted(set(wanted) | set(existing))
    }


def _sync_one(family, link, show, work, invalid_reason, final_attempt, force, report):
    """Decide and do what one ORCID record needs; runs under the iD's lock."""
    entry = _fresh_entry(link.orcid, family.key)
    if entry is None:
        if not show:
            return SKIPPED
        entry = OrcidWorkLedger.get_or_create(
            orcid=link.orcid,
            parent_id=family.key,
            record_id=family.record["id"],
            user_id=link.user_id,
        )
    elif show:
        entry.record_id = family.record["id"]
        entry.user_id = link.user_id

    if not show:
        action = _remove(entry, link, final_attempt, report)
    elif work is None:
        entry.mark_invalid(invalid_reason)
        action = SKIPPED
    else:
        action = _show(entry, link, work, final_attempt, force, report)
    db.session.commit()
    return action


def client_for(link, entry=None):
    """An ORCID client acting through ``link``, under the shared rate limit.

    Every call is written to the call log, attached to ``entry`` if given
    (saved with the caller's next commit).
    """
    config = current_app.config
    if entry is not None and entry.id is None:
        db.session.flush()

    def log_call(method, path, status, error_code, duration_ms):
        db.session.add(OrcidCallLog(
            ledger_id=entry.id if entry is not None else None, orcid=link.orcid,
            method=method, path=path[:255], status=status, error_code=error_code,
            duration_ms=round(duration_ms, 2),
        ))

    return OrcidClient(
        config["ORCID_PUSH_API_URL"],
        link.access_token,
        timeout=config["ORCID_PUSH_HTTP_TIMEOUT"],
        rate_limiter=rate_limiter(current_app),
        on_call=log_call,
    )


def _show(entry, link, work, final_attempt, force, report):
    """Create or update the work; nothing when ORCID already holds this content."""
    planned = decide(entry, True, work, force)
    if planned in (UNCHANGED, SKIPPED):
        return planned
    digest = work.payload_hash()
    client = client_for(link, entry)
    entry.self_id = work.self_id
    entry.attempts = (entry.attempts or 0) + 1
    try:
        if entry.put_code:
            try:
                client.update_work(link.orcid, entry.put_code, work.to_xml(entry.put_code))
                entry.mark_synced(entry.put_code, digest)
                return UPDATED
            except OrcidNotFoundError:
                # The researcher deleted the work on ORCID.
                if not (force or current_app.config["ORCID_PUSH_RECREATE_DELETED_WORKS"]):
                    entry.mark_removed(by_researcher=True)
                    entry.last_error = (
                        "You deleted this work on ORCID, so it is not sent again. "
                        "Use 'send again' to put it back."
                    )
                    return SKIPPED
                entry.put_code = None
        if not entry.put_code:
            # A lost put-code (or a lost answer) shows up as a duplicate.
            put_code = _create_or_adopt(client, link.orcid, work)
            entry.mark_synced(put_code, digest)
            return CREATED
    except OrcidError as exc:
        _record_failure(entry, link, exc, final_attempt, report)
        return FAILED
    return UNCHANGED


def _create_or_adopt(client, orcid, work):
    """POST the work; on 409/9021 find our existing work and update it instead."""
    try:
        return client.create_work(orcid, work.to_xml())
    except OrcidDuplicateError as exc:
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
        if summary["source_client_id"] != ours:
            continue
        for ext in summary["external_ids"]:
            if ext["type"] == id_type and (ext["value"] or "").lower() == value.lower():
                return summary["put_code"]
    return None


def _remove(entry, link, final_attempt, report):
    """Delete the work from ORCID; a 404 counts as done."""
    if decide(entry, False, None) == UNCHANGED:
        if entry.status not in (SyncStatus.REMOVED, SyncStatus.REMOVED_BY_RESEARCHER):
            entry.mark_removed()
        return UNCHANGED
    client = client_for(link, entry)
    try:
        put_code = entry.put_code
        if not put_code and entry.attempts and entry.self_id:
            # An earlier POST may have reached ORCID without us learning the put-code.
            put_code = _find_our_work(client, link.orcid, entry.self_id)
        if put_code:
            entry.attempts = (entry.attempts or 0) + 1
            try:
                client.delete_work(link.orcid, put_code)
            except OrcidNotFoundError:
                pass
    except OrcidError as exc:
        _record_failure(entry, link, exc, final_attempt, report)
        return FAILED
    entry.mark_removed()
    return DELETED if put_code else UNCHANGED


def _record_failure(entry, link, exc, final_attempt, report):
    """Write down why ORCID refused, and stop using a link ORCID no longer accepts."""
    reason = exc.reason
    if isinstance(exc, (OrcidTokenInvalidError, OrcidPermissionError, OrcidRecordMovedError)):
        account = OrcidPushAccount.get_or_create(link.user_id)
        if isinstance(exc, OrcidTokenInvalidError):
            account.mark_link_problem(link.orcid, LinkStatus.REVOKED, reason)
        elif isinstance(exc, OrcidRecordMovedError):
            reason = (
                f"ORCID merged {link.orcid} into {exc.new_orcid or 'another iD'}; "
                "works are no longer sent to the old iD. Connect ORCID again with the new iD."
            )
            account.mark_link_problem(link.orcid, LinkStatus.MOVED, reason, exc.new_orcid)
        else:
            account.mark_link_problem(link.orcid, LinkStatus.NEEDS_PERMISSION, reason)
        db.session.flush()
        notify_link_problem(link.user_id)
    elif exc.retryable:
        if final_attempt:
            reason = f"{exc.reason.split(';')[0]}; gave up after {entry.attempts} attempts."
        else:
            report.retry = True
    entry.mark_failed(reason, exc.code)
    logger.info("ORCID push to %s failed: %s (%s)", link.orcid, exc.code, reason)
