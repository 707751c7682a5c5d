"""Queue Celery tasks after the commit, without letting a broker outage break the user's action."""

import logging
from collections.abc import Callable

import redis
from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

from koopstadt.broker import OutagePause
from koopstadt.celery import app

logger = logging.getLogger(__name__)

# What a broker outage raises where tasks run eagerly (tests simulate outages so); anything else there is
# the task's own error. With a real broker every error of the publish counts as an outage.
BROKER_ERRORS = (BrokerError, redis.RedisError, ConnectionError, TimeoutError)

# After a failed publish this process does not try the broker again for a few seconds: a request that
# queues several tasks waits for a hanging Redis once, not once per task.
broker_pause = OutagePause("The message broker")


def publish(send: Callable[[], object], *, what: str) -> bool:
    """Run ``send`` (a ``delay``/``apply_async`` call); False, and logged, if the broker did not take it.

    Any error counts, not only kombu's: with Redis gone redis-py's own errors come through as well. One
    attempt of at most ``REDIS_TIMEOUT`` (settings), none while ``broker_pause`` is active. Where tasks
    run eagerly (the embedded default, unit tests) only ``BROKER_ERRORS`` count; the task's own propagate.
    """
    if app.conf.task_always_eager:
        try:
            send()
        except BROKER_ERRORS as error:
            logger.error("Could not queue %s, the sweeper will retry: %s", what, error)
            return False
        return True
    if broker_pause.active:
        logger.error("Could not queue %s (broker unavailable), the sweeper will retry", what)
        return False
    try:
        send()
    except Exception as error:
        broker_pause.failed(error, log=logger)
        logger.error("Could not queue %s, the sweeper will retry: %s", what, error)
        return False
    return True


def enqueue_after_commit(task: Task | str, *args: object) -> None:
    """Send ``task`` (a task or its registered name) with ``args`` once the surrounding transaction has
    committed.

    Services name the task rather than import it: the tasks module imports the services, so the services
    stay free of it (one direction). If the broker cannot be reached the error is logged, not raised: the
    database row that records the work is committed already, and the periodic sweeper
    (``koopstadt.sweeping``) queues it again.
    """
    name = task if isinstance(task, str) else task.name
    transaction.on_commit(lambda: publish(lambda: app.signature(name).delay(*args), what=f"{name}{args}"))
