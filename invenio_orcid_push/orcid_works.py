"""A researcher's ORCID works read back, and a work imported as a draft.

Reads the works on the user's linked ORCID record with their token, under the
shared rate limit (``sync.client_for``), and tells for each which record of
theirs here is the same work (``import_work.match_record``). Importing creates
a draft through the RDM record service as the user; nothing is written to ORCID.
"""

import re

from flask import current_app
from invenio_access.permissions import system_identity
from invenio_db import db
from invenio_i18n import gettext as _
from invenio_pidstore.models import PersistentIdentifier, PIDStatus
from invenio_rdm_records.proxies import current_rdm_records_service
from invenio_rdm_records.records.api import RDMRecord
from invenio_vocabularies.proxies import current_service as vocabulary_service
from sqlalchemy.exc import IntegrityError

from .client import (
    OrcidError,
    OrcidNotFoundError,
    OrcidPermissionError,
    OrcidTokenInvalidError,
)
from .import_work import (
    Candidate,
    draft_from_work,
    fit_draft,
    id_key,
    match_record,
    normalize_title,
    year_of,
)
from .links import orcid_client_id, orcid_link_of
from .listing import families_of
from .models import OrcidWorkImport
from .sync import client_for

PUT_CODE = re.compile(r"^[0-9]{1,19}$")


class NotLinkedError(Exception):
    """The user has no usable ORCID link."""

    @property
    def description(self):
        """The sentence shown to the caller."""
        return _(
            "Your account is not connected to an ORCID record: connect ORCID "
            "in your ORCID settings first."
        )


class WorkNotFoundError(Exception):
    """No such work on the user's ORCID record (unknown, private or deleted)."""

    def __init__(self, put_code, on_orcid=False):
        """``on_orcid``: ORCID was asked and would not return it."""
        super().__init__(put_code)
        self.put_code = put_code
        self.on_orcid = on_orcid

    @property
    def description(self):
        """The sentence shown to the caller."""
        if self.on_orcid:
            return _(
                "ORCID did not return the work %(put_code)s: it may be private "
                "or deleted.",
                put_code=self.put_code,
            )
        return _("Your ORCID record has no work %(put_code)s.", put_code=self.put_code)


class AlreadyHereError(Exception):
    """The work already became a draft or a record here."""

    def __init__(self, record_id, draft):
        """Name the record (or draft)."""
        super().__init__(record_id)
        self.record_id = record_id
        self.draft = draft

    @property
    def description(self):
        """The sentence shown to the caller, naming the draft or record."""
        if self.draft:
            return _(
                "This work was already imported: it is the draft %(id)s.",
                id=self.record_id,
            )
        return _(
            "This work is already in this repository: it is the record %(id)s.",
            id=self.record_id,
        )


class OrcidReadError(Exception):
    """ORCID could not be read: refused the link (``refused``) or unavailable."""

    def __init__(self, error, refused):
        """Keep the client's error."""
        super().__init__(error)
        self.error = error
        self.refused = refused

    @property
    def description(self):
        """The sentence shown to the caller."""
        if self.refused:
            return _(
                "ORCID no longer accepts this repository's access to your ORCID "
                "record: connect ORCID again."
            )
        return _("ORCID cannot be reached just now: please try again later.")


def _link(user_id):
    link = orcid_link_of(user_id)
    if link is None:
        raise NotLinkedError(user_id)
    return link


def _read(call, *args, put_code=None):
    """``call(*args)``, ORCID's refusals typed for the service; the call log kept."""
    try:
        return call(*args)
    except (OrcidNotFoundError, OrcidPermissionError) as exc:
        if put_code is None:
            raise OrcidReadError(exc, refused=True) from exc
        raise WorkNotFoundError(put_code, on_orcid=True) from exc
    except OrcidTokenInvalidError as exc:
        raise OrcidReadError(exc, refused=True) from exc
    except OrcidError as exc:
        raise OrcidReadError(exc, refused=False) from exc
    finally:
        db.session.commit()  # the call log


# -- What the user has here ----------------------------------------------------------


def _version_keys(json, site):
    keys = {
        id_key("doi", ((json.get("pids") or {}).get("doi") or {}).get("identifier")),
        id_key("uri", f"{site}/records/{json.get('id')}"),
    }
    for entry in (json.get("metadata") or {}).get("identifiers") or []:
        keys.add(id_key(entry.get("scheme"), entry.get("identifier")))
    return keys


def _candidate(family, site):
    versions = RDMRecord.model_cls.query.filter_by(parent_id=family.parent.id).all()
    keys = {id_key("doi", _parent_doi(family.parent.json))}
    for model in versions:
        keys |= _version_keys(model.json or {}, site)
    keys.discard(None)
    latest = family.version.json or {}
    metadata = latest.get("metadata") or {}
    return Candidate(
        record_id=latest.get("id"),
        keys=keys,
        title=normalize_title(metadata.get("title")),
        year=year_of(metadata.get("publication_date")),
    )


def _parent_doi(json):
    return (((json or {}).get("pids") or {}).get("doi") or {}).get("identifier")


def candidates_of(user_id, link):
    """The user's records (own and listing their iD) as :class:`Candidate`."""
    site = current_app.config.get("SITE_UI_URL", "").rstrip("/")
    return [_candidate(family, site) for family in families_of(user_id, link)]


