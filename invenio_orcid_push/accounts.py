"""What a researcher's ORCID link and sync look like, and the changes to them.

Only the services (``invenio_orcid_push.services``) call these: they check
permissions first and load the input.
"""

from flask import current_app
from invenio_accounts.models import User, UserIdentity
from invenio_db import db
from invenio_i18n import gettext as _
from invenio_i18n import lazy_gettext
from invenio_oauthclient.models import RemoteAccount

from .family import latest_version, owned_parents_query
from .links import orcid_client_id, orcid_link_of
from .models import (
    LinkStatus,
    OrcidPushAccount,
    RecordsByOthers,
    SyncStatus,
)
from .notes import ledger_note
from .plan import records_by_others_of
from .reasons import reason_of, render_reason
from .sync import withdraw_works
from .tasks import schedule_push
from .tokens import revoke_at_orcid

PERMISSION_WORDS = {
    "/authenticate": lazy_gettext("know your ORCID iD"),
    "/read-limited": lazy_gettext(
        "read your ORCID record, including trusted-party information"
    ),
    "/activities/update": lazy_gettext("add and update works on your ORCID record"),
    "/person/update": lazy_gettext("update your biographical information"),
    "openid": lazy_gettext("sign you in"),
}


def _granted_scopes(account):
    """The scopes ORCID granted at the last authorization, if known."""
    if account is None or not account.granted_scopes:
        return None
    return account.granted_scopes.split()


def _known_status(account, link):
    """The stored health of this very link (not of an iD linked earlier)."""
    if account is None or link is None or account.orcid != link.orcid:
        return None
    return account.link_status


def _needs_permission(link, status, scopes):
    """Linked, but ORCID refused a write or never granted ``/activities/update``."""
    if link is None:
        return False
    granted_without_update = scopes is not None and "/activities/update" not in scopes
    return status == LinkStatus.NEEDS_PERMISSION or granted_without_update


def link_summary(user_id):
    """The user's ORCID link and preferences, as the settings page and API show them."""
    link = orcid_link_of(user_id)
    account = OrcidPushAccount.get(user_id)
    host = current_app.config["ORCID_PUSH_ORCID_HOST"]
    scopes = _granted_scopes(account)
    status = _known_status(account, link)
    return {
        "linked": link is not None,
        "orcid": link.orcid if link else None,
        "orcid_url": f"https://{host}/{link.orcid}" if link else None,
        "granted_scopes": scopes,
        "permissions": (
            [str(PERMISSION_WORDS.get(s, s)) for s in scopes] if scopes else None
        ),
        "link_status": (status or LinkStatus.ACTIVE).value if link else None,
        "link_problem": _link_problem(account) if status else None,
        "needs_permission": _needs_permission(link, status, scopes),
        "checked_at": _checked_at(account, link),
        "preferences": preferences_of(user_id),
    }


def _link_problem(account):
    """The link's problem in the reader's language (as stored for older rows)."""
    return render_reason(account.link_problem, account.link_problem_params)


def _checked_at(account, link):
    """When the reconcile last read this link's ORCID record back (ISO), if ever."""
    if link is None or account is None or account.checked_at is None:
        return None
    return account.checked_at.isoformat()


def preferences_of(user_id):
    """Sync preferences, with their defaults.

    ``include_as_creator`` is the boolean of earlier versions, kept for API
    clients: true when records by others are sent automatically.
    """
    account = OrcidPushAccount.get(user_id)
    by_others = records_by_others_of(account)
    return {
        "auto_sync": account.auto_sync if account else True,
        "records_by_others": by_others,
        "include_as_creator": by_others == RecordsByOthers.AUTOMATIC,
    }


def update_preferences(
    user_id, auto_sync=None, include_as_creator=None, records_by_others=None
):
    """Change sync preferences (``None`` keeps a value)."""
    account = OrcidPushAccount.get_or_create(user_id)
    if auto_sync is not None:
        account.auto_sync = bool(auto_sync)
    if include_as_creator is not None:
        account.include_as_creator = bool(include_as_creator)
    if records_by_others is not None:
        account.records_by_others = records_by_others
    db.session.commit()
    return preferences_of(user_id)


def _synced_words(entry):
    when = entry.synced_at.strftime("%Y-%m-%d %H:%M UTC") if entry.synced_at else ""
    return {
        "message": _("On ORCID since %(when)s", when=when),
        "put_code": entry.put_code,
    }


def _pending_words(entry):
    return {"message": reason_of(entry) or _("Waiting to be sent.")}


def _removed_by_researcher_words(entry):
    return {"message": _("Removed by you on ORCID. Use 'Send again' to put it back.")}


def _removed_words(entry):
    return {"message": _("Not on ORCID: the record is not public.")}


