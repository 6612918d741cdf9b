"""Researchers' ORCID links, as invenio-oauthclient stores them."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Optional

from flask import current_app
from invenio_accounts.models import UserIdentity
from invenio_oauthclient.models import RemoteAccount, RemoteToken

from .identifiers import normalize_orcid


@dataclass(frozen=True)
class OrcidLink:
    """A user's ORCID iD and the token that lets us write to it."""

    user_id: int
    orcid: str
    access_token: str = field(repr=False)
    linked_at: Optional[datetime] = None


def orcid_client_id(app=None):
    """Our ORCID client id: the consumer key of the configured remote app."""
    app = app or current_app
    name = app.config["ORCID_PUSH_REMOTE_APP"]
    remote = app.config.get("OAUTHCLIENT_REMOTE_APPS", {}).get(name)
    if remote is None:
        return None
    params = remote.get("params", {})
    credentials = app.config.get(params.get("app_key") or "ORCID_APP_CREDENTIALS")
    if credentials:
        return credentials.get("consumer_key")
    return params.get("consumer_key")


def orcid_link_of(user_id):
    """The ORCID link of a user, or ``None`` when they have none we can use.

    The iD is the one ORCID gave at link time (``UserIdentity`` with method
    ``orcid``, or the remote account's ``extra_data``); a typed-in iD in a
    record's metadata never counts.
    """
    if user_id is None:
        return None
    client_id = orcid_client_id()
    if not client_id:
        return None
    account = RemoteAccount.get(user_id, client_id)
    if account is None:
        return None
    token = RemoteToken.get(user_id, client_id)
    if token is None or not token.access_token:
        return None
    identity = UserIdentity.query.filter_by(id_user=user_id, method="orcid").first()
    orcid = normalize_orcid(
        identity.id if identity else (account.extra_data or {}).get("orcid")
    )
    if orcid is None:
        return None
    return OrcidLink(
        user_id=int(user_id),
        orcid=orcid,
        access_token=token.access_token,
        linked_at=account.created,
    )
