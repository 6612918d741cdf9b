"""What a sync ledger row adds to its status, in the reader's language.

The row stores numbers (``contributors_shown``, ``contributors_total``); the
sentence is made when the row is shown, so it is translated and its numbers
are written the reader's way ("3,000", "3 000").
"""

from flask_babel import format_decimal
from invenio_i18n import gettext as _


def ledger_note(entry):
    """The note of a ledger row (what the work on ORCID leaves out), or ``None``."""
    if entry is None or not entry.contributors_total:
        return None
    return _(
        "ORCID shows %(shown)s of %(total)s contributors (those with an ORCID "
        "iD first).",
        shown=format_decimal(entry.contributors_shown or 0),
        total=format_decimal(entry.contributors_total),
    )
