"""Reading ORCID back: what researchers and other sources changed on ORCID records.

Pushing alone never learns that a researcher deleted our work on orcid.org
(until the next edit's PUT answers 404), that a lost answer left a second
copy of ours, or that DataCite's or Crossref's auto-update put a copy of the
same DOI next to ours. The reconcile reads, per linked researcher with ledger
rows, ``GET /works`` once and compares it with the ledger.

:func:`compare` is the comparison, a pure function (table-tested);
:func:`read_back` carries its findings out under each iD's write lock, through
the same client, rate limit and call log as every push (``sync.client_for``).
Only works whose source is our client are ever deleted.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from invenio_db import db
from invenio_rdm_records.records.api import RDMRecord
from redis.exceptions import RedisError

from .client import OrcidError, OrcidNotFoundError
from .family import resolve_record
from .links import orcid_client_id, orcid_link_of
from .locks import LockUnavailable, orcid_write_lock
from .models import OrcidPushAccount, OrcidWorkLedger, SyncStatus
from .plan import GONE, link_usable
from .sync import DELETED_ON_ORCID_MESSAGE, client_for

logger = logging.getLogger(__name__)

__all__ = ("compare", "read_back", "Findings", "ReadBackReport", "RowView")

GROUPING_RELATIONSHIPS = frozenset({"self", "version-of"})
"""Identifiers that make ORCID group works (and a work ours): a DOI cited as
``part-of`` or ``funded-by`` is another work's relation, not a copy."""

_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/")
_DOI_PREFIXES += ("http://dx.doi.org/", "doi:")


# -- The comparison (pure) -------------------------------------------------------------


@dataclass(frozen=True)
class RowView:
    """What :func:`compare` reads of a ledger row."""

    key: str
    """The family's ledger key (``parent_id``)."""
    put_code: Optional[str]
    status: SyncStatus


@dataclass
class Findings:
    """What ORCID holds that the ledger does not say, for one ORCID record."""

    deleted_by_researcher: list = field(default_factory=list)
    """Keys of ``synced`` rows whose work is gone from ORCID (no copy of ours left)."""
    adopted: dict = field(default_factory=dict)
    """``{key: put-code}``: the row's work is gone but another work of ours for
    the family is there (the researcher deleted one of two copies): it becomes
    the row's work."""
    strays: list = field(default_factory=list)
    """``(put-code, key)``: works of ours citing a family of ours that are not
    its ledger work: copies to delete."""
    unknown: list = field(default_factory=list)
    """Summaries of works of ours that cite no family of this ORCID record's
    ledger: reported to administrators, never deleted."""
    other_sources: dict = field(default_factory=dict)
    """``{key: [source names]}`` of other sources' works citing the family."""


def identifier_key(id_type, value):
    """A comparable ``(type, value)``: DOIs without resolver prefix, lower case."""
    id_type = (id_type or "").strip().lower()
    value = (value or "").strip().lower()
    if id_type == "doi":
        value = next(
            (value[len(p) :] for p in _DOI_PREFIXES if value.startswith(p)), value
        )
    elif id_type == "uri":
        value = value.rstrip("/")
    return (id_type, value) if id_type and value else None


def _keys_of(summary):
    keys = {
        identifier_key(ext["type"], ext["value"])
        for ext in summary.get("external_ids") or []
        if ext.get("relationship") in GROUPING_RELATIONSHIPS
    }
    keys.discard(None)
    return keys


def _families_citing(summary, identifiers):
    keys = _keys_of(summary)
    return [key for key, known in identifiers.items() if keys & known]


def _source_of(summary):
    return summary.get("source_name") or summary.get("source_client_id") or "?"


def compare(summaries, rows, identifiers, client_id):
    """The findings for one ORCID record, from what it holds and what we know.

    ``summaries``: ``client.list_works`` of that record; ``rows``: its ledger
    rows (:class:`RowView`); ``identifiers``: ``{key: {identifier_key}}``, the
    DOIs and landing pages of each row's family; ``client_id``: ours.

    A family whose row has no put-code yet (a push under way or failed) is not
    judged: its next push adopts a work of ours it finds.
    """
    findings = Findings()
    ours, theirs = _split_by_source(summaries, client_id)
    ledger = {row.put_code for row in rows if row.put_code}
    _find_gone(findings, summaries, rows, ours, ledger, identifiers)
    kept = ledger | set(findings.adopted.values())
    unsettled = _unsettled(rows)
    for summary in ours:
        if summary.get("put_code") not in kept:
            _judge(findings, summary, identifiers, unsettled)
    findings.other_sources = _other_sources(theirs, identifiers)
    return findings


def _split_by_source(summaries, client_id):
    """``(ours, other sources')``."""
    ours = [s for s in summaries if s.get("source_client_id") == client_id]
    return ours, [s for s in summaries if s.get("source_client_id") != client_id]


