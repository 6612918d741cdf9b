"""A bulk resync streams ids page after page while every push commits.

This module commits for real (no per-test savepoint), as a worker does: on
PostgreSQL a server-side cursor (``yield_per``) does not survive a commit, so
ids must be read one page (query) at a time.
"""

import uuid

from invenio_access.permissions import system_identity
from invenio_accounts.proxies import current_datastore
from invenio_db import db
from invenio_jobs.models import Run, RunStatusEnum
from invenio_jobs.proxies import current_jobs_service, current_runs_service

from invenio_orcid_push import resync
from invenio_orcid_push.models import OrcidPushAccount

from helpers import Depositor, link_new_researcher, record_data


def test_a_bulk_resync_of_many_pages_pushes_every_family_once(
    app,
    database,
    location,
    resource_types,
    orcid_simulator,
    orcid_api_client,
    monkeypatch,
):
    user = current_datastore.create_user(
        email=f"paged-{uuid.uuid4().hex[:8]}@example.org", password=None, active=True
    )
    db.session.commit()
    depositor = Depositor(user)
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        records = [depositor.publish(record_data(title=f"Paged {n}")) for n in range(5)]
        depositor.new_version(records[0].id)  # a family of two rows
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    orcid = link_new_researcher(user, orcid_simulator, orcid_api_client)
    OrcidPushAccount.get_or_create(user.id).include_existing = True
    db.session.commit()
    # Pages of two ids, pushes (and commits) every two records.
    monkeypatch.setattr(resync, "PAGE_SIZE", 2)
    monkeypatch.setattr(resync, "CHUNK_SIZE", 2)

    job = current_jobs_service.create(
        system_identity, {"title": "Paged resync", "task": "orcid_push_bulk_resync"}
    )
    run = current_runs_service.create(
        system_identity,
        job.id,
        {
            "title": "Manual run",
            "args": {"job_arg_schema": "BulkResyncArgsSchema", "scope": "all"},
        },
    )
    run = db.session.get(Run, run.id)

    assert run.status == RunStatusEnum.SUCCESS, run.message
    assert sorted(w.work["title"] for w in orcid_simulator.state.works_of(orcid)) == [
        f"Paged {n}" for n in range(5)
    ]
