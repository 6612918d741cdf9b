"""Who may see what of the ORCID sync."""

from flask_login import current_user
from invenio_access import Permission
from invenio_access.permissions import superuser_access
from invenio_administration.permissions import administration_access_action


def is_orcid_push_admin():
    """Superusers and users with the administration panel's access."""
    return (
        Permission(superuser_access).can()
        or Permission(administration_access_action).can()
    )


def can_see_sync_of(owner_id):
    """The owner of the records (the depositor) and admins."""
    if not current_user.is_authenticated:
        return False
    is_owner = owner_id is not None and int(current_user.id) == int(owner_id)
    return is_owner or is_orcid_push_admin()
