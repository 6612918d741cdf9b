"""Bad input answers 4xx or a one-line CLI error, never a 500 or a traceback.

One walk over every route and command: draft ids, ``%00`` and unknown ids in
record ids, page numbers beyond any integer or not numbers, ``user_id`` that is
no integer or nobody, bad ``--chunk-size``, ``--record`` and ``--since``, and
malformed arguments of the invenio-jobs jobs. Real requests through the app's
test client (a browser session, a personal access token, an administrator)
and the app's ``invenio`` command group through click's runner.
"""

import pytest
from invenio_access.permissions import system_identity
from invenio_accounts.testutils import login_user_via_session
from invenio_db import db
from invenio_jobs.models import Run, RunStatusEnum
from invenio_jobs.proxies import current_jobs_service, current_runs_service
from invenio_oauth2server.models import Token
from marshmallow import ValidationError

from helpers import record_data

HUGE = "99999999999999999999"


@pytest.fixture
def researcher(make_user, link_orcid, depositor_of):
    """A linked researcher with a published record and a draft."""
    user = make_user()
    link_orcid(user)
    depositor = depositor_of(user)
    record = depositor.publish(record_data(title="Walked over"))
    draft = depositor.service.create(depositor.identity, record_data(title="Draft"))
    return {"user": user, "record": record.id, "draft": draft.id}


def _login(client, who, researcher, admin):
    """Headers for the caller: the researcher's session or token, or an admin's."""
    if who == "token":
        token = Token.create_personal("bad-input", researcher["user"].id, scopes=[])
        db.session.commit()
        return {"Authorization": f"Bearer {token.access_token}"}
    login_user_via_session(client, user=admin if who == "admin" else researcher["user"])
    if client.get_cookie("csrftoken") is None:
        client.post("/api/user/orcid/records/none/sync")
    cookie = client.get_cookie("csrftoken")
    return {"X-CSRFToken": cookie.value} if cookie else {}


