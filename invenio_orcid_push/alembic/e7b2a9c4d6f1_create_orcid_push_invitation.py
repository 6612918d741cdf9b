"""Create the table of ORCID inbox invitations."""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7b2a9c4d6f1"
down_revision = "d4e8f1a2b3c6"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.create_table(
        "orcid_push_invitation",
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("orcid", sa.String(length=19), nullable=False),
        sa.Column("parent_id", sa.String(length=255), nullable=False),
        sa.Column("record_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("put_code", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orcid_push_invitation")),
        sa.UniqueConstraint(
            "orcid", "parent_id", name="uq_orcid_push_invitation_orcid_parent_id"
        ),
    )
    op.create_index(
        op.f("ix_orcid_push_invitation_orcid"), "orcid_push_invitation", ["orcid"]
    )


def downgrade():
    """Downgrade database."""
    op.drop_table("orcid_push_invitation")
