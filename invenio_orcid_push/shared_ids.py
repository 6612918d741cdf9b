"""Which of a work's identifiers another work of ours already holds on ORCID.

ORCID refuses (409/9021) a work whose ``self`` identifier equals one of
another work from the same client on the same ORCID record. With alternate
identifiers (an arXiv id, an ISBN) two records of one depositor can share one.
ORCID's answer names only the other work's put-code, so the other work's
identifiers are read from the record's works to see what is shared: the
caller leaves those out and sends again, and the ledger row says so. The work's
primary ``self`` id (DOI or landing page) is never left out.
"""

from . import orcid_model as om
from .links import orcid_client_id
from .models import OrcidWorkLedger


def _key(id_type, value):
    return (id_type, om.normalized_id_value(id_type, value))


def _self_keys(summary):
    return {
        _key(ext["type"], ext["value"])
        for ext in summary["external_ids"]
        if ext["relationship"] in om.DUPLICATE_RELATIONSHIPS
    }


def _conflicting_summary(client, orcid, work, put_code):
    """Our work that ORCID says conflicts (by put-code, else by a shared ``self`` id)."""
    ours = orcid_client_id()
    summaries = [s for s in client.list_works(orcid) if s["source_client_id"] == ours]
    if put_code:
        return next((s for s in summaries if str(s["put_code"]) == str(put_code)), None)
    keys = {
        _key(e.type, e.value) for e in work.external_ids if e.relationship == "self"
    }
    return next((s for s in summaries if _self_keys(s) & keys), None)


def _owner_family(orcid, put_code):
    """The record family whose ledger row keeps ``put_code`` on ``orcid``, if any."""
    row = OrcidWorkLedger.query.filter_by(orcid=orcid, put_code=str(put_code)).first()
    return row.parent_id if row is not None else None


def _only_the_primary_id_can_conflict(orcid, secondary_ids, put_code, family_key):
    """The work has no other ``self`` id and the named work is no other family's:
    it is this family's own (lost put-code or lost answer), no need to read the
    ORCID record."""
    if any(ext.relationship == "self" for ext in secondary_ids):
        return False
    named_owner = _owner_family(orcid, put_code) if put_code else None
    return named_owner in (None, family_key)


def ids_held_elsewhere(client, orcid, work, put_code, family_key):
    """The identifiers of ``work`` to leave out after ORCID's 409, or ``None``.

    ``None``: the conflicting work is this family's own (it cites the primary
    ``self`` id and no other family's ledger row keeps it): adopt it, as for a
    lost put-code. Else the work's other ``self`` ids that the conflicting work
    holds too; an empty list when only the primary id is shared with another
    family's work, which nothing left out can solve.
    """
    primary, *rest = work.external_ids
    if _only_the_primary_id_can_conflict(orcid, rest, put_code, family_key):
        return None
    other = _conflicting_summary(client, orcid, work, put_code)
    if other is None:
        return None
    held = _self_keys(other)
    owner = _owner_family(orcid, other["put_code"])
    if owner in (None, family_key) and _key(primary.type, primary.value) in held:
        return None
    return [
        ext
        for ext in rest
        if ext.relationship == "self" and _key(ext.type, ext.value) in held
    ]