# who, method, URL ({record}, {draft} filled in), expected status, words in the answer
REQUESTS = [
    # REST: a record's ORCID status
    ("session", "GET", "/api/records/{draft}/orcid", 404, "does not exist"),
    ("session", "GET", "/api/records/nope-00000/orcid", 404, "does not exist"),
    ("session", "GET", "/api/records/a%00b/orcid", 404, "does not exist"),
    ("token", "GET", "/api/records/%00/orcid", 404, "does not exist"),
    ("admin", "GET", "/api/records/{draft}/orcid", 404, "does not exist"),
    # REST: sync and dismiss
    ("session", "POST", "/api/user/orcid/records/{draft}/sync", 404, "does not exist"),
    ("token", "POST", "/api/user/orcid/records/{draft}/sync", 404, "does not exist"),
    ("session", "POST", "/api/user/orcid/records/a%00b/sync", 404, "does not exist"),
    ("token", "POST", "/api/user/orcid/records/%00/dismiss", 404, "does not exist"),
    ("session", "POST", "/api/user/orcid/records/{draft}/dismiss", 404, "does not exist"),
    ("session", "POST", "/api/user/orcid/records/{record}/sync?user_id=abc", 400, "user_id"),
    ("admin", "POST", "/api/user/orcid/records/{record}/sync?user_id=424242", 404, "No such user"),
    ("admin", "POST", f"/api/user/orcid/records/{{record}}/dismiss?user_id={HUGE}", 400, "user_id"),
    # REST: pages and users
    ("session", "GET", f"/api/user/orcid/records?page={HUGE}", 400, "page"),
    ("token", "GET", "/api/user/orcid/records?page=abc", 400, "page"),
    ("session", "GET", "/api/user/orcid/records?page=0", 400, "page"),
    ("session", "GET", "/api/user/orcid/records?page=-3", 400, "page"),
    ("session", "GET", "/api/user/orcid/records?size=100000", 400, "size"),
    ("session", "GET", "/api/user/orcid/records?page=1.5", 400, "page"),
    ("session", "GET", "/api/user/orcid?user_id=abc", 400, "user_id"),
    ("token", "GET", f"/api/user/orcid?user_id={HUGE}", 400, "user_id"),
    ("admin", "GET", "/api/user/orcid?user_id=424242", 404, "No such user"),
    ("admin", "GET", "/api/user/orcid?user_id=0", 400, "user_id"),
    ("admin", "GET", "/api/user/orcid?user_id=%00", 400, "user_id"),
    ("admin", "GET", "/api/user/orcid/records?user_id=424242", 404, "No such user"),
    ("admin", "PUT", "/api/user/orcid?user_id=x", 400, "user_id"),
    ("session", "GET", "/api/user/orcid/works?user_id=abc", 400, "user_id"),
    ("admin", "GET", "/api/user/orcid/works?user_id=424242", 404, "No such user"),
    ("session", "POST", "/api/user/orcid/works/a%00b/import", 404, "no work"),
    ("token", "POST", f"/api/user/orcid/works/{HUGE}/import", 404, "no work"),
    ("token", "POST", "/api/user/orcid/works/{draft}/import", 404, "no work"),
    ("session", "POST", "/api/user/orcid/works/0/import", 404, "private or deleted"),
    ("admin", "POST", "/api/user/orcid/works/1/import", 404, "not connected"),
    # The settings page
    ("session", "GET", f"/account/settings/orcid/?page={HUGE}", 200, "ORCID"),
    ("session", "GET", "/account/settings/orcid/?page=abc", 200, "ORCID"),
    ("session", "POST", "/account/settings/orcid/records/{draft}/sync", 404, "does not exist"),
    ("session", "POST", "/account/settings/orcid/records/a%00b/sync", 404, "does not exist"),
    ("session", "POST", "/account/settings/orcid/records/{draft}/dismiss", 404, "does not exist"),
    ("session", "POST", "/account/settings/orcid/records/%00/dismiss", 404, "does not exist"),
    # The administration panel
    ("admin", "GET", f"/administration/orcid-push?page={HUGE}", 200, "ORCID sync"),
    ("admin", "GET", "/administration/orcid-push?page=abc", 200, "ORCID sync"),
    ("admin", "GET", "/administration/orcid-push?user=%00", 200, "ORCID sync"),
    ("admin", "GET", f"/administration/orcid-push?user={HUGE}", 200, "ORCID sync"),
    ("admin", "GET", "/administration/orcid-push?user=nobody@example.org", 200, "ORCID sync"),
    ("admin", "GET", "/administration/orcid-push?record=%00&status=bogus", 200, "ORCID sync"),
    ("admin", "GET", "/administration/orcid-push?error_code=%00", 200, "ORCID sync"),
    ("admin", "GET", f"/administration/orcid-push/{HUGE}", 404, "No such"),
    ("admin", "GET", "/administration/orcid-push/0", 404, "No such"),
    ("admin", "POST", f"/administration/orcid-push/{HUGE}", 404, "No such"),
]  # fmt: skip


@pytest.mark.parametrize(
    "who, method, url, status, words",
    REQUESTS,
    ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in REQUESTS],
)
def test_a_bad_request_gets_a_4xx_with_a_clear_message(
    client, researcher, admin, who, method, url, status, words
):
    headers = _login(client, who, researcher, admin)

    response = client.open(url.format(**researcher), method=method, headers=headers)

    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert words in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


# Arguments of ``invenio orcid-push`` -> words of its one-line error (exit status 2)
COMMANDS = [
    (("resync", "--all", "--chunk-size", "0"), "--chunk-size"),
    (("resync", "--all", "--chunk-size", "-5"), "--chunk-size"),
    (("resync", "--all", "--chunk-size", "abc"), "--chunk-size"),
    (("resync", "--all", "--chunk-size", HUGE), "--chunk-size"),
    (("resync", "--record", "{draft}"), "no record '{draft}'"),
    (("resync", "--record", "nope-00000"), "no record 'nope-00000'"),
    (("resync", "--record", "a\x00b"), "no record"),
    (("resync", "--all", "--since", "garbage"), "'garbage' is not a date"),
    (("resync", "--all", "--since", "2024-13-45"), "'2024-13-45' is not a date"),
    (("resync", "--user", HUGE), f"no user '{HUGE}'"),
    (("resync", "--user", "\x00"), "no user"),
    (("resync", "--dry-run", "--record", "{draft}"), "no record"),
    (("reconcile", "--since", "garbage"), "'garbage' is not a date"),
]


