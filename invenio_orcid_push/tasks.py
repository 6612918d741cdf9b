"""Celery tasks of invenio-orcid-push: they own the retries, nothing else.

Why every push task may run twice: the tasks acknowledge their message only
after the work is done (``acks_late``) and give it back when the worker dies
(``reject_on_worker_lost``), so a killed worker loses nothing; the price is
that a message may be delivered again after a push that was in fact done.
That is safe by design: a push decides from the ledger under the iD's lock
(a second run finds the work unchanged), and a work whose answer was lost is
found again through ORCID's duplicate check (409) and updated, not created
twice.
"""

import logging
import random
from datetime import datetime, timedelta, timezone

from celery import shared_task
from flask import current_app
from invenio_db import db

from .approvals import send_approval_digests
from .family import owner_of
from .invitations import send_invitations
from .models import OrcidCallLog
from .outbox import owe_push, postpone, settle, take_stale
from .resync import resync_inline
from .sync import sync_record
from .tokens import retire_link

logger = logging.getLogger(__name__)

AT_LEAST_ONCE = {"acks_late": True, "reject_on_worker_lost": True}
"""Options of every task that writes to ORCID (see the module's docstring)."""

PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5}
"""A broker that does not answer within a second or two is left to the sweep:
the depositor's request must not hang on it."""


def task_options(app=None):
    """Where our messages go: ``ORCID_PUSH_CELERY_QUEUE`` (Celery's default if unset)."""
    queue = (app or current_app).config.get("ORCID_PUSH_CELERY_QUEUE")
    return {"queue": queue} if queue else {}


def send(task, *args, countdown=None, **kwargs):
    """Send a task message to our queue; ``False`` if the broker refused it.

    Only for messages backed by the outbox or by a later retry: the failure is
    logged (without the arguments' secrets: there are none) and the sweep
    sends the push again later.
    """
    try:
        task.apply_async(
            args=args,
            kwargs=kwargs,
            countdown=countdown,
            retry_policy=PUBLISH_RETRY_POLICY,
            **task_options(),
        )
    except Exception as exc:  # kombu raises several kinds of connection errors
        logger.warning(
            "Could not send %s for %s (%s); the outbox sweep will send it again.",
            task.name,
            args[:1],
            exc.__class__.__name__,
        )
        return False
    return True


def backoff_delay(attempt):
    """Exponential backoff with jitter, in seconds: between half and all of
    ``base * 2**attempt``, capped."""
    config = current_app.config
    ceiling = min(
        config["ORCID_PUSH_RETRY_BACKOFF_MAX"],
        config["ORCID_PUSH_RETRY_BACKOFF"] * 2**attempt,
    )
    return random.uniform(ceiling / 2, ceiling)


@shared_task(ignore_result=True, **AT_LEAST_ONCE)
def push_record_to_orcid(
    record_id, force=False, attempt=0, force_for=None, outbox=None
):
    """Bring the ORCID records that should show a record's family up to date.

    Retries with backoff while ORCID is unavailable and waits while the DOI is
    not registered yet; gives up after the configured number of attempts,
    leaving the reason in the ledger for a later resync.

    The attempt travels as an argument: with Flask-CeleryExt's task class
    ``self.request.retries`` is not reliable. ``force_for`` (a user id) is that
    user's own "sync now"; ``force=True`` (messages queued by earlier versions)
    is the depositor's. ``outbox`` is the token of the outbox row that
    promised this push: settled when nothing is left to try, postponed while
    a retry is scheduled.
    """
    if force and force_for is None:
        force_for = owner_of(record_id)
    report = sync_record(record_id, attempt=attempt, force_for=force_for)
    countdown = _next_try(report, attempt, current_app.config)
    if countdown is not None:
        postpone(outbox, countdown)
        _again(record_id, force_for, attempt, countdown, outbox)
        return
    settle(outbox)
    if report.waiting_for_doi:
        logger.warning("Record %s: DOI still not registered, not pushed.", record_id)


def _next_try(report, attempt, config):
    """Seconds until the next try, or ``None`` when there is nothing left to try.

    Waiting for the DOI and a passing failure elsewhere (a busy lock) are
    independent: running out of DOI checks does not drop the other retry.
    """
    if report.waiting_for_doi and attempt < config["ORCID_PUSH_DOI_WAIT_RETRIES"]:
        return config["ORCID_PUSH_DOI_WAIT"]
    if report.retry and attempt < config["ORCID_PUSH_MAX_RETRIES"]:
        return backoff_delay(attempt)
    return None


