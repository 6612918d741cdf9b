"""Celery tasks of invenio-orcid-push: they own the retries, nothing else."""

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
from .resync import resync_inline
from .sync import sync_record

logger = logging.getLogger(__name__)


def backoff_delay(attempt):
    """Exponential backoff with jitter, in seconds: between half and all of
    ``base * 2**attempt``, capped."""
    config = current_app.config
    ceiling = min(
        config["ORCID_PUSH_RETRY_BACKOFF_MAX"],
        config["ORCID_PUSH_RETRY_BACKOFF"] * 2**attempt,
    )
    return random.uniform(ceiling / 2, ceiling)


@shared_task(ignore_result=True)
def push_record_to_orcid(record_id, force=False, attempt=0, force_for=None):
    """Bring the ORCID records that should show a record's family up to date.

    Retries with backoff while ORCID is unavailable and waits while the DOI is
    not registered yet; gives up after the configured number of attempts,
    leaving the reason in the ledger for a later resync.

    The attempt travels as an argument: with Flask-CeleryExt's task class
    ``self.request.retries`` is not reliable. ``force_for`` (a user id) is that
    user's own "sync now"; ``force=True`` (messages queued by earlier versions)
    is the depositor's.
    """
    if force and force_for is None:
        force_for = owner_of(record_id)
    report = sync_record(record_id, attempt=attempt, force_for=force_for)
    countdown = _next_try(report, attempt, current_app.config)
    if countdown is not None:
        _again(record_id, force_for, attempt, countdown)
    elif report.waiting_for_doi:
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


def _again(record_id, force_for, attempt, countdown):
    push_record_to_orcid.apply_async(
        args=(record_id,),
        kwargs={"force_for": force_for, "attempt": attempt + 1},
        countdown=countdown,
    )


@shared_task(ignore_result=True)
def push_records_to_orcid(record_ids, full=False):
    """A chunk of a bulk resync: sync each record in turn (retries go on their own).

    Unless ``full``, versions where nothing changed since their last sync are
    skipped without reading them (:func:`.resync.unchanged_among`).
    """
    resync_inline(record_ids, full=full, retry=retry_later)


def retry_later(record_id):
    """Try a record again after a passing failure (ORCID down, lock busy)."""
    push_record_to_orcid.apply_async(
        args=(record_id,), kwargs={"attempt": 1}, countdown=backoff_delay(0)
    )


@shared_task(ignore_result=True)
def invite_unlinked_creators(record_id, attempt=0):
    """Invite, through ORCID's inbox, the creators listed on a record who linked no
    account here (``ORCID_PUSH_NOTIFY_UNLINKED``); retried like a push while
    ORCID is unavailable."""
    config = current_app.config
    report = send_invitations(
        record_id, final_attempt=attempt >= config["ORCID_PUSH_MAX_RETRIES"]
    )
    if report.retry and attempt < config["ORCID_PUSH_MAX_RETRIES"]:
        invite_unlinked_creators.apply_async(
            args=(record_id,),
            kwargs={"attempt": attempt + 1},
            countdown=backoff_delay(attempt),
        )


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
