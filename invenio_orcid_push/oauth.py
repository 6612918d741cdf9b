"""ORCID remote apps for invenio-oauthclient that may write works.

The stock ORCID apps of invenio-oauthclient ask for ``/authenticate`` only,
which cannot write to ORCID. These ask for ``/read-limited
/activities/update``, sign in and link like the stock ones, and take their
URLs from ``ORCID_PUSH_OAUTH_URL`` and ``ORCID_PUSH_API_URL``::

    from invenio_orcid_push.oauth import REMOTE_APP
    OAUTHCLIENT_REMOTE_APPS = {"orcid": REMOTE_APP}
    ORCID_APP_CREDENTIALS = {"consumer_key": "APP-...", "consumer_secret": "..."}

Every authorization records the scopes ORCID granted (``OrcidPushAccount``),
so a link made with ``/authenticate`` only is recognised and can be upgraded,
and keeps ORCID's answer beside the token (``tokens.remember_grant``).
``authorized_handler`` wraps invenio-oauthclient's stock handler: the token a
new authorization replaces is revoked at ORCID, and the researcher reads what
happened (a message of its own once they granted access, another once they
denied it).
"""

import copy

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from flask_oauthlib.client import OAuthRemoteApp
from invenio_accounts.models import UserIdentity
from invenio_db import db
from invenio_i18n import gettext as _
from invenio_oauthclient.contrib import orcid as stock_orcid

from .identifiers import normalize_orcid

SCOPES = "/read-limited /activities/update"
"""What the plugin asks ORCID for (ORCID asks for both together)."""


class OrcidRemoteApp(OAuthRemoteApp):
    """A remote app whose ORCID URLs follow the ``ORCID_PUSH_*_URL`` settings."""

    def _get_property(self, key, default=False):
        if key in ("access_token_url", "authorize_url", "base_url") and (
            getattr(self, f"_{key}", None) is None
        ):
            config = (self.oauth.app or current_app).config
            oauth_url = config["ORCID_PUSH_OAUTH_URL"].rstrip("/")
            return {
                "access_token_url": f"{oauth_url}/token",
                "authorize_url": f"{oauth_url}/authorize",
                "base_url": config["ORCID_PUSH_API_URL"].rstrip("/") + "/",
            }[key]
        return super()._get_property(key, default)


def _remote_app(title, description):
    app = copy.deepcopy(stock_orcid.REMOTE_MEMBER_APP)
    app.update(
        title=title,
        description=description,
        remote_app="invenio_orcid_push.oauth:OrcidRemoteApp",
        authorized_handler="invenio_orcid_push.oauth:authorized_handler",
        disconnect_handler="invenio_orcid_push.oauth:disconnect_handler",
    )
    params = app["params"]
    params.update(base_url=None, access_token_url=None, authorize_url=None)
    params["request_token_params"] = {"scope": SCOPES, "show_login": "true"}
    return app


REMOTE_APP = _remote_app(
    "ORCID", "Sign in with ORCID and add your publications to your ORCID record."
)
"""ORCID (production, or whatever ``ORCID_PUSH_OAUTH_URL`` points at)."""

REMOTE_SANDBOX_APP = _remote_app(
    "ORCID Sandbox",
    "ORCID's sandbox; set ORCID_PUSH_OAUTH_URL and ORCID_PUSH_API_URL to its hosts.",
)
"""ORCID sandbox: the same app, titled for test instances."""


def disconnect_handler(remote, *args, **kwargs):
    """``/oauth/disconnect/orcid/`` ("Linked accounts"): send people to the settings page.

    invenio-oauthclient routes this as a plain GET without a CSRF token, so any
    link or image on any page could make a logged-in browser follow it. Revoking
    access at ORCID and unlinking therefore happen only through the settings
    page's Disconnect form (a POST with a CSRF token, which also refuses to
    remove someone's only way to sign in); this handler changes nothing.
    """
    flash(
        _(
            "To disconnect ORCID, use the Disconnect button below: it revokes this "
            "repository's access to your ORCID record and can remove the works it "
            "added."
        ),
        "info",
    )
    return redirect(url_for("invenio_orcid_push_settings.index"))


