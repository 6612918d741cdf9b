"""Choosing the record families to resync, for the CLI and the administration jobs.

Record ids are streamed from the database, never from search, one per record
family, so memory stays flat however many records there are. Each record goes
through the same ``sync.sync_record`` as publishing.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from flask import current_app
from invenio_accounts.models import UserIdentity
from invenio_db import db
from invenio_oauthclient.models import RemoteAccount
from invenio_pidstore.models import PersistentIdentifier
from invenio_rdm_records.records.api import RDMRecord

from .family import aware, is_showable_json, orcid_ids_in, owned_parents_query
from .links import orcid_client_id
from .models import OrcidPushAccount, OrcidPushConsent, OrcidWorkLedger, SyncStatus
from .outbox import stale_record_ids
from .plan import FAILED, SETTLED, UNCHANGED, candidates, orcid_holders
from .sync import OrcidWorksCache, sync_record

logger = logging.getLogger(__name__)

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


def _all_versions(since=None, parent_ids=None):
    """``(record id,)`` of every published version, streamed in record id order.

    In per-version mode each version is a family of its own; paging on the
    record id (not the parent, as :func:`_records` does) loses none.
    """
    model = RDMRecord.model_cls
    query = (
        db.session.query(PersistentIdentifier.pid_value)
        .join(model, PersistentIdentifier.object_uuid == model.id)
        .filter(PersistentIdentifier.pid_type == "recid", model.is_deleted.is_(False))
        .order_by(PersistentIdentifier.pid_value)
    )
    if since is not None:
        query = query.filter(model.updated >= since)
    if parent_ids is not None:
        query = query.filter(model.parent_id.in_(parent_ids))
    return _pages(query, PersistentIdentifier.pid_value)


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


def _failed_or_owed(since=None):
    """Failed families, and those whose push is owed for too long (message lost)."""
    owed = stale_record_ids()
    yield from owed
    owed = set(owed)
    for record_id in _failed_record_ids(since):
        if record_id not in owed:
            yield record_id


def _parents_of(user):
    """The families of a user's records, and those on their ORCID record as a
    co-creator."""
    parent_ids = {parent.id for parent in owned_parents_query(user.id)}
    pushed = [row.record_id for row in OrcidWorkLedger.query.filter_by(user_id=user.id)]
    if pushed:
        model = RDMRecord.model_cls
        query = (
            db.session.query(model.parent_id)
            .join(PersistentIdentifier, PersistentIdentifier.object_uuid == model.id)
            .filter(
                PersistentIdentifier.pid_type == "recid",
                PersistentIdentifier.pid_value.in_(pushed),
            )
        )
        parent_ids |= {parent_id for (parent_id,) in query}
    return list(parent_ids)


def families(everything=False, user=None, record=None, failed=False, since=None):
    """One record id per record family to resync, streamed (memory stays flat).

    In per-version mode (``ORCID_PUSH_WORK_PER_VERSION``) every version is a
    family: all of them are yielded.
    """
    if record is not None:
        yield record
        return
    if failed:
        yield from _failed_or_owed(since)
        return
    parent_ids = _parents_of(user) if user is not None else None
    if current_app.config["ORCID_PUSH_WORK_PER_VERSION"]:
        yield from (record_id for (record_id,) in _all_versions(since, parent_ids))
        return
    previous = None
    for parent_id, record_id in _records(since, parent_ids):
        if parent_id != previous:
            previous = parent_id
            yield record_id


def _latest_per_key(pairs):
    """``{key: latest moment}`` of ``(key, moment)`` pairs."""
    latest = {}
    for key, moment in pairs:
        moment = aware(moment)
        if key not in latest or moment > latest[key]:
            latest[key] = moment
    return latest


@dataclass
class _Version:
    """What the shortcut knows of one record version, read in bulk."""

    key: str
    """Its family's ledger key (parent id, or record id in per-version mode)."""
    changed: object
    """When the version or its parent last changed."""
    record: dict
    """Enough of the record for :func:`.plan.candidates` (metadata, parent)."""
    showable: bool
    """Whether the plan would show this very version."""
    rows: list = field(default_factory=list)
    """``(user id, status, updated)`` of its family's ledger rows."""


