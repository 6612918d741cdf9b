"""``invenio orcid-push``: bulk resync and status, for administrators."""

from datetime import datetime, timezone

import click
from flask.cli import with_appcontext
from invenio_access.permissions import system_identity
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

from .jobs import resync_summary
from .models import LinkStatus
from .proxies import current_orcid_ledger_service
from .services.errors import RecordNotFoundError, UserNotFoundError
from .services.services import PLAN_ACTIONS

MAX_CHUNK_SIZE = 10_000
"""Ids in one Celery message at most (a message is held in memory whole)."""


def _parse_since(value):
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date (use YYYY-MM-DD).", param_hint="--since"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _families(**scope):
    """The record ids of the scope, from the service; unknown names are usage errors."""
    try:
        return current_orcid_ledger_service.select_families(system_identity, **scope)
    except UserNotFoundError as error:
        raise click.BadParameter(
            f"no user '{error.value}'.", param_hint="--user"
        ) from None
    except RecordNotFoundError as error:
        raise click.BadParameter(
            f"no record '{error.record_id}'.", param_hint="--record"
        ) from None


@click.group("orcid-push")
def orcid_push():
    """Push records to ORCID: bulk resync and status."""


@orcid_push.command()
@click.option("--all", "everything", is_flag=True, help="Every record family.")
@click.option("--user", help="One user's records (e-mail or id).")
@click.option("--record", help="One record (id).")
@click.option("--failed", is_flag=True, help="Families whose last push failed.")
@click.option("--since", help="Only records changed since this date (YYYY-MM-DD).")
@click.option("--dry-run", is_flag=True, help="Only say what would change.")
@click.option(
    "--full/--quick",
    default=False,
    help="--quick (default) skips, a chunk at a time, versions where nothing that "
    "decides their works changed since their last sync (record, owner, ORCID "
    "links, preferences) without reading them. --full reads every record: "
    "use it after upgrading the plugin or changing ORCID_PUSH_* settings.",
)
@click.option(
    "--chunk-size",
    default=200,
    show_default=True,
    type=click.IntRange(1, MAX_CHUNK_SIZE),
    help="Records per Celery task.",
)
@with_appcontext
def resync(everything, user, record, failed, since, dry_run, full, chunk_size):
    """Bring ORCID up to date for the chosen records (same rules as publishing)."""
    chosen = [
        name
        for name, on in (
            ("--all", everything),
            ("--user", user),
            ("--record", record),
            ("--failed", failed),
        )
        if on
    ]
    if len(chosen) != 1:
        raise click.UsageError(
            "Choose exactly one of --all, --user, --record, --failed."
        )
    since_date = _parse_since(since)
    ids = _families(
        everything=everything, user=user, record=record, failed=failed, since=since_date
    )
    if dry_run:
        _dry_run(ids)
        return

    with click.progressbar(
        ids,
        label="Scheduling ORCID pushes",
        show_pos=True,
        item_show_func=lambda _: None,
    ) as bar:
        try:
            sent, tasks = current_orcid_ledger_service.schedule_resync(
                system_identity, bar, full=full, chunk_size=chunk_size
            )
        except OperationalError as error:
            raise click.ClickException(
                f"Cannot reach the Celery broker (CELERY_BROKER_URL): {error}"
            ) from None
    click.echo(
        f"Scheduled {sent} record famil{'y' if sent == 1 else 'ies'} for ORCID "
        f"in {tasks} task(s)."
    )


def _dry_run(ids):
    counts, examples = current_orcid_ledger_service.plan(system_identity, ids)
    click.echo("Dry run, nothing sent to ORCID. Works that would be:")
    for action in PLAN_ACTIONS:
        shown = ", ".join(examples.get(action, [])[:3])
        click.echo(
            f"  {action:<9} {counts[action]:>7}" + (f"   e.g. {shown}" if shown else "")
        )


@orcid_push.command()
@click.option(
    "--since",
    help="Also re-check records changed since this date (YYYY-MM-DD), as the "
    "nightly job does with the start of its last successful run.",
)
@with_appcontext
def reconcile(since):
    """What the nightly reconcile job runs: read ORCID back, retry, re-check.

    Reads each linked researcher's works on ORCID once and compares them with
    the ledger (works they deleted, stray copies of ours, other sources'
    copies, works of ours nobody here explains), then retries failed and
    waiting pushes.
    """
    since_date = _parse_since(since)
    try:
        counts, report = current_orcid_ledger_service.reconcile(
            system_identity, since=since_date
        )
    except (OperationalError, RedisError) as error:
        raise click.ClickException(
            f"Reconcile stopped: {type(error).__name__}: {error}"
        ) from None
    click.echo(f"ORCID pushes: {resync_summary(counts)}. {report.summary()}")


@orcid_push.command()
@with_appcontext
def status():
    """Counts of ledger rows per status, of ORCID links per health, and uptake."""
    counts = current_orcid_ledger_service.status_counts(system_identity)
    click.echo("ORCID works per status:")
    for status, number in counts["works"].items():
        click.echo(f"  {status:<22} {number:>7}")
    pushes = counts["pushes"]
    click.echo(
        f"Pushes owed: {pushes['owed']} ({pushes['stale']} overdue: their message "
        "was lost; the sweep sends them again)"
    )
    click.echo("Links with a problem:")
    for status, number in counts["links"].items():
        if status != LinkStatus.ACTIVE.value:
            click.echo(f"  {status:<22} {number:>7}")
    _echo_uptake(current_orcid_ledger_service.uptake(system_identity))


def _echo_uptake(figures):
    """Uptake: links, works, approvals, failures by reason, and per week."""
    click.echo("Uptake:")
    for label, key in (
        ("users linked to ORCID", "linked"),
        ("  of them able to add works", "can_write"),
        ("works on ORCID", "works_on_orcid"),
        ("records awaiting approval", "awaiting_approval"),
    ):
        click.echo(f"  {label:<30} {figures[key]:>7}")
    click.echo("Failures by reason:")
    for reason, number in figures["failures"] or [("none", 0)]:
        click.echo(f"  {reason:<22} {number:>7}")
    click.echo("Per week (starting)     new links  works synced")
    for week in figures["weeks"]:
        click.echo(
            f"  {week.start.isoformat():<20} {week.new_links:>9} {week.works_synced:>13}"
        )
