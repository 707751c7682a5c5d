"""A Redis client on the broker's Redis for the portal's own small uses (task counts, whether another beat
holds the lock), and the pause after a Redis failure that keeps web requests from waiting for Redis again
and again."""

import logging
import time
from typing import ClassVar

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


class OutagePause:
    """After Redis failed once, skip it for a few seconds instead of waiting for it again (per process).

    A web request that queues several tasks, or asks the cache several times, would otherwise wait
    ``REDIS_TIMEOUT`` for each while Redis hangs; with the pause it waits once, and the next requests of
    this process not at all until the pause is over. The failure is logged once per pause. Celery
    workers switch pauses off (``koopstadt.celery``): nobody waits for them, and work they would skip
    would wait for the next sweep.
    """

    enabled = True
    _every: ClassVar[list["OutagePause"]] = []

    def __init__(self, what: str, *, seconds: float = 5.0) -> None:
        self.what = what
        self.seconds = seconds
        self._until = 0.0
        OutagePause._every.append(self)

    @classmethod
    def reset_all(cls) -> None:
        """Forget every failure (tests that bring Redis back)."""
        for pause in cls._every:
            pause.reset()

    @property
    def active(self) -> bool:
        return OutagePause.enabled and time.monotonic() < self._until

    def failed(self, error: BaseException, *, log: logging.Logger) -> None:
        if not self.active:
            log.error("%s unavailable, skipped for %.0f s: %s", self.what, self.seconds, error)
        self._until = time.monotonic() + self.seconds

    def reset(self) -> None:
        self._until = 0.0
