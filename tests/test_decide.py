"""The one decider, as a table: what ORCID needs for one (iD, record family).

``decide`` reads nothing but its arguments (no app, no database), so every
row here is the whole story of one decision.
"""

from types import SimpleNamespace

import pytest

from invenio_orcid_push.models import SyncStatus
from invenio_orcid_push.plan import (
    CREATED,
    DELETED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    WAITING,
    decide,
)

HASH, OLD = "a" * 64, "b" * 64


def row(status, put_code=None, payload_hash=None, attempts=0, self_id=None):
    """A ledger row as ``decide`` sees it."""
    return SimpleNamespace(
        status=status,
        put_code=put_code,
        payload_hash=payload_hash,
        attempts=attempts,
        self_id=self_id,
    )


SYNCED = row(SyncStatus.SYNCED, "11", HASH, 1, "doi:10.1/x")
SYNCED_OLD = row(SyncStatus.SYNCED, "11", OLD, 1, "doi:10.1/x")
FAILED_WITH_CODE = row(SyncStatus.FAILED, "11", OLD, 2, "doi:10.1/x")
FAILED_NEVER_SENT = row(SyncStatus.FAILED, None, None, 0, None)
LOST_PUT_CODE = row(SyncStatus.FAILED, None, None, 1, "doi:10.1/x")
PENDING_NEW = row(SyncStatus.PENDING)
REMOVED = row(SyncStatus.REMOVED, None, None, 2, "doi:10.1/x")
DELETED_ON_ORCID = row(SyncStatus.REMOVED_BY_RESEARCHER, None, None, 2, "doi:10.1/x")
INVALID = row(SyncStatus.INVALID)

# (row, show, payload hash, force, recreate_deleted, doi_pending) -> action
TABLE = [
    # ORCID should show the family.
    (None, True, HASH, False, False, False, CREATED),
    (PENDING_NEW, True, HASH, False, False, False, CREATED),
    (FAILED_NEVER_SENT, True, HASH, False, False, False, CREATED),
    (LOST_PUT_CODE, True, HASH, False, False, False, CREATED),
    (SYNCED, True, HASH, False, False, False, UNCHANGED),
    (SYNCED, True, HASH, True, False, False, UNCHANGED),
    (SYNCED_OLD, True, HASH, False, False, False, UPDATED),
    (FAILED_WITH_CODE, True, HASH, False, False, False, UPDATED),
    (REMOVED, True, HASH, False, False, False, CREATED),
    (INVALID, True, HASH, False, False, False, CREATED),
    # The researcher deleted the work on ORCID: respected unless asked.
    (DELETED_ON_ORCID, True, HASH, False, False, False, SKIPPED),
    (DELETED_ON_ORCID, True, HASH, True, False, False, CREATED),
    (DELETED_ON_ORCID, True, HASH, False, True, False, CREATED),
    (DELETED_ON_ORCID, True, HASH, False, False, True, SKIPPED),
    # The record cannot become a work.
    (None, True, None, False, False, False, SKIPPED),
    (SYNCED, True, None, False, False, False, SKIPPED),
    # The DOI is not registered yet: nothing cites it; ORCID keeps what it shows.
    (None, True, HASH, False, False, True, WAITING),
    (PENDING_NEW, True, HASH, False, False, True, WAITING),
    (SYNCED_OLD, True, HASH, False, False, True, UNCHANGED),
    (SYNCED_OLD, True, HASH, True, False, True, UNCHANGED),
    # ORCID should not show the family.
    (None, False, HASH, False, False, False, UNCHANGED),
    (SYNCED, False, HASH, False, False, False, DELETED),
    (SYNCED, False, None, False, False, True, DELETED),
    (FAILED_WITH_CODE, False, HASH, False, False, False, DELETED),
    (LOST_PUT_CODE, False, HASH, False, False, False, DELETED),
    (FAILED_NEVER_SENT, False, HASH, False, False, False, UNCHANGED),
    (PENDING_NEW, False, HASH, False, False, False, UNCHANGED),
    (REMOVED, False, HASH, False, False, False, UNCHANGED),
    (DELETED_ON_ORCID, False, HASH, True, True, False, UNCHANGED),
]


@pytest.mark.parametrize(
    "entry, show, payload_hash, force, recreate_deleted, doi_pending, expected", TABLE
)
def test_decide(
    entry, show, payload_hash, force, recreate_deleted, doi_pending, expected
):
    action = decide(
        entry,
        show,
        payload_hash,
        force=force,
        recreate_deleted=recreate_deleted,
        doi_pending=doi_pending,
    )
    assert action == expected


def test_decide_needs_no_application():
    """Pure: it runs outside any Flask application context."""
    from flask import has_app_context

    assert not has_app_context()
    assert decide(SYNCED, True, HASH) == UNCHANGED
