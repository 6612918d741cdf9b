"""Inviting co-creators who have not linked their ORCID iD, through ORCID's inbox.

A public record may list creators' iDs that no user of the repository has
linked. With ``ORCID_PUSH_NOTIFY_UNLINKED`` each such iD gets one permission
notification asking the researcher to connect ORCID here: never twice for a
record family, at most one per iD every ``ORCID_PUSH_NOTIFY_REASK_DAYS``, and
none at all once ORCID said the researcher opted out of our notifications
(409/9032). :func:`decide_invitation` is the rule (pure, a table test);
:func:`send_invitations` gathers its facts from the database and carries it
out under each iD's write lock, since another worker may invite the same iD
for another record at the same moment.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from flask import current_app
from invenio_accounts.models import UserIdentity
from invenio_db import db
from invenio_oauthclient import current_oauthclient

from . import orcid_model as om
from .client import (
    OrcidError,
    OrcidNotificationsOptedOutError,
    OrcidTokenInvalidError,
    client_credentials_token,
)
from .family import aware, orcid_ids_in, resolve_family
from .links import OrcidLink
from .locks import LockUnavailable, orcid_write_lock
from .models import InvitationStatus, OrcidCallLog, OrcidPushInvitation
from .permission_notification import permission_notification_xml
from .proxies import current_orcid_push
from .ratelimit import rate_limiter
from .sync import client_for

logger = logging.getLogger(__name__)

__all__ = (
    "decide_invitation",
    "invited_families",
    "opted_out",
    "send_invitations",
    "whom_to_invite",
)

INVITE = "invite"
OFF = "off"
NOT_PUBLIC = "not-public"
OPTED_OUT = "opted-out"
LINKED = "linked"
ALREADY_INVITED = "already-invited"
INVITED_RECENTLY = "invited-recently"


@dataclass(frozen=True)
class InviteeFacts:
    """What the decision about one listed iD depends on."""

    linked: bool = False
    """A user of the repository has linked this iD (``UserIdentity``, ``orcid``)."""
    invited_for_family: bool = False
    """An invitation for this record family was already tried, whatever came of it."""
    last_invited: Optional[datetime] = None
    """When ORCID last accepted an invitation to this iD, for any family."""
    opted_out: bool = False
    """ORCID said the researcher refuses our notifications (409/9032)."""


def decide_invitation(facts, enabled, public, now, reask_days):
    """``INVITE``, or the reason not to invite one iD listed on a record.

    Pure: no app, no database. Opting out wins over everything; a linked iD
    needs no invitation; a family is never the subject of two invitations;
    and an iD hears from us at most once every ``reask_days``.
    """
    if not enabled:
        return OFF
    if not public:
        return NOT_PUBLIC
    if facts.opted_out:
        return OPTED_OUT
    if facts.linked:
        return LINKED
    if facts.invited_for_family:
        return ALREADY_INVITED
    if facts.last_invited and now - facts.last_invited < timedelta(days=reask_days):
        return INVITED_RECENTLY
    return INVITE


def whom_to_invite(facts_by_orcid, enabled, public, now, reask_days):
    """The iDs (sorted) that :func:`decide_invitation` says to invite."""
    return sorted(
        orcid
        for orcid, facts in facts_by_orcid.items()
        if decide_invitation(facts, enabled, public, now, reask_days) == INVITE
    )


# -- Facts, from the database ---------------------------------------------------


def _linked_ids(orcids):
    rows = UserIdentity.query.filter(
        UserIdentity.method == "orcid", UserIdentity.id.in_(list(orcids))
    )
    return {row.id for row in rows}


def _facts(orcid, rows, parent_id, linked):
    sent = [
        aware(row.sent_at)
        for row in rows
        if row.status == InvitationStatus.SENT and row.sent_at
    ]
    return InviteeFacts(
        linked=orcid in linked,
        invited_for_family=any(row.parent_id == parent_id for row in rows),
        last_invited=max(sent, default=None),
        opted_out=any(row.status == InvitationStatus.OPTED_OUT for row in rows),
    )


def facts_about(orcids, parent_id):
    """:class:`InviteeFacts` of each iD, as the database holds them now."""
    orcids = set(orcids)
    if not orcids:
        return {}
    linked = _linked_ids(orcids)
    rows = (
        OrcidPushInvitation.query.filter(OrcidPushInvitation.orcid.in_(list(orcids)))
        .populate_existing()
        .all()
    )
    return {
        orcid: _facts(
            orcid, [row for row in rows if row.orcid == orcid], parent_id, linked
        )
        for orcid in orcids
    }


def opted_out(orcid):
    """Whether ORCID told us the researcher refuses our notifications."""
    return (
        OrcidPushInvitation.query.filter_by(
            orcid=orcid, status=InvitationStatus.OPTED_OUT
        ).first()
        is not None
    )


def invited_families(orcid):
    """Parent ids of the record families this iD was invited for (oldest first).

    When the researcher links this iD, the invitation they accepted stands for
    their approval of these records.
    """
    rows = (
        OrcidPushInvitation.query.filter_by(orcid=orcid, status=InvitationStatus.SENT)
        .order_by(OrcidPushInvitation.sent_at, OrcidPushInvitation.id)
        .all()
    )
    return [row.parent_id for row in rows]


# -- Sending ---------------------------------------------------------------------


@dataclass
class InvitationReport:
    """What one pass did: an outcome per iD, and whether to try again later."""

    outcomes: dict = field(default_factory=dict)
    retry: bool = False
    """A passing failure (ORCID down, lock busy, token refused) left iDs uninvited."""


@dataclass
class _Run:
    family: object
    token: str
    final_attempt: bool
    report: InvitationReport
    settings: dict


def _notification_token(config):
    """Our client-credentials token: ORCID's last 20 years, so the extension
    keeps one per application, forgotten when ORCID refuses it."""
    remote = current_oauthclient.oauth.remote_apps[config["ORCID_PUSH_REMOTE_APP"]]
    key = (config["ORCID_PUSH_OAUTH_URL"], remote.consumer_key)
    tokens = current_orcid_push.client_tokens
    if key not in tokens:
        tokens[key] = _ask_token(config, remote)
    return tokens[key]


def _ask_token(config, remote):
    """The token request, like every ORCID call: rate-limited and in the call log."""
    limiter = rate_limiter(current_app)
    if limiter is not None:
        limiter.wait()
    started = time.monotonic()
    status, error_code = 200, None
    try:
        return client_credentials_token(
            config["ORCID_PUSH_OAUTH_URL"],
            remote.consumer_key,
            remote.consumer_secret,
            om.PREMIUM_NOTIFICATION_SCOPE,
            timeout=config["ORCID_PUSH_HTTP_TIMEOUT"],
        )
    except OrcidError as exc:
        status, error_code = exc.status, exc.error_code or exc.code
        raise
    finally:
        db.session.add(
            OrcidCallLog(
                method="POST",
                path="/oauth/token",
                status=status,
                error_code=error_code,
                duration_ms=round((time.monotonic() - started) * 1000, 2),
            )
        )
        db.session.commit()


def _forget_tokens():
    current_orcid_push.client_tokens.clear()


def _settings(config):
    return dict(
        enabled=bool(
            config.get("ORCID_PUSH_ENABLED") and config["ORCID_PUSH_NOTIFY_UNLINKED"]
        ),
        reask_days=config["ORCID_PUSH_NOTIFY_REASK_DAYS"],
    )


def _invitees(family, settings):
    listed = orcid_ids_in(family.record) if family.record else set()
    facts = facts_about(listed, family.key)
    return whom_to_invite(
        facts,
        public=family.record is not None,
        now=datetime.now(timezone.utc),
        **settings,
    )


def send_invitations(record_id, final_attempt=False):
    """Invite the unlinked creators listed on a record's public version.

    Never raises for an ORCID failure: the invitation row records it, or, for a
    passing failure before the last attempt, the report asks for a retry.
    """
    report = InvitationReport()
    settings = _settings(current_app.config)
    if not settings["enabled"]:
        return report
    family = resolve_family(record_id)
    invitees = _invitees(family, settings)
    if not invitees:
        return report
    try:
        token = _notification_token(current_app.config)
    except OrcidError as exc:
        logger.warning("No ORCID notification token: %s", exc.reason)
        report.retry = exc.retryable
        return report
    run = _Run(family, token, final_attempt, report, settings)
    for orcid in invitees:
        report.outcomes[orcid] = _invite_target(run, orcid)
    return report


def _invite_target(run, orcid):
    """One iD under its write lock; a bug here must not stop the others."""
    try:
        with orcid_write_lock(orcid):
            return _invite_one(run, orcid)
    except LockUnavailable as exc:
        run.report.retry = True
        logger.info("Invitation of %s: %s", orcid, exc.reason)
    except Exception:
        db.session.rollback()
        logger.exception("ORCID invitation of %s failed", orcid)
    return "error"


def _invite_one(run, orcid):
    """Decide again under the lock (another worker may have invited), then send."""
    facts = facts_about([orcid], run.family.key)[orcid]
    decision = decide_invitation(
        facts, public=True, now=datetime.now(timezone.utc), **run.settings
    )
    if decision != INVITE:
        return decision
    client = client_for(OrcidLink(user_id=None, orcid=orcid, access_token=run.token))
    try:
        put_code = client.post_permission_notification(
            orcid, permission_notification_xml(run.family.record)
        )
    except OrcidError as exc:
        return _not_sent(run, orcid, exc)
    _save(run, orcid, InvitationStatus.SENT, put_code=put_code)
    return InvitationStatus.SENT.value


def _passing(exc):
    """Worth trying again later: ORCID unavailable, or our token refused."""
    return exc.retryable or isinstance(exc, OrcidTokenInvalidError)


def _not_sent(run, orcid, exc):
    if isinstance(exc, OrcidTokenInvalidError):
        _forget_tokens()
    if isinstance(exc, OrcidNotificationsOptedOutError):
        _save(run, orcid, InvitationStatus.OPTED_OUT, exc=exc)
        return InvitationStatus.OPTED_OUT.value
    if _passing(exc) and not run.final_attempt:
        run.report.retry = True
        db.session.commit()  # the call log
        return "retry"
    _save(run, orcid, InvitationStatus.FAILED, exc=exc)
    return InvitationStatus.FAILED.value


def _save(run, orcid, status, put_code=None, exc=None):
    """Record the outcome (the one row of this iD and family) and commit."""
    db.session.add(
        OrcidPushInvitation(
            orcid=orcid,
            parent_id=run.family.key,
            record_id=run.family.record["id"],
            status=status,
            sent_at=(
                datetime.now(timezone.utc) if status == InvitationStatus.SENT else None
            ),
            put_code=str(put_code) if put_code else None,
            last_error=exc.reason if exc else None,
            error_code=exc.code if exc else None,
        )
    )
    db.session.commit()