def authorized_handler(resp, remote, *args, **kwargs):
    """ORCID's answer to our authorization request (``/oauth/authorized/<app>/``).

    invenio-oauthclient's stock handler (sign in, sign up, link) does the work.
    Around it: the researcher gets ORCID's two distinct messages, one after
    granting access and one after denying it at ORCID (``error=access_denied``,
    which the stock handler would only call "rejected" before sending them to
    the front page); and the token the new one replaces is revoked at ORCID
    (invenio-oauthclient overwrites it, and it would stay valid there for twenty
    years), once the new one is stored and committed; a failed revocation is
    logged and the link stands.
    """
    from invenio_oauthclient.handlers import authorized_signup_handler as stock

    from .tokens import current_token, revoke_superseded

    if resp is None and request.args.get("error") == "access_denied":
        return _access_denied()
    orcid = normalize_orcid((resp or {}).get("orcid"))
    a_link = current_user.is_authenticated or _holder_of_any(orcid) is None
    user_id = _user_authorizing(orcid)
    previous = current_token(user_id) if user_id is not None else None
    response = stock(resp, remote, *args, **kwargs)
    revoke_superseded(user_id, previous)
    if a_link and _linked_now(orcid):  # not a mere sign-in
        _flash_granted(orcid, (resp or {}).get("scope") or "")
    return response


def _holder_of_any(orcid):
    return _holder_of(orcid) if orcid else None


authorized_signup_handler = authorized_handler
"""The name remote apps configured by earlier versions may use."""


def _linked_now(orcid):
    holder = _holder_of(orcid) if orcid else None
    return current_user.is_authenticated and str(holder) == str(current_user.get_id())


def _user_authorizing(orcid):
    """The user whose token this authorization stores: the one logged in, else
    the holder of the iD ORCID names (who signs in with it)."""
    if current_user.is_authenticated:
        return int(current_user.get_id())
    return _holder_of(orcid) if orcid else None


def _holder_of(orcid):
    identity = UserIdentity.query.filter_by(method="orcid", id=orcid).one_or_none()
    return identity.id_user if identity is not None else None


def _flash_granted(orcid, scope):
    from .display import orcid_uri  # when used: keep the cfg import light

    if "/activities/update" in scope.split():
        message = _(
            "Your ORCID iD %(uri)s is connected: this repository may now add your "
            "public records to your ORCID record, as your preferences below say.",
            uri=orcid_uri(orcid),
        )
    else:
        message = _(
            "Your ORCID iD %(uri)s is connected, but ORCID did not give this "
            "repository permission to add works to your ORCID record.",
            uri=orcid_uri(orcid),
        )
    flash(message, "success")


def _access_denied():
    """The researcher said no on ORCID's consent page: nothing changed here."""
    flash(
        _(
            "You did not give this repository permission to use your ORCID record, "
            "so nothing was changed: no ORCID iD was connected and nothing will be "
            "sent to ORCID. You can connect again any time."
        ),
        "info",
    )
    if current_user.is_authenticated:
        return redirect(url_for("invenio_orcid_push_settings.index"))
    return redirect(url_for("security.login"))


def _is_ours(remote):
    return remote.name == current_app.config["ORCID_PUSH_REMOTE_APP"]


def _record_grant(user_id, response):
    from .models import (  # when used, as above: keep the cfg import light
        OrcidPushAccount,
    )
    from .tokens import remember_grant

    orcid = normalize_orcid((response or {}).get("orcid"))
    if user_id is None or orcid is None:
        return
    OrcidPushAccount.get_or_create(user_id).mark_authorized(
        orcid, response.get("scope")
    )
    remember_grant(user_id, response)


def _authorized_by_holder(identity):
    """Whether the person authorizing now is the user who holds the iD.

    Someone not logged in signs in with the iD and so becomes its holder. A
    logged-in account authorizing an iD linked to *another* account is refused
    by invenio-oauthclient ("already linked"); its grant and token are not the
    holder's, so the holder's link must not look re-authorized.
    """
    if not current_user.is_authenticated:
        return True
    return str(current_user.get_id()) == str(identity.id_user)


def on_authorized(remote, response=None, account_info=None, **kwargs):
    """An ORCID authorization of a known iD by its holder: remember what ORCID granted.

    Receiver of ``account_info_received``, connected by the extension. The
    first link of an iD is recorded by ``on_first_link`` instead.
    """
    if not _is_ours(remote):
        return
    orcid = normalize_orcid((response or {}).get("orcid"))
    identity = UserIdentity.query.filter_by(method="orcid", id=orcid).one_or_none()
    if identity is not None and _authorized_by_holder(identity):
        _record_grant(identity.id_user, response)
        db.session.commit()


def on_first_link(remote, token=None, response=None, **kwargs):
    """First link of an ORCID account (the setup handler ran in this transaction).

    Receiver of ``account_setup_received``, connected by the extension.
    """
    if _is_ours(remote) and token is not None:
        _record_grant(token.remote_account.user_id, response)