def _again(record_id, force_for, attempt, countdown, outbox):
    send(
        push_record_to_orcid,
        record_id,
        countdown=countdown,
        force_for=force_for,
        attempt=attempt + 1,
        outbox=outbox,
    )


def schedule_push(record_id, force_for=None):
    """Push a record soon, outside a record service call ("sync now", backfill...).

    Written to the outbox and committed first, so that the push happens even
    if the message is lost.
    """
    token = owe_push(record_id, force_for)
    db.session.commit()
    return send(push_record_to_orcid, record_id, force_for=force_for, outbox=token)


@shared_task(ignore_result=True, **AT_LEAST_ONCE)
def sweep_stale_orcid_pushes():
    """Send again the pushes owed for longer than ``ORCID_PUSH_STALE_AFTER``.

    Their message was lost (broker down at commit, a worker killed before it
    ran, a queue purged). Scheduled by the plugin with Celery beat every
    ``ORCID_PUSH_SWEEP_INTERVAL`` and run by the nightly reconcile; returns
    how many were sent.
    """
    stale = take_stale()
    for record_id, user_id, token in stale:
        send(push_record_to_orcid, record_id, force_for=user_id, outbox=token)
    if stale:
        logger.info("Sent %s owed ORCID push(es) again.", len(stale))
    return len(stale)


@shared_task(ignore_result=True, **AT_LEAST_ONCE)
def push_records_to_orcid(record_ids, full=False):
    """A chunk of a bulk resync: sync each record in turn (retries go on their own).

    Unless ``full``, versions where nothing changed since their last sync are
    skipped without reading them (:func:`.resync.unchanged_among`).
    """
    resync_inline(record_ids, full=full, retry=retry_later)


def queue_resync_chunk(record_ids, full=False):
    """Queue a chunk of a bulk resync (a broker error reaches the administrator)."""
    push_records_to_orcid.apply_async(
        args=(record_ids,), kwargs={"full": full}, **task_options()
    )


def retry_later(record_id):
    """Try a record again after a passing failure (ORCID down, lock busy)."""
    countdown = backoff_delay(0)
    token = owe_push(record_id)
    postpone(token, countdown)  # commits the row, due at the retry
    send(push_record_to_orcid, record_id, countdown=countdown, attempt=1, outbox=token)


@shared_task(ignore_result=True, **AT_LEAST_ONCE)
def invite_unlinked_creators(record_id, attempt=0):
    """Invite, through ORCID's inbox, the creators listed on a record who linked no
    account here (``ORCID_PUSH_NOTIFY_UNLINKED``); retried like a push while
    ORCID is unavailable."""
    config = current_app.config
    report = send_invitations(
        record_id, final_attempt=attempt >= config["ORCID_PUSH_MAX_RETRIES"]
    )
    if report.retry and attempt < config["ORCID_PUSH_MAX_RETRIES"]:
        send(
            invite_unlinked_creators,
            record_id,
            countdown=backoff_delay(attempt),
            attempt=attempt + 1,
        )


@shared_task(ignore_result=True, **AT_LEAST_ONCE)
def retire_orcid_link(user_id, attempt=0):
    """End the ORCID link of a user an administrator blocked (``moderation.py``):
    works removed if ``ORCID_PUSH_ON_USER_DELETION`` is ``"remove"``, the token
    revoked at ORCID; retried with backoff while ORCID cannot be told."""
    _, revoked = retire_link(user_id)
    if revoked:
        return
    if attempt < current_app.config["ORCID_PUSH_MAX_RETRIES"]:
        send(
            retire_orcid_link,
            user_id,
            countdown=backoff_delay(attempt),
            attempt=attempt + 1,
        )
    else:
        logger.warning("Gave up revoking the ORCID token of blocked user %s.", user_id)


@shared_task(ignore_result=True)
def purge_orcid_call_log():
    """Delete ORCID call log entries older than the retention period."""
    days = current_app.config["ORCID_PUSH_CALL_LOG_RETENTION_DAYS"]
    cutoff = datetime.now(timezone.utc) - timedelta(days=days)
    deleted = OrcidCallLog.query.filter(OrcidCallLog.created < cutoff).delete(
        synchronize_session=False
    )
    db.session.commit()
    return deleted


@shared_task(ignore_result=True)
def send_orcid_approval_digests():
    """Tell researchers about records that wait for their approval (daily digest).

    Part of the nightly reconcile; an instance may also schedule it with
    Celery beat (hourly is enough: each researcher gets one message a day).
    """
    return send_approval_digests()
