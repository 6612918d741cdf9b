"""Create the outbox of pushes owed to ORCID."""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2c4e6a8b0d1"
down_revision = "e7b2a9c4d6f1"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.create_table(
        "orcid_push_outbox",
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_orcid_push_outbox_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orcid_push_outbox")),
        sa.UniqueConstraint("token", name=op.f("uq_orcid_push_outbox_token")),
    )
    op.create_index(
        op.f("ix_orcid_push_outbox_record_id"), "orcid_push_outbox", ["record_id"]
    )
    op.create_index(
        op.f("ix_orcid_push_outbox_due_at"), "orcid_push_outbox", ["due_at"]
    )


def downgrade():
    """Downgrade database."""
    op.drop_table("orcid_push_outbox")