def _invalid_words(entry):
    return {
        "message": _(
            "Cannot be sent: %(error)s Ask the repository's support for help.",
            error=reason_of(entry),
        )
    }


def _failed_words(entry):
    return {
        "message": _(
            "Failed: %(error)s It will be retried; use 'Sync now' to try "
            "again at once.",
            error=reason_of(entry),
        )
    }


STATUS_WORDS = {
    SyncStatus.SYNCED: _synced_words,
    SyncStatus.PENDING: _pending_words,
    SyncStatus.REMOVED_BY_RESEARCHER: _removed_by_researcher_words,
    SyncStatus.REMOVED: _removed_words,
    SyncStatus.INVALID: _invalid_words,
}
"""What people read for each sync status (any other status reads as failed)."""


def orcid_status_words(entry, link):
    """The ORCID status of one family for people: state, message, what to do."""
    if link is None:
        return {
            "state": "not-linked",
            "message": _("Connect ORCID to send this record."),
        }
    if entry is None:
        return {
            "state": "not-sent",
            "message": _(
                "Not sent (published before you connected ORCID, or not "
                "public). Use 'Sync now' to send it."
            ),
        }
    words = STATUS_WORDS.get(entry.status, _failed_words)
    note = ledger_note(entry)
    return {
        "state": entry.status.value,
        **words(entry),
        **({"note": note} if note else {}),
        **_other_sources(entry),
    }


def _other_sources(entry):
    """Other sources' copies of the work (e.g. DataCite's auto-update), which ORCID
    groups with ours: their names and a sentence saying why."""
    if not entry.other_sources:
        return {}
    return {
        "other_sources": list(entry.other_sources),
        "other_sources_note": _(
            "ORCID also holds a copy from %(sources)s with the same DOI, so it "
            "shows them together as one work.",
            sources=", ".join(entry.other_sources),
        ),
    }


def send_existing_records(user_id):
    """Backfill: send the user's public records published before linking."""
    OrcidPushAccount.get_or_create(user_id).include_existing = True
    db.session.commit()
    count = 0
    for parent in owned_parents_query(user_id):
        latest = latest_version(parent.id)
        if (
            latest is not None
            and ((latest.json or {}).get("access") or {}).get("record") == "public"
        ):
            schedule_push(latest.json["id"])
            count += 1
    return count


def revoke_orcid_access(user_id, remote_app=None):
    """Revoke the user's token at ORCID; ``False`` if ORCID could not be told."""
    link = orcid_link_of(user_id)
    if link is None:
        return True
    return revoke_at_orcid(user_id, link.access_token, "disconnected", remote_app)


def remove_works_from_orcid(user_id):
    """Delete from ORCID every work this repository created for the user. Returns a count."""
    return withdraw_works(user_id)


def _sign_in_client_ids(config):
    """Client ids of the remote apps people can sign in with (shown, not link-only).

    As invenio-oauthclient counts them for "Linked accounts" (app names too,
    which old links used as client id).
    """
    client_ids = set()
    for name, remote_app in config.get("OAUTHCLIENT_REMOTE_APPS", {}).items():
        if remote_app.get("hide", False) or remote_app.get("link_only", False):
            continue
        credentials = config.get(remote_app.get("params", {}).get("app_key")) or {}
        client_ids.update({name, credentials.get("consumer_key")})
    return client_ids


def orcid_is_only_sign_in(user_id):
    """Whether unlinking ORCID would leave the user no way to sign in.

    The check invenio-oauthclient makes before its own disconnect
    (``require_more_than_one_external_account`` and the "Linked accounts"
    page): a local password with local login enabled, or another linked
    account of an app people can sign in with, is a way in. A link-only ORCID
    app never was one.
    """
    user = db.session.get(User, user_id)
    config = current_app.config
    client_id = orcid_client_id()
    if user is None or RemoteAccount.get(user_id, client_id) is None:
        return False
    if config.get("ACCOUNTS_LOCAL_LOGIN_ENABLED", True) and user.password is not None:
        return False
    sign_in = _sign_in_client_ids(config)
    others = RemoteAccount.query.filter(
        RemoteAccount.user_id == user_id, RemoteAccount.client_id != client_id
    )
    return client_id in sign_in and not any(
        account.client_id in sign_in for account in others
    )


def disconnect_orcid(user_id, remove_works=False):
    """Unlink ORCID: optionally delete our works, revoke the token, forget the link.

    The ledger is kept. Returns ``(works removed, whether ORCID confirmed the revocation)``.
    """
    removed = remove_works_from_orcid(user_id) if remove_works else 0
    revoked = revoke_orcid_access(user_id)
    client_id = orcid_client_id()
    account = RemoteAccount.get(user_id, client_id) if client_id else None
    if account is not None:
        account.delete()
    UserIdentity.query.filter_by(id_user=user_id, method="orcid").delete()
    db.session.commit()
    return removed, revoked
