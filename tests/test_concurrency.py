"""Concurrent workers never create two works, and write to one iD one at a time.

These tests commit for real (no per-test savepoint): workers in other threads
must see each other's ledger rows, as workers in other processes do.
"""

import threading
import uuid

import pytest
from invenio_accounts.proxies import current_datastore
from invenio_db import db

from invenio_orcid_push.sync import sync_record

from helpers import Depositor, link_new_researcher, record_data


@pytest.fixture(scope="module")
def committed_setup(
    app, database, location, resource_types, orcid_simulator, orcid_api_client
):
    """A linked depositor with three records published while pushing was off."""
    user = current_datastore.create_user(
        email=f"concurrent-{uuid.uuid4().hex[:8]}@example.org",
        password=None,
        active=True,
    )
    db.session.commit()
    orcid = link_new_researcher(user, orcid_simulator, orcid_api_client)
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        records = [
            Depositor(user).publish(record_data(title=f"Record {n}")) for n in range(3)
        ]
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    return orcid, [r.id for r in records]


def run_workers(app, jobs):
    """Run ``sync_record`` for each record id in its own thread, all at once."""
    start = threading.Barrier(len(jobs))
    errors = []

    def worker(record_id):
        with app.app_context():
            try:
                start.wait()
                sync_record(record_id)
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []


def test_concurrent_pushes_of_one_record_create_exactly_one_work(
    app, committed_setup, orcid_simulator
):
    orcid, record_ids = committed_setup
    orcid_simulator.latency = 0.05
    try:
        run_workers(app, [record_ids[0]] * 4)
    finally:
        orcid_simulator.latency = 0
    titles = [w.work["title"] for w in orcid_simulator.state.works_of(orcid)]
    assert titles == ["Record 0"]


def test_writes_to_one_orcid_record_are_serialized(
    app, committed_setup, orcid_simulator
):
    orcid, record_ids = committed_setup
    orcid_simulator.latency = 0.05
    try:
        run_workers(app, record_ids[1:] * 2)
    finally:
        orcid_simulator.latency = 0
    titles = sorted(w.work["title"] for w in orcid_simulator.state.works_of(orcid))
    assert titles == ["Record 0", "Record 1", "Record 2"]
    assert orcid_simulator.state.max_writes_in_flight[orcid] == 1
