"""Which work of ours to adopt for a record family instead of creating one.

ORCID's duplicate check (409/9021) only compares a ``self`` id with ``self``
ids and ``version-of`` with ``version-of`` of the same client. A work our
client already put on a researcher's record citing the family's DOI another
way (written in the other ``ORCID_PUSH_WORK_PER_VERSION`` mode, by an earlier
integration with the same client, before a database restore) would not stop a
second work. So before creating, the sync reads the researcher's works once
and asks :func:`choose`; it is pure (no app, no database, no HTTP), a table
test shows every case.
"""

from dataclasses import dataclass

from .work import landing_page_of

DOI_RESOLVERS = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi:",
)
"""How other writers spell a DOI as a link; all mean the bare DOI."""


@dataclass(frozen=True)
class Adoption:
    """The work to update instead of creating one, and our other copies to delete."""

    put_code: str
    duplicates: tuple = ()


def id_key(id_type, value):
    """A comparable form of an identifier: ``("doi", doi)``, ``("url", url)`` or
    ``None``. DOIs and URLs compare case-insensitively, a DOI link as its DOI."""
    text = (value or "").strip().lower() if isinstance(value, str) else ""
    for resolver in DOI_RESOLVERS:
        if text.startswith(resolver):
            return ("doi", text[len(resolver) :])
    if text and (id_type or "").lower() == "doi":
        return ("doi", text)
    if text.startswith(("https://", "http://")):
        return ("url", text.rstrip("/"))
    return None


def _doi_of(pids):
    return ((pids or {}).get("doi") or {}).get("identifier")


def family_ids(family):
    """The identifiers a work of ours for ``family`` may carry, preferred first.

    The shown version's DOI and landing page come first, then (for a family
    work) the concept DOI and the other versions' DOIs and landing pages,
    newest first. In per-version mode (the key is the record id) a version
    claims only its own DOI and landing page, never a sibling's.
    """
    record = family.record or {}
    shown = record.get("id")
    landing = landing_page_of(record)
    ids = [id_key("doi", _doi_of(record.get("pids"))), id_key("uri", landing)]
    if family.key != shown:
        ids.append(id_key("doi", _doi_of((record.get("parent") or {}).get("pids"))))
        base = landing[: -len(shown) - 1] if _ends_with_id(landing, shown) else None
        for record_id, doi in family.versions:
            ids.append(id_key("doi", doi))
            ids.append(id_key("uri", f"{base}/{record_id}" if base else None))
    return list(dict.fromkeys(key for key in ids if key is not None))


def _ends_with_id(landing, record_id):
    """Whether the landing page is ``<site>/records/<id>``: other versions' pages
    are then the same with their id."""
    return bool(landing and record_id and landing.endswith(f"/{record_id}"))


def _put_code_order(put_code):
    text = str(put_code)
    return (0, int(text), text) if text.isdigit() else (1, 0, text)


def _rank(summary, client_id, ranks, protected):
    """The best rank among the ids a summary carries; ``None`` if it is not ours
    to take (another source, no put-code, another family's work, no match)."""
    put_code = summary.get("put_code")
    if summary.get("source_client_id") != client_id or not put_code:
        return None
    if str(put_code) in protected:
        return None
    carried = (
        id_key(ext.get("type"), ext.get("value"))
        for ext in summary.get("external_ids") or ()
    )
    return min((ranks[key] for key in carried if key in ranks), default=None)


def choose(summaries, client_id, wanted, protected=frozenset()):
    """The work of ours to adopt, or ``None`` when a new one must be created.

    ``summaries``: the researcher's works as ``client.list_works`` gives them;
    ``client_id``: ours (other sources' works are never touched);
    ``wanted``: :func:`family_ids`; ``protected``: put-codes (strings) that
    another family's ledger row holds. Among several works of ours citing the
    family, the one citing the most preferred id is adopted (the oldest on a
    tie) and the others are copies of the same family, to delete.
    """
    if not client_id or not wanted:
        return None
    ranks = {key: index for index, key in enumerate(wanted)}
    found = []
    for summary in summaries:
        rank = _rank(summary, client_id, ranks, protected)
        if rank is not None:
            found.append((rank, _put_code_order(summary["put_code"])))
    if not found:
        return None
    put_codes = [order[2] for _, order in sorted(found)]
    return Adoption(put_codes[0], tuple(put_codes[1:]))
