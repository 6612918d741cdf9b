"""Configuration of the ORCID push services (built per application)."""

from invenio_records_resources.services.base.config import (
    ConfiguratorMixin,
    FromConfig,
    ServiceConfig,
)

from ..permissions import OrcidPushPermissionPolicy
from .schemas import (
    LedgerArgsSchema,
    PreferencesSchema,
    RecordsArgsSchema,
    UserArgsSchema,
)


class _OrcidServiceConfig(ServiceConfig, ConfiguratorMixin):
    """What both services share: the one permission policy."""

    permission_policy_cls = FromConfig(
        "ORCID_PUSH_PERMISSION_POLICY",
        default=OrcidPushPermissionPolicy,
        import_string=True,
    )


class OrcidPushServiceConfig(_OrcidServiceConfig):
    """People's side: links, preferences, their records, one record's status."""

    service_id = "orcid-push"
    preferences_schema = PreferencesSchema
    user_args_schema = UserArgsSchema
    records_args_schema = RecordsArgsSchema


class OrcidLedgerServiceConfig(_OrcidServiceConfig):
    """Administrators' side: the ledger, retries, bulk resync, status counts."""

    service_id = "orcid-push-ledger"
    ledger_args_schema = LedgerArgsSchema
    ledger_page_size = 50
    uptake_weeks = FromConfig("ORCID_PUSH_UPTAKE_WEEKS", default=8)
    entry_calls_shown = 200
