"""A researcher's records: their own deposits and the public records that list them.

Read from the database (never from search): deposits through the parents'
owner, records that list a researcher through their linked iD in the stored
metadata. Each row says the researcher's role and where the family stands on
their ORCID record, including whether it waits for their approval.
"""

from dataclasses import dataclass

from flask import current_app
from invenio_db import db
from invenio_i18n import gettext as _
from invenio_rdm_records.records.api import RDMParent, RDMRecord

from .accounts import orcid_status_words
from .family import is_showable, latest_version, orcid_ids_in, owned_parents_query
from .links import orcid_link_of
from .models import (
    Consent,
    OrcidPushAccount,
    OrcidPushConsent,
    OrcidWorkLedger,
    RecordsByOthers,
)
from .plan import records_by_others_of

OWNER, CREATOR, CONTRIBUTOR = "owner", "creator", "contributor"
AWAITING, DISMISSED = "awaiting-approval", "dismissed"


def role_in(record, orcid):
    """``creator``, ``contributor`` or ``None``: how a record lists an iD."""
    metadata = record.get("metadata") or {}
    for role, key in ((CREATOR, "creators"), (CONTRIBUTOR, "contributors")):
        if orcid in orcid_ids_in({"metadata": {key: metadata.get(key)}}):
            return role
    return None


def role_of(user_id, record):
    """The user's role in a record (API object or dump): owner, creator,
    contributor, or ``None`` when the record neither is theirs nor lists them."""
    owned_by = record.parent.access.owned_by if hasattr(record, "parent") else None
    if owned_by is not None and str(owned_by.owner_id) == str(user_id):
        return OWNER
    link = orcid_link_of(user_id)
    return role_in(record, link.orcid) if link else None


def family_key(record):
    """The ledger key of a record's family (the record itself per version)."""
    if current_app.config["ORCID_PUSH_WORK_PER_VERSION"]:
        return record["id"]
    return record.parent.pid.pid_value


@dataclass
class _Family:
    """One row of the list: a family, its latest version, the user's role."""

    parent: object
    version: object
    role: str

    @property
    def parent_pid(self):
        """The family's id."""
        return (self.parent.json or {}).get("id")


def _own(user_id):
    for parent in owned_parents_query(user_id):
        version = latest_version(parent.id)
        if version is not None:  # drafts only, never published
            yield _Family(parent, version, OWNER)


def _listing(orcid, owned):
    """Public families whose latest version lists ``orcid`` (not the user's own)."""
    model = RDMRecord.model_cls
    matches = db.session.query(model.parent_id).filter(
        model.is_deleted.is_(False),
        db.func.lower(db.cast(model.json, db.Text)).contains(orcid.lower()),
    )
    for parent_id in sorted({parent_id for (parent_id,) in matches} - owned):
        version = latest_version(parent_id)
        role = role_in(version.json or {}, orcid) if version is not None else None
        if role and is_showable(version):
            yield _Family(db.session.get(RDMParent.model_cls, parent_id), version, role)


def families_of(user_id, link):
    """The user's own families and the public ones listing their iD, newest first."""
    own = list(_own(user_id))
    listed = list(_listing(link.orcid, {f.parent.id for f in own})) if link else []
    return sorted(own + listed, key=lambda f: f.parent.created, reverse=True)


def records_of(user_id, page=1, size=20):
    """A page of :func:`families_of` as rows people read: ``(total, rows)``."""
    link = orcid_link_of(user_id)
    found = families_of(user_id, link)
    decisions = _decisions(user_id, [f.parent_pid for f in found])
    account = OrcidPushAccount.get(user_id)
    rows = [
        _row(family, link, decisions.get(family.parent_pid), account)
        for family in found[(page - 1) * size : page * size]
    ]
    return len(found), rows


def _decisions(user_id, parent_pids):
    rows = OrcidPushConsent.query.filter(
        OrcidPushConsent.user_id == user_id,
        OrcidPushConsent.parent_id.in_(parent_pids),
    )
    return {row.parent_id: row.decision for row in rows}


def _row(family, link, decision, account):
    data = family.version.json or {}
    entry = OrcidWorkLedger.get(link.orcid, family.parent_pid) if link else None
    return {
        "id": data.get("id"),
        "parent_id": family.parent_pid,
        "title": (data.get("metadata") or {}).get("title"),
        "public": is_showable(family.version),
        "role": family.role,
        "orcid": _state(family.role, link, entry, decision, account),
    }


def _state(role, link, entry, decision, account):
    """Where the family stands for this user, in words."""
    if link is not None and decision == Consent.DISMISSED:
        return {
            "state": DISMISSED,
            "message": _("You dismissed it: it is not sent to your ORCID record."),
        }
    if role == OWNER or entry is not None or link is None:
        return orcid_status_words(entry, link)
    return _waiting_state(decision, account)


def _waiting_state(decision, account):
    """A record by someone else, never sent: does it wait for this user?"""
    choice = records_by_others_of(account)
    if decision == Consent.PENDING or (
        decision is None and choice == RecordsByOthers.ASK
    ):
        return {
            "state": AWAITING,
            "message": _(
                "Deposited by someone else and listing you: use 'Sync now' to "
                "add it to your ORCID record, or 'Dismiss'."
            ),
        }
    return {
        "state": "not-sent",
        "message": _(
            "Not sent (records by others are not sent automatically, or it "
            "was published before you connected ORCID). Use 'Sync now' to send it."
        ),
    }
