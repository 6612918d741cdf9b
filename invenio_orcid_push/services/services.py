"""The ORCID push services: what people and administrators may see and do.

Each method takes the caller's ``identity``, asks the one permission policy
(``ORCID_PUSH_PERMISSION_POLICY``), loads its input with a marshmallow schema
and returns plain data. The REST API, the settings page, the administration
panel, the CLI and the jobs all come through here.
"""

from collections import Counter

from flask import current_app
from invenio_accounts.models import User
from invenio_db import db
from invenio_records_resources.services.base import Service

from .. import accounts, listing, orcid_works, outbox
from ..family import owner_of, resolve_record, storable
from ..models import (
    Consent,
    LinkStatus,
    OrcidCallLog,
    OrcidPushAccount,
    OrcidPushConsent,
    OrcidWorkLedger,
    SyncStatus,
)
from ..notes import ledger_note
from ..plan import ACTIONS, plan_record
from ..reasons import reason_of
from ..reconcile import read_back
from ..resync import families, pending_or_failed, resync_inline
from ..tasks import (
    purge_orcid_call_log,
    queue_resync_chunk,
    retry_later,
    schedule_push,
    send_orcid_approval_digests,
    sweep_stale_orcid_pushes,
)
from ..token_rejections import current_pause, send_held_link_notices
from ..uptake import uptake
from .errors import (
    ActionDeniedError,
    LedgerEntryNotFoundError,
    OnlySignInMethodError,
    RecordNotFoundError,
    UserNotFoundError,
)
from .schemas import MAX_ID

PLAN_ACTIONS = ACTIONS
"""The actions of a dry run, in the order they are reported."""


class OrcidServiceBase(Service):
    """Shared by both services: a refusal names the refused action."""

    def require_permission(self, identity, action_name, **kwargs):
        """Like the base class, with an error that says what was refused."""
        if not self.check_permission(identity, action_name, **kwargs):
            raise ActionDeniedError(action_name)

    @staticmethod
    def _record(record_id):
        """The record of an id (tombstoned ones included)."""
        record = resolve_record(record_id)
        if record is None:
            raise RecordNotFoundError(record_id)
        return record


