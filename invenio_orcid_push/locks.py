"""Per-ORCID-iD write locks.

ORCID accepts one non-idempotent call per ORCID record at a time, and two
tasks for one record family must not both create a work: every write to an
iD happens under its lock, shared by all worker processes through Redis.
"""

import threading
from contextlib import contextmanager

from flask import current_app

_redis_clients = {}
_local_locks = {}
_local_guard = threading.Lock()


class LockUnavailable(Exception):
    """The lock could not be taken in time; the push is retried later."""

    retryable = True
    reason = "Another worker is writing to this ORCID record; the push will be retried."
    code = "lock-timeout"


def _lock_url():
    return current_app.config.get("ORCID_PUSH_LOCK_URL") or current_app.config.get(
        "CACHE_REDIS_URL"
    ) or "memory://"


def _redis(url):
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = _redis_clients[url] = redis.Redis.from_url(url)
    return client


@contextmanager
def orcid_write_lock(orcid):
    """Hold the write lock of one ORCID iD (raises :class:`LockUnavailable`)."""
    timeout = current_app.config["ORCID_PUSH_LOCK_TIMEOUT"]
    url = _lock_url()
    if url.startswith("memory://"):
        with _local_guard:
            lock = _local_locks.setdefault(orcid, threading.Lock())
        if not lock.acquire(timeout=timeout):
            raise LockUnavailable()
        try:
            yield
        finally:
            lock.release()
        return
    lock = _redis(url).lock(
        f"invenio-orcid-push:write:{orcid}", timeout=timeout, blocking_timeout=timeout
    )
    if not lock.acquire():
        raise LockUnavailable()
    try:
        yield
    finally:
        try:
            lock.release()
        except Exception:  # expired meanwhile: another worker may hold it now
            current_app.logger.warning("ORCID write lock of %s expired while held", orcid)
