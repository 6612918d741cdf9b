"""ORCID push benchmarks against the simulator, on this machine.

    ./run-benchmarks.sh                 # 10,000 records (set-up takes a while)
    ./run-benchmarks.sh --records 1000  # quicker

Prints, for a bulk resync of N records with the rate limit off: works/s, peak
RSS and RSS growth between 10% and 100% of the records; with the rate limit on,
several worker processes sharing it through Redis: achieved rate / limit and
ORCID's 503s; for a resync of the N records unchanged: ORCID calls and wall
time; ORCID calls per new work (the adoption read included) and the reconcile's
calls per researcher; and the publish overhead: median publish() time with the plugin on / off,
in the same run.

The database is PostgreSQL when ``SQLALCHEMY_DATABASE_URI`` names it
(run-benchmarks.sh does when PostgreSQL is reachable), else SQLite; its
benchmark database is dropped and created again at each run.
"""

import argparse
import logging
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

# The ORCID simulator and the set-up helpers are development code under tests/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

# Set in the parent before forking worker processes, which inherit them.
APP = None
IDENTITIES = []


def rss_mb():
    """Current resident set size of this process, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def publish(label, n=0):
    """Publish one record as the ``n``-th depositor (round robin); its id."""
    from invenio_rdm_records.proxies import current_rdm_records_service

    from helpers import deposit, person

    identity = IDENTITIES[n % len(IDENTITIES)]
    data = deposit(
        f"Benchmark record {label}",
        "dataset",
        [person("Bench", "Mark")],
        "<p>Benchmark.</p>",
    )
    draft = current_rdm_records_service.create(identity, data)
    return current_rdm_records_service.publish(identity, draft.id).id


def _worker_start():
    """In a forked worker process: its own app context and database connections."""
    from invenio_db import db

    context = APP.app_context()
    context.push()
    # Never reuse the parent's connections (database, search).
    db.engine.dispose(close=False)
    APP.extensions["invenio-search"]._client = None


def _publish_many(numbers):
    return [publish(f"{prefix}{n}", n) for prefix, n in numbers]


def _resync_share(record_ids):
    from invenio_orcid_push.resync import resync_inline

    return dict(resync_inline(record_ids))


def _bulk_resync_measured(records):
    """Resync every family as the CLI's Celery tasks do (chunks of 200), in this
    worker process; its timing and memory."""
    from invenio_orcid_push.resync import families, resync_inline

    tenth, rss = max(records // 10, 1), {}
    started = time.perf_counter()
    done, chunk = 0, []
    for record_id in families(everything=True):
        chunk.append(record_id)
        if len(chunk) == 200:
            resync_inline(chunk)
            done, chunk = done + len(chunk), []
            if "tenth" not in rss and done >= tenth:
                rss["tenth"], rss["tenth_at"] = rss_mb(), done
    resync_inline(chunk)
    done += len(chunk)
    if "tenth" not in rss:
        rss["tenth"], rss["tenth_at"] = rss_mb(), done
    return {
        "elapsed": time.perf_counter() - started,
        "done": done,
        "rss": rss_mb(),
        "peak": peak_rss_mb(),
        **rss,
    }


def _in_one_worker(function, *args):
    """Run ``function`` in one forked worker process (a Celery worker stand-in)."""
    from invenio_db import db

    db.session.remove()
    db.engine.dispose()
    with multiprocessing.get_context("fork").Pool(1, initializer=_worker_start) as pool:
        return pool.apply(function, args)


def _in_workers(function, items, workers, per_task):
    """Run ``function`` over chunks of ``items`` in forked worker processes."""
    from invenio_db import db

    db.session.remove()
    db.engine.dispose()  # the children must not inherit open connections
    chunks = [items[k : k + per_task] for k in range(0, len(items), per_task)]
    with multiprocessing.get_context("fork").Pool(
        workers, initializer=_worker_start
    ) as pool:
        return pool.map(function, chunks, chunksize=1)


def _is_read(call):
    return call["method"] == "GET"


def _is_write(call):
    return call["method"] in ("POST", "PUT", "DELETE")


def _calls_per_work(log, records, args):
    """ORCID calls per new work of a bulk resync of ``records`` families in chunks
    of 200, the adoption read included."""
    works = sum(1 for call in log if call["method"] == "POST" and call["status"] == 201)
    reads = sum(map(_is_read, log))
    writes = sum(map(_is_write, log))
    chunks = -(-records // 200)
    return (
        f"Calls per new work: {len(log) / max(works, 1):.3f} ({reads} reads of "
        f"researchers' works for {chunks} chunks x {args.depositors} researchers: "
        f"{reads / (chunks * args.depositors):.2f} per researcher per chunk (goal <= 1); "
        f"{writes} writes = {writes / max(works, 1):.2f} per work (goal 1))"
    )


def _stray_copy(simulator, orcid, client, like):
    """A second work of ours grouped with ``like`` (cites its self id as version-of)."""
    import copy
    import uuid

    token = simulator.state.issue_token(orcid, client.client_id)
    work = copy.deepcopy(like.work)
    work["put_code"] = None
    cited = next(e for e in like.work["external_ids"] if e["relationship"] == "self")
    work["external_ids"] = [
        {**cited, "relationship": "version-of"},
        {
            "type": "uri",
            "value": f"https://stray.example.org/{uuid.uuid4().hex}",
            "url": None,
            "relationship": "self",
        },
    ]
    simulator.state.create_work(token, orcid, work)


def _reconcile_once(simulator):
    from invenio_orcid_push.reconcile import read_back

    calls = len(simulator.state.request_log)
    started = time.perf_counter()
    read_back()
    elapsed = time.perf_counter() - started
    log = simulator.state.request_log[calls:]
    return sum(map(_is_read, log)), sum(map(_is_write, log)), elapsed


def _reconcile_measured(simulator, orcids, client):
    """The reconcile's ORCID calls per researcher: nothing changed, then one
    deletion by the researcher and one stray copy of ours each."""
    reads, writes, elapsed = _reconcile_once(simulator)
    print(
        f"5. Reconcile (reads ORCID back), nothing changed: {len(orcids)} researchers, "
        f"{reads / len(orcids):.2f} reads per researcher (goal 1), {writes} writes "
        f"(goal 0), {elapsed:.1f} s",
        flush=True,
    )
    for orcid in orcids:
        first, second = simulator.state.works_of(orcid)[:2]
        simulator.state.delete_by_researcher(orcid, first.put_code)
        _stray_copy(simulator, orcid, client, second)
    reads, writes, elapsed = _reconcile_once(simulator)
    print(
        f"   After one deletion by each researcher and one stray copy each "
        f"({len(orcids)} repairs needing a write): {reads / len(orcids):.2f} reads "
        f"per researcher (goal 1), {writes / len(orcids):.2f} writes per researcher "
        f"(goal 1: the stray's DELETE; a deletion is learned without a call), "
        f"{elapsed:.1f} s",
        flush=True,
    )


def _fresh_database(url):
    from sqlalchemy_utils import create_database, database_exists, drop_database

    if database_exists(url):
        drop_database(url)
    create_database(url)


def main(argv=None):
    global APP

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument(
        "--rated-records",
        type=int,
        default=1_200,
        help="records for the rate-limited run (at 20/s 1,200 take a minute)",
    )
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument(
        "--workers", type=int, default=4, help="worker processes sharing the rate limit"
    )
    parser.add_argument(
        "--full-sample",
        type=int,
        default=1_000,
        help="records read by the timed --full resync of unchanged records",
    )
    parser.add_argument("--publishes", type=int, default=40)
    parser.add_argument(
        "--depositors",
        type=int,
        default=10,
        help="linked depositors the records are spread over (ORCID takes "
        "at most 10,000 works per record)",
    )
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("invenio").setLevel(logging.CRITICAL)

    from osmem_server import OsmemServer

    from helpers import (
        DEMO_RESOURCE_TYPES,
        embedded_config,
        ensure_resource_types,
        link_orcid_account,
    )
    from simulators import OrcidSimulator

    instance = tempfile.mkdtemp(prefix="orcid-push-bench-")
    os.environ["INVENIO_INSTANCE_PATH"] = instance
    osmem = OsmemServer.start(japanese=False)
    schema_dir = os.path.join(
        os.path.dirname(__file__), "..", "..", "shared", "orcid-model"
    )
    simulator = OrcidSimulator(
        schema_dir=schema_dir if os.path.isdir(schema_dir) else None,
        rate_limit=(24, 40),
    ).start()
    client = simulator.state.register_client(name="Benchmark")
    try:
        from invenio_access.permissions import any_user, authenticated_user
        from invenio_access.utils import get_identity
        from invenio_accounts.proxies import current_datastore
        from invenio_app.factory import create_app
        from invenio_db import db
        from invenio_files_rest.models import Location
        from invenio_search.proxies import current_search

        config = embedded_config(instance, osmem.url, simulator, client)
        if os.environ.get("SQLALCHEMY_DATABASE_URI"):
            config["SQLALCHEMY_DATABASE_URI"] = os.environ["SQLALCHEMY_DATABASE_URI"]
            config.pop("SQLALCHEMY_ENGINE_OPTIONS")
            _fresh_database(config["SQLALCHEMY_DATABASE_URI"])
        redis_url = os.environ.get("ORCID_PUSH_BENCH_REDIS", "redis://127.0.0.1:6379/7")
        config.update(
            ORCID_PUSH_RATE_LIMIT=0,
            ORCID_PUSH_LOCK_URL=redis_url,
            ORCID_PUSH_MAX_RETRIES=0,
            ORCID_PUSH_ADD_ORCID_TO_CREATORS=False,
        )
        app = APP = create_app(**config)
        app.logger.setLevel(logging.CRITICAL)
        with app.app_context():
            db.drop_all()
            db.create_all()
            list(current_search.create(ignore_existing=True))
            db.session.add(
                Location(name="default", uri=f"{instance}/data", default=True)
            )
            ensure_resource_types(DEMO_RESOURCE_TYPES)
            from invenio_orcid_push.models import OrcidPushAccount

            orcids = []
            for n in range(args.depositors):
                researcher = simulator.state.add_researcher(name=f"Bench Mark {n}")
                token = simulator.state.issue_token(researcher.orcid, client.client_id)
                user = current_datastore.create_user(
                    email=f"bench{n}@example.org", password=None, active=True
                )
                db.session.commit()
                link_orcid_account(
                    user,
                    researcher.orcid,
                    researcher.name,
                    token.access_token,
                    client.client_id,
                )
                OrcidPushAccount.get_or_create(user.id).include_existing = True
                db.session.commit()
                identity = get_identity(user)
                identity.provides.update({any_user, authenticated_user})
                IDENTITIES.append(identity)
                orcids.append(researcher.orcid)

            def works_on_orcid():
                return sum(len(simulator.state.works_of(orcid)) for orcid in orcids)

            print(
                f"Benchmarks on {os.cpu_count()} cores, database "
                f"{db.engine.url.get_backend_name()}, ORCID simulator with ORCID's limit "
                f"(24 requests/s, bursts of 40).",
                flush=True,
            )

            # -- publish overhead, measured first, on a small database --------------
            # As in production, tasks go to the broker (RabbitMQ) instead of running
            # inside publish(); the queued messages are purged afterwards.
            celery = app.extensions["flask-celeryext"].celery
            try:
                celery.connection_for_write().ensure_connection(max_retries=1)
                celery.conf.task_always_eager = False
                overhead_mode = "tasks queued in RabbitMQ, as in production"
            except Exception:
                overhead_mode = (
                    "no broker reachable: eager Celery, the push runs inside publish()"
                )
            timings = {True: [], False: []}
            for n in range(args.publishes):
                enabled = n % 2 == 0
                app.config["ORCID_PUSH_ENABLED"] = enabled
                started = time.perf_counter()
                publish(f"overhead-{n}")
                timings[enabled].append(time.perf_counter() - started)
            if not celery.conf.task_always_eager:
                celery.control.purge()
                celery.conf.task_always_eager = True
            app.config["ORCID_PUSH_ENABLED"] = False
            on, off = statistics.median(timings[True]), statistics.median(
                timings[False]
            )
            overhead = (
                f"4. Publish overhead: median publish() {on * 1000:.0f} ms with the "
                f"plugin, {off * 1000:.0f} ms without: ratio {on / off:.3f} "
                f"(goal <= 1.05; {overhead_mode})"
            )
            print(overhead, flush=True)

            # -- set-up: N records published with pushing off, in parallel -----------
            setup_workers = os.cpu_count() or 2
            started = time.perf_counter()
            numbers = [("", n) for n in range(args.records)]
            ids = [
                i
                for chunk in _in_workers(_publish_many, numbers, setup_workers, 50)
                for i in chunk
            ]
            print(
                f"Set-up: published {len(ids)} records in {time.perf_counter() - started:.0f} s "
                f"with {setup_workers} processes (not measured below).",
                flush=True,
            )
            app.config["ORCID_PUSH_ENABLED"] = True

            from invenio_orcid_push.resync import families, resync_inline

            # -- 1. bulk resync, rate limit off, one process -------------------------
            # ORCID's limit off too: this measures how fast the plugin can go.
            simulator.set_rate_limit(None)
            calls = len(simulator.state.request_log)
            run = _in_one_worker(_bulk_resync_measured, args.records)
            print(
                f"1. Bulk resync, rate limit off, one worker process: {works_on_orcid()} "
                f"works in {run['elapsed']:.1f} s = {works_on_orcid() / run['elapsed']:.1f} "
                f"works/s; the worker's peak RSS {run['peak']:.0f} MB, RSS growth "
                f"{run['tenth_at']} -> {run['done']} records: "
                f"{run['rss'] - run['tenth']:+.1f} MB (goal < 50 MB); ORCID calls "
                f"{len(simulator.state.request_log) - calls}, 503s "
                f"{sum(e['status'] == 503 for e in simulator.state.request_log[calls:])}",
                flush=True,
            )

            print(
                "   "
                + _calls_per_work(
                    simulator.state.request_log[calls:], run["done"], args
                ),
                flush=True,
            )

            # -- 5. reconcile: ORCID read back ---------------------------------------
            _reconcile_measured(simulator, orcids, client)

            # -- 3. resync of unchanged records --------------------------------------
            calls = len(simulator.state.request_log)
            db.session.expunge_all()
            started = time.perf_counter()
            counts = resync_inline(families(everything=True))  # quick, the default
            elapsed = time.perf_counter() - started
            print(
                f"3. Resync of {sum(counts.values())} unchanged records (default, quick): "
                f"{len(simulator.state.request_log) - calls} ORCID calls (goal 0), "
                f"{elapsed:.1f} s (goal < 10 s for 10,000); {dict(counts)}",
                flush=True,
            )
            sample = ids[: args.full_sample]
            calls = len(simulator.state.request_log)
            started = time.perf_counter()
            resync_inline(sample, full=True)
            elapsed = time.perf_counter() - started
            print(
                f"   The same with --full (reads every record), on {len(sample)} of them: "
                f"{len(simulator.state.request_log) - calls} ORCID calls, {elapsed:.1f} s = "
                f"{elapsed / len(sample) * 1000:.0f} ms per record",
                flush=True,
            )

            # -- 2. rate-limited run on new records, several worker processes --------
            app.config["ORCID_PUSH_ENABLED"] = False
            rated = [
                i
                for chunk in _in_workers(
                    _publish_many,
                    [("rated-", n) for n in range(args.rated_records)],
                    setup_workers,
                    50,
                )
                for i in chunk
            ]
            app.config["ORCID_PUSH_ENABLED"] = True
            app.config["ORCID_PUSH_RATE_LIMIT"] = args.rate
            app.config["ORCID_PUSH_RATE_BURST"] = args.rate
            simulator.set_rate_limit((24, 40))  # ORCID's limit, from a full bucket
            calls = len(simulator.state.request_log)
            shares = -(-len(rated) // args.workers)
            started = time.perf_counter()
            results = _in_workers(_resync_share, rated, args.workers, shares)
            elapsed = time.perf_counter() - started
            log = simulator.state.request_log[calls:]
            rate = len(log) / elapsed
            steady = (len(log) - args.rate) / elapsed  # without the first full bucket
            created = sum(result.get("created", 0) for result in results)
            print(
                f"2. Bulk resync at {args.rate:g} requests/s, {args.workers} worker "
                f"processes: {len(log)} calls ({created} works created) in {elapsed:.1f} s "
                f"= {rate:.2f}/s, achieved/limit {rate / args.rate:.3f} (goal >= 0.95; "
                f"{steady / args.rate:.3f} without the first burst of {args.rate:g}); "
                f"503s: {sum(e['status'] == 503 for e in log)} (goal 0)",
                flush=True,
            )
            print(overhead)
    finally:
        simulator.stop()
        osmem.close()


if __name__ == "__main__":
    sys.exit(main())
