"""The life of a researcher's ORCID token: what we keep of it, and its revocation.

invenio-oauthclient keeps the access token, the refresh token (both in
encrypted columns of ``RemoteToken``) and the expiry (``RemoteToken.expires``);
the rest of ORCID's answer goes beside it, in the remote account's
``extra_data``: ``orcid``, ``full_name``, ``scope`` and ``expires_at``. Neither
token is ever logged or shown.

A token we stop using is revoked at ORCID (``POST /oauth/revoke``; that also
revokes its refresh token): the one a new authorization replaces, and the one
of a user an administrator blocks (``moderation.py``). A failed revocation is
logged and never breaks what the user or administrator was doing.
"""

import logging
from datetime import datetime, timedelta, timezone

from flask import current_app
from invenio_db import db
from invenio_oauthclient import current_oauthclient
from invenio_oauthclient.models import RemoteAccount, RemoteToken

from .client import OrcidError, revoke_token
from .links import orcid_client_id, orcid_link_of
from .models import LinkStatus, OrcidPushAccount
from .sync import withdraw_works

logger = logging.getLogger(__name__)

GRANT_FIELDS = ("orcid", "full_name", "scope", "expires_at")
"""What ``extra_data`` keeps of ORCID's token answer (never a token)."""


def grant_details(response):
    """What to keep of ORCID's token answer, beside the token itself."""
    response = response or {}
    details = {
        "orcid": response.get("orcid"),
        "full_name": response.get("name"),
        "scope": response.get("scope"),
        "expires_at": _expires_at(response.get("expires_in")),
    }
    return {key: value for key, value in details.items() if value is not None}


def _expires_at(expires_in):
    try:
        seconds = int(expires_in)
    except (TypeError, ValueError):
        return None
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


def remember_grant(user_id, response):
    """Store ORCID's answer to an authorization beside the user's token.

    Kept up to date on every authorization (invenio-oauthclient writes
    ``extra_data`` on the first link only); keys of others are left alone.
    """
    client_id = orcid_client_id()
    account = RemoteAccount.get(user_id, client_id) if client_id else None
    if account is None:
        return
    account.extra_data = {**(account.extra_data or {}), **grant_details(response)}


def current_token(user_id):
    """The user's ORCID access token as stored now, or ``None``."""
    client_id = orcid_client_id()
    token = RemoteToken.get(user_id, client_id) if client_id else None
    return token.access_token if token is not None else None


def revoke_at_orcid(user_id, access_token, why, remote_app=None):
    """Revoke ``access_token`` (and so its refresh token) at ORCID.

    Returns whether ORCID confirmed; a refusal or an unreachable ORCID is
    logged (``why`` says which token, never the token) and not raised.
    ``remote_app``: the remote app whose credentials ask (default: ours).
    """
    remote = current_oauthclient.oauth.remote_apps[
        remote_app or current_app.config["ORCID_PUSH_REMOTE_APP"]
    ]
    try:
        revoke_token(
            current_app.config["ORCID_PUSH_OAUTH_URL"],
            remote.consumer_key,
            remote.consumer_secret,
            access_token,
            timeout=current_app.config["ORCID_PUSH_HTTP_TIMEOUT"],
        )
    except OrcidError as exc:
        logger.warning(
            "Could not revoke the %s ORCID token of user %s: %s",
            why,
            user_id,
            exc.reason,
        )
        return False
    return True


def revoke_superseded(user_id, previous_token):
    """After an authorization: revoke the token it replaced, if it replaced one.

    ``previous_token`` is the access token stored before; the new one (or one
    left unchanged by a failed authorization) is never revoked.
    """
    if user_id is None or not previous_token:
        return None
    if current_token(user_id) in (None, previous_token):
        return None
    return revoke_at_orcid(user_id, previous_token, "superseded")


SUSPENDED_PROBLEM = (
    "An administrator blocked this account; this repository's access to the "
    "ORCID record was revoked. Connect ORCID again once the account is restored."
)
"""The link problem of a blocked user (stored like the other link problems)."""


def suspend_link(user_id):
    """Stop using a blocked user's link at once; returns it (``None``: none).

    Written in the moderation's transaction, so pushes that follow it (RDM
    tombstones the user's records) no longer touch their ORCID record.
    """
    link = orcid_link_of(user_id)
    if link is not None:
        OrcidPushAccount.get_or_create(link.user_id).mark_link_problem(
            link.orcid, LinkStatus.SUSPENDED, SUSPENDED_PROBLEM
        )
    return link


def retire_link(user_id):
    """End a suspended link: remove our works if ``ORCID_PUSH_ON_USER_DELETION``
    is ``"remove"`` (with the token, so first), then revoke the token at ORCID
    and forget it.

    Returns ``(works removed, whether ORCID confirmed the revocation)``. A
    link made again since (the account restored, ORCID authorized anew) is
    left alone, so a late retry never revokes the new token.
    """
    link = orcid_link_of(user_id)
    account = OrcidPushAccount.get(user_id)
    if link is None or account is None or account.usable_for(link.orcid):
        return 0, True
    removed = 0
    if current_app.config["ORCID_PUSH_ON_USER_DELETION"] == "remove":
        removed = withdraw_works(user_id)
    revoked = revoke_at_orcid(user_id, link.access_token, "blocked user's")
    if revoked:
        db.session.delete(RemoteToken.get(user_id, orcid_client_id()))
        db.session.commit()
    return removed, revoked
