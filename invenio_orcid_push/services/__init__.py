"""Services of invenio-orcid-push: every decision about who may see or do what."""

from .config import OrcidLedgerServiceConfig, OrcidPushServiceConfig
from .errors import (
    ActionDeniedError,
    LedgerEntryNotFoundError,
    RecordNotFoundError,
    UserNotFoundError,
)
from .services import OrcidLedgerService, OrcidPushService

__all__ = (
    "ActionDeniedError",
    "LedgerEntryNotFoundError",
    "OrcidLedgerService",
    "OrcidLedgerServiceConfig",
    "OrcidPushService",
    "OrcidPushServiceConfig",
    "RecordNotFoundError",
    "UserNotFoundError",
)
