"""The administration panel's jobs (invenio-jobs): bulk resync and nightly reconcile."""

import pytest
from invenio_access.permissions import system_identity
from invenio_db import db
from invenio_jobs.models import Run, RunStatusEnum
from invenio_jobs.proxies import (
    current_jobs,
    current_jobs_service,
    current_runs_service,
)

from invenio_orcid_push.models import OrcidPushAccount, OrcidWorkLedger, SyncStatus

from helpers import record_data


@pytest.fixture
def unsent(app, make_user, link_orcid, publish):
    user = make_user()
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        record = publish(user, record_data(title="Waiting for the job"))
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    orcid = link_orcid(user)
    OrcidPushAccount.get_or_create(user.id).include_existing = True
    db.session.commit()
    return user, orcid, record


def run_job(task, args):
    """Create the job and a run through invenio-jobs, as an admin does in the panel."""
    job = current_jobs_service.create(
        system_identity, {"title": f"Test {task}", "task": task}
    )
    run = current_runs_service.create(
        system_identity, job.id, {"title": "Manual run", "args": args}
    )
    return db.session.get(Run, run.id)


def test_both_jobs_are_registered(app):
    for job_id in ("orcid_push_bulk_resync", "orcid_push_nightly_reconcile"):
        assert current_jobs.registry.get(job_id).title.startswith("ORCID")


def test_the_bulk_resync_job_pushes_a_users_records(unsent, orcid_simulator):
    user, orcid, _ = unsent

    run = run_job(
        "orcid_push_bulk_resync",
        {"job_arg_schema": "BulkResyncArgsSchema", "scope": "user", "user": user.email},
    )

    assert run.status == RunStatusEnum.SUCCESS, run.message
    assert [w.work["title"] for w in orcid_simulator.state.works_of(orcid)] == [
        "Waiting for the job"
    ]


def test_failures_make_a_partial_success_and_the_nightly_job_retries_them(
    app, unsent, orcid_simulator
):
    _, orcid, record = unsent
    orcid_simulator.state.inject_fault(status=400, method="POST", error_code="9001")

    first = run_job(
        "orcid_push_bulk_resync",
        {
            "job_arg_schema": "BulkResyncArgsSchema",
            "scope": "record",
            "record": record.id,
        },
    )

    assert first.status == RunStatusEnum.PARTIAL_SUCCESS
    assert first.errored_entries == 1
    assert (
        OrcidWorkLedger.get(orcid, record["parent"]["id"]).status == SyncStatus.FAILED
    )

    nightly = run_job("orcid_push_nightly_reconcile", {})

    assert nightly.status == RunStatusEnum.SUCCESS, nightly.message
    assert (
        OrcidWorkLedger.get(orcid, record["parent"]["id"]).status == SyncStatus.SYNCED
    )


def test_a_bulk_resync_of_one_user_leaves_the_others_alone(
    app, unsent, make_user, link_orcid, publish, orcid_simulator
):
    user, orcid, _ = unsent
    other = make_user()
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        publish(other, record_data(title="Someone else's"))
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    other_orcid = link_orcid(other)
    OrcidPushAccount.get_or_create(other.id).include_existing = True
    db.session.commit()

    run = run_job(
        "orcid_push_bulk_resync",
        {"job_arg_schema": "BulkResyncArgsSchema", "scope": "user", "user": user.email},
    )

    assert run.status == RunStatusEnum.SUCCESS, run.message
    assert len(orcid_simulator.state.works_of(orcid)) == 1
    assert orcid_simulator.state.works_of(other_orcid) == []


@pytest.mark.parametrize(
    "scope, value", [("user", "nobody@example.org"), ("record", "nope-00000")]
)
def test_a_bulk_resync_of_an_unknown_user_or_record_says_so(app, db, scope, value):
    run = run_job(
        "orcid_push_bulk_resync",
        {"job_arg_schema": "BulkResyncArgsSchema", "scope": scope, scope: value},
    )

    assert run.status == RunStatusEnum.PARTIAL_SUCCESS
    assert f"No {scope} '{value}'" in run.message