def _unsettled(rows):
    """Keys of rows waiting for a put-code (a push under way, or failed)."""
    return {row.key for row in rows if not row.put_code and row.status not in GONE}


def _find_gone(findings, summaries, rows, ours, ledger, identifiers):
    present = {str(s.get("put_code")) for s in summaries}
    spare = [s for s in ours if s.get("put_code") not in ledger]
    for row in rows:
        if row.status == SyncStatus.SYNCED and row.put_code not in present:
            _gone(findings, row, spare, identifiers)


def _other_sources(theirs, identifiers):
    """``{key: sorted source names}`` of other sources' works citing each family."""
    names = {}
    for summary in theirs:
        for key in _families_citing(summary, identifiers):
            names.setdefault(key, set()).add(_source_of(summary))
    return {key: sorted(found) for key, found in names.items()}


def _gone(findings, row, spare, identifiers):
    """A synced row's work is gone: adopt a spare copy of ours, else the researcher's."""
    taken = set(findings.adopted.values())
    copy = next(
        (
            s["put_code"]
            for s in spare
            if s["put_code"] not in taken
            and row.key in _families_citing(s, identifiers)
        ),
        None,
    )
    if copy is not None:
        findings.adopted[row.key] = copy
    else:
        findings.deleted_by_researcher.append(row.key)


def _judge(findings, summary, identifiers, unsettled):
    """A work of ours that is no row's work: a stray copy, unknown, or left alone."""
    families = _families_citing(summary, identifiers)
    if not families:
        findings.unknown.append(summary)
    elif not unsettled.intersection(families):
        findings.strays.append((summary["put_code"], families[0]))


# -- What a family is known by ---------------------------------------------------------


def family_identifiers(row):
    """The identifiers a work of this row's family may cite, as identifier keys.

    The row's ``self`` id, the DOI and landing page of every version and the
    concept DOI; in per-version mode (the key is the record id) the version's
    alone, so a version's own work is never taken for a copy of its sibling's.
    """
    id_type, _, value = (row.self_id or "").partition(":")
    keys = {identifier_key(id_type, value)}
    record = resolve_record(row.record_id)
    if record is not None:
        keys |= _record_identifiers(record, per_version=row.parent_id == row.record_id)
    keys.discard(None)
    return keys


def _record_identifiers(record, per_version):
    """DOIs and landing pages of the versions (and the concept DOI of a family)."""
    if per_version:
        versions = [record.model]
    else:
        model_cls = RDMRecord.model_cls
        versions = model_cls.query.filter_by(parent_id=record.model.parent_id).all()
    site = current_app.config.get("SITE_UI_URL", "").rstrip("/")
    keys = set()
    for model in versions:
        json = model.json or {}
        keys.add(identifier_key("doi", _doi_in(json)))
        keys.add(identifier_key("uri", f"{site}/records/{json.get('id')}"))
    if not per_version:
        keys.add(identifier_key("doi", _doi_in(dict(record.parent))))
    return keys


def _doi_in(json):
    return (((json or {}).get("pids") or {}).get("doi") or {}).get("identifier")


# -- Carrying it out -------------------------------------------------------------------


@dataclass
class ReadBackReport:
    """What one read-back did, for the CLI, the job and the logs."""

    checked: int = 0
    """ORCID records read and compared."""
    removed_by_researcher: int = 0
    adopted: int = 0
    strays_deleted: int = 0
    strays_failed: int = 0
    other_source_copies: int = 0
    """Families with a copy from another source."""
    unknown: list = field(default_factory=list)
    """``(iD, put-code, title)`` of works of ours no family explains."""
    skipped: list = field(default_factory=list)
    """``(iD, reason)`` of ORCID records not read (error, garbage, busy)."""

    def summary(self):
        """One paragraph of counts, for people."""
        text = (
            f"ORCID read back: {self.checked} ORCID record(s) checked, "
            f"{self.removed_by_researcher} work(s) deleted by researchers, "
            f"{self.adopted} copy(ies) adopted, {self.strays_deleted} stray "
            f"copy(ies) deleted, {self.other_source_copies} record(s) with "
            f"copies from other sources, {len(self.unknown)} unknown work(s) of "
            "ours reported."
        )
        if self.strays_failed:
            text += f" {self.strays_failed} stray copy(ies) could not be deleted."
        if self.unknown:
            text += (
                " Unknown: "
                + "; ".join(
                    f"{orcid} put-code {code} ({title})"
                    for orcid, code, title in self.unknown
                )
                + "."
            )
        if self.skipped:
            text += (
                f" Skipped {len(self.skipped)}: "
                + "; ".join(f"{orcid} ({reason})" for orcid, reason in self.skipped)
                + "."
            )
        return text


