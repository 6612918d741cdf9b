"""What happens once a researcher's first ORCID link is committed.

A researcher invited through their ORCID inbox (``invitations``) who links
here accepted the invitation: the records they were invited for count as
approved and are sent at once (their other records follow their choice).
"""

from flask import current_app
from invenio_db import db
from invenio_pidstore.models import PersistentIdentifier

from .family import latest_version
from .invitations import invited_families
from .links import orcid_link_of
from .models import Consent, OrcidPushConsent
from .tasks import schedule_push


def on_link_committed(remote, token=None, **kwargs):
    """Receiver of invenio-oauthclient's ``account_setup_committed``."""
    if token is None or remote.name != current_app.config["ORCID_PUSH_REMOTE_APP"]:
        return
    link = orcid_link_of(token.remote_account.user_id)
    if link is not None:
        accept_invitations(link)


def accept_invitations(link):
    """Approve and send the families this iD was invited for; returns their ids."""
    keys = invited_families(link.orcid)
    for key in keys:
        OrcidPushConsent.decide(link.user_id, key, Consent.APPROVED)
    db.session.commit()
    for record_id in filter(None, map(_latest_record_id, keys)):
        schedule_push(record_id)
    return keys


def _latest_record_id(key):
    """The id of a family's latest version (``key``: a parent's or record's id)."""
    pid = PersistentIdentifier.query.filter_by(pid_type="recid", pid_value=key).first()
    version = latest_version(pid.object_uuid) if pid is not None else None
    return (version.json or {}).get("id") if version is not None else key