def _version_rows(ids):
    model, parent_model = RDMRecord.model_cls, RDMRecord.parent_record_cls.model_cls
    return (
        db.session.query(
            PersistentIdentifier.pid_value,
            model.updated,
            model.json,
            model.deletion_status,
            parent_model.updated,
            parent_model.json,
        )
        .join(model, PersistentIdentifier.object_uuid == model.id)
        .join(parent_model, parent_model.id == model.parent_id)
        .filter(
            PersistentIdentifier.pid_type == "recid",
            PersistentIdentifier.pid_value.in_(ids),
        )
    )


def _read_versions(ids, per_version):
    """``{record id: _Version}`` in one query, their families' rows in another.

    Rows are read by family, as the plan reads them: a row left from an
    earlier version (a co-creator the new version dropped) counts too.
    """
    versions = {}
    for pid, updated, json, deletion, parent_updated, parent_json in _version_rows(ids):
        json, parent_json = json or {}, parent_json or {}
        versions[pid] = _Version(
            key=pid if per_version else parent_json.get("id"),
            changed=max(aware(updated), aware(parent_updated)),
            record={"metadata": json.get("metadata"), "parent": parent_json},
            showable=is_showable_json(json, deletion),
        )
    by_key = {}
    for version in versions.values():
        by_key.setdefault(version.key, []).append(version)
    rows = db.session.query(
        OrcidWorkLedger.parent_id,
        OrcidWorkLedger.user_id,
        OrcidWorkLedger.status,
        OrcidWorkLedger.updated,
    ).filter(OrcidWorkLedger.parent_id.in_(list(by_key)))
    for key, user_id, status, updated in rows:
        for version in by_key[key]:
            version.rows.append((user_id, status, aware(updated)))
    _note_decisions(by_key)
    return versions


def _note_decisions(by_key):
    """A researcher's approval or dismissal is an input of the plan too."""
    decisions = db.session.query(
        OrcidPushConsent.parent_id, OrcidPushConsent.updated
    ).filter(OrcidPushConsent.parent_id.in_(list(by_key)))
    for key, updated in _latest_per_key(decisions).items():
        for version in by_key[key]:
            version.changed = max(version.changed, updated)


def _concerned(versions):
    """``{record id: user ids}`` whose link or preferences decide its works.

    The plan's own :func:`.plan.candidates` (depositor, users whose linked iD
    is listed) and every user with a row (removals go through their link).
    """
    listed = set().union(set(), *(orcid_ids_in(v.record) for v in versions.values()))
    holders = orcid_holders(listed)
    return {
        record_id: {user for user, _ in candidates(version.record, holders)}
        | {user for user, _, _ in version.rows}
        for record_id, version in versions.items()
    }


def _user_changes(users):
    """``({user: link changed}, {user: settings changed})`` for linked users."""
    if not users:
        return {}, {}
    users = sorted(users)
    linked = _latest_per_key(
        db.session.query(RemoteAccount.user_id, RemoteAccount.updated).filter(
            RemoteAccount.client_id == orcid_client_id(),
            RemoteAccount.user_id.in_(users),
        )
    )
    settings = _latest_per_key(
        list(
            db.session.query(OrcidPushAccount.user_id, OrcidPushAccount.updated).filter(
                OrcidPushAccount.user_id.in_(users)
            )
        )
        + list(
            db.session.query(UserIdentity.id_user, UserIdentity.updated).filter(
                UserIdentity.method == "orcid", UserIdentity.id_user.in_(users)
            )
        )
    )
    return linked, settings