@pytest.mark.parametrize(
    "args, words",
    COMMANDS,
    ids=[" ".join(c[0]).replace("\x00", "NUL") for c in COMMANDS],
)
def test_a_bad_command_gets_a_one_line_error(app, researcher, args, words):
    from invenio_app.cli import cli

    args = [arg.format(**researcher) for arg in args]
    result = app.test_cli_runner().invoke(cli, ["orcid-push", *args])

    assert result.exit_code == 2, result.output
    assert words.format(**researcher) in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


BULK = "BulkResyncArgsSchema"
NIGHTLY = "PredefinedArgsSchema"
# job, arguments -> the field invenio-jobs' validation names
JOB_ARGUMENTS = [
    ("orcid_push_bulk_resync", {"job_arg_schema": BULK, "since": "last tuesday"}, "since"),
    ("orcid_push_bulk_resync", {"job_arg_schema": BULK, "since": "2024-13-45"}, "since"),
    ("orcid_push_bulk_resync", {"job_arg_schema": BULK, "scope": "everything"}, "scope"),
    ("orcid_push_bulk_resync", {"job_arg_schema": BULK, "scope": "user"}, "user"),
    ("orcid_push_bulk_resync", {"job_arg_schema": BULK, "full": "maybe"}, "full"),
    ("orcid_push_nightly_reconcile", {"job_arg_schema": NIGHTLY, "since": "garbage"}, "since"),
]  # fmt: skip


def _job(task):
    return current_jobs_service.create(
        system_identity, {"title": f"Bad input {task}", "task": task}
    )


@pytest.mark.parametrize(
    "task, args, field", JOB_ARGUMENTS, ids=[f"{j[0]}-{j[2]}" for j in JOB_ARGUMENTS]
)
def test_a_job_with_bad_arguments_is_refused_naming_the_field(
    app, db, task, args, field
):
    job = _job(task)

    with pytest.raises(ValidationError) as refused:
        current_runs_service.create(
            system_identity, job.id, {"title": "Run", "args": args}
        )

    assert field in str(refused.value.messages)


CUSTOM_ARGUMENTS = [
    ("orcid_push_bulk_resync", {"since": "last tuesday"}, "since"),
    ("orcid_push_bulk_resync", {"scope": "everything"}, "scope"),
    ("orcid_push_bulk_resync", {"scope": "record"}, "record"),
    ("orcid_push_bulk_resync", {"full": "maybe"}, "full"),
    ("orcid_push_bulk_resync", {"colour": "blue"}, "colour"),
    ("orcid_push_nightly_reconcile", {"since": "garbage"}, "since"),
]


@pytest.mark.parametrize(
    "task, custom, field",
    CUSTOM_ARGUMENTS,
    ids=[f"{j[0]}-{j[2]}" for j in CUSTOM_ARGUMENTS],
)
def test_custom_job_arguments_are_checked_by_the_task_without_a_traceback(
    app, db, task, custom, field
):
    """Custom arguments (the panel's "advanced" JSON) reach the task unchecked by
    invenio-jobs: the task checks them with the same schema."""
    import json

    job = _job(task)
    run = current_runs_service.create(
        system_identity,
        job.id,
        {"title": "Run", "args": {}, "custom_args": json.dumps(custom)},
    )
    run = db.session.get(Run, run.id)

    assert run.status == RunStatusEnum.PARTIAL_SUCCESS, run.message
    assert run.message.startswith("Invalid job arguments:")
    assert field in run.message
    assert "Traceback" not in run.message
