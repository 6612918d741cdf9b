"""REST resources of invenio-orcid-push (Flask-Resources)."""

from .config import OrcidPushResourceConfig
from .resource import OrcidPushResource

__all__ = ("OrcidPushResource", "OrcidPushResourceConfig")
