"""The sync ledger: what this repository has written to which ORCID record."""

import enum
from datetime import datetime, timezone

from invenio_db import db
from sqlalchemy_utils import ChoiceType

from .reasons import stored_params


class SyncStatus(enum.Enum):
    """Where a record family stands on one ORCID record."""

    PENDING = "pending"
    """A push is scheduled or in progress."""

    SYNCED = "synced"
    """ORCID holds the work as we last sent it."""

    FAILED = "failed"
    """ORCID or the network refused the last attempt; ``last_error`` says why."""

    INVALID = "invalid"
    """The record cannot become a valid ORCID work; ``last_error`` says why."""

    REMOVED = "removed"
    """Not on ORCID because the record is not public (restricted, deleted, ...)."""

    REMOVED_BY_RESEARCHER = "removed-by-researcher"
    """The researcher deleted the work on ORCID; it is not sent again unless asked."""


class LinkStatus(enum.Enum):
    """Whether a user's ORCID link can be used to write."""

    ACTIVE = "active"
    REVOKED = "revoked"
    """ORCID answered 401: the researcher revoked access or the token expired."""

    NEEDS_PERMISSION = "needs-permission"
    """ORCID answered 403: the link lacks ``/activities/update``."""

    MOVED = "moved"
    """ORCID answered 301/9007: the iD was deprecated in favour of another."""

    SUSPENDED = "suspended"
    """An administrator blocked the user: their token was revoked at ORCID
    (``moderation.py``); only a new authorization makes the link active."""


class RecordsByOthers:
    """A researcher's choice for public records deposited by others that list them."""

    AUTOMATIC = "automatic"
    """Sent like their own records."""
    ASK = "ask"
    """Each waits for their approval (``awaiting-approval``)."""
    NEVER = "never"
    """Never sent (each can still be approved one by one)."""

    CHOICES = (AUTOMATIC, ASK, NEVER)


class Consent(enum.Enum):
    """A researcher's decision about one record family that lists them."""

    PENDING = "pending"
    """Waiting for their decision; they were told (``notified_at``)."""
    APPROVED = "approved"
    DISMISSED = "dismissed"


class OrcidPushConsent(db.Model, db.Timestamp):
    """One user's decision about one record family that lists their linked iD.

    A family deposited by someone else reaches a researcher who chose ``ask``
    only once approved; a dismissed family is never sent (and is removed).
    """

    __tablename__ = "orcid_push_consent"

    user_id = db.Column(
        db.Integer,
        db.ForeignKey("accounts_user.id", ondelete="CASCADE"),
        primary_key=True,
    )
    parent_id = db.Column(db.String(255), primary_key=True)
    """The family's ledger key (parent id, or record id in per-version mode)."""

    decision = db.Column(
        ChoiceType(Consent, impl=db.String(16)),
        nullable=False,
        default=Consent.PENDING,
    )
    notified_at = db.Column(db.UTCDateTime, nullable=True)
    """When the user was told the family waits for them (once)."""

    @classmethod
    def decisions_for(cls, parent_id):
        """``{user id: Consent}`` of a family."""
        rows = cls.query.filter_by(parent_id=parent_id)
        return {row.user_id: row.decision for row in rows}

    @classmethod
    def decide(cls, user_id, parent_id, decision):
        """Record ``decision`` (the caller commits)."""
        row = db.session.get(cls, (user_id, parent_id))
        if row is None:
            row = cls(user_id=user_id, parent_id=parent_id)
            db.session.add(row)
        row.decision = decision
        return row


