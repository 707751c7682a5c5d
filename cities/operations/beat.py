"""celery beat with a Redis lock: however many beats are started, exactly one sends periodic tasks.

Settings name this scheduler (CELERY_BEAT_SCHEDULER), so a plain ``celery -A koopstadt beat`` uses it.
The beat that holds the lock renews it on every tick; the others check every few seconds and take over
once the holder has been gone for BEAT_LOCK_SECONDS (its lock expires). Every periodic task is
idempotent, so a task sent once more around a take-over does no harm.
"""

import contextlib
import logging
import os
import socket
import uuid
from datetime import timedelta
from typing import Any

import redis
from celery.beat import PersistentScheduler
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from koopstadt.broker import broker_redis

logger = logging.getLogger(__name__)

LOCK_KEY = "koopstadt:celery-beat-lock"
# Seconds a standing-by beat waits before it asks for the lock again.
STANDBY_CHECK_SECONDS = 5.0

# Renew the lock only if this beat still holds it (atomic: GET and PEXPIRE in one step).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
    return redis.call('del', KEYS[1])
end
return 0
"""


class BeatLock:
    """A lock in Redis that one process holds, with an expiry that the holder keeps renewing."""

    def __init__(self, url: str, ttl_seconds: int, key: str = LOCK_KEY) -> None:
        client = broker_redis(url, timeout=5)
        if client is None:
            raise ImproperlyConfigured(
                "celery beat's lock (cities.operations.beat) needs a Redis broker (CELERY_BROKER_URL)"
            )
        self.client = client
        self.key = key
        self.ttl_ms = ttl_seconds * 1000
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def acquire_or_renew(self) -> bool:
        if self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms):
            return True
        return bool(self.client.eval(_RENEW, 1, self.key, self.owner, self.ttl_ms))

    def holder(self) -> str:
        value = self.client.get(self.key)
        return value.decode() if value else ""

    def release(self) -> None:
        self.client.eval(_RELEASE, 1, self.key, self.owner)


class LockedScheduler(PersistentScheduler):
    """Sends the periodic tasks only while it holds the beat lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lock = BeatLock(
            self.app.conf.broker_url or settings.CELERY_BROKER_URL, settings.BEAT_LOCK_SECONDS
        )
        self.holding: bool | None = None

    def tick(self, *args: Any, **kwargs: Any) -> float:
        try:
            holding = self.lock.acquire_or_renew()
        except redis.RedisError as error:
            # Without Redis no task could be sent anyway; try again shortly.
            logger.warning("celery beat cannot reach Redis for its lock: %s", error)
            self.holding = None
            return STANDBY_CHECK_SECONDS
        if holding != self.holding:
            if holding:
                logger.info(
                    "celery beat %s holds the beat lock and sends the periodic tasks", self.lock.owner
                )
            else:
                logger.info(
                    "celery beat %s stands by: another beat (%s) holds the lock",
                    self.lock.owner,
                    self.lock.holder(),
                )
            if holding and self.holding is False:
                self._take_over()
            self.holding = holding
        if not holding:
            return STANDBY_CHECK_SECONDS
        # Come back before the lock expires, however long until the next task.
        return min(super().tick(*args, **kwargs), self.lock.ttl_ms / 3000)

    def _take_over(self) -> None:
        """After standing by, this beat's record of the last runs is as old as its start. Count them as
        run just before the previous holder can have died, so that only what fell due since then is
        sent – not every task that fell due while this beat stood by."""
        since = self.app.now() - timedelta(seconds=self.lock.ttl_ms / 1000 + STANDBY_CHECK_SECONDS)
        for entry in self.schedule.values():
            entry.last_run_at = since
        self._heap = None  # re-ordered by the next tick

    def close(self) -> None:
        if self.holding:
            with contextlib.suppress(redis.RedisError):  # else the lock expires on its own
                self.lock.release()
        super().close()
