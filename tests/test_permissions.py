"""The permission policy: who may do what with the ORCID sync, as a table."""

from types import SimpleNamespace

import pytest
from flask_principal import AnonymousIdentity
from invenio_access.models import ActionUsers
from invenio_access.permissions import (
    any_user,
    authenticated_user,
    superuser_access,
    system_identity,
)
from invenio_access.utils import get_identity
from invenio_administration.permissions import administration_access_action
from invenio_db import db

from invenio_orcid_push.permissions import OrcidPushPermissionPolicy

WHO = ("anonymous", "the user", "another user", "admin", "superuser", "system")

# Each action, and who may do it about "the user" (their link, their record).
TABLE = {
    "use":                    (0, 1, 1, 1, 1, 1),
    "read_link":              (0, 1, 0, 1, 1, 1),
    "update_preferences":     (0, 1, 0, 1, 1, 1),
    "list_records":           (0, 1, 0, 1, 1, 1),
    "send_existing":          (0, 1, 0, 1, 1, 1),
    "disconnect":             (0, 1, 0, 0, 1, 1),
    "read_record_status":     (0, 1, 0, 1, 1, 1),
    "sync_record":            (0, 1, 0, 1, 1, 1),
    "read_ledger":            (0, 0, 0, 1, 1, 1),
    "retry_ledger_entry":     (0, 0, 0, 1, 1, 1),
    "resync":                 (0, 0, 0, 1, 1, 1),
}  # fmt: skip


def person(user):
    """The identity Invenio gives a logged-in user."""
    identity = get_identity(user)
    identity.provides.update({any_user, authenticated_user})
    return identity


@pytest.fixture
def identities(make_user):
    """One identity per column of the table, and "the user" the actions are about."""
    the_user, other, admin, superuser = (make_user() for _ in range(4))
    db.session.add(ActionUsers.allow(administration_access_action, user=admin))
    db.session.add(ActionUsers.allow(superuser_access, user=superuser))
    db.session.commit()
    anonymous = AnonymousIdentity()
    anonymous.provides.add(any_user)
    return the_user, dict(
        zip(
            WHO,
            (
                anonymous,
                person(the_user),
                person(other),
                person(admin),
                person(superuser),
                system_identity,
            ),
        )
    )


def record_owned_by(user_id):
    """A record as the generator sees it: its parent's owner."""
    owned_by = SimpleNamespace(owner_id=str(user_id))
    return SimpleNamespace(
        parent=SimpleNamespace(access=SimpleNamespace(owned_by=owned_by))
    )


@pytest.mark.parametrize("action", TABLE)
def test_who_may_do_what(identities, action):
    the_user, who = identities
    context = {"user_id": the_user.id, "record": record_owned_by(the_user.id)}

    allowed = {
        name: OrcidPushPermissionPolicy(action, **context).allows(identity)
        for name, identity in who.items()
    }

    assert allowed == dict(zip(WHO, map(bool, TABLE[action])))


def test_a_record_without_owner_is_only_for_admins(identities):
    the_user, who = identities
    ownerless = SimpleNamespace(
        parent=SimpleNamespace(access=SimpleNamespace(owned_by=None))
    )
    policy = OrcidPushPermissionPolicy("sync_record", record=ownerless)
    assert not policy.allows(who["the user"])
    assert policy.allows(who["admin"])


def test_the_policy_is_configurable(app, client, make_user, publish):
    """An instance's own policy (``ORCID_PUSH_PERMISSION_POLICY``) decides."""
    from invenio_accounts.testutils import login_user_via_session

    from helpers import record_data

    class NobodySyncsNow(OrcidPushPermissionPolicy):
        can_sync_record = []

    owner = make_user()
    record = publish(owner, record_data(title="Not now"))
    login_user_via_session(client, user=owner)
    saved = app.config["ORCID_PUSH_PERMISSION_POLICY"]
    app.config["ORCID_PUSH_PERMISSION_POLICY"] = NobodySyncsNow
    try:
        refused = client.post(f"/account/settings/orcid/records/{record.id}/sync")
    finally:
        app.config["ORCID_PUSH_PERMISSION_POLICY"] = saved
    allowed = client.post(f"/account/settings/orcid/records/{record.id}/sync")

    assert (refused.status_code, allowed.status_code) == (403, 302)
