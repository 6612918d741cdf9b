"""Create the table of ORCID works imported as drafts.

``orcid_push_work_import``: one row per (iD, put-code) a researcher imported,
naming the draft it became (``GET /api/user/orcid/works``' ``record``, the 409
of a second import).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c8f1a3d5e7b9"
down_revision = "b7e3d5f9a2c4"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.create_table(
        "orcid_push_work_import",
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("orcid", sa.String(length=19), nullable=False),
        sa.Column("put_code", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_orcid_push_work_import_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "orcid", "put_code", name=op.f("pk_orcid_push_work_import")
        ),
    )
    op.create_index(
        op.f("ix_orcid_push_work_import_user_id"), "orcid_push_work_import", ["user_id"]
    )
    op.create_index(
        op.f("ix_orcid_push_work_import_record_id"),
        "orcid_push_work_import",
        ["record_id"],
    )


def downgrade():
    """Downgrade database."""
    op.drop_table("orcid_push_work_import")
