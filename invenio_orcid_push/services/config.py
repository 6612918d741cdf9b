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


class OrcidPushServiceConfig(ServiceConfig, ConfiguratorMixin):
    """People's side: links, preferences, their records, one record's status."""

    service_id = "orcid-push"
    permission_policy_cls = FromConfig(
        "ORCID_PUSH_PERMISSION_POLICY",
        default=OrcidPushPermissionPolicy,
        import_string=True,
    )
    preferences_schema = PreferencesSchema
    user_args_schema = UserArgsSchema
    records_args_schema = RecordsArgsSchema


class OrcidLedgerServiceConfig(ServiceConfig, ConfiguratorMixin):
    """Administrators' side: the ledger, retries, bulk resync, status counts."""

    service_id = "orcid-push-ledger"
    permission_policy_cls = FromConfig(
        "ORCID_PUSH_PERMISSION_POLICY",
        default=OrcidPushPermissionPolicy,
        import_string=True,
    )
    ledger_args_schema = LedgerArgsSchema
    ledger_page_size = 50
    entry_calls_shown = 200
