"""User moderation: an administrator blocks a user.

invenio-users-resources runs the callbacks registered under the entry point
group ``invenio_users_resources.moderation.actions`` (in a Celery task, with
one unit of work for all of them) after ``UsersService.block``; InvenioRDM's
own callback tombstones the user's records there. Ours stops using the
user's ORCID link in that same transaction (so the pushes that follow the
tombstones leave their ORCID record alone) and, after it commits, ends the
link (``tasks.retire_orcid_link``): works removed or kept per
``ORCID_PUSH_ON_USER_DELETION``, token revoked at ORCID.

InvenioRDM v14 has no user deletion among its moderation actions (``block``,
``restore``, ``approve``); the callback is registered for ``delete`` as well,
for releases that add it. A restored user connects ORCID again.
"""

from .components import SendAfterCommit
from .tasks import retire_orcid_link
from .tokens import suspend_link


def on_block(user_id, uow=None, **kwargs):
    """Moderation callback (``block``, ``delete``): suspend, then retire the link."""
    link = suspend_link(int(user_id))
    if link is not None:
        uow.register(SendAfterCommit(retire_orcid_link, link.user_id))
