"""The outbox: a push owed to ORCID is written down before its message is sent.

A Celery message is sent after the database commits, so a broker that is
down at that moment, or a worker killed before it ran the task, would lose
the push silently. Instead, the change and the promise to push commit
together (:func:`owe_push`, in the publishing transaction); the task settles
the promise when it is done (:func:`settle`), and a periodic sweep
(:func:`take_stale`) sends again whatever stays owed for longer than
``ORCID_PUSH_STALE_AFTER``. Sending twice is harmless: the push decides from
the ledger and ORCID's state, so a second run finds nothing to change.

Only the database lives here; ``tasks`` sends the messages.
"""

import uuid
from datetime import datetime, timedelta, timezone

from flask import current_app
from invenio_db import db

from .models import OrcidPushOutbox


def _now():
    return datetime.now(timezone.utc)


def as_timedelta(value):
    """A duration setting given as a ``timedelta`` or a number of seconds."""
    return value if isinstance(value, timedelta) else timedelta(seconds=value)


def stale_after():
    """How long a push may stay owed before the sweep sends it again."""
    return as_timedelta(current_app.config["ORCID_PUSH_STALE_AFTER"])


def owe_push(record_id, user_id=None):
    """Write down, in the caller's transaction, that ``record_id`` must be pushed.

    One row per record (and per user asking for their own "sync now"): a newer
    request replaces the token, so only the newest message settles it.
    Returns the token the message carries.
    """
    row = OrcidPushOutbox.query.filter_by(record_id=record_id, user_id=user_id).first()
    if row is None:
        row = OrcidPushOutbox(record_id=record_id, user_id=user_id)
        db.session.add(row)
    row.token = uuid.uuid4().hex
    row.due_at = _now()
    return row.token


def settle(token):
    """The push of ``token`` is done: forget it (a newer request stays)."""
    if token is None:
        return
    OrcidPushOutbox.query.filter_by(token=token).delete(synchronize_session=False)
    db.session.commit()


def postpone(token, seconds):
    """A retry is scheduled in ``seconds``: the push is not stale before then."""
    if token is None:
        return
    OrcidPushOutbox.query.filter_by(token=token).update(
        {"due_at": _now() + timedelta(seconds=seconds)}, synchronize_session=False
    )
    db.session.commit()


def _stale_query(now):
    return OrcidPushOutbox.query.filter(OrcidPushOutbox.due_at < now - stale_after())


def take_stale(limit=1000):
    """Pushes owed for too long, marked as just sent again.

    Each is due again now, so the next sweep sends it once more only if this
    message is lost too. Returns ``(record_id, user_id, token)`` tuples.
    """
    now = _now()
    rows = _stale_query(now).order_by(OrcidPushOutbox.due_at).limit(limit).all()
    taken = [(row.record_id, row.user_id, row.token) for row in rows]
    for row in rows:
        row.due_at = now
    db.session.commit()
    return taken


def stale_record_ids():
    """Ids of records whose push is owed for longer than ``ORCID_PUSH_STALE_AFTER``."""
    rows = (
        _stale_query(_now())
        .with_entities(OrcidPushOutbox.record_id)
        .distinct()
        .order_by(OrcidPushOutbox.record_id)
    )
    return [record_id for (record_id,) in rows]


def counts():
    """``(owed, stale)``: pushes written down and not done, and those overdue."""
    return OrcidPushOutbox.query.count(), _stale_query(_now()).count()
