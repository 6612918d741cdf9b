"""How far researchers took up ORCID pushes: the figures administrators see.

Counted in the database, with queries that run the same on PostgreSQL and
SQLite: links of our ORCID client (invenio-oauthclient's ``RemoteAccount``),
links that can write, works on ORCID, records waiting for a researcher's
approval, failures by reason, and a week-by-week table (one query per
figure, a ``CASE`` sum per week, so the database does the grouping and
nothing grows with the number of rows).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from invenio_db import db
from invenio_oauthclient.models import RemoteAccount

from .links import orcid_client_id
from .models import (
    Consent,
    LinkStatus,
    OrcidPushAccount,
    OrcidPushConsent,
    OrcidWorkLedger,
    SyncStatus,
)

WRITE_SCOPE = "/activities/update"
"""The scope that lets us add works to a researcher's ORCID record."""

UNKNOWN_REASON = "unknown"
"""The reason shown for a failed row without an error code."""


@dataclass(frozen=True)
class Week:
    """One row of the table over time: the week starting on ``start`` (a Monday)."""

    start: object
    new_links: int
    works_synced: int


def _linked():
    """Remote accounts of our ORCID client, with the user's push account if any."""
    return (
        db.session.query(RemoteAccount)
        .outerjoin(OrcidPushAccount, OrcidPushAccount.user_id == RemoteAccount.user_id)
        .filter(RemoteAccount.client_id == orcid_client_id())
    )


def _can_write():
    """A link that is healthy and known to write: ORCID granted the update
    scope, or (scopes not recorded, e.g. linked before the plugin) a work was
    written with it."""
    synced = db.exists().where(
        OrcidWorkLedger.user_id == RemoteAccount.user_id,
        OrcidWorkLedger.status == SyncStatus.SYNCED,
    )
    return db.and_(
        db.or_(
            OrcidPushAccount.user_id.is_(None),
            OrcidPushAccount.link_status == LinkStatus.ACTIVE,
        ),
        db.or_(
            OrcidPushAccount.granted_scopes.like(f"%{WRITE_SCOPE}%"),
            db.and_(OrcidPushAccount.granted_scopes.is_(None), synced),
        ),
    )


def _count(query):
    return query.with_entities(
        db.func.count(db.distinct(RemoteAccount.user_id))
    ).scalar()


def failures_by_reason():
    """``[(error code, failed rows)]``, most frequent first."""
    code = db.func.coalesce(OrcidWorkLedger.error_code, UNKNOWN_REASON)
    number = db.func.count()
    rows = (
        db.session.query(code, number)
        .filter(OrcidWorkLedger.status == SyncStatus.FAILED)
        .group_by(code)
        .order_by(number.desc(), code)
    )
    return [(reason, count) for reason, count in rows]


def week_starts(weeks, now=None):
    """The Mondays (00:00 UTC) of the last ``weeks`` weeks, oldest first,
    the current week last."""
    today = (now or datetime.now(timezone.utc)).date()
    monday = datetime.combine(
        today - timedelta(days=today.weekday()), time(), tzinfo=timezone.utc
    )
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def _per_week(query, column, starts):
    """Rows of ``query`` per week, ``column`` telling each row's moment."""
    ends = starts[1:] + [starts[-1] + timedelta(weeks=1)]
    sums = [
        db.func.sum(db.case((db.and_(column >= start, column < end), 1), else_=0))
        for start, end in zip(starts, ends)
    ]
    row = query.with_entities(*sums).filter(column >= starts[0]).one()
    return [int(value or 0) for value in row]


def over_time(weeks, now=None):
    """New links and works synced in each of the last ``weeks`` weeks.

    A link's moment is when the researcher (re)linked this iD
    (``OrcidPushAccount.linked_at``), else the remote account's creation; a
    work's is its last successful sync (``OrcidWorkLedger.synced_at``), so a
    work updated again counts in the later week.
    """
    starts = week_starts(weeks, now)
    linked_at = db.func.coalesce(OrcidPushAccount.linked_at, RemoteAccount.created)
    links = _per_week(_linked(), linked_at, starts)
    synced = _per_week(
        OrcidWorkLedger.query.filter(OrcidWorkLedger.status == SyncStatus.SYNCED),
        OrcidWorkLedger.synced_at,
        starts,
    )
    return [
        Week(start.date(), new, works)
        for start, new, works in zip(starts, links, synced)
    ]


def uptake(weeks, now=None):
    """Every uptake figure: ``linked``, ``can_write``, ``works_on_orcid``,
    ``awaiting_approval``, ``failures`` (by reason) and ``weeks``."""
    awaiting = OrcidPushConsent.query.filter(
        OrcidPushConsent.decision == Consent.PENDING
    )
    return {
        "linked": _count(_linked()),
        "can_write": _count(_linked().filter(_can_write())),
        "works_on_orcid": OrcidWorkLedger.query.filter(
            OrcidWorkLedger.status == SyncStatus.SYNCED
        ).count(),
        "awaiting_approval": awaiting.count(),
        "failures": failures_by_reason(),
        "weeks": over_time(weeks, now),
    }
