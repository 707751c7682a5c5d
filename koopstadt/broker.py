"""A Redis client on the broker's Redis, for the portal's own small uses (beat lock, task counts)."""

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def broker_redis(url: str | None, *, timeout: float) -> redis.Redis | None:
    """A client for ``url`` if it names Redis, else None. One attempt per call: these uses must never
    hold up a task or a tick while Redis is slow (redis-py would otherwise retry)."""
    if not url or not url.startswith(REDIS_SCHEMES):
        return None
    return redis.Redis.from_url(
        url, socket_timeout=timeout, socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0)
    )
