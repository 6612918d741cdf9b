"""Create the ORCID call log."""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c3d9e1f2a4b5"
down_revision = "8a4f6b2c9d10"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.create_table(
        "orcid_push_call_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ledger_id", sa.Integer(), nullable=True),
        sa.Column("orcid", sa.String(length=19), nullable=True),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=255), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("duration_ms", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ledger_id"],
            ["orcid_push_ledger.id"],
            name=op.f("fk_orcid_push_call_log_ledger_id_orcid_push_ledger"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orcid_push_call_log")),
    )
    op.create_index(
        op.f("ix_orcid_push_call_log_created"), "orcid_push_call_log", ["created"]
    )
    op.create_index(
        op.f("ix_orcid_push_call_log_ledger_id"), "orcid_push_call_log", ["ledger_id"]
    )


def downgrade():
    """Downgrade database."""
    op.drop_table("orcid_push_call_log")
