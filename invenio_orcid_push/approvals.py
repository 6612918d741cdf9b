"""Telling researchers that records deposited by others wait for their approval.

Through invenio-notifications (the user's notification preferences and
language apply), at most one message a day per researcher: the first record
that starts waiting is told at once; records arriving within the next day wait
for the digest (``send_approval_digests``, run by the nightly reconcile or a
Celery beat schedule), which lists them all in one message.
"""

import logging
from datetime import datetime, timedelta, timezone

from flask import current_app
from invenio_db import db
from invenio_notifications.models import Notification
from invenio_notifications.services.builders import NotificationBuilder
from invenio_notifications.services.generators import EntityResolve, UserEmailBackend
from invenio_notifications.tasks import broadcast_notification
from invenio_pidstore.models import PersistentIdentifier
from invenio_rdm_records.records.api import RDMRecord
from invenio_users_resources.notifications.filters import UserPreferencesRecipientFilter
from invenio_users_resources.notifications.generators import UserRecipient

from .display import email_context
from .family import aware, is_showable, latest_version
from .models import Consent, OrcidPushConsent

logger = logging.getLogger(__name__)

DIGEST_PERIOD = timedelta(days=1)
"""At most one message in this period per researcher."""


class ApprovalAwaitedNotificationBuilder(NotificationBuilder):
    """Records by others that list the researcher wait for their decision."""

    type = "orcid-push.approval-awaited"

    context = [EntityResolve(key="receiver")]
    recipients = [UserRecipient(key="receiver")]
    recipient_filters = [UserPreferencesRecipientFilter()]
    recipient_backends = [UserEmailBackend()]

    @classmethod
    def build(cls, user_id, records):
        """The notification for one user and ``[{"id", "title"}]`` records."""
        ui = current_app.config["SITE_UI_URL"].rstrip("/")
        return Notification(
            type=cls.type,
            context={
                "receiver": {"user": str(user_id)},
                "records": records,
                "settings_url": f"{ui}/account/settings/orcid/",
                **email_context(),
            },
        )


def notify_awaiting_approval(user_ids):
    """Tell each user now, unless they were told within the digest period.

    A failure to tell never stops a push: the decisions stay untold, and the
    digest tries again.
    """
    now = datetime.now(timezone.utc)
    try:
        return [user_id for user_id in user_ids if _tell(user_id, now)]
    except Exception:
        logger.exception("Could not tell users %s about records to approve", user_ids)
        return []


def send_approval_digests():
    """Tell every user whose untold waiting records are due (the daily digest)."""
    now = datetime.now(timezone.utc)
    waiting = db.session.query(OrcidPushConsent.user_id).filter(
        OrcidPushConsent.decision == Consent.PENDING,
        OrcidPushConsent.notified_at.is_(None),
    )
    users = sorted({user_id for (user_id,) in waiting})
    return [user_id for user_id in users if _tell(user_id, now)]


def _tell(user_id, now):
    """One message listing the user's untold waiting records, if one is due."""
    rows = OrcidPushConsent.query.filter_by(user_id=user_id).all()
    if not _due(rows, now):
        return False
    untold = [r for r in rows if r.decision == Consent.PENDING and not r.notified_at]
    records = [r for r in map(_record, (row.parent_id for row in untold)) if r]
    if not records:
        return False
    notification = ApprovalAwaitedNotificationBuilder.build(user_id, records)
    broadcast_notification.delay(notification.dumps())
    for row in untold:
        row.notified_at = now
    db.session.commit()
    return True


def _due(rows, now):
    """No message to this user within the digest period."""
    told = [aware(row.notified_at) for row in rows if row.notified_at]
    return not told or now - max(told) >= DIGEST_PERIOD


def _record(key):
    """``{"id", "title"}`` of the family's latest version, if it is public.

    ``key`` is a parent's id, or a record's in per-version mode: both are
    ``recid`` identifiers.
    """
    pid = PersistentIdentifier.query.filter_by(pid_type="recid", pid_value=key).first()
    if pid is None:
        return None
    version = latest_version(pid.object_uuid) or db.session.get(
        RDMRecord.model_cls, pid.object_uuid
    )
    if version is None or not is_showable(version):
        return None
    data = version.json or {}
    return {"id": data.get("id"), "title": (data.get("metadata") or {}).get("title")}
