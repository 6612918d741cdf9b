"""What a sync ledger row adds to its status, in the reader's language.

The row stores numbers (``contributors_shown``, ``contributors_total``) and
identifiers (``ids_left_out``); the sentence is made when the row is shown, so
it is translated and its numbers are written the reader's way ("3,000",
"3 000").
"""

from flask_babel import format_decimal, ngettext
from invenio_i18n import gettext as _

ID_TYPE_LABELS = {
    "ark": "ARK",
    "arxiv": "arXiv",
    "bibcode": "Bibcode",
    "doi": "DOI",
    "hal": "HAL",
    "handle": "Handle",
    "isbn": "ISBN",
    "issn": "ISSN",
    "pmc": "PMCID",
    "pmid": "PMID",
    "rrid": "RRID",
    "swh": "SWHID",
    "uri": "URL",
    "urn": "URN",
}
"""How ORCID identifier types are named for people (others: as ORCID spells them)."""


def ledger_note(entry):
    """The note of a ledger row (what the work on ORCID leaves out), or ``None``."""
    if entry is None:
        return None
    notes = [_contributors_note(entry), _ids_note(entry)]
    return " ".join(note for note in notes if note) or None


def _contributors_note(entry):
    if not entry.contributors_total:
        return None
    return _(
        "ORCID shows %(shown)s of %(total)s contributors (those with an ORCID "
        "iD first).",
        shown=format_decimal(entry.contributors_shown or 0),
        total=format_decimal(entry.contributors_total),
    )


def _ids_note(entry):
    ids = entry.ids_left_out or []
    if not ids:
        return None
    return ngettext(
        "The work on ORCID leaves out %(ids)s: another work from this repository "
        "on that ORCID record already has it as its own identifier, and ORCID "
        "accepts it on one work only.",
        "The work on ORCID leaves out %(ids)s: other works from this repository "
        "on that ORCID record already have them as their own identifiers, and "
        "ORCID accepts each on one work only.",
        len(ids),
        ids=", ".join(_named(id_) for id_ in ids),
    )


def _named(type_and_value):
    """``"arxiv:arXiv:2101.00001"`` as people read it: ``arXiv arXiv:2101.00001``."""
    id_type, _sep, value = str(type_and_value).partition(":")
    return f"{ID_TYPE_LABELS.get(id_type, id_type)} {value}"
