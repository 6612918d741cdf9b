"""ORCID rejecting many researchers' tokens at once: our settings, not their doing.

One researcher revoking access is normal: their link is marked revoked and
they are told. ORCID rejecting (401) the tokens of several *different*
researchers within minutes means a wrong host or wrong client credentials.
Then pushes pause instead: no link is marked revoked, no researcher is
e-mailed, links marked revoked within the window are active again, pushes
fail with a retryable reason naming the settings to check and are tried again
later, and administrators are told once.

The evidence is the call log (:class:`.models.OrcidCallLog`, every ORCID call
with its iD, status and time): the pause holds while
``ORCID_PUSH_TOKEN_REJECTIONS_PAUSE`` distinct iDs got a 401 (other than
9017, "not this client's record") within ``ORCID_PUSH_TOKEN_REJECTIONS_WINDOW``
seconds. No call is made while it holds, so it lifts by itself one window
after the last rejection and the next retries show whether the settings were
fixed. Because a single rejection cannot yet be told apart from the start of
such a wave, a researcher is e-mailed about a revoked link only once their
link has stayed revoked for a whole window without a pause
(:func:`send_held_link_notices`).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from celery import shared_task
from flask import current_app
from invenio_db import db
from sqlalchemy import or_

from .models import (
    LinkStatus,
    OrcidCallLog,
    OrcidPushAccount,
    OrcidWorkLedger,
    SyncStatus,
)
from .notifications import notify_admins_of_pause, notify_link_problem
from .reasons import Reason

logger = logging.getLogger(__name__)

PAUSED_CODE = "paused"
"""``error_code`` of a ledger row whose push waits for the pause to lift."""

_TOLD_KEY = "orcid-push:token-rejections-pause-told"
"""Cache key that keeps administrators from being told twice about one pause."""

TOLD_AGAIN_AFTER = timedelta(days=1)
"""A pause that lasts (settings still wrong) is told again at most once a day."""


@dataclass(frozen=True)
class Pause:
    """ORCID rejected the tokens of ``len(orcids)`` researchers since ``since``."""

    orcids: frozenset
    since: datetime
    minutes: int

    @property
    def reason(self):
        """The sentence on every paused push (the ledger and the admin panel)."""
        return Reason("paused", researchers=len(self.orcids), minutes=self.minutes)


def pause_settings(config):
    """``(distinct iDs, window)`` of the pause, or ``None`` when it is off."""
    threshold = config.get("ORCID_PUSH_TOKEN_REJECTIONS_PAUSE")
    seconds = config.get("ORCID_PUSH_TOKEN_REJECTIONS_WINDOW")
    if not threshold or not seconds:
        return None
    return int(threshold), timedelta(seconds=int(seconds))


def rejected_orcids(since):
    """The iDs whose token ORCID rejected (401, not 9017) since ``since``."""
    rows = (
        db.session.query(OrcidCallLog.orcid)
        .filter(
            OrcidCallLog.created >= since,
            OrcidCallLog.status == 401,
            OrcidCallLog.orcid.isnot(None),
            or_(OrcidCallLog.error_code.is_(None), OrcidCallLog.error_code != "9017"),
        )
        .distinct()
    )
    return frozenset(orcid for (orcid,) in rows)


def current_pause(now=None):
    """The pause in force, or ``None``."""
    settings = pause_settings(current_app.config)
    if settings is None:
        return None
    threshold, window = settings
    since = (now or datetime.now(timezone.utc)) - window
    orcids = rejected_orcids(since)
    if len(orcids) < threshold:
        return None
    return Pause(orcids, since, max(1, round(window.total_seconds() / 60)))


def enter_pause(pause):
    """Undo what the wave did to researchers' links and tell the administrators.

    Links marked revoked within the window for one of the rejected iDs are
    active again (their researchers were not e-mailed: the notice is held),
    and their failed rows say they wait for the pause (the nightly reconcile
    retries them). The caller commits.
    """
    restored = OrcidPushAccount.query.filter(
        OrcidPushAccount.link_status == LinkStatus.REVOKED,
        OrcidPushAccount.orcid.in_(sorted(pause.orcids)),
        OrcidPushAccount.updated >= pause.since,
        OrcidPushAccount.notified_at.is_(None),
    ).all()
    for account in restored:
        account.link_status = LinkStatus.ACTIVE
        account.link_problem = account.link_problem_params = None
    OrcidWorkLedger.query.filter(
        OrcidWorkLedger.status == SyncStatus.FAILED,
        OrcidWorkLedger.orcid.in_(sorted(pause.orcids)),
        OrcidWorkLedger.error_code.like("401%"),
        OrcidWorkLedger.updated >= pause.since,
    ).update(
        {
            "last_error": pause.reason,
            "error_params": pause.reason.stored(),
            "error_code": PAUSED_CODE,
        },
        synchronize_session="fetch",
    )
    if restored:
        logger.warning(
            "ORCID token rejections pause: links of users %s are active again.",
            [account.user_id for account in restored],
        )
    _tell_admins_once(pause)


def _tell_admins_once(pause):
    from invenio_cache import current_cache  # the app's cache, shared by workers

    try:
        first = current_cache.add(
            _TOLD_KEY, pause.since.isoformat(), timeout=TOLD_AGAIN_AFTER.total_seconds()
        )
    except Exception:  # no cache: better told twice than never
        logger.exception("Cache unavailable for the ORCID pause notice")
        first = True
    if first:
        logger.error("ORCID pushes paused: %s", pause.reason)
        notify_admins_of_pause(pause.reason)


def holds_link_notices():
    """Whether a revoked link's e-mail waits a window (the pause is on)."""
    return pause_settings(current_app.config) is not None


def hold_link_notice():
    """Send the researcher's notice once the window has passed (if still due).

    A message the broker refuses is left to the nightly reconcile, which sends
    held notices too: the push that marked the link must not fail for it.
    """
    config = current_app.config
    _, window = pause_settings(config)
    queue = config.get("ORCID_PUSH_CELERY_QUEUE")
    try:
        send_held_link_notices.apply_async(
            countdown=window.total_seconds() + 1, **({"queue": queue} if queue else {})
        )
    except Exception as exc:  # kombu raises several kinds of connection errors
        logger.warning("Could not schedule held link notices (%s).", type(exc).__name__)


@shared_task(ignore_result=True)
def send_held_link_notices(now=None):
    """E-mail researchers whose link has stayed revoked a whole window, no pause.

    Scheduled one window after a link is marked revoked, and run by the
    nightly reconcile in case that message was lost. Returns the users told.
    """
    settings = pause_settings(current_app.config)
    now = datetime.fromisoformat(now) if isinstance(now, str) else now
    now = now or datetime.now(timezone.utc)
    if settings is not None and current_pause(now) is not None:
        return []
    window = settings[1] if settings else timedelta(0)
    due = OrcidPushAccount.query.filter(
        OrcidPushAccount.link_status == LinkStatus.REVOKED,
        OrcidPushAccount.notified_at.is_(None),
        OrcidPushAccount.updated <= now - window,
    ).all()
    told = [account.user_id for account in due if notify_link_problem(account.user_id)]
    db.session.commit()
    return told
