"""The retry policy of the portal's Celery tasks: transient errors only, with backoff and a cap.

Task names are given explicitly (``name=``) and stay what they were before the domains were cut into
packages: messages waiting in Redis, failed tasks kept for a retry and beat schedules name them so.
"""

from django.conf import settings
from django.db import OperationalError

TRANSIENT_ERRORS = (OperationalError,)
RETRY = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": settings.TASK_RETRY_BACKOFF,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
    "soft_time_limit": 120,
    "time_limit": 180,
}
