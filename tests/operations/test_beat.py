"""Two celery beats on one Redis: one sends the periodic tasks, the other stands by and takes over."""

import time
from datetime import timedelta

import pytest
import redis
from celery.schedules import crontab

from cities.operations.beat import LOCK_KEY, STANDBY_CHECK_SECONDS, LockedScheduler
from koopstadt.celery import app


@pytest.fixture
def beats(settings, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs Redis (CELERY_BROKER_URL)")
    settings.BEAT_LOCK_SECONDS = 1
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(LOCK_KEY)
    sent: list[tuple[str, str]] = []

    def record(self, entry, producer=None):  # type: ignore[no-untyped-def]
        """Where the real scheduler would send the task: note which beat sent what."""
        sent.append((self.name, entry.name))

    monkeypatch.setattr(LockedScheduler, "apply_entry", record)
    made = []
    for name in ("first", "second"):
        scheduler = LockedScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=False)
        scheduler.name = name
        scheduler.update_from_dict(
            {"probe": {"task": "exchanges.tasks.sweep_lost_work_task", "schedule": 0.05}}
        )
        made.append(scheduler)
    yield made, sent, client
    for scheduler in made:
        scheduler.close()
    client.delete(LOCK_KEY)


def tick_both(first, second, rounds: int = 3) -> list[float]:  # type: ignore[no-untyped-def]
    waits = []
    for _ in range(rounds):
        time.sleep(0.1)
        waits += [first.tick(), second.tick()]
    return waits


def test_only_the_beat_holding_the_lock_sends_and_the_other_takes_over(beats):
    (first, second), sent, client = beats

    waits = tick_both(first, second)
    assert {name for name, _ in sent} == {"first"}
    assert len(sent) >= 2
    assert waits[1::2] == [STANDBY_CHECK_SECONDS] * 3  # the second only checks the lock now and then
    assert client.get(LOCK_KEY).decode() == first.lock.owner

    # A clean stop hands over at once.
    first.close()
    sent.clear()
    for _ in range(3):
        time.sleep(0.1)
        second.tick()
    assert {name for name, _ in sent} == {"second"}


def test_a_crashed_beat_is_replaced_once_its_lock_expires(beats):
    (first, second), sent, client = beats
    tick_both(first, second, rounds=1)
    first.holding = False  # dies without releasing: SIGKILL, power cut
    sent.clear()
    second.tick()
    assert sent == []
    time.sleep(1.2)  # BEAT_LOCK_SECONDS=1
    second.tick()
    time.sleep(0.1)
    second.tick()
    assert {name for name, _ in sent} == {"second"}
    assert client.get(LOCK_KEY).decode() == second.lock.owner


def test_a_take_over_sends_only_what_fell_due_since_the_holder_died(beats):
    """The standby's record of the last runs is days old: a daily task that ran this morning on the
    old holder must not run again just because another beat takes over."""
    (first, second), sent, _client = beats
    second.update_from_dict(
        {"daily": {"task": "exchanges.tasks.send_digests_task", "schedule": crontab(minute=0, hour="*/6")}}
    )
    second.schedule["daily"].last_run_at = second.app.now() - timedelta(days=3)
    tick_both(first, second, rounds=1)
    first.close()  # the holder goes
    sent.clear()
    for _ in range(3):
        time.sleep(0.1)
        second.tick()
    names = [name for beat, name in sent if beat == "second"]
    assert "probe" in names  # due every 0.05 s: it does fall due after the take-over
    assert "daily" not in names


def test_a_beat_without_redis_sends_nothing(beats, settings):
    (first, _second), sent, _client = beats
    first.lock.client = redis.Redis(port=1, socket_connect_timeout=0.2)
    assert first.tick() == STANDBY_CHECK_SECONDS
    assert sent == []
