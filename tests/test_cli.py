"""invenio orcid-push resync / status: bulk resync from the database, with clear errors."""

import pytest

from invenio_orcid_push.cli import orcid_push
from invenio_orcid_push.models import OrcidWorkLedger

from helpers import record_data


@pytest.fixture
def run(base_app):
    def _run(*args):
        return base_app.test_cli_runner().invoke(orcid_push, list(args))

    return _run


@pytest.fixture
def unsent(app, make_user, link_orcid, publish):
    """A linked user with two records published while pushing was off."""
    user = make_user()
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        records = [publish(user, record_data(title=f"Unsent {n}")) for n in range(2)]
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    orcid = link_orcid(user)
    # Linked after publishing: only a resync that is asked for sends them.
    from invenio_db import db

    from invenio_orcid_push.models import OrcidPushAccount

    OrcidPushAccount.get_or_create(user.id).include_existing = True
    db.session.commit()
    return user, orcid, records


def test_dry_run_says_what_would_change_and_calls_nothing(run, unsent, orcid_simulator):
    user, orcid, _ = unsent
    calls = len(orcid_simulator.state.request_log)

    result = run("resync", "--user", user.email, "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Dry run, nothing sent to ORCID" in result.output
    assert "created         2" in result.output
    assert len(orcid_simulator.state.request_log) == calls


def test_resync_of_a_user_pushes_their_records_and_is_safe_to_run_twice(
    run, unsent, orcid_simulator
):
    user, orcid, records = unsent

    first = run("resync", "--user", str(user.id))
    calls = len(orcid_simulator.state.request_log)
    second = run("resync", "--user", user.email)

    assert first.exit_code == 0, first.output
    assert "Scheduled 2 record families" in first.output
    assert sorted(w.work["title"] for w in orcid_simulator.state.works_of(orcid)) == [
        "Unsent 0",
        "Unsent 1",
    ]
    assert second.exit_code == 0
    assert len(orcid_simulator.state.request_log) == calls  # unchanged: zero calls
    assert (
        "unchanged       2" in run("resync", "--user", user.email, "--dry-run").output
    )


def test_resync_of_one_record_and_of_failures(run, unsent, orcid_simulator, app):
    _, orcid, records = unsent
    retries = app.config["ORCID_PUSH_MAX_RETRIES"] + 1
    orcid_simulator.state.inject_fault(status=503, method="POST", times=retries)
    run("resync", "--record", records[0].id)
    assert (
        OrcidWorkLedger.get(orcid, records[0]["parent"]["id"]).status.value == "failed"
    )

    result = run("resync", "--failed")

    assert result.exit_code == 0, result.output
    assert (
        OrcidWorkLedger.get(orcid, records[0]["parent"]["id"]).status.value == "synced"
    )


def test_status_counts_rows_per_status(run, unsent):
    run("resync", "--all")
    result = run("status")
    assert result.exit_code == 0
    assert "synced" in result.output and "failed" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (("resync", "--user", "nobody@example.org"), "no user 'nobody@example.org'"),
        (("resync", "--record", "nope-00000"), "no record 'nope-00000'"),
        (
            ("resync", "--all", "--since", "last tuesday"),
            "'last tuesday' is not a date",
        ),
        (("resync",), "Choose exactly one of"),
        (("resync", "--all", "--failed"), "Choose exactly one of"),
    ],
)
def test_bad_input_gets_a_one_line_error_and_exit_status_2(run, args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output


def test_a_quick_resync_skips_unchanged_versions_without_reading_them(
    app, run, unsent, orcid_simulator, monkeypatch
):
    from invenio_orcid_push import plan

    user, orcid, records = unsent
    run("resync", "--user", user.email)
    read = []
    original = plan.resolve_family
    monkeypatch.setattr(
        plan, "resolve_family", lambda *a, **k: read.append(a) or original(*a, **k)
    )

    quick = run("resync", "--user", user.email, "--quick")
    assert quick.exit_code == 0 and read == []

    from helpers import Depositor

    # Edited while pushing was off: only the resync can notice.
    app.config["ORCID_PUSH_ENABLED"] = False
    try:
        Depositor(user).edit(
            records[0].id, lambda d: d["metadata"].update(title="Edited")
        )
    finally:
        app.config["ORCID_PUSH_ENABLED"] = True
    read.clear()
    run("resync", "--user", user.email, "--quick")
    assert len(read) == 1
    assert "Edited" in [w.work["title"] for w in orcid_simulator.state.works_of(orcid)]


def test_a_quick_resync_sees_a_co_creator_who_linked_orcid_since(
    app,
    run,
    make_user,
    link_orcid,
    publish,
    orcid_simulator,
    orcid_api_client,
    monkeypatch,
):
    from invenio_db import db

    from invenio_orcid_push import plan
    from invenio_orcid_push.models import OrcidPushAccount

    from helpers import link_orcid_account, person

    depositor, colleague = make_user(), make_user()
    depositor_orcid = link_orcid(depositor)
    later = orcid_simulator.state.add_researcher(name="Lena Later")
    record = publish(
        depositor,
        record_data(
            title="Shared survey",
            creators=[
                person("Josiah", "Carberry"),
                person("Lena", "Later", later.orcid),
            ],
        ),
    )
    assert [
        w.work["title"] for w in orcid_simulator.state.works_of(depositor_orcid)
    ] == ["Shared survey"]
    assert orcid_simulator.state.works_of(later.orcid) == []

    read = []
    original = plan.resolve_family
    monkeypatch.setattr(
        plan, "resolve_family", lambda *a, **k: read.append(a) or original(*a, **k)
    )
    run("resync", "--record", record.id)
    assert read == []  # nothing changed: not even read

    # The co-creator links ORCID afterwards and asks for their existing records.
    token = orcid_simulator.state.issue_token(later.orcid, orcid_api_client.client_id)
    link_orcid_account(
        colleague,
        later.orcid,
        later.name,
        token.access_token,
        orcid_api_client.client_id,
    )
    OrcidPushAccount.get_or_create(colleague.id).include_existing = True
    OrcidPushAccount.get_or_create(colleague.id).records_by_others = "automatic"
    db.session.commit()

    run("resync", "--record", record.id)

    assert len(read) == 1
    assert [w.work["title"] for w in orcid_simulator.state.works_of(later.orcid)] == [
        "Shared survey"
    ]


def test_a_quick_resync_does_not_read_records_nobody_linked_is_concerned_by(
    app, run, make_user, publish, monkeypatch
):
    from invenio_orcid_push import plan
    from invenio_orcid_push.resync import unchanged_among

    unlinked = make_user()
    record = publish(unlinked, record_data(title="Nobody on ORCID"))
    read = []
    original = plan.resolve_family
    monkeypatch.setattr(
        plan, "resolve_family", lambda *a, **k: read.append(a) or original(*a, **k)
    )

    assert record.id in unchanged_among([record.id])
    assert run("resync", "--record", record.id).exit_code == 0
    assert read == []
    assert run("resync", "--record", record.id, "--full").exit_code == 0
    assert len(read) == 1


def test_a_resync_interrupted_with_ctrl_c_leaves_nothing_half_written(
    app, run, unsent, orcid_simulator, monkeypatch
):
    """Ctrl-C just after ORCID stored a work, before the ledger knew: the row is
    not left claiming anything, and running the resync again ends with one work
    per record, the put-codes ORCID gave."""
    from invenio_orcid_push.client import OrcidClient

    user, orcid, records = unsent
    original = OrcidClient.create_work

    def create_then_ctrl_c(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(OrcidClient, "create_work", create_then_ctrl_c)
    interrupted = run("resync", "--user", user.email)
    monkeypatch.setattr(OrcidClient, "create_work", original)

    assert interrupted.exit_code != 0  # click says "Aborted!"
    assert len(orcid_simulator.state.works_of(orcid)) == 1  # ORCID got one
    assert all(
        row.status.value != "synced" or row.put_code
        for row in OrcidWorkLedger.query.filter_by(orcid=orcid)
    )

    again = run("resync", "--user", user.email)

    assert again.exit_code == 0, again.output
    works = orcid_simulator.state.works_of(orcid)
    assert sorted(w.work["title"] for w in works) == ["Unsent 0", "Unsent 1"]
    rows = OrcidWorkLedger.query.filter_by(orcid=orcid).all()
    assert sorted(row.put_code for row in rows) == sorted(
        str(w.put_code) for w in works
    )
    assert {row.status.value for row in rows} == {"synced"}
