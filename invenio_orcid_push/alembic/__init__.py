"""Alembic migrations of invenio-orcid-push."""
