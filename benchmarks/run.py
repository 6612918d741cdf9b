"""ORCID push benchmarks against the simulator, on this machine.

    ./run-benchmarks.sh                 # 10,000 records (setup takes a while)
    ./run-benchmarks.sh --records 1000  # quicker

Prints, for a bulk resync of N records with the rate limit off: works/s, peak
RSS and RSS growth between 10% and 100% of the records; with the rate limit on
(a smaller run by default): achieved rate / limit and ORCID's 503s; for a
resync of N unchanged records: ORCID calls and wall time; and the publish
overhead: median publish() time with the plugin on / off, in the same run.
"""

import argparse
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
import warnings


def rss_mb():
    """Current resident set size of this process, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--rated-records", type=int, default=1_200,
                        help="records for the rate-limited run (20/s: 1,200 take a minute)")
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--publishes", type=int, default=40)
    args = parser.parse_args(argv)

    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("invenio").setLevel(logging.CRITICAL)

    from osmem_server import OsmemServer

    from invenio_orcid_push.demo import (
        DEMO_RESOURCE_TYPES,
        deposit,
        embedded_config,
        ensure_resource_types,
        link_orcid_account,
        person,
    )
    from invenio_orcid_push.simulator import OrcidSimulator

    instance = tempfile.mkdtemp(prefix="orcid-push-bench-")
    os.environ["INVENIO_INSTANCE_PATH"] = instance
    osmem = OsmemServer.start(japanese=False)
    simulator = OrcidSimulator(rate_limit=(24, 40)).start()
    client = simulator.state.register_client(name="Benchmark")
    try:
        from invenio_access.permissions import any_user, authenticated_user
        from invenio_access.utils import get_identity
        from invenio_accounts.proxies import current_datastore
        from invenio_app.factory import create_app
        from invenio_db import db
        from invenio_files_rest.models import Location
        from invenio_rdm_records.proxies import current_rdm_records_service
        from invenio_search.proxies import current_search

        config = embedded_config(instance, osmem.url, simulator, client)
        if os.environ.get("SQLALCHEMY_DATABASE_URI"):
            config["SQLALCHEMY_DATABASE_URI"] = os.environ["SQLALCHEMY_DATABASE_URI"]
            config.pop("SQLALCHEMY_ENGINE_OPTIONS")
        config.update(ORCID_PUSH_RATE_LIMIT=0, ORCID_PUSH_LOCK_URL="memory://",
                      ORCID_PUSH_MAX_RETRIES=0, ORCID_PUSH_ADD_ORCID_TO_CREATORS=False)
        app = create_app(**config)
        app.logger.setLevel(logging.CRITICAL)
        with app.app_context():
            db.drop_all()
            db.create_all()
            list(current_search.create(ignore_existing=True))
            db.session.add(Location(name="default", uri=f"{instance}/data", default=True))
            ensure_resource_types(DEMO_RESOURCE_TYPES)
            researcher = simulator.state.add_researcher(name="Bench Mark")
            token = simulator.state.issue_token(researcher.orcid, client.client_id)
            user = current_datastore.create_user(email="bench@example.org", password=None,
                                                 active=True)
            db.session.commit()
            link_orcid_account(user, researcher.orcid, researcher.name, token.access_token,
                               client.client_id)
            from invenio_orcid_push.models import OrcidPushAccount

            OrcidPushAccount.get_or_create(user.id).include_existing = True
            db.session.commit()
            identity = get_identity(user)
            identity.provides.update({any_user, authenticated_user})

            def publish(n):
                data = deposit(f"Benchmark record {n}", "dataset",
                               [person("Bench", "Mark")], "<p>Benchmark.</p>")
                draft = current_rdm_records_service.create(identity, data)
                return current_rdm_records_service.publish(identity, draft.id).id

            print(f"Benchmarks on {os.cpu_count()} cores, database "
                  f"{db.engine.url.get_backend_name()}, ORCID simulator with ORCID's limit.")

            # -- publish overhead, measured first, on a small database --------------
            # As in production, tasks go to the broker (RabbitMQ) instead of running
            # inside publish(); the queued messages are purged afterwards.
            celery = app.extensions["flask-celeryext"].celery
            try:
                celery.connection_for_write().ensure_connection(max_retries=1)
                celery.conf.task_always_eager = False
                overhead_mode = "tasks queued in RabbitMQ, as in production"
            except Exception:
                overhead_mode = "no broker reachable: eager Celery, the push runs inside publish()"
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
            on, off = statistics.median(timings[True]), statistics.median(timings[False])

            # -- set-up: N records published with pushing off ------------------------
            started = time.perf_counter()
            ids = [publish(n) for n in range(args.records)]
            setup = time.perf_counter() - started
            print(f"Set-up: published {args.records} records in {setup:.0f} s "
                  f"(not measured below).")
            app.config["ORCID_PUSH_ENABLED"] = True

            from invenio_orcid_push.resync import families, resync_inline

            # -- 1. bulk resync, rate limit off ------------------------------------
            calls = len(simulator.state.request_log)
            tenth = max(args.records // 10, 1)
            rss = {}
            started = time.perf_counter()
            done = 0
            for record_id in families(everything=True):
                resync_inline([record_id])
                done += 1
                if done == tenth:
                    rss["tenth"] = rss_mb()
                db.session.expunge_all()
            elapsed = time.perf_counter() - started
            rss["all"] = rss_mb()
            works = len(simulator.state.works_of(researcher.orcid))
            print(f"1. Bulk resync, rate limit off: {works} works in {elapsed:.1f} s = "
                  f"{works / elapsed:.1f} works/s; peak RSS {peak_rss_mb():.0f} MB; "
                  f"RSS growth {tenth} -> {done} records: {rss['all'] - rss['tenth']:+.1f} MB "
                  f"(goal < 50 MB); ORCID calls {len(simulator.state.request_log) - calls}")

            # -- 3. resync of unchanged records --------------------------------------
            for label, full in (("quick (--quick)", False), ("full (--full)", True)):
                calls = len(simulator.state.request_log)
                started = time.perf_counter()
                resync_inline(families(everything=True), full=full)
                elapsed = time.perf_counter() - started
                db.session.expunge_all()
                print(f"3. Resync of {len(ids) + args.publishes // 2} unchanged records, {label}: "
                      f"{len(simulator.state.request_log) - calls} ORCID calls (goal 0), "
                      f"{elapsed:.1f} s (goal < 10 s for 10,000)")

            # -- 2. rate-limited run on new records ----------------------------------
            app.config["ORCID_PUSH_ENABLED"] = False
            rated = [publish(f"rated-{n}") for n in range(args.rated_records)]
            app.config["ORCID_PUSH_ENABLED"] = True
            app.config["ORCID_PUSH_RATE_LIMIT"] = args.rate
            app.config["ORCID_PUSH_RATE_BURST"] = args.rate
            calls = len(simulator.state.request_log)
            time.sleep(2)  # ORCID's bucket refills
            # Several workers (threads here) share the one limit.
            import threading

            def worker(share):
                with app.app_context():
                    resync_inline(share)
                    db.session.remove()

            threads = [threading.Thread(target=worker, args=(rated[k::4],)) for k in range(4)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            log = simulator.state.request_log[calls:]
            rate = len(log) / elapsed
            print(f"2. Bulk resync at {args.rate:g} requests/s: {len(log)} calls in "
                  f"{elapsed:.1f} s = {rate:.2f}/s, achieved/limit {rate / args.rate:.3f} "
                  f"(goal >= 0.95); 503s: {sum(e['status'] == 503 for e in log)} (goal 0)")

            print(f"4. Publish overhead: median publish() {on * 1000:.0f} ms with the "
                  f"plugin, {off * 1000:.0f} ms without: ratio {on / off:.3f} "
                  f"(goal <= 1.05; {overhead_mode})")
    finally:
        simulator.stop()
        osmem.close()


if __name__ == "__main__":
    sys.exit(main())
