"""The cache: Redis when it answers, a per-process memory cache when it does not.

Redis is an accelerator here, never a gate. What the cache holds (DRF throttle counters, login
lockout counters, anything memoised) is worth losing for a while rather than refusing requests:
with the plain ``RedisCache`` an unreachable Redis turned every throttled API write — token
requests included — into a 500.

``ResilientRedisCache`` sends every operation to Redis; when Redis cannot be reached it logs
**one** warning, serves the operation (and every other for ``FALLBACK_SECONDS``) from a
``LocMemCache`` of this process, then tries Redis again. When Redis answers again it logs once
more, at info level, and the memory copy is forgotten. While Redis is down, counters are per
process: a gunicorn worker throttles what it sees, which is looser than the shared limit, never
stricter.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors

logger = logging.getLogger(__name__)

# Redis not there, or not answering in time. Anything else (a wrong command) is a bug and raises.
REDIS_UNAVAILABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError, OSError)


class _Health:
    """Whether one Redis location answers, shared by every thread of the process (Django builds
    one cache object per thread) so that an outage is reported once per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.down_until = 0.0  # monotonic time until which Redis is not even tried
        self.down = False  # an outage was reported and its end not yet


_health: dict[str, _Health] = {}
_health_lock = threading.Lock()


class ResilientRedisCache(RedisCache):
    FALLBACK_SECONDS = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": dict(params.get("OPTIONS") or {})}
        options = params["OPTIONS"]
        # A Redis host that stopped answering must not hold a request for long.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        self._fallback_seconds = float(options.pop("fallback_seconds", self.FALLBACK_SECONDS))
        super().__init__(server, params)
        location = server if isinstance(server, str) else ",".join(server)
        local_params = {k: v for k, v in params.items() if k != "OPTIONS"}
        # LocMemCache shares its storage between instances of the same name: one per process.
        self._local = LocMemCache(f"caiac-fallback:{location}", local_params)
        with _health_lock:
            self._health = _health.setdefault(location, _Health())

    @property
    def is_degraded(self) -> bool:
        return self._health.down

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._health.down_until:
            return getattr(self._local, name)(*args, **kwargs)
        try:
            result = getattr(RedisCache, name)(self, *args, **kwargs)
        except REDIS_UNAVAILABLE as exc:
            self._went_down(exc)
            return getattr(self._local, name)(*args, **kwargs)
        if self._health.down:
            self._came_back()
        return result

    def _went_down(self, exc: BaseException) -> None:
        health = self._health
        with health.lock:
            health.down_until = time.monotonic() + self._fallback_seconds
            if health.down:
                return
            health.down = True
        logger.warning(
            "Redis cache unreachable (%s: %s): throttles and cache run per process until it "
            "answers again",
            type(exc).__name__,
            exc,
        )

    def _came_back(self) -> None:
        health = self._health
        with health.lock:
            if not health.down:
                return
            health.down = False
        self._local.clear()
        logger.info("Redis cache answers again: back to the shared cache")

    # The same signatures as RedisCache's; timeouts pass through untouched (both backends read
    # DEFAULT_TIMEOUT and None the same way).
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")