class OrcidPushService(OrcidServiceBase):
    """A researcher's ORCID link, preferences and records; a record's ORCID status."""

    def _user_id(self, identity, action, params=None):
        """The user a call is about (``user_id``, or the caller), once allowed."""
        self.require_permission(identity, "use")
        loaded = self.config.user_args_schema().load(params or {})
        user_id = loaded["user_id"] or identity.id
        self.require_permission(identity, action, user_id=user_id)
        _require_known_user(identity, user_id)
        return user_id

    def _own_user_id(self, identity, action, params=None):
        """Like :meth:`_user_id`, for the caller alone: reading someone's ORCID
        record with their token, or drafting in their name, is theirs to do
        (administrators included)."""
        user_id = self._user_id(identity, action, params)
        if user_id != identity.id:
            raise ActionDeniedError(action)
        return user_id

    def read_link(self, identity, params=None):
        """The link, what ORCID granted, and the preferences."""
        user_id = self._user_id(identity, "read_link", params)
        return accounts.link_summary(user_id)

    def update_preferences(self, identity, data, params=None):
        """Change the preferences given in ``data``; returns the link as read."""
        user_id = self._user_id(identity, "update_preferences", params)
        preferences = self.config.preferences_schema().load(data)
        accounts.update_preferences(user_id, **preferences)
        return accounts.link_summary(user_id)

    def list_records(self, identity, params=None):
        """A page of the user's record families, each with its ORCID status."""
        self.require_permission(identity, "use")
        loaded = self.config.records_args_schema().load(params or {})
        user_id = loaded["user_id"] or identity.id
        self.require_permission(identity, "list_records", user_id=user_id)
        _require_known_user(identity, user_id)
        page, size = loaded["page"], loaded["size"]
        total, rows = listing.records_of(user_id, page=page, size=size)
        return {"hits": {"hits": rows, "total": total}, "page": page, "size": size}

    def send_existing(self, identity, params=None):
        """Backfill the user's public records published before linking."""
        user_id = self._user_id(identity, "send_existing", params)
        return accounts.send_existing_records(user_id)

    def disconnect(self, identity, remove_works=False, params=None):
        """Unlink ORCID; returns ``(works removed, revoked at ORCID)``.

        Refused (``OnlySignInMethodError``, before anything is removed, revoked
        or unlinked) when ORCID is the user's only way to sign in.
        """
        user_id = self._user_id(identity, "disconnect", params)
        if accounts.orcid_is_only_sign_in(user_id):
            raise OnlySignInMethodError()
        return accounts.disconnect_orcid(user_id, remove_works=remove_works)

    def list_orcid_works(self, identity, params=None):
        """The works on the user's linked ORCID record, read with their token,
        each with the id of the record here that is the same work (or ``None``)."""
        user_id = self._own_user_id(identity, "list_orcid_works", params)
        hits = orcid_works.works_of(user_id)
        for hit in hits:
            if hit["record"] is not None:
                hit["links"] = orcid_works.record_links(hit["record"])
        return {"hits": {"hits": hits, "total": len(hits)}}

    def import_orcid_work(self, identity, put_code, params=None):
        """Create a draft owned by the user from the ORCID work ``put_code``.

        Nothing is published and nothing is written to ORCID. Returns the
        draft (``id``, ``links``) with ``notes`` on what was not carried over.
        """
        user_id = self._own_user_id(identity, "import_orcid_work", params)
        item, notes = orcid_works.import_work(identity, user_id, put_code)
        return {**item.to_dict(), "notes": notes}

    def read_record_status(self, identity, record_id):
        """Every ORCID record this record's family was pushed to, and how it went."""
        self.require_permission(identity, "use")
        record = self._record(record_id)
        self.require_permission(identity, "read_record_status", record=record)
        parent_id = record.parent.pid.pid_value
        rows = (
            OrcidWorkLedger.query.filter(
                OrcidWorkLedger.parent_id.in_([parent_id, record_id])
            )
            .order_by(OrcidWorkLedger.orcid)
            .all()
        )
        admin = self.check_permission(identity, "read_ledger")
        hits = [
            (
                self._ledger_hit(row)
                if admin or row.user_id == identity.id
                else self._presence_hit(row)
            )
            for row in rows
        ]
        return {
            "record": record_id,
            "parent": parent_id,
            "hits": {"hits": hits, "total": len(hits)},
        }

    @staticmethod
    def _presence_hit(row):
        """What a depositor sees of a co-creator's row: on their ORCID record or
        not; never their link's health, their choices or errors."""
        host = current_app.config["ORCID_PUSH_ORCID_HOST"]
        return {
            "orcid": row.orcid,
            "orcid_url": f"https://{host}/{row.orcid}",
            "on_orcid": row.status == SyncStatus.SYNCED,
        }

    @staticmethod
    def _ledger_hit(row):
        host = current_app.config["ORCID_PUSH_ORCID_HOST"]
        return {
            "orcid": row.orcid,
            "orcid_url": f"https://{host}/{row.orcid}",
            "status": row.status.value,
            "on_orcid": row.status == SyncStatus.SYNCED,
            "put_code": row.put_code,
            "record_version": row.record_id,
            "synced_at": row.synced_at.isoformat() if row.synced_at else None,
            "updated": row.updated.isoformat() if row.updated else None,
            "last_error": reason_of(row),
            "note": ledger_note(row),
        }

    def _acting_for(self, identity, record, action, params):
        """The user a record action is done for, once allowed: ``?user_id=``
        (administrators), else the caller, else (an administrator's own call)
        the depositor. Returns ``(user id, their role in the record)``."""
        self.require_permission(identity, action, record=record)
        loaded = self.config.user_args_schema().load(params or {})
        user_id = loaded["user_id"] or identity.id
        role = listing.role_of(user_id, record)
        if role is None and loaded["user_id"] is None:
            user_id = owner_of(record["id"])
            role = listing.OWNER if user_id is not None else None
        self.require_permission(identity, "act_for_user", user_id=user_id)
        _require_known_user(identity, user_id)
        if role is None:
            raise ActionDeniedError("not_listed")
        return user_id, role

    def request_sync(self, identity, record_id, params=None):
        """ "Sync now" / approve: send the family to one user's ORCID record.

        Only to the ORCID record of the user it is done for: a researcher's own
        deletion on ORCID is undone only by them, and nobody else receives it
        without having agreed. For a record deposited by someone else this is
        the researcher's approval (and undoes a dismissal).
        """
        self.require_permission(identity, "use")
        record = self._record(record_id)
        user_id, role = self._acting_for(identity, record, "sync_record", params)
        if role != listing.OWNER or _decided(user_id, record):
            self._decide(user_id, record, Consent.APPROVED)
        schedule_push(record_id, force_for=user_id)
        return {"record": record_id, "user_id": user_id}

    def dismiss(self, identity, record_id, params=None):
        """Never send this family to the user's ORCID record (removed if there)."""
        self.require_permission(identity, "use")
        record = self._record(record_id)
        user_id, _ = self._acting_for(identity, record, "dismiss_record", params)
        self._decide(user_id, record, Consent.DISMISSED)
        schedule_push(record_id)
        return {"record": record_id, "user_id": user_id}

    @staticmethod
    def _decide(user_id, record, decision):
        OrcidPushConsent.decide(user_id, listing.family_key(record), decision)
        db.session.commit()


