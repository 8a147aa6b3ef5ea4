"""A Redis cache that falls back to this process's memory when Redis is unreachable, and the
helper that caches values derived from a snapshot under keys naming what they derive from.

The cache holds throttle counters and derived values, so a Redis outage must neither turn pages and API
calls into 500s nor switch the limits off (answering like an empty cache let every request
through uncounted). Django's RedisCache raises on connection errors; this one logs once per
outage, answers from a local-memory cache of this process instead, and stops calling Redis for
a few seconds so every request does not wait on a connect timeout. Each process then counts on
its own: with W workers a client gets at most W times its allowance until Redis is back, a
limit that still holds.
"""

import functools
import logging
import pickle
import time
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

if TYPE_CHECKING:
    from redis import ConnectionPool, Redis

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _falls_back(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run the cache call on Redis; while it is unreachable, on the process-local cache instead."""

    @functools.wraps(method)
    def wrapper(self: "ResilientRedisCache", *args: Any, **kwargs: Any) -> Any:
        if not self.is_down():
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                self.mark_down(exc)
        return getattr(self.local, method.__name__)(*args, **kwargs)

    return wrapper


class _ClientPerPool(RedisCacheClient):
    """Django's Redis client, keeping one ``redis.Redis`` per connection pool.

    Django builds a new ``redis.Redis`` for every cache call, and each one sets up its ~170
    response callbacks: a throttled API request paid ~0.2 ms of CPU for two of them. A client is
    only a handle on its pool, so this backend (one per thread, as Django makes them) keeps one
    for each of its pools.
    """

    if TYPE_CHECKING:
        # Django's own private members this class builds on, which django-stubs leaves out.
        _client: type[Redis]

        def _get_connection_pool(self, write: bool) -> ConnectionPool: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Redis] = {}

    def get_client(self, key: object = None, *, write: bool = False) -> "Redis":
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls answer like an empty cache while Redis is unreachable."""

    # After a failure, skip Redis for this long (per cache object, one per thread) before trying again.
    retry_after = 5.0

    if TYPE_CHECKING:
        # Django's private client (a cached property, built from self._class), left out of django-stubs.
        _cache: _ClientPerPool

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ClientPerPool
        self._down_until = 0.0
        # LocMemCache keeps its data per name in the module, so every thread of this process
        # (each has its own cache object) shares one set of fallback counters per Redis location.
        self.local = LocMemCache(
            f"portal-cache-fallback:{server}",
            {"KEY_PREFIX": self.key_prefix, "VERSION": self.version, "OPTIONS": {"MAX_ENTRIES": 100_000}},
        )

    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def mark_down(self, exc: BaseException) -> None:
        logger.warning(
            "cache unreachable, counting in this process's memory for %.0fs error=%r", self.retry_after, exc
        )
        self._down_until = time.monotonic() + self.retry_after

    get = _falls_back(RedisCache.get)
    set = _falls_back(RedisCache.set)
    add = _falls_back(RedisCache.add)
    touch = _falls_back(RedisCache.touch)
    delete = _falls_back(RedisCache.delete)
    has_key = _falls_back(RedisCache.has_key)
    get_many = _falls_back(RedisCache.get_many)
    set_many = _falls_back(RedisCache.set_many)
    delete_many = _falls_back(RedisCache.delete_many)
    incr = _falls_back(RedisCache.incr)

    @_falls_back
    def clear(self) -> None:
        """Delete this cache's keys only: the Redis database may hold the broker's queues too."""
        if not self.key_prefix:
            super().clear()
            return
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{self.key_prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.delete(*keys[start : start + 1000])


# --- Derived values ------------------------------------------------------------------------
# What a page or payload derives from a snapshot changes only when a new snapshot is written,
# so it is cached under a key naming what it derives from (the snapshot's id and write time,
# the language, ...): a new snapshot or event makes the entry unreachable, never stale, and
# nothing has to remember to delete it. The timeout only bounds the memory an entry holds.

DERIVED_TIMEOUT = 2 * 24 * 3600
_MISSING = object()
T = TypeVar("T")


def derived_key(*parts: object) -> str:
    """The cache key of a value derived from these parts (ids, timestamps, language, ...)."""
    return "derived:" + ":".join(str(part) for part in parts)


def derived_get_or_compute(
    parts: tuple[object, ...],
    compute: Callable[[], T],
    *,
    timeout: int = DERIVED_TIMEOUT,
    compressed: bool = False,
    is_fresh: Callable[[T], bool] | None = None,
) -> T:
    """The value cached for these parts, computed and stored on a miss.

    The default cache: Redis in production (this process's memory while Redis is down, which
    is safe here since a key names its inputs), local memory in the embedded default.
    ``compressed`` stores the pickled value zlib-compressed: rendered HTML shrinks about five
    times, which matters in the Redis the broker shares. ``is_fresh``: for a value that also
    depends on the time, whether the cached one still holds now (else it is computed again).
    """
    key = derived_key(*parts)
    value = cache.get(key, _MISSING)
    if value is not _MISSING and compressed:
        value = pickle.loads(zlib.decompress(value))  # noqa: S301 - our own cache, as Django's pickles
    if value is _MISSING or (is_fresh is not None and not is_fresh(value)):
        value = compute()
        cache.set(key, zlib.compress(pickle.dumps(value)) if compressed else value, timeout)
    return value
