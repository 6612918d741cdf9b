"""Every e-mail of the plugin, through invenio-notifications.

One builder per kind of message: a researcher's link stopped working
(``orcid-push.link-problem``), ORCID pushes are paused (administrators,
``orcid-push.pushes-paused``), records by others wait for approval
(``orcid-push.approval-awaited``, in :mod:`.approvals`). Recipients come from
recipient generators, each user's notification preferences apply
(``UserPreferencesRecipientFilter``: ``preferences.notifications.enabled``),
and the text is the template ``invenio_notifications/<type>.jinja`` (blocks
``subject``, ``html_body``, ``plain_body``, ``md_body``), which an instance
overrides by putting its own under its ``templates`` folder; the recipient's
language applies.

Sent with the ``broadcast_notification`` task rather than
``NotificationManager.broadcast``: the latter calls a ``validate`` method the
manager does not have (commented out in invenio-notifications).
"""

import logging
from datetime import datetime, timezone

from flask import current_app
from invenio_access.models import ActionRoles, ActionUsers
from invenio_accounts.models import Role, User
from invenio_db import db
from invenio_notifications.models import Notification, Recipient
from invenio_notifications.registry import EntityResolverRegistry
from invenio_notifications.services.builders import NotificationBuilder
from invenio_notifications.services.generators import (
    EmailBackendGenerator,
    EntityResolve,
    RecipientGenerator,
)
from invenio_notifications.tasks import broadcast_notification
from invenio_users_resources.notifications.filters import UserPreferencesRecipientFilter
from invenio_users_resources.notifications.generators import UserRecipient

from .approvals import ApprovalAwaitedNotificationBuilder
from .display import email_context, orcid_uri
from .models import LinkStatus, OrcidPushAccount
from .reasons import stored_params

logger = logging.getLogger(__name__)

ADMINISTRATOR_ACTIONS = ("superuser-access", "administration-access")
"""Who is told about a pause: the users who may open the administration panel."""


def _ui_url(path):
    return current_app.config["SITE_UI_URL"].rstrip("/") + path


class LinkProblemNotificationBuilder(NotificationBuilder):
    """A researcher's ORCID link stopped working (revoked, needs permission, moved)."""

    type = "orcid-push.link-problem"

    context = [EntityResolve(key="receiver")]
    recipients = [UserRecipient(key="receiver")]
    recipient_filters = [UserPreferencesRecipientFilter()]
    recipient_backends = [EmailBackendGenerator()]

    @classmethod
    def build(cls, account):
        """The notification about ``account``'s link problem.

        ``link_status`` is a code (the template words the action to take);
        ``problem`` is the sentence the ledger keeps.
        """
        config = current_app.config
        return Notification(
            type=cls.type,
            context={
                "receiver": {"user": str(account.user_id)},
                "sitename": config.get("THEME_SITENAME", ""),
                "link_status": account.link_status.value,
                "problem": account.link_problem,
                "problem_params": account.link_problem_params,
                "orcid": account.orcid,
                "orcid_url": orcid_uri(account.orcid, config),
                "settings_url": _ui_url("/account/settings/orcid/"),
                **email_context(config),
            },
        )


def administrator_ids():
    """Ids of the users granted an administrator action, directly or through a role."""
    direct = db.session.query(ActionUsers.user_id).filter(
        ActionUsers.action.in_(ADMINISTRATOR_ACTIONS),
        ~ActionUsers.exclude,
        ActionUsers.user_id.isnot(None),
    )
    by_role = (
        db.session.query(User.id)
        .join(User.roles)
        .join(ActionRoles, ActionRoles.role_id == Role.id)
        .filter(ActionRoles.action.in_(ADMINISTRATOR_ACTIONS), ~ActionRoles.exclude)
    )
    return sorted({user_id for (user_id,) in direct.union(by_role)})


class AdministratorsRecipient(RecipientGenerator):
    """Every user who may open the administration panel, resolved like any user
    (e-mail, preferences, language) when the notification is handled."""

    def __call__(self, notification, recipients):
        """Add each administrator to ``recipients``."""
        for user_id in administrator_ids():
            user = EntityResolverRegistry.resolve_entity({"user": str(user_id)})
            if user:
                recipients[user["id"]] = Recipient(data=user)
        return recipients


class PushesPausedNotificationBuilder(NotificationBuilder):
    """ORCID rejected many researchers' tokens: pushes pause (``token_rejections``)."""

    type = "orcid-push.pushes-paused"

    context = []
    recipients = [AdministratorsRecipient()]
    recipient_filters = [UserPreferencesRecipientFilter()]
    recipient_backends = [EmailBackendGenerator()]

    @classmethod
    def build(cls, reason):
        """The notice of a pause, with the sentence every paused push records."""
        return Notification(
            type=cls.type,
            context={
                "sitename": current_app.config.get("THEME_SITENAME", ""),
                "reason": str(reason),
                "reason_params": stored_params(reason),
                "admin_url": _ui_url("/administration/orcid-push"),
                **email_context(),
            },
        )


BUILDERS = (
    ApprovalAwaitedNotificationBuilder,
    LinkProblemNotificationBuilder,
    PushesPausedNotificationBuilder,
)


def register_builders(app):
    """Make our builders known to invenio-notifications, whichever starts first."""
    builders = dict(app.config.get("NOTIFICATIONS_BUILDERS") or {})
    builders.update({builder.type: builder for builder in BUILDERS})
    app.config["NOTIFICATIONS_BUILDERS"] = builders
    notifications = app.extensions.get("invenio-notifications")
    if notifications is not None:
        notifications.manager.builders = builders


def broadcast(notification):
    """Hand ``notification`` to invenio-notifications; ``False`` if that failed.

    Never raises: the ledger, the settings page and the admin panel still
    tell the story.
    """
    try:
        broadcast_notification.delay(notification.dumps())
    except Exception:  # the broker, a template, a resolver: logged, not fatal
        logger.exception("Could not send the notification %s", notification.type)
        return False
    return True


def notify_link_problem(user_id):
    """Tell the researcher about their link's problem, once per problem.

    The caller commits (``notified_at`` records that the message went out).
    """
    account = OrcidPushAccount.get(user_id)
    if (
        account is None
        or account.link_status == LinkStatus.ACTIVE
        or account.notified_at
    ):
        return False
    if not broadcast(LinkProblemNotificationBuilder.build(account)):
        return False
    account.notified_at = datetime.now(timezone.utc)
    return True


def notify_admins_of_pause(reason):
    """Tell the administrators that pushes are paused and why (the caller
    makes sure it happens once)."""
    if not administrator_ids():
        logger.error("No administrator to tell that ORCID pushes are paused.")
        return False
    return broadcast(PushesPausedNotificationBuilder.build(reason))