def _needs_no_look(version, users, linked, settings):
    """Nothing the plan reads changed since the rows were last settled.

    No rows: nobody concerned has an ORCID link, so the plan has no target.
    """
    if not version.rows:
        return not any(user in linked for user in users)
    # An older version may be the one shown: its creators are not read here.
    if not version.showable or not _settled_through_links(version.rows, linked):
        return False
    changed = max([version.changed] + _changes_of(users, linked, settings))
    return all(updated >= changed for _, _, updated in version.rows)


def _settled_through_links(rows, linked):
    """Every row is settled and its user still has an ORCID link."""
    return all(status in SETTLED and user in linked for user, status, _ in rows)


def _changes_of(users, *changes_by_user):
    """When the links and preferences of ``users`` last changed."""
    return [
        changes[user]
        for changes in changes_by_user
        for user in users
        if user in changes
    ]


def unchanged_among(record_ids):
    """The ids among ``record_ids`` whose plan cannot have changed: no need to read them.

    A version needs no look when none of the plan's inputs changed since its
    ledger rows were last settled: the version, its parent (owner, access),
    and for every user the plan considers (:func:`_concerned`) their ORCID
    link and preferences. What this cannot see is a change of the mapping
    itself (a plugin upgrade, new ``ORCID_PUSH_*`` settings): a full resync
    (``full=True``) reads everything. A test runs both on the same data and
    checks that a full resync after a quick one changes nothing on ORCID.
    """
    ids = list(dict.fromkeys(record_ids))
    per_version = current_app.config["ORCID_PUSH_WORK_PER_VERSION"]
    versions = _read_versions(ids, per_version) if ids else {}
    concerned = _concerned(versions)
    linked, settings = _user_changes(set().union(set(), *concerned.values()))
    return {
        record_id
        for record_id, version in versions.items()
        if _needs_no_look(version, concerned[record_id], linked, settings)
    }


CHUNK_SIZE = 500
"""Records checked together by :func:`unchanged_among` in a resync."""


def resync_inline(record_ids, full=False, chunk_size=None, retry=None):
    """Sync each record now, the same way as publishing does.

    With ``full=False`` versions that need no look (:func:`unchanged_among`)
    are skipped without reading them, checked a chunk at a time. ``retry``
    (a callable taking a record id) schedules another try of records whose
    push failed for a passing reason. Returns a :class:`collections.Counter`
    of actions, ``failed`` included.
    """
    chunk_size = chunk_size or CHUNK_SIZE
    counts = Counter()
    chunk = []
    for record_id in record_ids:
        chunk.append(record_id)
        if len(chunk) >= chunk_size:
            counts.update(_resync_chunk(chunk, full, retry))
            chunk = []
    if chunk:
        counts.update(_resync_chunk(chunk, full, retry))
    return counts


def _resync_chunk(record_ids, full, retry):
    """Sync a chunk; each researcher's works are read from ORCID at most once
    for the whole chunk (when a work may have to be adopted)."""
    counts = Counter()
    skip = set() if full else unchanged_among(record_ids)
    counts[UNCHANGED] += len(skip & set(record_ids))
    works = OrcidWorksCache()
    for record_id in record_ids:
        if record_id not in skip:
            counts.update(_resync_one(record_id, retry, works))
    return counts


def _resync_one(record_id, retry, works=None):
    try:
        report = sync_record(record_id, works=works)
    except Exception:  # one bad record must not stop the run
        db.session.rollback()
        logger.exception("ORCID resync of %s failed", record_id)
        return Counter({FAILED: 1})
    if report.retry and retry is not None:
        retry(record_id)
    return Counter(report.actions.values())


def pending_or_failed():
    """Record ids of families whose rows wait or failed."""
    rows = (
        db.session.query(OrcidWorkLedger.record_id)
        .filter(OrcidWorkLedger.status.in_([SyncStatus.FAILED, SyncStatus.PENDING]))
        .distinct()
        .order_by(OrcidWorkLedger.record_id)
    )
    return (record_id for (record_id,) in _pages(rows, OrcidWorkLedger.record_id))