class OrcidPushAccount(db.Model, db.Timestamp):
    """A user's ORCID push preferences and the health of their ORCID link.

    A user without a row has the defaults: automatic sync on, records where
    they are a creator included, link active.
    """

    __tablename__ = "orcid_push_account"

    user_id = db.Column(
        db.Integer,
        db.ForeignKey("accounts_user.id", ondelete="CASCADE"),
        primary_key=True,
    )

    orcid = db.Column(db.String(19), nullable=True)
    """The iD the link status refers to (a new link resets the status)."""

    auto_sync = db.Column(db.Boolean, nullable=False, default=True)
    """Push the user's public records automatically."""

    records_by_others = db.Column(db.String(16), nullable=True)
    """What happens with public records deposited by others that list the user's
    linked iD: ``automatic``, ``ask`` or ``never`` (:class:`RecordsByOthers`);
    ``None``: ``ORCID_PUSH_RECORDS_BY_OTHERS_DEFAULT``."""

    link_status = db.Column(
        ChoiceType(LinkStatus, impl=db.String(32)),
        nullable=False,
        default=LinkStatus.ACTIVE,
    )

    link_problem = db.Column(db.Text, nullable=True)
    """What is wrong with the link, in English; the researcher reads it worded
    from ``link_problem_params`` in their language."""

    link_problem_params = db.Column(db.JSON(none_as_null=True), nullable=True)
    """The problem's reason key and parameters (see ``reasons``); ``None``:
    ``link_problem`` is shown as stored."""

    moved_to = db.Column(db.String(19), nullable=True)
    """The iD ORCID merged a deprecated iD into."""

    granted_scopes = db.Column(db.String(255), nullable=True)
    """Scopes ORCID granted at the last authorization (space separated);
    ``None`` when the link was made before this plugin saw it."""

    notified_at = db.Column(db.UTCDateTime, nullable=True)
    """When the researcher was told about the current link problem."""

    linked_at = db.Column(db.UTCDateTime, nullable=True)
    """When the current iD was linked: records published before are sent
    only on request (``include_existing``)."""

    include_existing = db.Column(db.Boolean, nullable=False, default=False)
    """The researcher asked to send records published before linking."""

    checked_at = db.Column(db.UTCDateTime, nullable=True)
    """When the reconcile last read the works ORCID holds for this link
    (``reconcile.py``); ``None``: never."""

    unknown_works = db.Column(db.JSON(none_as_null=True), nullable=True)
    """Works of ours that ORCID holds for this link and that no record family
    of ours explains, as the last reconcile found them (``[{"put_code",
    "title", "ids"}]``): reported to administrators, never deleted."""

    @property
    def can_update_orcid(self):
        """Whether the link is known to carry ``/activities/update``
        (``None``: unknown, the link is tried)."""
        if self.granted_scopes is None:
            return None
        return "/activities/update" in self.granted_scopes.split()

    @classmethod
    def get(cls, user_id):
        """The user's row, or ``None`` (defaults apply)."""
        return db.session.get(cls, user_id)

    @classmethod
    def get_or_create(cls, user_id):
        """The user's row, created with the defaults if missing."""
        account = cls.get(user_id)
        if account is None:
            account = cls(
                user_id=user_id,
                auto_sync=True,
                include_existing=False,
                link_status=LinkStatus.ACTIVE,
            )
            db.session.add(account)
        return account

    @property
    def include_as_creator(self):
        """The boolean of earlier versions: records by others sent automatically."""
        return self.records_by_others == RecordsByOthers.AUTOMATIC

    @include_as_creator.setter
    def include_as_creator(self, value):
        self.records_by_others = (
            RecordsByOthers.AUTOMATIC if value else RecordsByOthers.NEVER
        )

    def usable_for(self, orcid):
        """Whether pushes to ``orcid`` may be attempted through this link."""
        return self.orcid != orcid or self.link_status == LinkStatus.ACTIVE

    def mark_link_problem(self, orcid, status, problem, moved_to=None):
        """ORCID refused the link to ``orcid``: stop using it until relinked."""
        if self.link_status != status or self.orcid != orcid:
            self.notified_at = None
        self.orcid = orcid
        self.link_status = status
        self.link_problem = problem
        self.link_problem_params = stored_params(problem)
        self.moved_to = moved_to

    def mark_authorized(self, orcid, scopes):
        """ORCID just granted ``scopes`` for ``orcid``: the link is healthy again."""
        if self.orcid != orcid or self.linked_at is None:
            self.linked_at = datetime.now(timezone.utc)
            self.include_existing = False
        self.orcid = orcid
        self.granted_scopes = " ".join(sorted(set(scopes.split()))) if scopes else None
        self.link_status = LinkStatus.ACTIVE
        self.link_problem = self.link_problem_params = None
        self.moved_to = None
        self.notified_at = None


