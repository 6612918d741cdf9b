"""Records deposited by others: a three-way choice and per-record decisions.

``orcid_push_account.include_as_creator`` (a boolean) becomes
``records_by_others``: ``true`` -> ``"automatic"`` (what it meant),
``false`` -> ``"never"``. Accounts that never had a row get
``ORCID_PUSH_RECORDS_BY_OTHERS_DEFAULT`` (``"ask"``). The downgrade maps back
(``"ask"`` -> ``false``: nothing is sent without a decision).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d4e8f1a2b3c6"
down_revision = "c3d9e1f2a4b5"
branch_labels = ()
depends_on = None


def upgrade():
    """Upgrade database."""
    op.add_column(
        "orcid_push_account",
        sa.Column("records_by_others", sa.String(length=16), nullable=True),
    )
    op.execute(
        "UPDATE orcid_push_account SET records_by_others = CASE "
        "WHEN include_as_creator THEN 'automatic' ELSE 'never' END"
    )
    op.drop_column("orcid_push_account", "include_as_creator")
    op.create_table(
        "orcid_push_consent",
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.String(length=255), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["accounts_user.id"],
            name=op.f("fk_orcid_push_consent_user_id_accounts_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "user_id", "parent_id", name=op.f("pk_orcid_push_consent")
        ),
    )


def downgrade():
    """Downgrade database."""
    op.drop_table("orcid_push_consent")
    op.add_column(
        "orcid_push_account",
        sa.Column(
            "include_as_creator",
            sa.Boolean(),
            nullable=False,
            server_default=sa.true(),
        ),
    )
    op.execute(
        "UPDATE orcid_push_account SET include_as_creator = "
        "(records_by_others = 'automatic')"
    )
    op.drop_column("orcid_push_account", "records_by_others")