def researchers():
    """``(iD, link)`` of every ORCID record with ledger rows and a usable link.

    An opted-out researcher (automatic sync off) or a link ORCID refused gets
    no call at all, as with pushes.
    """
    pairs = (
        db.session.query(OrcidWorkLedger.orcid, OrcidWorkLedger.user_id)
        .distinct()
        .order_by(OrcidWorkLedger.orcid, OrcidWorkLedger.user_id)
    )
    found = {}
    for orcid, user_id in pairs.all():
        if orcid in found:
            continue
        link = orcid_link_of(user_id)
        if link is not None and link.orcid == orcid and link_usable(link):
            found[orcid] = link
    return list(found.items())


def read_back():
    """Read every linked ORCID record with ledger rows back; one GET each."""
    report = ReadBackReport()
    client_id = orcid_client_id()
    for orcid, link in researchers():
        try:
            with orcid_write_lock(orcid):
                _check(link, client_id, report)
        except LockUnavailable:
            report.skipped.append((orcid, "busy: another worker writes to it"))
        except RedisError:
            raise  # no locks or rate limit for anyone: the run cannot go on
        except Exception:  # a bug for one researcher must not stop the others
            db.session.rollback()
            logger.exception("Reading ORCID record %s back failed", orcid)
            report.skipped.append((orcid, "internal error, see the logs"))
    return report


def _check(link, client_id, report):
    """Compare one ORCID record with its ledger rows and repair (under its lock)."""
    rows = OrcidWorkLedger.query.filter_by(orcid=link.orcid).populate_existing().all()
    try:
        summaries = client_for(link).list_works(link.orcid)
    except OrcidError as exc:
        db.session.commit()  # the call log
        logger.warning("ORCID record %s not read back: %s", link.orcid, exc.code)
        report.skipped.append((link.orcid, f"ORCID answered {exc.code}"))
        return
    by_key = {row.parent_id: row for row in rows}
    views = [RowView(row.parent_id, row.put_code, row.status) for row in rows]
    identifiers = {row.parent_id: family_identifiers(row) for row in rows}
    findings = compare(summaries, views, identifiers, client_id)
    _apply_to_rows(findings, by_key, report)
    _delete_strays(link, findings, by_key, report)
    _note_account(link, findings, report)
    report.checked += 1
    db.session.commit()


def _set(obj, name, value):
    """Set only what changed: an unchanged row keeps its ``updated``."""
    if getattr(obj, name) != value:
        setattr(obj, name, value)


def _apply_to_rows(findings, by_key, report):
    for key in findings.deleted_by_researcher:
        row = by_key[key]
        row.mark_removed(by_researcher=True)
        row.note_reason(DELETED_ON_ORCID_MESSAGE, None)
        report.removed_by_researcher += 1
    for key, put_code in findings.adopted.items():
        # Sent again at the next push (its content is not known to be ours).
        by_key[key].put_code, by_key[key].payload_hash = str(put_code), None
        report.adopted += 1
    for key, row in by_key.items():
        _set(row, "other_sources", findings.other_sources.get(key))
    report.other_source_copies += len(findings.other_sources)


def _delete_strays(link, findings, by_key, report):
    """Delete our stray copies; a 404 counts as done (already gone)."""
    for put_code, key in findings.strays:
        client = client_for(link, by_key[key])
        try:
            client.delete_work(link.orcid, put_code)
        except OrcidNotFoundError:
            pass
        except OrcidError as exc:
            logger.warning(
                "Stray copy %s on %s not deleted: %s", put_code, link.orcid, exc.code
            )
            report.strays_failed += 1
            continue
        report.strays_deleted += 1


def _note_account(link, findings, report):
    """When ORCID was read, and what of ours it holds that we cannot explain.

    Written without touching the account's ``updated``: the quick resync
    takes a newer account for changed preferences and would read every record
    of the researcher again after each reconcile.
    """
    unknown = [
        {
            "put_code": s.get("put_code"),
            "title": s.get("title"),
            "ids": sorted(f"{t}:{v}" for t, v in _keys_of(s)),
        }
        for s in findings.unknown
    ]
    if OrcidPushAccount.get(link.user_id) is None:
        OrcidPushAccount.get_or_create(link.user_id)
        db.session.flush()
    db.session.execute(
        sa.update(OrcidPushAccount)
        .where(OrcidPushAccount.user_id == link.user_id)
        .values(checked_at=datetime.now(timezone.utc), unknown_works=unknown or None)
    )
    for work in unknown:
        report.unknown.append((link.orcid, work["put_code"], work["title"]))
        logger.warning(
            "ORCID record %s holds a work of ours no record explains: put-code %s",
            link.orcid,
            work["put_code"],
        )
