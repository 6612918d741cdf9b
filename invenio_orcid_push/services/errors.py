"""Errors of the ORCID push services; the resource maps each to an HTTP status."""

from invenio_i18n import lazy_gettext as _
from invenio_records_resources.services.errors import PermissionDeniedError

DENIED_MESSAGES = {
    "use": _("Log in to use your ORCID settings."),
    "read_record_status": _("Only the record's owner and administrators can see this."),
    "sync_record": _(
        "Only the record's owner, the researchers it lists and administrators "
        "can do this."
    ),
    "dismiss_record": _(
        "Only the record's owner, the researchers it lists and administrators "
        "can do this."
    ),
    "act_for_user": _("You can only decide for your own ORCID record."),
    "not_listed": _("This record neither is yours nor lists your ORCID iD."),
    "read_link": _("You can only see your own ORCID settings."),
    "update_preferences": _("You can only change your own ORCID settings."),
    "list_records": _("You can only see your own ORCID settings."),
    "send_existing": _("You can only send your own records to ORCID."),
    "disconnect": _("Only you can disconnect your ORCID account."),
    "list_orcid_works": _("You can only see the works on your own ORCID record."),
    "import_orcid_work": _("You can only import works from your own ORCID record."),
    "read_ledger": _("Only administrators can see the ORCID sync ledger."),
    "retry_ledger_entry": _("Only administrators can retry an ORCID sync."),
    "resync": _("Only administrators can resync records with ORCID."),
}
"""What a person is told when the policy refuses an action (by action name)."""


class ActionDeniedError(PermissionDeniedError):
    """The permission policy refused an action; says which, in words."""

    def __init__(self, action_name):
        """Remember the refused action."""
        super().__init__(action_name)
        self.action_name = action_name

    @property
    def description(self):
        """The sentence shown to the caller."""
        return DENIED_MESSAGES.get(self.action_name, _("Permission denied."))


class RecordNotFoundError(Exception):
    """No record has this id."""

    description = _("The record does not exist.")

    def __init__(self, record_id):
        """Remember the id asked for."""
        super().__init__(record_id)
        self.record_id = record_id


class LedgerEntryNotFoundError(Exception):
    """No ledger row has this id."""

    description = _("No such ORCID sync entry.")


class UserNotFoundError(Exception):
    """No user has this e-mail or id."""

    description = _("No such user.")

    def __init__(self, value):
        """Remember the e-mail or id asked for."""
        super().__init__(value)
        self.value = value


class OnlySignInMethodError(Exception):
    """Disconnecting ORCID would lock the user out: it is their only way to sign in.

    invenio-oauthclient refuses its own disconnect in this case too; nothing is
    revoked at ORCID and nothing is unlinked.
    """

    description = _(
        "ORCID is your only way to sign in here, so it cannot be disconnected: "
        "you would be locked out. Set a password (or link another account you can "
        "sign in with) first, then disconnect ORCID."
    )
