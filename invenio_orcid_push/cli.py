"""``invenio orcid-push``: bulk resync and status, for administrators."""

from collections import Counter
from datetime import datetime, timezone

import click
from flask.cli import with_appcontext
from invenio_accounts.models import User
from invenio_db import db

from .models import LinkStatus, OrcidPushAccount, OrcidWorkLedger, SyncStatus
from .resync import families


def _parse_since(value):
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (use YYYY-MM-DD).",
                                 param_hint="--since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _find_user(value):
    user = User.query.get(int(value)) if value.isdigit() else (
        User.query.filter(db.func.lower(User.email) == value.lower()).one_or_none())
    if user is None:
        raise click.BadParameter(f"no user '{value}'.", param_hint="--user")
    return user


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
@click.option("--full/--quick", default=False,
              help="--quick (default) skips, a chunk at a time, versions where nothing that "
                   "decides their works changed since their last sync (record, owner, ORCID "
                   "links, preferences) without reading them. --full reads every record: "
                   "use it after upgrading the plugin or changing ORCID_PUSH_* settings.")
@click.option("--chunk-size", default=200, show_default=True,
              help="Records per Celery task.")
@with_appcontext
def resync(everything, user, record, failed, since, dry_run, full, chunk_size):
    """Bring ORCID up to date for the chosen records (same rules as publishing)."""
    chosen = [name for name, on in (("--all", everything), ("--user", user),
                                    ("--record", record), ("--failed", failed)) if on]
    if len(chosen) != 1:
        raise click.UsageError("Choose exactly one of --all, --user, --record, --failed.")
    since_date = _parse_since(since)
    target_user = _find_user(user) if user else None
    if record is not None:
        from .sync import resolve_record

        if resolve_record(record) is None:
            raise click.BadParameter(f"no record '{record}'.", param_hint="--record")

    ids = families(everything, target_user, record, failed, since_date)
    if dry_run:
        _dry_run(ids)
        return

    from .tasks import push_records_to_orcid

    sent, chunk = 0, []
    with click.progressbar(ids, label="Scheduling ORCID pushes", show_pos=True,
                           item_show_func=lambda _: None) as bar:
        for record_id in bar:
            chunk.append(record_id)
            if len(chunk) >= chunk_size:
                push_records_to_orcid.delay(chunk, full=full)
                sent, chunk = sent + len(chunk), []
        if chunk:
            push_records_to_orcid.delay(chunk, full=full)
            sent += len(chunk)
    click.echo(f"Scheduled {sent} record famil{'y' if sent == 1 else 'ies'} for ORCID "
               f"in {-(-sent // chunk_size) if sent else 0} task(s).")


def _dry_run(ids):
    from .sync import plan_record

    counts, examples = Counter(), {}
    for record_id in ids:
        for orcid, action in plan_record(record_id).items():
            counts[action] += 1
            examples.setdefault(action, []).append(f"{record_id} -> {orcid}")
    click.echo("Dry run, nothing sent to ORCID. Works that would be:")
    for action in ("created", "updated", "deleted", "unchanged", "skipped"):
        shown = ", ".join(examples.get(action, [])[:3])
        click.echo(f"  {action:<9} {counts[action]:>7}" + (f"   e.g. {shown}" if shown else ""))


@orcid_push.command()
@with_appcontext
def status():
    """Counts of ledger rows per status, and of ORCID links per health."""
    rows = db.session.query(OrcidWorkLedger.status, db.func.count()).group_by(
        OrcidWorkLedger.status)
    counts = {status.value: number for status, number in rows}
    click.echo("ORCID works per status:")
    for status in SyncStatus:
        click.echo(f"  {status.value:<22} {counts.get(status.value, 0):>7}")
    links = db.session.query(OrcidPushAccount.link_status, db.func.count()).group_by(
        OrcidPushAccount.link_status)
    link_counts = {status.value: number for status, number in links}
    click.echo("Links with a problem:")
    for status in LinkStatus:
        if status != LinkStatus.ACTIVE:
            click.echo(f"  {status.value:<22} {link_counts.get(status.value, 0):>7}")