class OrcidWorkLedger(db.Model, db.Timestamp):
    """One row per (ORCID iD, record family): the work this repository keeps there."""

    __tablename__ = "orcid_push_ledger"
    __table_args__ = (
        db.UniqueConstraint(
            "orcid", "parent_id", name="uq_orcid_push_ledger_orcid_parent_id"
        ),
    )

    id = db.Column(db.Integer, primary_key=True)

    orcid = db.Column(db.String(19), nullable=False, index=True)
    """The bare ORCID iD the work is written to."""

    parent_id = db.Column(db.String(255), nullable=False, index=True)
    """The record family: the id of the records' parent (shared by all versions)."""

    record_id = db.Column(db.String(255), nullable=False)
    """The record (version) whose content was last sent or attempted."""

    user_id = db.Column(
        db.Integer,
        db.ForeignKey("accounts_user.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    )
    """The repository user whose ORCID link is used."""

    put_code = db.Column(db.String(32), nullable=True)
    """ORCID's identifier of the work on that ORCID record, once created."""

    status = db.Column(
        ChoiceType(SyncStatus, impl=db.String(32)),
        nullable=False,
        default=SyncStatus.PENDING,
        index=True,
    )

    payload_hash = db.Column(db.String(64), nullable=True)
    """SHA-256 of the work payload ORCID last accepted."""

    last_error = db.Column(db.Text, nullable=True)
    """The reason of the last failure in English (logs, CLI); people read it
    worded from ``error_params`` in their language (``reasons.reason_of``)."""

    error_code = db.Column(db.String(40), nullable=True)
    """Machine-readable cause of the last failure (HTTP status / ORCID error code)."""

    error_params = db.Column(db.JSON(none_as_null=True), nullable=True)
    """The reason's key and parameters (``{"reason": ..., "outcome": ...,
    ...}``), worded when shown; ``None`` for rows written before (their
    ``last_error`` is shown as stored)."""

    attempts = db.Column(db.Integer, nullable=False, default=0)
    """Calls to ORCID made for this row."""

    synced_at = db.Column(db.UTCDateTime, nullable=True)
    """When ORCID last accepted the work."""

    self_id = db.Column(db.String(1024), nullable=True)
    """``type:value`` of the work's ``self`` identifier when last sent, to find
    the work again on ORCID when its put-code was lost."""

    contributors_shown = db.Column(db.Integer, nullable=True)
    """How many contributors the work on ORCID shows, when it leaves some of the
    record's out (``ORCID_PUSH_MAX_CONTRIBUTORS``, ORCID's body limit);
    ``None`` when it shows them all."""

    contributors_total = db.Column(db.Integer, nullable=True)
    """How many contributors the record has, when the work leaves some out.
    Numbers, not a sentence: the note is worded in the reader's language
    (``invenio_orcid_push.notes``)."""

    ids_left_out = db.Column(db.JSON, nullable=True)
    """The record's identifiers (``"type:value"``) the work on ORCID leaves out
    because another work of this repository on that ORCID record holds them
    as its own (ORCID refuses a second one: 409/9021); ``None`` when none is.
    Identifiers, not a sentence (``invenio_orcid_push.notes`` words it)."""

    other_sources = db.Column(db.JSON(none_as_null=True), nullable=True)
    """Names of the other sources (e.g. DataCite, Crossref) whose works on this
    ORCID record cite the family's DOI or landing page, as the last reconcile
    read them; ORCID shows them grouped with ours. ``None``: none known."""

    @classmethod
    def get(cls, orcid, parent_id):
        """Return the row of an ORCID iD and a record family, or ``None``."""
        return cls.query.filter_by(orcid=orcid, parent_id=parent_id).one_or_none()

    @classmethod
    def get_or_create(cls, orcid, parent_id, record_id, user_id):
        """Return the row, creating it (pending) if it is new."""
        entry = cls.get(orcid, parent_id)
        if entry is None:
            entry = cls(
                orcid=orcid,
                parent_id=parent_id,
                record_id=record_id,
                user_id=user_id,
                status=SyncStatus.PENDING,
                attempts=0,
            )
            db.session.add(entry)
        else:
            entry.record_id = record_id
            entry.user_id = user_id
        return entry

    def mark_synced(self, put_code, payload_hash, contributors=None, ids_left_out=None):
        """ORCID holds the work as ``payload_hash`` under ``put_code``.

        ``contributors`` is ``(shown, total)`` when the work leaves some of
        the record's contributors out; ``ids_left_out`` the identifiers
        (``"type:value"``) it leaves out because another of our works has them.
        """
        self.contributors_shown, self.contributors_total = contributors or (None, None)
        self.ids_left_out = list(ids_left_out) if ids_left_out else None
        self.put_code = str(put_code)
        self.payload_hash = payload_hash
        self.status = SyncStatus.SYNCED
        self.note_reason(None, None)
        self.synced_at = datetime.now(timezone.utc)

    def note_reason(self, reason, error_code):
        """Keep ``reason`` (a :class:`~.reasons.Reason` or a sentence) and its code."""
        self.last_error = reason
        self.error_params = stored_params(reason)
        self.error_code = error_code

    def mark_failed(self, reason, error_code=None):
        """The last attempt failed for ``reason``."""
        self.status = SyncStatus.FAILED
        self.note_reason(reason, error_code)

    def mark_invalid(self, reason):
        """The record cannot be sent as a work, for ``reason``."""
        self.status = SyncStatus.INVALID
        self.note_reason(reason, "invalid-work")

    def mark_removed(self, by_researcher=False):
        """The work is no longer on ORCID."""
        self.put_code = None
        self.payload_hash = None
        self.status = (
            SyncStatus.REMOVED_BY_RESEARCHER if by_researcher else SyncStatus.REMOVED
        )
        self.contributors_shown = self.contributors_total = None
        self.ids_left_out = None
        self.note_reason(None, None)


class InvitationStatus(enum.Enum):
    """What came of inviting a researcher who has not linked their iD."""

    SENT = "sent"
    """ORCID put the permission notification in the researcher's inbox."""

    OPTED_OUT = "opted-out"
    """ORCID answered 409/9032: no notification from us reaches this iD, ever."""

    FAILED = "failed"
    """ORCID refused or stayed unavailable; ``last_error`` says why."""


class OrcidPushInvitation(db.Model, db.Timestamp):
    """One ORCID inbox invitation per (ORCID iD, record family), whatever came of it.

    The row is what keeps an iD from being invited twice for a family, the
    ``sent_at`` of its rows what spaces invitations to one iD, and an
    ``opted-out`` row what stops all of them.
    """

    __tablename__ = "orcid_push_invitation"
    __table_args__ = (
        db.UniqueConstraint(
            "orcid", "parent_id", name="uq_orcid_push_invitation_orcid_parent_id"
        ),
    )

    id = db.Column(db.Integer, primary_key=True)

    orcid = db.Column(db.String(19), nullable=False, index=True)
    """The bare ORCID iD invited (listed on the record, linked by no user)."""

    parent_id = db.Column(db.String(255), nullable=False)
    """The record family (parent id) shown as the notification's item."""

    record_id = db.Column(db.String(255), nullable=False)
    """The record (version) described in the notification."""

    status = db.Column(
        ChoiceType(InvitationStatus, impl=db.String(32)),
        nullable=False,
    )

    sent_at = db.Column(db.UTCDateTime, nullable=True)
    """When ORCID accepted the notification (``None`` unless sent)."""

    put_code = db.Column(db.String(32), nullable=True)
    """ORCID's identifier of the notification in the researcher's inbox."""

    last_error = db.Column(db.Text, nullable=True)
    """Plain-words reason when not sent, for people to read."""

    error_code = db.Column(db.String(40), nullable=True)
    """HTTP status / ORCID error code when not sent (``409/9032``: opted out)."""


class OrcidCallLog(db.Model):
    """One call to ORCID: for the admin views and troubleshooting (never a token)."""

    __tablename__ = "orcid_push_call_log"

    id = db.Column(db.Integer, primary_key=True)
    created = db.Column(
        db.UTCDateTime,
        nullable=False,
        index=True,
        default=lambda: datetime.now(timezone.utc),
    )
    ledger_id = db.Column(
        db.Integer,
        db.ForeignKey("orcid_push_ledger.id", ondelete="SET NULL"),
        nullable=True,
        index=True,
    )
    orcid = db.Column(db.String(19), nullable=True)
    method = db.Column(db.String(10), nullable=False)
    path = db.Column(db.String(255), nullable=False)
    status = db.Column(db.Integer, nullable=True)
    """HTTP status; ``None`` when ORCID did not answer."""
    error_code = db.Column(db.String(40), nullable=True)
    duration_ms = db.Column(db.Float, nullable=False)


class OrcidPushOutbox(db.Model, db.Timestamp):
    """A push owed to ORCID, written in the same transaction as the change.

    The Celery message that carries out the push is sent only after commit
    and can be lost (broker down, worker killed before it ran). The row is
    the durable promise: the task deletes it when done, and the sweep
    (:func:`.outbox.sweep_stale_pushes`) re-sends what stays due too long.
    """

    __tablename__ = "orcid_push_outbox"

    id = db.Column(db.Integer, primary_key=True, autoincrement=True)
    record_id = db.Column(db.String(255), nullable=False, index=True)
    user_id = db.Column(
        db.Integer,
        db.ForeignKey("accounts_user.id", ondelete="CASCADE"),
        nullable=True,
    )
    """The user whose own "sync now" this is (the task's ``force_for``)."""

    token = db.Column(db.String(32), nullable=False, unique=True)
    """Travels with the message: only the task of the latest request settles it."""

    due_at = db.Column(db.UTCDateTime, nullable=False, index=True)
    """When the push should have run by (moved on by each scheduled retry)."""


class OrcidWorkImport(db.Model, db.Timestamp):
    """An ORCID work a researcher imported as a draft: which put-code became which.

    Answers "already imported" (409) naming the draft, and the works list's
    ``record`` of a work whose draft is not published yet. A row whose draft was
    discarded before publication no longer counts (the work can be imported again).
    """

    __tablename__ = "orcid_push_work_import"

    orcid = db.Column(db.String(19), primary_key=True)
    put_code = db.Column(db.String(32), primary_key=True)
    user_id = db.Column(
        db.Integer,
        db.ForeignKey("accounts_user.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    )
    record_id = db.Column(db.String(255), nullable=False, index=True)
    """The draft's id (the record's, once published)."""
