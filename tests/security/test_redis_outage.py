"""The web side and a Redis that is gone or hangs, without the fault machinery: the settings a web process
starts with, the forgiving cache, and publishing. The real outage (a Redis killed and frozen under the
web process, with workers and the sweeper) is tests/reliability/test_faults.py."""

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache

from koopstadt.broker import OutagePause
from koopstadt.dispatch import publish

pytestmark = pytest.mark.security


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hanging_redis() -> Iterator[str]:
    """A "Redis" that accepts connections and never answers (as a frozen server or a cut network does)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _address = listener.accept()
            except TimeoutError:
                continue
            accepted.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join(timeout=5)
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.fixture(autouse=True)
def _no_pause_left() -> Iterator[None]:
    OutagePause.reset_all()
    yield
    OutagePause.reset_all()


def _redis_cache(settings, url: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "koopstadt.cache.ForgivingRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


def test_a_web_process_keeps_no_task_results_and_publishes_once_within_a_second(settings):
    from koopstadt.celery import app

    assert settings.CELERY_RESULT_BACKEND is None and app.conf.task_ignore_result is True
    assert app.conf.task_publish_retry is False
    options = app.conf.broker_transport_options
    assert options["socket_timeout"] <= 1 and options["socket_connect_timeout"] <= 1
    assert options["max_retries"] == 0
    assert app.conf.broker_connection_timeout <= 1


@pytest.mark.parametrize("gone", ["refused", "hanging"])
def test_the_cache_answers_misses_at_once_while_redis_is_out(settings, hanging_redis, gone):
    _redis_cache(settings, hanging_redis if gone == "hanging" else f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    assert cache.get("throttle-key", "default") == "default"
    cache.set("throttle-key", [1.0, 2.0], 60)
    assert cache.add("other", 1) is False
    with pytest.raises(ValueError):
        cache.incr("counter")
    assert cache.get_many(["a", "b"]) == {}
    # one wait for the first failure at most; then the cache is left alone for a few seconds
    assert time.monotonic() - started < 1.5


def test_an_api_request_is_answered_while_the_cache_hangs(settings, hanging_redis, db, client):
    from tests.cities.factories import UserFactory

    _redis_cache(settings, hanging_redis)
    client.force_login(UserFactory())
    started = time.monotonic()
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert time.monotonic() - started < 1.5


def test_publishing_to_a_broker_that_fails_is_logged_once_and_then_skipped(settings, caplog):
    from koopstadt.celery import app

    calls = []

    def send() -> None:
        calls.append(1)
        raise RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store")

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        assert publish(send, what="first") is False
        assert publish(send, what="second") is False  # skipped: no second wait for Redis
    finally:
        app.conf.task_always_eager = previous
    assert calls == [1]
    assert "Could not queue first" in caplog.text and "Could not queue second" in caplog.text
