"""Real Celery workers for tests: ``celery worker`` processes on a real broker.

Development code beside ``helpers.py``. A test writes its settings (the
database, the broker and its queue, the simulator's URLs, a few ``ORCID_PUSH_*``
values) to a JSON file; :func:`flask_config` turns them into the one
configuration that both the test's publishing application and the worker
processes (``worker_app.py``) are built from.

What each test owns, so that runs side by side never meet:

- PostgreSQL: a database of its own (``ORCID_PUSH_TEST_WORKERS_DB``), created and
  dropped by the module; everything is committed for real, since the workers
  are other processes.
- Redis: only the database ``ORCID_PUSH_TEST_REDIS_URL`` names, every broker key
  under a prefix of the test's own (kombu's ``global_keyprefix``), deleted after.
- RabbitMQ (``ORCID_PUSH_TEST_AMQP_URL``): a queue (and its exchange) named for
  the test, deleted after.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from helpers import REDIS_URL

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent

AMQP_URL = os.environ.get(
    "ORCID_PUSH_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"
)
"""The RabbitMQ broker of the real-worker tests (queues of their own, deleted after)."""

WORKERS_DB = os.environ.get("ORCID_PUSH_TEST_WORKERS_DB", "orcid_push_workers")
"""The PostgreSQL database the real-worker tests create, share with their
workers and drop."""

POSTGRES_SERVER = os.environ.get(
    "ORCID_PUSH_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432"
)
"""The PostgreSQL server (no database name) that holds :data:`WORKERS_DB`."""

SETTINGS_VARIABLE = "ORCID_PUSH_WORKER_SETTINGS"
"""Environment variable naming the JSON settings file a worker reads."""

BROKERS = ("redis", "rabbitmq")

REDIS_VISIBILITY_TIMEOUT = 10
"""Seconds after which Redis hands an unacknowledged message to another worker.

kombu's Redis transport has no connection-bound acknowledgement: a message a
dead worker had taken comes back only after this timeout (default one hour).
It must exceed the longest task run plus its countdown, or a message still
being worked on is delivered twice (harmless here: a push decides again under
the iD's lock, but it costs time). The workers look for such messages every
second (``unacked_restore_interval``/``unacked_restore_throttle``).
RabbitMQ needs none of this: it redelivers when the connection drops.
"""

TIMEDELTA_SETTINGS = ("ORCID_PUSH_STALE_AFTER", "ORCID_PUSH_SWEEP_INTERVAL")
"""Settings given in seconds in the JSON file and passed as ``timedelta``."""


def reachable(url, default_port):
    """Whether something listens at the host and port of ``url``."""
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), timeout=0.5
        ):
            return True
    except OSError:
        return False


def broker_settings(broker, queue):
    """Settings for ``broker`` (``redis`` or ``rabbitmq``) with the test's queue."""
    if broker == "redis":
        return dict(
            broker_url=REDIS_URL,
            broker_transport_options=dict(
                global_keyprefix=f"{queue}:",
                visibility_timeout=REDIS_VISIBILITY_TIMEOUT,
                unacked_restore_interval=1,
                unacked_restore_throttle=1,
            ),
            queue=queue,
        )
    return dict(broker_url=AMQP_URL, broker_transport_options={}, queue=queue)


def forget_broker_state(broker, queue):
    """Delete what the test left on the broker: its queue and exchange, or keys."""
    if broker == "redis":
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"{queue}:*", count=500):
            client.delete(key)
        return
    from kombu import Connection

    with Connection(AMQP_URL, connect_timeout=5) as connection:
        channel = connection.channel()
        for delete in (channel.queue_delete, channel.exchange_delete):
            try:
                delete(queue)
            except Exception:  # never declared: a fresh channel for the next one
                channel = connection.channel()


def purge_queue(settings):
    """Drop every message waiting in the test's queue; how many were dropped."""
    from kombu import Connection

    with Connection(
        settings["broker_url"],
        transport_options=settings["broker_transport_options"],
        connect_timeout=5,
    ) as connection:
        return connection.default_channel.queue_purge(settings["queue"]) or 0


def database_url(name=WORKERS_DB):
    return f"{POSTGRES_SERVER}/{name}"


