"""The reconcile reads ORCID back: when it last did, and what it found.

``orcid_push_account.checked_at`` (when the works ORCID holds were last read)
and ``unknown_works`` (works of ours no family explains, for administrators);
``orcid_push_ledger.other_sources`` (other sources' copies of a family's work).
All nullable: rows written before read as "never checked".
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9c4e2f7b1d3"
down_revision = "a9c3e5f7b1d2"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column(
        "orcid_push_account",
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "orcid_push_account",
        sa.Column("unknown_works", sa.JSON(), nullable=True),
    )
    op.add_column(
        "orcid_push_ledger",
        sa.Column("other_sources", sa.JSON(), nullable=True),
    )


def downgrade():
    """Downgrade database."""
    op.drop_column("orcid_push_ledger", "other_sources")
    op.drop_column("orcid_push_account", "unknown_works")
    op.drop_column("orcid_push_account", "checked_at")
