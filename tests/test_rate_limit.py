"""All workers together stay inside ORCID's rate limit: no 503 from ORCID.

Worker processes share one token bucket in Redis. Without it, two processes
sending as fast as they can are refused by ORCID (the simulator enforces
ORCID's 24 requests/s with bursts of 40).
"""

import os
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from helpers import REDIS_URL, redis_available
from simulators import OrcidSimulator

WORKER = textwrap.dedent("""
    import os
    import sys
    import redis
    from invenio_orcid_push.client import OrcidClient
    from invenio_orcid_push.ratelimit import RedisRateLimiter

    api_url, token, orcid, calls, key = sys.argv[1:6]
    limiter = None
    if key != "-":
        redis_client = redis.Redis.from_url(os.environ["ORCID_PUSH_TEST_REDIS_URL"])
        limiter = RedisRateLimiter(redis_client, rate=20, burst=20, key=key)
    client = OrcidClient(api_url, token, rate_limiter=limiter)
    for _ in range(int(calls)):
        try:
            client.list_works(orcid)
        except Exception:
            pass
""")


pytestmark = pytest.mark.skipif(
    not redis_available() and not os.environ.get("CI"),
    reason=f"needs Redis ({REDIS_URL})",
)


def run_workers(sim, key, processes=2, calls=60):
    client = sim.state.register_client()
    researcher = sim.state.add_researcher()
    token = sim.state.issue_token(researcher.orcid, client.client_id).access_token
    started = time.monotonic()
    # The workers share the tests' Redis database, whatever the environment said.
    env = dict(os.environ, ORCID_PUSH_TEST_REDIS_URL=REDIS_URL)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                sim.api_url,
                token,
                researcher.orcid,
                str(calls),
                key,
            ],
            env=env,
        )
        for _ in range(processes)
    ]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    elapsed = time.monotonic() - started
    statuses = [entry["status"] for entry in sim.state.request_log]
    return statuses, elapsed


def test_two_worker_processes_sharing_the_limit_get_no_503():
    with OrcidSimulator(rate_limit=(24, 40)) as sim:
        statuses, elapsed = run_workers(sim, key=f"test-rate-{uuid.uuid4().hex}")
    assert len(statuses) == 120
    assert statuses.count(503) == 0
    # 120 calls at 20/s after a burst of 20: at least (120 - 20) / 20 = 5 s.
    assert elapsed >= 4.5


def test_without_the_shared_limit_orcid_refuses_some_calls():
    with OrcidSimulator(rate_limit=(24, 40)) as sim:
        statuses, _ = run_workers(sim, key="-")
    assert statuses.count(503) > 0
