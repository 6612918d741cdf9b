"""When the push task tries again: the DOI wait and passing failures are independent."""

import pytest

from invenio_orcid_push.sync import SyncReport
from invenio_orcid_push.tasks import _next_try

CONFIG = {
    "ORCID_PUSH_DOI_WAIT": 60,
    "ORCID_PUSH_DOI_WAIT_RETRIES": 3,
    "ORCID_PUSH_MAX_RETRIES": 6,
    "ORCID_PUSH_RETRY_BACKOFF": 30,
    "ORCID_PUSH_RETRY_BACKOFF_MAX": 3600,
}


@pytest.fixture
def config(app):
    app.config.update(CONFIG)
    return app.config


def test_while_the_doi_waits_the_task_checks_again_after_the_doi_wait(config):
    report = SyncReport(waiting_for_doi=True, retry=True)
    assert _next_try(report, 1, config) == 60


def test_a_busy_lock_is_retried_even_when_the_doi_checks_ran_out(config):
    report = SyncReport(waiting_for_doi=True, retry=True)
    assert 15 <= _next_try(report, 3, config) <= 240


def test_nothing_left_to_try(config):
    assert _next_try(SyncReport(waiting_for_doi=True), 3, config) is None
    assert _next_try(SyncReport(retry=True), 6, config) is None
    assert _next_try(SyncReport(), 0, config) is None
