"""The sync ledger says when a work shows only some of the record's contributors.

Two nullable counts on ``orcid_push_ledger`` (``contributors_shown`` of
``contributors_total``); rows written before stay ``NULL`` (all shown).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b5d2f8e1c3a7"
down_revision = "f2c4e6a8b0d1"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column(
        "orcid_push_ledger",
        sa.Column("contributors_shown", sa.Integer(), nullable=True),
    )
    op.add_column(
        "orcid_push_ledger",
        sa.Column("contributors_total", sa.Integer(), nullable=True),
    )


def downgrade():
    """Downgrade database."""
    op.drop_column("orcid_push_ledger", "contributors_total")
    op.drop_column("orcid_push_ledger", "contributors_shown")
