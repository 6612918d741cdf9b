"""One ORCID rate limit for all workers together.

ORCID allows 24 requests/s per client IP with bursts of 40 and answers 503
beyond. Every ORCID call of every worker, on any machine, first takes a slot
from one token bucket kept in Redis (the bucket's clock is Redis's own), so
together they stay at ``ORCID_PUSH_RATE_LIMIT`` requests per second with
bursts of at most ``ORCID_PUSH_RATE_BURST``.
"""

import threading
import time

import redis

from .reasons import Reason

# Take one token; when the bucket is empty the token is borrowed and the
# caller told how long to wait, so callers are served in order without polling.
_TAKE = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now_parts = redis.call('TIME')
local now = tonumber(now_parts[1]) + tonumber(now_parts[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'stamp')
local tokens = tonumber(state[1])
local stamp = tonumber(state[2])
if tokens == nil then
  tokens = burst
  stamp = now
end
tokens = math.min(burst, tokens + (now - stamp) * rate) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('EXPIRE', KEYS[1], math.ceil(burst / rate) + 60)
if tokens >= 0 then
  return '0'
end
return tostring(-tokens / rate)
"""


class RateLimitUnavailable(Exception):
    """The rate limit's Redis cannot be reached: a passing failure, retried later.

    No ORCID call goes out unmetered: waiting for Redis to come back is safer
    than sending at an unknown rate.
    """

    retryable = True
    reason = Reason("rate-limit-unreachable", "retry")
    code = "rate-limit-unreachable"


class RedisRateLimiter:
    """A token bucket shared through Redis by every process that uses ``key``."""

    def __init__(self, client, rate, burst, key="invenio-orcid-push:rate"):
        """``rate`` requests per second, bursts of ``burst``."""
        self.rate, self.burst, self.key = float(rate), float(burst), key
        self._take = client.register_script(_TAKE)

    def wait(self):
        """Block until this process may send one more request."""
        try:
            delay = float(self._take(keys=[self.key], args=[self.rate, self.burst]))
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            raise RateLimitUnavailable() from exc
        if delay > 0:
            time.sleep(delay)


class LocalRateLimiter:
    """The same bucket inside one process (``memory://`` deployments, the demo)."""

    def __init__(self, rate, burst):
        """``rate`` requests per second, bursts of ``burst``."""
        self.rate, self.burst = float(rate), float(burst)
        self._tokens, self._stamp = self.burst, time.monotonic()
        self._lock = threading.Lock()

    def wait(self):
        """Block until this process may send one more request."""
        with self._lock:
            now = time.monotonic()
            self._tokens = (
                min(self.burst, self._tokens + (now - self._stamp) * self.rate) - 1
            )
            self._stamp = now
            delay = -self._tokens / self.rate if self._tokens < 0 else 0
        if delay > 0:
            time.sleep(delay)


def limiter_settings(config):
    """``(url, rate, burst)`` of the shared limit, or ``None`` when it is off."""
    rate = config.get("ORCID_PUSH_RATE_LIMIT")
    if not rate:
        return None
    burst = min(config.get("ORCID_PUSH_RATE_BURST") or rate, 40)
    url = (
        config.get("ORCID_PUSH_LOCK_URL")
        or config.get("CACHE_REDIS_URL")
        or "memory://"
    )
    return url, rate, burst


def build_rate_limiter(settings):
    """A limiter for ``(url, rate, burst)``: in Redis, or in this process."""
    url, rate, burst = settings
    if url.startswith("memory://"):
        return LocalRateLimiter(rate, burst)
    client = redis.Redis.from_url(url, socket_connect_timeout=5)
    return RedisRateLimiter(client, rate, burst)


def rate_limiter(app):
    """The app's shared ORCID rate limiter, or ``None`` when the limit is off."""
    return app.extensions["invenio-orcid-push"].rate_limiter()
