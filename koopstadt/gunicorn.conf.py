"""gunicorn settings for production (``gunicorn -c koopstadt/gunicorn.conf.py koopstadt.wsgi``).

Every value can be overridden by the environment: WEB_CONCURRENCY (worker processes; default
2 × CPUs + 1), GUNICORN_BIND, GUNICORN_TIMEOUT, GUNICORN_ACCESS_LOG ("-" for standard output).
"""

import multiprocessing
import os

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
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# The reverse proxy on the same host sets X-Forwarded-Proto; trust it only from there.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