def _require_known_user(identity, user_id):
    """Someone acting for another user (``?user_id=``) is told when nobody has
    that id; only after the policy allowed them to ask."""
    if user_id != identity.id and db.session.get(User, user_id) is None:
        raise UserNotFoundError(user_id)


def _decided(user_id, record):
    """Whether the user decided about this family before (a dismissal to undo)."""
    key = (user_id, listing.family_key(record))
    return db.session.get(OrcidPushConsent, key) is not None


class OrcidLedgerService(OrcidServiceBase):
    """The sync ledger for administrators, retries and bulk resync."""

    def search(self, identity, params=None):
        """A page of ledger rows matching the filters, newest change first."""
        self.require_permission(identity, "read_ledger")
        filters = self.config.ledger_args_schema().load(params or {})
        page = min(max(filters["page"], 1), MAX_ID)
        size = self.config.ledger_page_size
        query = _ledger_query(filters)
        total = query.count()
        rows = (
            query.order_by(OrcidWorkLedger.updated.desc())
            .offset((page - 1) * size)
            .limit(size)
            .all()
        )
        user_ids = {row.user_id for row in rows if row.user_id}
        emails = dict(
            db.session.query(User.id, User.email).filter(User.id.in_(user_ids))
        )
        return {
            "hits": rows,
            "total": total,
            "emails": emails,
            "page": page,
            "size": size,
            "statuses": [s.value for s in SyncStatus],
            "pause": current_pause(),
            "unknown_works": _unknown_works(),
        }

    def _entry(self, entry_id):
        # an id beyond the column's integers is nobody's (the database would fail)
        in_range = isinstance(entry_id, int) and 1 <= entry_id <= MAX_ID
        entry = db.session.get(OrcidWorkLedger, entry_id) if in_range else None
        if entry is None:
            raise LedgerEntryNotFoundError(entry_id)
        return entry

    def read_entry(self, identity, entry_id):
        """One ledger row, its user and the ORCID calls made for it, newest first."""
        self.require_permission(identity, "read_ledger")
        entry = self._entry(entry_id)
        calls = (
            OrcidCallLog.query.filter_by(ledger_id=entry.id)
            .order_by(OrcidCallLog.created.desc())
            .limit(self.config.entry_calls_shown)
            .all()
        )
        user = db.session.get(User, entry.user_id) if entry.user_id else None
        return {"entry": entry, "calls": calls, "user": user}

    def retry_entry(self, identity, entry_id):
        """Send the row's record family to ORCID again now."""
        self.require_permission(identity, "retry_ledger_entry")
        entry = self._entry(entry_id)
        schedule_push(entry.record_id)
        return entry

    def status_counts(self, identity):
        """Ledger rows per sync status and links per health (all statuses)."""
        self.require_permission(identity, "read_ledger")
        works = db.session.query(OrcidWorkLedger.status, db.func.count()).group_by(
            OrcidWorkLedger.status
        )
        links = db.session.query(
            OrcidPushAccount.link_status, db.func.count()
        ).group_by(OrcidPushAccount.link_status)
        work_counts = {status.value: number for status, number in works}
        link_counts = {status.value: number for status, number in links}
        owed, stale = outbox.counts()
        return {
            "works": {s.value: work_counts.get(s.value, 0) for s in SyncStatus},
            "links": {s.value: link_counts.get(s.value, 0) for s in LinkStatus},
            "pushes": {"owed": owed, "stale": stale},
        }

    def uptake(self, identity, weeks=None, now=None):
        """How far researchers took up ORCID pushes (``uptake.uptake``): links,
        links that can write, works on ORCID, records awaiting approval,
        failures by reason, and new links and works synced per week."""
        self.require_permission(identity, "read_ledger")
        return uptake(weeks or self.config.uptake_weeks, now)

    def find_user(self, identity, value):
        """A user by id or e-mail (case-insensitive)."""
        self.require_permission(identity, "resync")
        value = str(value)
        if not storable(value):
            user = None
        elif value.isdigit():
            user = db.session.get(User, int(value)) if int(value) <= MAX_ID else None
        else:
            user = User.query.filter(
                db.func.lower(User.email) == value.lower()
            ).one_or_none()
        if user is None:
            raise UserNotFoundError(value)
        return user

    def select_families(
        self,
        identity,
        everything=False,
        user=None,
        record=None,
        failed=False,
        since=None,
    ):
        """The record ids (one per family) a resync of this scope covers, streamed.

        ``user`` is an e-mail or an id; an unknown user or record is an error
        before anything is selected.
        """
        self.require_permission(identity, "resync")
        target = self.find_user(identity, user) if user else None
        if record is not None:
            self._record(record)
        return families(everything, target, record, failed, since)

    def pending_or_failed(self, identity):
        """Record ids of families whose rows wait or failed."""
        self.require_permission(identity, "resync")
        return pending_or_failed()

    def plan(self, identity, record_ids):
        """Dry run: ``(counts per action, up to 3 examples per action)``."""
        self.require_permission(identity, "resync")
        counts, examples = Counter(), {}
        for record_id in record_ids:
            for orcid, action in plan_record(record_id).items():
                counts[action] += 1
                examples.setdefault(action, [])
                if len(examples[action]) < 3:
                    examples[action].append(f"{record_id} -> {orcid}")
        return counts, examples

    def schedule_resync(self, identity, record_ids, full=False, chunk_size=200):
        """Queue the records in Celery tasks of ``chunk_size``; returns ``(sent, tasks)``."""
        self.require_permission(identity, "resync")
        sent, tasks, chunk = 0, 0, []
        for record_id in record_ids:
            chunk.append(record_id)
            if len(chunk) >= chunk_size:
                queue_resync_chunk(chunk, full)
                sent, tasks, chunk = sent + len(chunk), tasks + 1, []
        if chunk:
            queue_resync_chunk(chunk, full)
            sent, tasks = sent + len(chunk), tasks + 1
        return sent, tasks

    def resync_now(self, identity, record_ids, full=False):
        """Sync the records in this process (jobs); returns counts per action."""
        self.require_permission(identity, "resync")
        return resync_inline(record_ids, full=full, retry=retry_later)

    def reconcile(self, identity, since=None):
        """The nightly reconcile, also ``invenio orcid-push reconcile``.

        Sends again the pushes whose message was lost (the outbox sweep, in
        case Celery beat does not run it), reads every linked ORCID record
        with ledger rows back (``reconcile.read_back``: works deleted by the
        researcher, stray copies of ours, other sources' copies), retries what
        waits or failed, re-checks families changed since ``since``, then
        sends held link notices, purges the call log and sends the approval
        digests. Returns ``(counts per push action, read-back report)``.
        """
        self.require_permission(identity, "resync")
        sweep_stale_orcid_pushes()
        # Before the retries: a work the researcher deleted is then respected.
        report = read_back()
        seen = set()

        def once(ids):
            for record_id in ids:
                if record_id not in seen:
                    seen.add(record_id)
                    yield record_id

        counts = self.resync_now(identity, once(self.pending_or_failed(identity)))
        if since is not None:
            changed = self.select_families(identity, everything=True, since=since)
            counts.update(self.resync_now(identity, once(changed), full=False))
        send_held_link_notices()  # before the purge: it reads the call log
        purge_orcid_call_log()
        send_orcid_approval_digests()
        return counts, report


