"""The sync ledger says which identifiers a work leaves out.

One nullable JSON column on ``orcid_push_ledger`` (``ids_left_out``: the
record's identifiers another work of ours on that ORCID record already holds);
rows written before stay ``NULL`` (nothing left out).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a9c3e5f7b1d2"
down_revision = "b5d2f8e1c3a7"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column(
        "orcid_push_ledger",
        sa.Column("ids_left_out", sa.JSON(), nullable=True),
    )


def downgrade():
    """Downgrade database."""
    op.drop_column("orcid_push_ledger", "ids_left_out")
