"""gunicorn settings for production (``gunicorn -c koopstadt/gunicorn.conf.py koopstadt.wsgi``).

Every value can be overridden by the environment: WEB_CONCURRENCY (worker processes; default
2 × CPUs + 1), GUNICORN_BIND, GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS, GUNICORN_ACCESS_LOG ("-" for
standard output; off by default, because the portal logs every request itself, with its request id),
FORWARDED_ALLOW_IPS. With PROMETHEUS_MULTIPROC_DIR set, the workers share their metrics through files
in that directory, which is emptied when gunicorn starts.
"""

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", 0)) or 2 * multiprocessing.cpu_count() + 1
worker_class = "sync"
# A request that takes longer is killed and logged; uploads and PDFs stay well below this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Restart workers now and then, so a slow leak never grows without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
# The reverse proxy on the same host sets X-Forwarded-Proto; trust it only from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

if (
    os.environ.get("LOG_FORMAT", "json" if os.environ.get("DJANGO_ENV") == "production" else "plain")
    == "json"
):
    # gunicorn's own lines (start, worker restarts, timeouts) in the portal's JSON format as well.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "koopstadt.logs.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
            # A log configuration switches gunicorn's access log on: keep it as GUNICORN_ACCESS_LOG says.
            "gunicorn.access": (
                {"handlers": ["console"], "level": "INFO", "propagate": False}
                if accesslog
                else {"handlers": [], "level": "CRITICAL", "propagate": False}
            ),
        },
    }


def on_starting(server):
    """Metrics files of an earlier run would be added to this run's figures: start empty."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        if path.exists():
            for child in path.iterdir():
                if child.is_dir():
                    shutil.rmtree(child)
                else:
                    child.unlink()
        path.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Imported here on purpose: gunicorn reads this file before the environment of the metrics is set,
        # and prometheus_client fixes its multiprocess mode when it is first imported.
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