def _unknown_works():
    """``(iD, work)`` of works of ours that the last reconcile could not explain."""
    accounts_ = OrcidPushAccount.query.filter(
        OrcidPushAccount.unknown_works.isnot(None)
    ).order_by(OrcidPushAccount.orcid)
    return [
        (account.orcid, work)
        for account in accounts_
        for work in account.unknown_works or []
    ]


def _ledger_query(filters):
    """Ledger rows matching the list's filters (status, user, record, error code)."""
    query = OrcidWorkLedger.query
    for name, value in filters.items():
        condition = _LEDGER_FILTERS.get(name)
        value = (value or "").strip() if isinstance(value, str) else None
        if condition is not None and value:
            query = (
                condition(query, value) if storable(value) else query.filter(db.false())
            )
    return query


def _by_status(query, value):
    if value not in {s.value for s in SyncStatus}:
        return query
    return query.filter(OrcidWorkLedger.status == SyncStatus(value))


def _by_user(query, value):
    if value.isdigit():
        if int(value) > MAX_ID:
            return query.filter(db.false())
        return query.filter(OrcidWorkLedger.user_id == int(value))
    return query.join(User, User.id == OrcidWorkLedger.user_id).filter(
        db.func.lower(User.email) == value.lower()
    )


def _by_record(query, value):
    return query.filter(
        db.or_(OrcidWorkLedger.record_id == value, OrcidWorkLedger.parent_id == value)
    )


def _by_error_code(query, value):
    return query.filter(OrcidWorkLedger.error_code == value)


_LEDGER_FILTERS = {
    "status": _by_status,
    "user": _by_user,
    "record": _by_record,
    "error_code": _by_error_code,
}
"""One query condition per filter of the administration panel's list."""
