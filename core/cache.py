"""A Redis cache that degrades to a miss when Redis is unreachable.

The cache holds nothing the portal needs to be right (throttle counters only), so a Redis
outage must not turn pages and API calls into 500s. Django's RedisCache raises on connection
errors; this one logs once per outage, answers as an empty cache would, and stops calling Redis
for a few seconds so every request does not wait on a connect timeout.
"""

import functools
import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _degrades_to(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Run the cache call; while Redis is unreachable, answer fallback(*args, **kwargs) instead."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(self: "ResilientRedisCache", *args: Any, **kwargs: Any) -> Any:
            if self.is_down():
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self.mark_down(exc)
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _default(key: str, default: Any = None, *args: Any, **kwargs: Any) -> Any:
    return default


def _nothing(*args: Any, **kwargs: Any) -> None:
    return None


def _false(*args: Any, **kwargs: Any) -> bool:
    return False


def _empty(*args: Any, **kwargs: Any) -> dict:
    return {}


def _all_failed(data: dict, *args: Any, **kwargs: Any) -> list:
    return list(data)


def _missing(key: str, *args: Any, **kwargs: Any) -> int:
    raise ValueError(f"Key {key!r} not found (the cache is unreachable).")


class _ClientPerPool(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call, and each one sets up its ~170
    response callbacks: a throttled API request paid ~0.2 ms of CPU for two of them. A client is
    only a handle on its pool, so this backend (one per thread, as Django makes them) keeps one
    for each of its pools.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: str | None = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls answer like an empty cache while Redis is unreachable."""

    # After a failure, skip Redis for this long (per cache object, one per thread) before trying again.
    retry_after = 5.0

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ClientPerPool
        self._down_until = 0.0

    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def mark_down(self, exc: BaseException) -> None:
        logger.warning("cache unreachable, carrying on without it for %.0fs error=%r", self.retry_after, exc)
        self._down_until = time.monotonic() + self.retry_after

    get = _degrades_to(_default)(RedisCache.get)
    set = _degrades_to(_nothing)(RedisCache.set)
    add = _degrades_to(_false)(RedisCache.add)
    touch = _degrades_to(_false)(RedisCache.touch)
    delete = _degrades_to(_false)(RedisCache.delete)
    has_key = _degrades_to(_false)(RedisCache.has_key)
    get_many = _degrades_to(_empty)(RedisCache.get_many)
    set_many = _degrades_to(_all_failed)(RedisCache.set_many)
    delete_many = _degrades_to(_nothing)(RedisCache.delete_many)
    incr = _degrades_to(_missing)(RedisCache.incr)

    @_degrades_to(_nothing)
    def clear(self) -> None:
        """Delete this cache's keys only: the Redis database may hold the broker's queues too."""
        if not self.key_prefix:
            super().clear()
            return
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])
