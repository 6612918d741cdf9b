"""Choosing the record families to resync, for the CLI and the administration jobs.

Record ids are streamed from the database, never from search, one per record
family, so memory stays flat however many records there are.
"""

from collections import Counter
from datetime import timezone

from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier
from invenio_rdm_records.records.api import RDMRecord

from .models import OrcidPushAccount, OrcidWorkLedger, SyncStatus


PAGE_SIZE = 1000
"""Ids read from the database per query while streaming."""


def _pages(query, key, page_size=None):
    """The rows of ``query`` ordered by ``key``, fetched a page at a time.

    Each page is its own query (keyset pagination), so callers may commit
    between rows: a server-side cursor (``yield_per``) would not survive a
    commit on PostgreSQL. Only the rows of one page are held in memory.
    """
    page_size = page_size or PAGE_SIZE
    last = None
    while True:
        page_query = query if last is None else query.filter(key > last)
        rows = page_query.limit(page_size).all()
        yield from rows
        if len(rows) < page_size:
            return
        last = rows[-1][0]


def _records(since=None, parent_ids=None):
    """``(parent uuid, record id)`` of published records, latest version first per
    family, streamed from the database."""
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
    # A page may end inside a family; the next one starts after that family,
    # whose latest version (its first row) was already seen.
    return _pages(query, model.parent_id)


def _failed_record_ids(since=None):
    rows = (
        db.session.query(OrcidWorkLedger.record_id)
        .filter(OrcidWorkLedger.status == SyncStatus.FAILED)
        .distinct()
        .order_by(OrcidWorkLedger.record_id)
    )
    if since is not None:
        rows = rows.filter(OrcidWorkLedger.updated >= since)
    return (record_id for (record_id,) in _pages(rows, OrcidWorkLedger.record_id))


def families(everything=False, user=None, record=None, failed=False, since=None):
    """One record id per record family to resync, streamed (memory stays flat)."""
    if record is not None:
        yield record
        return
    if failed:
        yield from _failed_record_ids(since)
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


def _aware(moment):
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def _changed_at(query):
    """``{key: latest updated}`` of a query of ``(key, updated)`` pairs."""
    latest = {}
    for key, updated in query:
        updated = _aware(updated)
        if key not in latest or updated > latest[key]:
            latest[key] = updated
    return latest


