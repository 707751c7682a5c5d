"""The Celery application. Configuration comes from Django's settings (namespace ``CELERY``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koopstadt.settings")

app = Celery("koopstadt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
