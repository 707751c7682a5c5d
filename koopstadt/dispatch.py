"""Queue Celery tasks after the commit, without letting a broker outage break the user's action."""

import logging

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)


def enqueue_after_commit(task: Task, *args: object) -> None:
    """Send ``task`` with ``args`` once the surrounding transaction has committed.

    If the broker cannot be reached the error is logged, not raised: the database row that records the
    work is committed already, and the periodic sweeper (``exchanges.services.sweeper``) queues it again.
    Errors of tasks that run eagerly (the embedded default, unit tests) still propagate.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except (BrokerError, ConnectionError, TimeoutError) as error:
            logger.error("Could not queue %s%s, the sweeper will retry: %s", task.name, args, error)

    transaction.on_commit(send)
