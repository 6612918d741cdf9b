"""Record service component: notices life-cycle changes, schedules the ORCID sync.

Every hook writes the push it owes into the outbox, in the service's own
transaction, and sends the same task after the transaction commits; the task
decides what ORCID must hold (create, update, delete or nothing).
"""

from flask import current_app
from invenio_drafts_resources.services.records.components import ServiceComponent
from invenio_records_resources.services.uow import Operation

from .creators import add_linked_orcid
from .family import user_id_of
from .outbox import owe_push
from .tasks import invite_unlinked_creators, push_record_to_orcid, send


class SendAfterCommit(Operation):
    """Send a task message once the transaction committed; a broker failure is
    logged, not raised: the change is saved and the outbox still owes it.

    (RDM's ``TaskOp`` would raise it to the depositor as an error after their
    record was in fact published.)
    """

    def __init__(self, task, *args, **kwargs):
        """A message for ``task(*args, **kwargs)``."""
        self._task, self._args, self._kwargs = task, args, kwargs

    def on_post_commit(self, uow):
        """Send it."""
        send(self._task, *self._args, **self._kwargs)


class OrcidPushComponent(ServiceComponent):
    """Schedule an ORCID sync after every change that can alter what ORCID shows."""

    def _schedule(self, record):
        if record is None or not current_app.config.get("ORCID_PUSH_ENABLED"):
            return
        token = owe_push(record["id"])
        self.uow.register(
            SendAfterCommit(push_record_to_orcid, record["id"], outbox=token)
        )

    def publish(self, identity, draft=None, record=None, **kwargs):
        """A version was published: first publication, edit, new version, access change.

        Before the DOI is registered (after commit), the depositor's verified
        ORCID iD is added to their entry among the creators or contributors.
        """
        if record is not None and current_app.config.get(
            "ORCID_PUSH_ADD_ORCID_TO_CREATORS"
        ):
            owned_by = record.parent.access.owned_by
            owner_id = user_id_of(owned_by.owner_id) if owned_by else None
            if owner_id is not None:
                add_linked_orcid(record.metadata, owner_id)
        self._schedule(record)
        if record is not None and current_app.config.get("ORCID_PUSH_NOTIFY_UNLINKED"):
            self.uow.register(SendAfterCommit(invite_unlinked_creators, record["id"]))

    def delete_record(self, identity, data=None, record=None, **kwargs):
        """The record was deleted (tombstone)."""
        self._schedule(record)

    def restore_record(self, identity, record=None, **kwargs):
        """A deleted record was restored."""
        self._schedule(record)

    def mark_record(self, identity, record=None, **kwargs):
        """The record was marked for purge."""
        self._schedule(record)

    def unmark_record(self, identity, record=None, **kwargs):
        """The purge mark was removed."""
        self._schedule(record)

    def lift_embargo(self, identity, draft=None, record=None, **kwargs):
        """An embargo ended."""
        self._schedule(record)
