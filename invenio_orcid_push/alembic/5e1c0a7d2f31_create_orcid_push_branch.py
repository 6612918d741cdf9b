"""Create invenio-orcid-push branch."""

# revision identifiers, used by Alembic.
revision = "5e1c0a7d2f31"
down_revision = None
branch_labels = ("invenio_orcid_push",)
depends_on = "dbdbc1b19cf2"


def upgrade():
    """Upgrade database."""


def downgrade():
    """Downgrade database."""
