"""Per-ORCID-iD write locks.

ORCID accepts one non-idempotent call per ORCID record at a time, and two
tasks for one record family must not both create a work: every write to an
iD happens under its lock, shared by all worker processes through Redis.
The extension holds one :class:`OrcidWriteLocks` per application.
"""

import threading
from contextlib import contextmanager

import redis
from flask import current_app

from .proxies import current_orcid_push
from .reasons import Reason


class LockUnavailable(Exception):
    """The lock could not be taken in time; the push is retried later."""

    retryable = True
    reason = Reason("lock-busy", "retry")
    code = "lock-timeout"


class LockServiceUnavailable(LockUnavailable):
    """The locks' Redis cannot be reached: a passing failure, retried like a busy lock."""

    reason = Reason("lock-unreachable", "retry")
    code = "lock-unreachable"


UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
"""What redis-py raises when its server is down or does not answer."""


def lock_url(config):
    """Where the locks live: ``ORCID_PUSH_LOCK_URL``, else the cache's Redis."""
    return (
        config.get("ORCID_PUSH_LOCK_URL")
        or config.get("CACHE_REDIS_URL")
        or "memory://"
    )


class OrcidWriteLocks:
    """The write locks of one application: in Redis, or in this process."""

    def __init__(self, url, timeout):
        """Locks at ``url`` (``memory://`` for one process) held ``timeout`` s at most."""
        self.settings = (url, timeout)
        self.timeout = timeout
        self._redis = None
        self._local = {}
        self._guard = threading.Lock()
        if not url.startswith("memory://"):
            # Never wait minutes for a server that is gone: fail, retry later.
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=5)

    @contextmanager
    def hold(self, orcid):
        """Hold the write lock of one ORCID iD (raises :class:`LockUnavailable`)."""
        lock = self._lock(orcid)
        try:
            acquired = lock.acquire()
        except UNREACHABLE as exc:
            raise LockServiceUnavailable() from exc
        if not acquired:
            raise LockUnavailable()
        try:
            yield
        finally:
            self._release(lock, orcid)

    def _lock(self, orcid):
        if self._redis is not None:
            return self._redis.lock(
                f"invenio-orcid-push:write:{orcid}",
                timeout=self.timeout,
                blocking_timeout=self.timeout,
            )
        with self._guard:
            return _TimedLock(
                self._local.setdefault(orcid, threading.Lock()), self.timeout
            )

    @staticmethod
    def _release(lock, orcid):
        try:
            lock.release()
        except Exception:  # expired meanwhile: another worker may hold it now
            current_app.logger.warning(
                "ORCID write lock of %s expired while held", orcid
            )


class _TimedLock:
    """A process lock with Redis locks' ``acquire()``/``release()`` shape."""

    def __init__(self, lock, timeout):
        self._lock, self._timeout = lock, timeout

    def acquire(self):
        return self._lock.acquire(timeout=self._timeout)

    def release(self):
        self._lock.release()


@contextmanager
def orcid_write_lock(orcid):
    """Hold the write lock of one ORCID iD in the current application."""
    with current_orcid_push.write_locks().hold(orcid):
        yield
