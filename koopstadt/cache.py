"""The shared cache on Redis, which never holds up or breaks a request when Redis is slow or gone.

Django's own ``RedisCache`` raises whatever redis-py raises, so a Redis outage turned every page that
asks the cache (API throttling, the log-in delay, the statistics) into a 500. Here every operation waits
at most ``REDIS_TIMEOUT`` (settings: socket timeouts, no retries) and a failure counts as a cache miss:
``get`` answers the default, ``set`` stores nothing, ``incr`` raises ``ValueError`` as for a missing key.
What depends on the cache degrades for the duration: throttling and the log-in delay count nothing
(django-axes' lock per e-mail address and IP address lives in the database and still holds), statistics
are computed afresh. After a failure the cache is left alone for a few seconds (``cache_pause``).
"""

import functools
import logging
from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from koopstadt.broker import OutagePause

logger = logging.getLogger(__name__)

# After a failure the cache is skipped (every read a miss) for a few seconds: a request that asks the
# cache several times waits for a hanging Redis once.
cache_pause = OutagePause("The cache (Redis)")


def _forgiving(fallback: Callable[..., Any]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def wrap(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def call(self: RedisCacheClient, *args: Any, **kwargs: Any) -> Any:
            if cache_pause.active:
                return fallback(*args, **kwargs)
            try:
                return method(self, *args, **kwargs)
            except redis.RedisError as error:
                cache_pause.failed(error, log=logger)
                return fallback(*args, **kwargs)

        return call

    return wrap


def _missing_key(key: Any, *args: Any, **kwargs: Any) -> int:
    raise ValueError(f"Key {key!r} not found (the cache is unavailable).")


class ForgivingRedisCacheClient(RedisCacheClient):
    add = _forgiving(lambda *args, **kwargs: False)(RedisCacheClient.add)
    get = _forgiving(lambda key, default=None: default)(RedisCacheClient.get)
    set = _forgiving(lambda *args, **kwargs: None)(RedisCacheClient.set)
    touch = _forgiving(lambda *args, **kwargs: False)(RedisCacheClient.touch)
    delete = _forgiving(lambda *args, **kwargs: False)(RedisCacheClient.delete)
    get_many = _forgiving(lambda *args, **kwargs: {})(RedisCacheClient.get_many)
    has_key = _forgiving(lambda *args, **kwargs: False)(RedisCacheClient.has_key)
    incr = _forgiving(_missing_key)(RedisCacheClient.incr)
    set_many = _forgiving(lambda *args, **kwargs: [])(RedisCacheClient.set_many)
    delete_many = _forgiving(lambda *args, **kwargs: None)(RedisCacheClient.delete_many)
    clear = _forgiving(lambda *args, **kwargs: False)(RedisCacheClient.clear)


class ForgivingRedisCache(RedisCache):
    """``CACHES`` backend ``koopstadt.cache.ForgivingRedisCache`` (settings, when ``CACHE_URL`` is set)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ForgivingRedisCacheClient
