"""The operations' own figures for Prometheus (koopstadt/metrics.py serves them at /metrics)."""

from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from cities.operations.selectors import failed_tasks_open_count


class FailedTaskCollector(Collector):
    """Tasks that gave up after their last retry and wait for an administrator (failed-task page)."""

    def collect(self) -> Iterator[Any]:
        gauge = GaugeMetricFamily("koopstadt_failed_tasks_open", "Failed tasks nobody has handled yet")
        gauge.add_metric([], failed_tasks_open_count())
        yield gauge
