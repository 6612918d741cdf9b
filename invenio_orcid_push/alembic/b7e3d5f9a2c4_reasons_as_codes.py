"""Reasons stored as codes and parameters, worded in the reader's language.

``orcid_push_ledger.error_params`` and ``orcid_push_account.link_problem_params``
keep the reason's key and parameters (``invenio_orcid_push.reasons``); pages,
e-mails and the API word them when shown. Rows written before keep their
English sentence, shown as stored; those whose sentence is one of the
parameterless reasons get its key now, so they are translated too.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e3d5f9a2c4"
down_revision = "a9c4e2f7b1d3"
branch_labels = ()
depends_on = None

# The sentences earlier versions wrote, word for word (no parameters), and
# their keys. Copied here, not imported: a migration must not change with the code.
KNOWN_SENTENCES = {
    "Waiting for DataCite to register the record's DOI.": "doi-pending",
    "The record's DOI is not registered at DataCite, so it was not sent "
    "to ORCID; it will be once the DOI is registered.": "doi-not-registered",
    "You deleted this work on ORCID, so it is not sent again. "
    "Use 'send again' to put it back.": "deleted-on-orcid",
    "Internal error while pushing; see the server logs.": "internal-error",
    "ORCID no longer accepts this repository's access: the researcher "
    "revoked it or the token expired. They need to connect ORCID again.": (
        "token-invalid"
    ),
    "ORCID has no such work: it may have been deleted on ORCID.": "not-found",
    "ORCID already holds a work from this repository with the same "
    "identifier.": "duplicate",
    "The record has no title; ORCID requires one.": "no-title",
    "The record has no resource type, so its ORCID work type is unknown.": (
        "no-resource-type"
    ),
    "The record has neither a DOI nor a landing page URL to identify it on "
    "ORCID.": "no-identifier",
}


def _give_keys(table, text_column, params_column):
    rows = sa.table(
        table, sa.column(text_column, sa.Text), sa.column(params_column, sa.JSON)
    )
    for sentence, key in KNOWN_SENTENCES.items():
        op.execute(
            rows.update()
            .where(rows.c[text_column] == sentence)
            .values({params_column: {"reason": key, "outcome": None}})
        )


def upgrade():
    """Upgrade database."""
    op.add_column(
        "orcid_push_ledger", sa.Column("error_params", sa.JSON(), nullable=True)
    )
    op.add_column(
        "orcid_push_account",
        sa.Column("link_problem_params", sa.JSON(), nullable=True),
    )
    _give_keys("orcid_push_ledger", "last_error", "error_params")
    _give_keys("orcid_push_account", "link_problem", "link_problem_params")


def downgrade():
    """Downgrade database (the English sentences stay in their columns)."""
    op.drop_column("orcid_push_account", "link_problem_params")
    op.drop_column("orcid_push_ledger", "error_params")
