"""Jobs for InvenioRDM's administration panel (invenio-jobs): run, schedule, history."""

import logging

from celery import shared_task
from invenio_access.permissions import system_identity
from invenio_i18n import lazy_gettext as _
from invenio_jobs.errors import TaskExecutionError, TaskExecutionPartialError
from invenio_jobs.jobs import JobType, PredefinedArgsSchema
from marshmallow import ValidationError, fields, validate, validates_schema

from .proxies import current_orcid_ledger_service
from .services.errors import RecordNotFoundError, UserNotFoundError
from .sync import FAILED

logger = logging.getLogger(__name__)


class BulkResyncArgsSchema(PredefinedArgsSchema):
    """What to resync: everything, one user, one record, or the failures."""

    job_arg_schema = fields.String(
        metadata={"type": "hidden"},
        dump_default="BulkResyncArgsSchema",
        load_default="BulkResyncArgsSchema",
    )
    scope = fields.String(
        load_default="all",
        validate=validate.OneOf(["all", "user", "record", "failed"]),
        metadata={"description": "all, user, record or failed"},
    )
    user = fields.String(
        allow_none=True, metadata={"description": "E-mail or id (scope user)"}
    )
    record = fields.String(
        allow_none=True, metadata={"description": "Record id (scope record)"}
    )
    full = fields.Boolean(
        load_default=False,
        metadata={
            "description": "Read every record, even those unchanged since their last "
            "sync (after an upgrade or a settings change)"
        },
    )

    @validates_schema
    def check_scope(self, data, **kwargs):
        """A user or record scope needs its value."""
        scope = data.get("scope", "all")
        if scope in ("user", "record") and not data.get(scope):
            raise ValidationError(f"Give the {scope} to resync.", field_name=scope)


def resync_summary(counts):
    """Counts per push action in words (``nothing to do`` when empty)."""
    return (
        ", ".join(f"{n} {action}" for action, n in sorted(counts.items()))
        or "nothing to do"
    )


def _finish(counts, read_back=None):
    failed = counts.get(FAILED, 0)
    summary = resync_summary(counts)
    if failed:
        raise TaskExecutionPartialError(
            f"ORCID resync finished with failures: {summary}."
            + (f" {read_back}" if read_back else ""),
            errored_entries_count=failed,
        )
    return summary + (f". {read_back}" if read_back else "")


def _arguments(schema, given):
    """A task's arguments loaded by its job's schema (``since`` a datetime).

    invenio-jobs checks the arguments an administrator sets in the form, but
    passes "custom arguments" (the panel's JSON) to the task as they are: the
    task checks them with the same schema and ends the run with a one-line
    message instead of a traceback.
    """
    try:
        loaded = schema().load(given)
    except ValidationError as error:
        raise TaskExecutionError(_invalid(error.messages)) from None
    loaded.pop("job_arg_schema", None)
    return loaded


def _invalid(messages):
    def words(problem):
        return " ".join(map(str, problem if isinstance(problem, list) else [problem]))

    problems = "; ".join(
        f"{field}: {words(m)}" for field, m in sorted(messages.items())
    )
    return f"Invalid job arguments: {problems}"


@shared_task(ignore_result=True)
def bulk_resync_job(**arguments):
    """The "ORCID bulk resync" job."""
    args = _arguments(BulkResyncArgsSchema, arguments)
    scope, user, record = args["scope"], args.get("user"), args.get("record")
    service = current_orcid_ledger_service
    try:
        ids = service.select_families(
            system_identity,
            everything=scope == "all",
            user=user if scope == "user" else None,
            record=record if scope == "record" else None,
            failed=scope == "failed",
            since=args.get("since"),
        )
    except UserNotFoundError:
        raise TaskExecutionPartialError(f"No user '{user}'.", errored_entries_count=1)
    except RecordNotFoundError:
        raise TaskExecutionPartialError(
            f"No record '{record}'.", errored_entries_count=1
        )
    return _finish(service.resync_now(system_identity, ids, full=args["full"]))


@shared_task(ignore_result=True)
def nightly_reconcile_job(**arguments):
    """The "ORCID nightly reconcile" job: ``OrcidLedgerService.reconcile``.

    The same as ``invenio orcid-push reconcile``: read ORCID back, retry what
    waits or failed, re-check families changed since the last successful run.
    """
    since_date = _arguments(PredefinedArgsSchema, arguments).get("since")
    counts, report = current_orcid_ledger_service.reconcile(
        system_identity, since=since_date
    )
    logger.info("%s", report.summary())
    return _finish(counts, report.summary())


class BulkResyncJob(JobType):
    """ORCID bulk resync: everything, one user, one record, or the failures."""

    id = "orcid_push_bulk_resync"
    title = _("ORCID bulk resync")
    description = _("Bring ORCID records up to date with the repository.")
    task = bulk_resync_job
    arguments_schema = BulkResyncArgsSchema

    @classmethod
    def build_task_arguments(
        cls,
        job_obj,
        since=None,
        scope="all",
        user=None,
        record=None,
        full=False,
        **kwargs,
    ):
        """The job's arguments as the administrator set them (everything by default).

        Without passing them on, a job configured for one user or record would
        resync everything: invenio-jobs gives a run only what this returns.
        ``since`` is the start of the last successful run unless set.
        """
        return {
            "scope": scope,
            "user": user,
            "record": record,
            "full": full,
            "since": since.isoformat() if since else None,
        }


class NightlyReconcileJob(JobType):
    """ORCID nightly reconcile: read ORCID back, retry failed and waiting pushes,
    re-check changed records."""

    id = "orcid_push_nightly_reconcile"
    title = _("ORCID nightly reconcile")
    description = _(
        "Read ORCID records back (works deleted by researchers, stray copies, "
        "other sources' copies), retry failed and waiting ORCID pushes and "
        "re-check records changed since the last run."
    )
    task = nightly_reconcile_job

    @classmethod
    def build_task_arguments(cls, job_obj, since=None, **kwargs):
        """Records changed since the last successful run."""
        return {"since": since.isoformat() if since else None}
