"""Log records as one JSON object per line (LOG_FORMAT=json, the production default), with context.

Every record gets ``request_id`` (koopstadt.request_context) and, inside a Celery task, ``task_name``
and ``task_id``, in both formats, so that a web request and the tasks it caused can be found together.
"""

import json
import logging
from datetime import UTC, datetime

from koopstadt.request_context import current_request_id, current_task

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged too.
_PLAIN = (str, int, float, bool, type(None), list, tuple, dict)
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class ContextFilter(logging.Filter):
    """Adds the request id and the running task to every record (never filters anything out)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = current_request_id() or "-"
        task = current_task()
        if task is not None and not getattr(record, "task_name", None):
            record.task_name, record.task_id = task
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or current_request_id(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            # Plain values only: Django passes the whole request object (whose text holds the query
            # string: search words, names) to its own lines; the path is logged by the request line.
            if (
                key not in _STANDARD
                and key not in entry
                and not key.startswith("_")
                and isinstance(value, _PLAIN)
            ):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class PlainFormatter(logging.Formatter):
    """The development format, with the request id where there is one."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id() or "-"
        return super().format(record)
