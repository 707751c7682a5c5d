"""The Celery application. Configuration comes from Django's settings (namespace ``CELERY``)."""

import logging
import os
from typing import Any

import redis
from celery import Celery
from celery.signals import beat_init, before_task_publish, task_postrun, task_prerun, worker_init

from koopstadt import metrics, request_context
from koopstadt.broker import OutagePause, broker_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koopstadt.settings")
logger = logging.getLogger(__name__)

app = Celery("koopstadt")
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_configure.connect(weak=False, dispatch_uid="koopstadt.redbeat_options")
def _redbeat_options_by_their_own_names(source: Any, **_kwargs: Any) -> None:
    """celery-redbeat checks for its options by their own names (``redbeat_redis_url``), not by the
    settings' CELERY_REDBEAT_… ones: without these it would fall back to the broker's transport options,
    with a deprecation warning, and not hand its time-outs to its Redis client."""
    source.update(
        {
            key.removeprefix("CELERY_").lower(): source[key]
            for key in source
            if key.startswith("CELERY_REDBEAT_")
        }
    )


@app.on_after_configure.connect(weak=False, dispatch_uid="koopstadt.embedded_broker")
def _in_memory_broker_when_eager(source: Any, **_kwargs: Any) -> None:
    """Celery opens a broker connection even for a task it runs eagerly: with no broker named (the
    embedded default), kombu's in-memory transport, of this process alone, instead of a guessed
    "localhost" and kombu's warning "No hostname was supplied". CELERY_BROKER_URL itself stays empty, as
    everything that asks whether a broker is configured expects."""
    if not source.get("CELERY_BROKER_URL") and source.get("CELERY_TASK_ALWAYS_EAGER"):
        source.update({"broker_url": "memory://localhost/"})


# The tasks are registered by the apps (their ``ready`` imports each domain package's tasks module), in
# the web processes as in the workers, which set Django up before they consume. A task failing for good is
# recorded by cities/operations (connected in its app's ``ready``).


@worker_init.connect(weak=False, dispatch_uid="koopstadt.worker_waits_for_redis")
def _worker_waits_for_redis(**_kwargs: Any) -> None:
    """A worker tries Redis every time (koopstadt.broker.OutagePause is for web requests)."""
    OutagePause.enabled = False


@beat_init.connect(weak=False, dispatch_uid="koopstadt.beat_stands_by")
def _beat_says_it_stands_by(sender: Any = None, **_kwargs: Any) -> None:
    """A standby beat says so. celery-redbeat's own beat_init receiver (connected when the scheduler is
    imported, after this one) waits for the lock without a word until the holder is gone, then logs
    "beat: Acquired lock"."""
    scheduler = getattr(sender, "scheduler", None)
    lock_key = getattr(scheduler, "lock_key", None)
    if not lock_key or getattr(scheduler, "lock", None) is not None:
        return
    conf = scheduler.app.conf
    client = broker_redis(conf.redbeat_redis_url, timeout=conf.redbeat_redis_options["socket_timeout"])
    try:
        held = client is not None and client.exists(lock_key)
    except redis.RedisError:
        return  # redbeat's receiver reports it
    if held:
        logger.info(
            "celery beat stands by: another beat holds the lock %s; this one takes over when that lock "
            "expires, %s s after the holder's last renewal",
            lock_key,
            scheduler.lock_timeout,
        )


# The web request's id travels with the tasks it queued, into the workers' log lines.
before_task_publish.connect(request_context.on_before_task_publish, weak=False, dispatch_uid="koopstadt.rid")
task_prerun.connect(request_context.on_task_prerun, weak=False, dispatch_uid="koopstadt.rid")
task_postrun.connect(request_context.on_task_postrun, weak=False, dispatch_uid="koopstadt.rid")
# Task counts for Prometheus (koopstadt/metrics.py).
task_postrun.connect(metrics.on_task_postrun, weak=False, dispatch_uid="koopstadt.metrics")
