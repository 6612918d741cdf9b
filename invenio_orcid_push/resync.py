"""Choosing the record families to resync, for the CLI and the administration jobs.

Record ids are streamed from the database, never from search, one per record
family, so memory stays flat however many records there are.
"""

from collections import Counter
from datetime import timezone

from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier
from invenio_rdm_records.records.api import RDMRecord

from .models import OrcidWorkLedger, SyncStatus


def _records(since=None, parent_ids=None):
    """``(parent uuid, record id)`` of published records, streamed from the database."""
    model = RDMRecord.model_cls
    query = (
        db.session.query(model.parent_id, PersistentIdentifier.pid_value)
        .join(PersistentIdentifier, PersistentIdentifier.object_uuid == model.id)
        .filter(PersistentIdentifier.pid_type == "recid", model.is_deleted.is_(False))
        .order_by(model.parent_id, model.index.desc())
    )
    if since is not None:
        query = query.filter(model.updated >= since)
    if parent_ids is not None:
        query = query.filter(model.parent_id.in_(parent_ids))
    return query.yield_per(1000)


def families(everything=False, user=None, record=None, failed=False, since=None):
    """One record id per record family to resync, streamed (memory stays flat)."""
    if record is not None:
        yield record
        return
    if failed:
        rows = (
            db.session.query(OrcidWorkLedger.record_id)
            .filter(OrcidWorkLedger.status == SyncStatus.FAILED)
            .distinct()
        )
        if since is not None:
            rows = rows.filter(OrcidWorkLedger.updated >= since)
        for (record_id,) in rows.yield_per(1000):
            yield record_id
        return
    parent_ids = None
    if user is not None:
        from .accounts import _owned_parents_query

        # Their own records, and those on their ORCID record as a co-creator.
        parent_ids = {parent.id for parent in _owned_parents_query(user.id)}
        pushed = [row.record_id for row in OrcidWorkLedger.query.filter_by(user_id=user.id)]
        if pushed:
            model = RDMRecord.model_cls
            parent_ids |= {
                parent_id for (parent_id,) in db.session.query(model.parent_id)
                .join(PersistentIdentifier, PersistentIdentifier.object_uuid == model.id)
                .filter(PersistentIdentifier.pid_type == "recid",
                        PersistentIdentifier.pid_value.in_(pushed))
            }
        parent_ids = list(parent_ids)
    previous = None
    for parent_id, record_id in _records(since, parent_ids):
        if parent_id != previous:
            previous = parent_id
            yield record_id


SETTLED = (SyncStatus.SYNCED, SyncStatus.REMOVED, SyncStatus.REMOVED_BY_RESEARCHER,
           SyncStatus.INVALID)


def unchanged_since_sync(record_id):
    """Whether this version was already dealt with and has not changed since.

    True when ledger rows were written for exactly this version, all settled,
    after the version's last change. Changes outside the record (a newly
    linked co-creator, new preferences, a new mapping) are not seen: a full
    resync (``full=True``) checks everything.
    """
    model = RDMRecord.model_cls
    changed = (
        db.session.query(model.updated)
        .join(PersistentIdentifier, PersistentIdentifier.object_uuid == model.id)
        .filter(PersistentIdentifier.pid_type == "recid",
                PersistentIdentifier.pid_value == record_id)
        .scalar()
    )
    rows = db.session.query(OrcidWorkLedger.status, OrcidWorkLedger.updated).filter(
        OrcidWorkLedger.record_id == record_id).all()
    if changed is None or not rows:
        return False
    if changed.tzinfo is None:
        changed = changed.replace(tzinfo=timezone.utc)
    return all(
        status in SETTLED
        and (updated if updated.tzinfo else updated.replace(tzinfo=timezone.utc)) >= changed
        for status, updated in rows
    )


def resync_inline(record_ids, force=False, full=True):
    """Sync each record now (retries of passing failures are scheduled as usual).

    With ``full=False`` versions unchanged since their last sync are skipped
    without reading them. Returns a :class:`collections.Counter` of actions,
    ``failed`` included.
    """
    from .sync import FAILED, UNCHANGED, sync_record

    counts = Counter()
    for record_id in record_ids:
        if not full and not force and unchanged_since_sync(record_id):
            counts[UNCHANGED] += 1
            continue
        try:
            report = sync_record(record_id, force=force)
        except Exception:  # one bad record must not stop the run
            db.session.rollback()
            counts[FAILED] += 1
            continue
        counts.update(report.actions.values())
        if report.retry:
            from .tasks import push_record_to_orcid

            push_record_to_orcid.apply_async(args=(record_id,), kwargs={"attempt": 1})
    return counts


def pending_or_failed():
    """Record ids of families whose rows wait or failed."""
    rows = (
        db.session.query(OrcidWorkLedger.record_id)
        .filter(OrcidWorkLedger.status.in_([SyncStatus.FAILED, SyncStatus.PENDING]))
        .distinct()
    )
    for (record_id,) in rows.yield_per(1000):
        yield record_id
