"""Who may do what with the ORCID sync: one permission policy and its generators.

Every service method asks this policy (``ORCID_PUSH_PERMISSION_POLICY``); the
settings page, the REST API, the administration panel, the CLI and the jobs
never decide on their own.
"""

from flask_principal import UserNeed
from invenio_administration.generators import Administration
from invenio_records_permissions.generators import (
    AuthenticatedUser,
    Generator,
    SystemProcess,
)
from invenio_records_permissions.policies import BasePermissionPolicy

from .family import orcid_ids_in, user_id_of
from .plan import orcid_holders


class RecordOwner(Generator):
    """The owner of the record's parent: the depositor.

    Never the identity that published: a curator publishes on acceptance of a
    submission, yet the record stays the depositor's.
    """

    def needs(self, record=None, **kwargs):
        """The depositor's user need, if the record has an owner."""
        owned_by = record.parent.access.owned_by if record is not None else None
        owner_id = user_id_of(owned_by.owner_id) if owned_by else None
        return [UserNeed(owner_id)] if owner_id is not None else []


class LinkOwner(Generator):
    """The user an ORCID link, its preferences and its records belong to."""

    def needs(self, user_id=None, **kwargs):
        """That user's need."""
        return [UserNeed(int(user_id))] if user_id is not None else []


class ListedResearcher(Generator):
    """Users whose own linked ORCID iD the record lists among its creators or
    contributors: they decide whether it goes on their ORCID record."""

    def needs(self, record=None, **kwargs):
        """The user needs of those researchers."""
        if not hasattr(record, "get"):  # no record, or no metadata to read
            return []
        holders = orcid_holders(orcid_ids_in(record))
        return [UserNeed(user_id) for user_id in sorted(set(holders.values()))]


PEOPLE = [AuthenticatedUser(), SystemProcess()]
"""Anyone logged in: what they may see is then decided per action."""

ADMINS = [Administration(), SystemProcess()]
"""Administrators (superusers included) and the system (CLI, jobs)."""


class OrcidPushPermissionPolicy(BasePermissionPolicy):
    """Access to the ORCID sync of links, records and the ledger."""

    # Checked first by every method a person calls: an anonymous caller is
    # told to log in (401) before anything about a record or a user is said.
    can_use = PEOPLE

    # One user's link, preferences and records: that user, or an admin.
    can_read_link = [LinkOwner(), *ADMINS]
    can_update_preferences = [LinkOwner(), *ADMINS]
    can_list_records = [LinkOwner(), *ADMINS]
    can_send_existing = [LinkOwner(), *ADMINS]
    # Reading the works on their ORCID record (with their token) and importing
    # one as a draft of their own: the researcher alone.
    can_list_orcid_works = [LinkOwner(), SystemProcess()]
    can_import_orcid_work = [LinkOwner(), SystemProcess()]
    # Unlinking revokes the researcher's grant: theirs to do alone.
    can_disconnect = [LinkOwner(), SystemProcess()]

    # One record: its depositor, or an admin.
    can_read_record_status = [RecordOwner(), *ADMINS]
    # Send or dismiss a record: its depositor and the researchers it lists,
    # each for their own ORCID record (``act_for_user``), or an admin.
    can_sync_record = [RecordOwner(), ListedResearcher(), *ADMINS]
    can_dismiss_record = [RecordOwner(), ListedResearcher(), *ADMINS]
    can_act_for_user = [LinkOwner(), *ADMINS]

    # The whole ledger and bulk operations: admins and the system.
    can_read_ledger = ADMINS
    can_retry_ledger_entry = ADMINS
    can_resync = ADMINS
