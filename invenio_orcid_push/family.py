"""Record families as the ORCID sync sees them, read from the database.

Search is never used: the bulk resync must work on any number of records, and
the rows are the truth right after a commit. Reading the rows directly also
avoids building record objects, which would mark them dirty and bump their
revisions.
"""

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from invenio_access.permissions import system_identity
from invenio_db import db
from invenio_pidstore.errors import (
    PIDDeletedError,
    PIDDoesNotExistError,
    PIDMissingObjectError,
    PIDUnregistered,
)
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from invenio_rdm_records.proxies import current_rdm_records_service
from invenio_rdm_records.records.api import RDMParent, RDMRecord
from sqlalchemy import func

from .identifiers import normalize_orcid
from .models import OrcidWorkLedger


@dataclass
class RecordFamily:
    """A record family and the version ORCID should show, if any."""

    key: str
    """The ledger key: the parent id, or the record id in per-version mode."""
    record: Optional[dict] = None
    """The version to show (service dump), ``None`` when nothing is public."""
    doi_pending: bool = False
    """A DOI the work would cite is not registered at DataCite yet."""
    first_published: Optional[datetime] = None
    """When the family's first version was created."""
    versions: tuple = ()
    """``(record id, DOI or None)`` of the versions this key covers, newest
    first (only the record itself in per-version mode): a work of ours that
    cites one of them may be adopted instead of creating another."""


def aware(moment):
    """A UTC-aware datetime (SQLite hands back naive ones)."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment


def user_id_of(owner):
    """A repository user's id from an ``owned_by`` value, ``None`` for no user.

    Records created by the system (imports, migrations) are owned by
    ``"system"``, which has no ORCID link and no settings.
    """
    value = str(owner) if owner is not None else ""
    return int(value) if value.isdigit() else None


def owner_id_of(record):
    """The depositor: the owner of the record's parent (not whoever published)."""
    parent = record.get("parent") or {}
    owned_by = (parent.get("access") or {}).get("owned_by") or {}
    return user_id_of(owned_by.get("user"))


def orcid_ids_in(record):
    """The valid ORCID iDs among a record's creators and contributors."""
    metadata = record.get("metadata") or {}
    people = (metadata.get("creators") or []) + (metadata.get("contributors") or [])
    found = set()
    for entry in people:
        for identifier in (entry.get("person_or_org") or {}).get("identifiers") or []:
            if identifier.get("scheme") == "orcid":
                found.add(normalize_orcid(identifier.get("identifier")))
    found.discard(None)
    return found


def storable(value):
    """Whether ``value`` can be looked up in the database at all.

    PostgreSQL refuses a NUL character in a string parameter (psycopg2 raises
    ``ValueError``); no id or e-mail holds one, so such input finds nothing.
    """
    return "\x00" not in str(value)


def resolve_record(record_id):
    """The record of an id, deleted (tombstoned) ones included; ``None`` if unknown."""
    if not storable(record_id):
        return None
    try:
        return RDMRecord.pid.resolve(record_id)
    except PIDDeletedError as exc:
        return exc.record
    except (PIDDoesNotExistError, PIDUnregistered, PIDMissingObjectError):
        # Unknown, or a draft's id: no published record.
        return None


def owner_of(record_id):
    """The user id of a record's depositor, ``None`` if unknown or the system's."""
    record = resolve_record(record_id)
    owned_by = record.parent.access.owned_by if record is not None else None
    return user_id_of(owned_by.owner_id) if owned_by else None


def is_showable(model):
    """Public metadata, and neither deleted nor marked for purge."""
    return is_showable_json(model.json, model.deletion_status)


def is_showable_json(json, deletion_status):
    """:func:`is_showable` of a version's stored JSON and deletion status."""
    status = getattr(deletion_status, "value", deletion_status)
    access = (json or {}).get("access") or {}
    return status in (None, "P") and access.get("record") == "public"


def doi_registered(scheme_data):
    """Whether a DOI we would cite resolves (external DOIs are taken as they are)."""
    if not scheme_data or not scheme_data.get("identifier"):
        return True
    if scheme_data.get("provider") == "external":
        return True
    try:
        pid = PersistentIdentifier.get("doi", scheme_data["identifier"])
    except PIDDoesNotExistError:
        return False
    return pid.status == PIDStatus.REGISTERED


def _versions(record, per_version):
    """The ledger key and the candidate version rows, newest first."""
    if per_version:
        return record["id"], [record.model]
    model_cls = RDMRecord.model_cls
    versions = (
        model_cls.query.filter_by(parent_id=record.model.parent_id, is_deleted=False)
        .order_by(model_cls.index.desc())
        .all()
    )
    return record.parent.pid.pid_value, versions


def _dois_pending(dump, per_version):
    """Whether the version's DOI (and, for a family work, the concept DOI) waits."""
    pids = [(dump.get("pids") or {}).get("doi")]
    if not per_version:
        pids.append(((dump.get("parent") or {}).get("pids") or {}).get("doi"))
    return not all(doi_registered(pid) for pid in pids)


def resolve_family(record_id, per_version=False):
    """The family of a record id and the version to show on ORCID."""
    record = resolve_record(record_id)
    if record is None:
        # Purged: only the ledger still knows the family.
        entry = (
            OrcidWorkLedger.query.filter_by(record_id=record_id).first()
            if storable(record_id)
            else None
        )
        return RecordFamily(key=entry.parent_id if entry else record_id)
    key, versions = _versions(record, per_version)
    first_published = min((aware(model.created) for model in versions), default=None)
    shown = next((model for model in versions if is_showable(model)), None)
    if shown is None:
        return RecordFamily(key=key, first_published=first_published)
    ids_and_dois = tuple(_id_and_doi(model.json or {}) for model in versions)
    dump = current_rdm_records_service.read(system_identity, shown.json["id"]).to_dict()
    return RecordFamily(
        key=key,
        record=dump,
        doi_pending=_dois_pending(dump, per_version),
        first_published=first_published,
        versions=ids_and_dois,
    )


def _id_and_doi(json):
    """A version's record id and DOI (as stored), for adopting our works."""
    doi = ((json.get("pids") or {}).get("doi") or {}).get("identifier")
    return json.get("id"), doi or None


def owned_parents_query(user_id):
    """The parents (record families) a user owns, as a query."""
    model = RDMParent.model_cls
    if db.engine.dialect.name == "postgresql":
        owner = func.jsonb_extract_path_text(model.json, "access", "owned_by", "user")
    else:
        owner = func.json_extract(model.json, "$.access.owned_by.user")
    return model.query.filter(func.cast(owner, db.String) == str(user_id))


def latest_version(parent_uuid):
    """The newest version row of a record family (deleted ones included), or ``None``."""
    model_cls = RDMRecord.model_cls
    return (
        model_cls.query.filter_by(parent_id=parent_uuid, is_deleted=False)
        .order_by(model_cls.index.desc())
        .first()
    )
