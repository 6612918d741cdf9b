"""Telling researchers, once, that their ORCID link stopped working; and
administrators, once, that ORCID pushes are paused (see ``token_rejections``)."""

import logging
from datetime import datetime, timezone

import jinja2
from flask import current_app
from flask_mail import Message
from invenio_access.models import ActionRoles, ActionUsers
from invenio_accounts.models import Role, User
from invenio_db import db
from invenio_i18n import gettext as _

from .display import email_context, orcid_uri
from .models import LinkStatus, OrcidPushAccount
from .templating import templates_folder

logger = logging.getLogger(__name__)

_emails = jinja2.Environment(
    loader=jinja2.FileSystemLoader(templates_folder()), autoescape=False
)
_emails.globals["_"] = _  # the shared ORCID macros are translatable


def notify_link_problem(user_id):
    """E-mail the researcher about their link's problem, once per problem.

    The caller commits (``notified_at`` records that the message went out).
    """
    account = OrcidPushAccount.get(user_id)
    if (
        account is None
        or account.link_status == LinkStatus.ACTIVE
        or account.notified_at
    ):
        return False
    user = User.query.get(user_id)
    if user is None or not user.email:
        return False
    config = current_app.config
    sitename = config.get("THEME_SITENAME", "The repository")
    action = (
        "Grant update permission"
        if account.link_status == LinkStatus.NEEDS_PERMISSION
        else "Reconnect ORCID"
    )
    body = _emails.get_template("invenio_orcid_push/emails/link_problem.txt").render(
        name=(user.user_profile or {}).get("full_name") or user.email,
        sitename=sitename,
        orcid_url=orcid_uri(account.orcid, config),
        problem=account.link_problem,
        settings_url=config["SITE_UI_URL"].rstrip("/") + "/account/settings/orcid/",
        action=action,
        **email_context(config),
    )
    message = Message(
        subject=f"{sitename}: your ORCID connection needs your attention",
        sender=config.get("MAIL_DEFAULT_SENDER"),
        recipients=[user.email],
        body=body,
    )
    try:
        current_app.extensions["mail"].send(message)
    except Exception:  # the ledger and the settings page still tell the story
        logger.exception("Could not e-mail user %s about their ORCID link", user_id)
        return False
    account.notified_at = datetime.now(timezone.utc)
    return True


ADMINISTRATOR_ACTIONS = ("superuser-access", "administration-access")
"""Who is told about a pause: the users who may open the administration panel."""


def administrator_emails():
    """E-mail addresses of the users granted an administrator action, directly
    or through a role."""
    direct = (
        db.session.query(User.email)
        .join(ActionUsers, ActionUsers.user_id == User.id)
        .filter(ActionUsers.action.in_(ADMINISTRATOR_ACTIONS), ~ActionUsers.exclude)
    )
    by_role = (
        db.session.query(User.email)
        .join(User.roles)
        .join(ActionRoles, ActionRoles.role_id == Role.id)
        .filter(ActionRoles.action.in_(ADMINISTRATOR_ACTIONS), ~ActionRoles.exclude)
    )
    return sorted({email for (email,) in direct.union(by_role) if email})


def notify_admins_of_pause(reason):
    """E-mail the administrators that pushes are paused and why (the caller
    makes sure it happens once)."""
    recipients = administrator_emails()
    if not recipients:
        logger.error("No administrator to tell that ORCID pushes are paused.")
        return False
    config = current_app.config
    sitename = config.get("THEME_SITENAME", "The repository")
    body = _emails.get_template("invenio_orcid_push/emails/pushes_paused.txt").render(
        sitename=sitename,
        reason=reason,
        admin_url=config["SITE_UI_URL"].rstrip("/") + "/administration/orcid-push",
        **email_context(config),
    )
    message = Message(
        subject=_("%(sitename)s: ORCID pushes are paused", sitename=sitename),
        sender=config.get("MAIL_DEFAULT_SENDER"),
        recipients=recipients,
        body=body,
    )
    try:
        current_app.extensions["mail"].send(message)
    except Exception:  # the admin panel and the ledger still tell the story
        logger.exception("Could not e-mail the administrators about the ORCID pause")
        return False
    return True