def flask_config(settings):
    """The configuration of the publishing app and the workers, from ``settings``."""
    import copy

    from invenio_orcid_push.oauth import REMOTE_APP

    from helpers import (
        pid_settings_without_datacite,
        redis_settings,
        stand_in_manifest_loader,
    )

    config = dict(
        SECRET_KEY="real-worker-tests-not-secret",
        SQLALCHEMY_DATABASE_URI=settings["database_url"],
        SEARCH_HOSTS=settings["search_hosts"],
        **redis_settings(settings["redis_prefix"]),
        RATELIMIT_ENABLED=False,
        ACCOUNTS_DEFAULT_USERS_VERIFIED=True,
        THEME_SITENAME="Test Repository",
        SITE_UI_URL="https://repo.example.org",
        SITE_API_URL="https://repo.example.org/api",
        DATACITE_ENABLED=False,
        **pid_settings_without_datacite(),
        OAUTHCLIENT_REMOTE_APPS={"orcid": copy.deepcopy(REMOTE_APP)},
        WEBPACKEXT_MANIFEST_LOADER=stand_in_manifest_loader(),
        ORCID_APP_CREDENTIALS={
            "consumer_key": settings["client_id"],
            "consumer_secret": settings["client_secret"],
        },
        ORCID_PUSH_ENABLED=True,
        ORCID_PUSH_API_URL=settings["orcid_api_url"],
        ORCID_PUSH_OAUTH_URL=settings["orcid_oauth_url"],
        # Celery: the test's broker and queue; no results (the tasks keep none);
        # no remote control (it would declare exchanges beyond the test's own).
        CELERY_TASK_ALWAYS_EAGER=False,
        CELERY_BROKER_URL=settings["broker_url"],
        CELERY_BROKER_TRANSPORT_OPTIONS=settings["broker_transport_options"],
        CELERY_TASK_DEFAULT_QUEUE=settings["queue"],
        CELERY_RESULT_BACKEND="cache",
        CELERY_CACHE_BACKEND="memory",
        CELERY_WORKER_ENABLE_REMOTE_CONTROL=False,
        CELERY_BEAT_SCHEDULE={},
        ORCID_PUSH_CELERY_QUEUE=settings["queue"],
    )
    for key, value in settings.get("config", {}).items():
        config[key] = timedelta(seconds=value) if key in TIMEDELTA_SETTINGS else value
    return config


def write_settings(settings, folder):
    """Write ``settings`` for the workers; the file's path."""
    path = Path(folder) / f"worker-settings-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps(settings, indent=2))
    return path


def read_settings():
    """The settings of this worker process (see :data:`SETTINGS_VARIABLE`)."""
    return json.loads(Path(os.environ[SETTINGS_VARIABLE]).read_text())


def wait_for(condition, timeout, what, explain=None, interval=0.2):
    """Poll ``condition`` until it returns something true; fail after ``timeout`` s.

    ``explain()`` describes the state reached, for the failure message.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            state = f"; {explain()}" if explain else ""
            raise AssertionError(
                f"Timed out after {timeout} s waiting for {what}{state}"
            )
        time.sleep(interval)


class Worker:
    """A ``celery worker`` process group (main process and pool children).

    Started in a session of its own, so that :meth:`kill` takes every process
    of the worker at once, as a crash of the machine or an OOM kill would.
    """

    def __init__(self, settings_file, queue, name, log_dir, beat=False):
        """A worker ``name`` consuming ``queue``, configured by ``settings_file``."""
        self.name = name
        self.log_path = Path(log_dir) / f"worker-{name}.log"
        self.command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker_app",
            "worker",
            "--pool",
            "prefork",
            "-c",
            "2",
            "--prefetch-multiplier",
            "1",
            "-Q",
            queue,
            "-n",
            f"{name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "INFO",
        ]
        if beat:
            self.command += ["-B", "-s", str(Path(log_dir) / f"beat-{name}")]
        self.env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(
                # This checkout's package, not another one installed in the venv.
                [str(ROOT), str(TESTS), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            **{SETTINGS_VARIABLE: str(settings_file)},
        )
        self.process = None

    def start(self):
        """Start the worker (returns at once; see :meth:`wait_ready`)."""
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=TESTS,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout=60):
        """Wait until the worker consumes its queue."""

        def ready():
            if self.process.poll() is not None:
                raise AssertionError(
                    f"Worker {self.name} exited ({self.process.returncode}):\n"
                    + self.log()[-3000:]
                )
            return " ready." in self.log()

        wait_for(ready, timeout, f"worker {self.name} to start")
        return self

    def kill(self):
        """SIGKILL every process of the worker at once."""
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self, timeout=20):
        """Warm shutdown (running tasks finish, held messages go back), else kill."""
        if self.process is None or self.process.poll() is not None:
            self.kill()
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        self.kill()  # whatever is left of the group