def unchanged_among(record_ids):
    """The ids among ``record_ids`` that need no look, found with a few queries per chunk.

    A version needs no look when nothing that decides its works changed since
    they were last dealt with: its ledger rows are all settled and newer than
    the version, its parent (owner, access) and, for every user concerned (the
    owner, every user whose linked iD is among the creators and contributors,
    every user with a row), their ORCID link and preferences. A version with
    no rows needs no look when no user concerned has an ORCID link. What this
    cannot see is a change of the mapping itself (a plugin upgrade, new
    ``ORCID_PUSH_*`` settings): a full resync (``full=True``) reads everything.
    """
    from invenio_oauthclient.models import RemoteAccount
    from invenio_accounts.models import UserIdentity

    from .links import orcid_client_id
    from .sync import orcid_ids_in, owner_id_of

    ids = list(dict.fromkeys(record_ids))
    if not ids:
        return set()
    model, parent_model = RDMRecord.model_cls, RDMRecord.parent_record_cls.model_cls
    versions = {
        pid_value: (_aware(updated), json or {}, _aware(parent_updated), parent_json or {})
        for pid_value, updated, json, parent_updated, parent_json in (
            db.session.query(PersistentIdentifier.pid_value, model.updated, model.json,
                             parent_model.updated, parent_model.json)
            .join(model, PersistentIdentifier.object_uuid == model.id)
            .join(parent_model, parent_model.id == model.parent_id)
            .filter(PersistentIdentifier.pid_type == "recid",
                    PersistentIdentifier.pid_value.in_(ids))
        )
    }
    rows = {}
    for record_id, user_id, status, updated in db.session.query(
        OrcidWorkLedger.record_id, OrcidWorkLedger.user_id, OrcidWorkLedger.status,
        OrcidWorkLedger.updated,
    ).filter(OrcidWorkLedger.record_id.in_(ids)):
        rows.setdefault(record_id, []).append((user_id, status, _aware(updated)))

    listed = {record_id: orcid_ids_in(json) for record_id, (_, json, _, _) in versions.items()}
    all_listed = set().union(*listed.values()) if listed else set()
    holder = dict(
        db.session.query(UserIdentity.id, UserIdentity.id_user).filter(
            UserIdentity.method == "orcid", UserIdentity.id.in_(sorted(all_listed)))
    ) if all_listed else {}
    concerned = {}
    for record_id, (_, _, _, parent_json) in versions.items():
        users = {holder[orcid] for orcid in listed[record_id] if orcid in holder}
        users |= {user_id for user_id, _, _ in rows.get(record_id, [])}
        owner = owner_id_of({"parent": parent_json})
        if owner is not None:
            users.add(owner)
        concerned[record_id] = users
    everyone = sorted(set().union(*concerned.values())) if concerned else []
    linked = _changed_at(
        db.session.query(RemoteAccount.user_id, RemoteAccount.updated).filter(
            RemoteAccount.client_id == orcid_client_id(),
            RemoteAccount.user_id.in_(everyone))
    ) if everyone else {}
    settings = {}
    if everyone:
        for query in (
            db.session.query(OrcidPushAccount.user_id, OrcidPushAccount.updated)
            .filter(OrcidPushAccount.user_id.in_(everyone)),
            db.session.query(UserIdentity.id_user, UserIdentity.updated)
            .filter(UserIdentity.method == "orcid", UserIdentity.id_user.in_(everyone)),
        ):
            for user_id, updated in _changed_at(query).items():
                settings[user_id] = max(updated, settings.get(user_id, updated))

    unchanged = set()
    for record_id, (updated, _, parent_updated, _) in versions.items():
        users = concerned[record_id]
        entries = rows.get(record_id)
        if not entries:
            if not any(user in linked for user in users):
                unchanged.add(record_id)  # nobody concerned has an ORCID link
            continue
        if any(status not in SETTLED for _, status, _ in entries):
            continue
        if any(user_id not in linked for user_id, _, _ in entries):
            continue
        changed = max([updated, parent_updated]
                      + [linked[user] for user in users if user in linked]
                      + [settings[user] for user in users if user in settings])
        if all(row_updated >= changed for _, _, row_updated in entries):
            unchanged.add(record_id)
    return unchanged


CHUNK_SIZE = 500
"""Records checked together by :func:`unchanged_among` in a resync."""


def resync_inline(record_ids, force=False, full=False, chunk_size=None):
    """Sync each record now (retries of passing failures are scheduled as usual).

    With ``full=False`` versions that need no look (:func:`unchanged_among`)
    are skipped without reading them, checked a chunk at a time. Returns a
    :class:`collections.Counter` of actions, ``failed`` included.
    """
    chunk_size = chunk_size or CHUNK_SIZE
    counts = Counter()
    chunk = []
    for record_id in record_ids:
        chunk.append(record_id)
        if len(chunk) >= chunk_size:
            counts.update(_resync_chunk(chunk, force, full))
            chunk = []
    if chunk:
        counts.update(_resync_chunk(chunk, force, full))
    return counts


def _resync_chunk(record_ids, force, full):
    from .sync import FAILED, UNCHANGED, sync_record

    counts = Counter()
    skip = set() if full or force else unchanged_among(record_ids)
    for record_id in record_ids:
        if record_id in skip:
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
        .order_by(OrcidWorkLedger.record_id)
    )
    return (record_id for (record_id,) in _pages(rows, OrcidWorkLedger.record_id))
