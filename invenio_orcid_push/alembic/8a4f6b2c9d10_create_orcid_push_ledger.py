"""Create the ORCID push sync ledger and account tables."""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8a4f6b2c9d10"
down_revision = "5e1c0a7d2f31"
branch_labels = ()
# accounts_user must exist for the user_id foreign key.
depends_on = "9848d0149abd"


def upgrade():
    """Upgrade database."""
    op.create_table(
        "orcid_push_ledger",
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("orcid", sa.String(length=19), nullable=False),
        sa.Column("parent_id", sa.String(length=255), nullable=False),
        sa.Column("record_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("put_code", sa.String(length=32), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("payload_hash", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("self_id", sa.String(length=1024), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_orcid_push_ledger_user_id_accounts_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orcid_push_ledger")),
        sa.UniqueConstraint(
            "orcid", "parent_id", name="uq_orcid_push_ledger_orcid_parent_id"
        ),
    )
    op.create_index(op.f("ix_orcid_push_ledger_orcid"), "orcid_push_ledger", ["orcid"])
    op.create_index(
        op.f("ix_orcid_push_ledger_parent_id"), "orcid_push_ledger", ["parent_id"]
    )
    op.create_index(
        op.f("ix_orcid_push_ledger_status"), "orcid_push_ledger", ["status"]
    )
    op.create_index(
        op.f("ix_orcid_push_ledger_user_id"), "orcid_push_ledger", ["user_id"]
    )

    op.create_table(
        "orcid_push_account",
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("orcid", sa.String(length=19), nullable=True),
        sa.Column("auto_sync", sa.Boolean(), nullable=False),
        sa.Column("include_as_creator", sa.Boolean(), nullable=False),
        sa.Column("link_status", sa.String(length=32), nullable=False),
        sa.Column("link_problem", sa.Text(), nullable=True),
        sa.Column("moved_to", sa.String(length=19), nullable=True),
        sa.Column("granted_scopes", sa.String(length=255), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("include_existing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_orcid_push_account_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_orcid_push_account")),
    )


def downgrade():
    """Downgrade database."""
    op.drop_table("orcid_push_account")
    op.drop_table("orcid_push_ledger")