def _pid(record_id):
    """The record id's PID, unless the draft was discarded (or never was)."""
    pid = PersistentIdentifier.query.filter_by(
        pid_type="recid", pid_value=record_id
    ).one_or_none()
    return pid if pid is not None and pid.status != PIDStatus.DELETED else None


def imports_of(orcid):
    """``{put-code: draft or record id}`` of this iD's imports still here."""
    rows = OrcidWorkImport.query.filter_by(orcid=orcid).all()
    return {row.put_code: row.record_id for row in rows if _pid(row.record_id)}


def _is_draft(record_id):
    """A draft never published (its PID is not registered yet)."""
    pid = _pid(record_id)
    return pid is not None and pid.status != PIDStatus.REGISTERED


def record_links(record_id):
    """Where a person sees the record (its page) or the draft (the deposit form)."""
    site = current_app.config.get("SITE_UI_URL", "").rstrip("/")
    if _is_draft(record_id):
        return {"record_html": f"{site}/uploads/{record_id}", "draft": True}
    return {"record_html": f"{site}/records/{record_id}", "draft": False}


# -- The list ------------------------------------------------------------------------


def _hit(summary, record_id, client_id):
    return {
        "put_code": summary["put_code"],
        "title": summary.get("title"),
        "type": summary.get("type"),
        "publication_date": summary.get("publication_date"),
        "external_ids": [
            {key: ext.get(key) for key in ("type", "value", "relationship")}
            for ext in summary.get("external_ids") or []
        ],
        "source": {
            "name": summary.get("source_name") or summary.get("source_client_id"),
            "this_repository": summary.get("source_client_id") == client_id,
        },
        "record": record_id,
    }


def works_of(user_id):
    """The works on the user's linked ORCID record, each with its record here."""
    link = _link(user_id)
    summaries = _read(client_for(link).list_works, link.orcid)
    candidates = candidates_of(user_id, link)
    imported = imports_of(link.orcid)
    client_id = orcid_client_id()
    return [
        _hit(
            summary,
            imported.get(summary["put_code"]) or match_record(summary, candidates),
            client_id,
        )
        for summary in summaries
    ]


# -- The import ----------------------------------------------------------------------


def _vocabulary_has(vocabulary_type, entry_id):
    try:
        vocabulary_service.read(system_identity, (vocabulary_type, entry_id))
    except Exception:  # noqa: BLE001 - absent in this instance, whatever the reason
        return False
    return True


def _with_notes(data, notes):
    """The notes as an additional description (type ``other``), else the description's end."""
    if not notes:
        return data
    text = "<p>" + "</p><p>".join(notes) + "</p>"
    metadata = data["metadata"]
    if _vocabulary_has("descriptiontypes", "other"):
        metadata.setdefault("additional_descriptions", []).append(
            {"description": text, "type": {"id": "other"}}
        )
    else:
        metadata["description"] = (metadata.get("description") or "") + text
    return data


NOTE_SENTENCES = {
    "untyped": lambda p: _(
        "The ORCID work type %(type)s has no resource type here: a generic one "
        "was chosen. Please check it.",
        **p,
    ),
    "type-not-here": lambda p: _(
        "This repository has no resource type %(type)s: please choose one.", **p
    ),
    "ids-left-out": lambda p: _(
        "Identifiers this repository cannot store were left out: %(ids)s.", **p
    ),
}
"""What each import note says (``import_work`` notes are codes and parameters)."""


def import_work(identity, user_id, put_code):
    """Create a draft owned by the user from the work ``put_code``.

    Returns ``(draft item, notes)``. Raises :class:`WorkNotFoundError`,
    :class:`AlreadyHereError` (an earlier import, or a record here that is
    the same work) or :class:`OrcidReadError`.
    """
    link = _link(user_id)
    put_code = str(put_code)
    if not PUT_CODE.match(put_code):
        raise WorkNotFoundError(put_code)
    earlier = imports_of(link.orcid).get(put_code)
    if earlier is not None:
        raise AlreadyHereError(earlier, draft=_is_draft(earlier))
    work = _read(client_for(link).read_work, link.orcid, put_code, put_code=put_code)
    same = match_record(work, candidates_of(user_id, link))
    if same is not None:
        raise AlreadyHereError(same, draft=False)
    draft = fit_draft(
        draft_from_work(work),
        _vocabulary_has,
        {field.name for field in current_app.config.get("RDM_CUSTOM_FIELDS", [])},
    )
    notes = [str(NOTE_SENTENCES[code](params)) for code, params in draft.notes]
    item = current_rdm_records_service.create(identity, _with_notes(draft.data, notes))
    _remember(link.orcid, put_code, user_id, item.id)
    return item, notes


def _remember(orcid, put_code, user_id, record_id):
    """Which draft the work became (replacing a discarded draft's row)."""
    row = db.session.get(OrcidWorkImport, (orcid, put_code))
    if row is None:
        row = OrcidWorkImport(orcid=orcid, put_code=put_code)
        db.session.add(row)
    row.user_id, row.record_id = user_id, record_id
    try:
        db.session.commit()
    except IntegrityError as exc:  # a second import at the same moment won
        db.session.rollback()
        winner = imports_of(orcid).get(put_code, record_id)
        raise AlreadyHereError(winner, draft=True) from exc
