"""Two celery beats on one Redis (celery-redbeat, as the settings configure it): one sends the periodic
tasks, the other stands by, and takes over once the holder's lock has expired – knowing when each task
last ran, because the last runs are kept in Redis, not in a file of the beat that died."""

import logging
import threading
import time
import uuid
from datetime import timedelta

import pytest
import redis
from celery import Celery
from celery.signals import beat_init
from celery.utils.imports import symbol_by_name
from redbeat.schedulers import RedBeatSchedulerEntry

from koopstadt.celery import app as portal

LOCK_SECONDS = 1
TICK_SECONDS = 0.1


def test_the_portal_uses_redbeat_with_a_lock_it_renews_in_time(settings):
    conf = portal.conf
    assert symbol_by_name(conf.beat_scheduler).__module__ == "redbeat.schedulers"
    assert conf.redbeat_redis_url == settings.CELERY_BROKER_URL
    assert conf.redbeat_lock_timeout == settings.BEAT_LOCK_SECONDS
    # The holder renews the lock on every tick: it must tick well before the lock runs out.
    assert conf.beat_max_loop_interval * 3 <= conf.redbeat_lock_timeout
    assert conf.redbeat_redis_options == {
        "socket_timeout": settings.REDIS_TIMEOUT,
        "socket_connect_timeout": settings.REDIS_TIMEOUT,
    }


class Service:
    """What celery.beat.Service hands to beat_init receivers: the scheduler."""

    def __init__(self, scheduler) -> None:
        self.scheduler = scheduler


class Beat:
    """One celery beat process as `celery beat` runs it (scheduler, beat_init, tick after tick), in a
    thread, with the portal's beat settings but keys of its own and a one-second lock. What it would
    send to the broker is noted instead."""

    def __init__(self, name: str, prefix: str, schedule: dict, sent: list, redis_url: str = "") -> None:
        self.name = name
        self.app = Celery(f"beat-{name}", set_as_current=False)
        self.app.conf.update(
            broker_url=portal.conf.broker_url,
            timezone=portal.conf.timezone,
            beat_scheduler=portal.conf.beat_scheduler,
            redbeat_redis_url=redis_url or portal.conf.redbeat_redis_url,
            redbeat_redis_options=portal.conf.redbeat_redis_options,
            redbeat_lock_key=portal.conf.redbeat_lock_key,
            redbeat_key_prefix=prefix,
            redbeat_lock_timeout=LOCK_SECONDS,
            beat_max_loop_interval=TICK_SECONDS,
            beat_schedule=schedule,
        )
        scheduler_class = symbol_by_name(self.app.conf.beat_scheduler)
        self.scheduler = scheduler_class(app=self.app, max_interval=TICK_SECONDS, lazy=False)
        self.scheduler.send_task = lambda task, *args, **kwargs: sent.append((name, task))
        self.scheduler.__dict__["_maybe_due_kwargs"] = {}  # no connection to the broker
        self.holds_lock = threading.Event()
        self.crash = threading.Event()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"beat-{name}")

    def run(self) -> None:
        beat_init.send(sender=Service(self.scheduler))  # waits for the lock
        self.holds_lock.set()
        while not (self.stop.is_set() or self.crash.is_set()):
            self.scheduler.tick()
            time.sleep(TICK_SECONDS / 2)
        if not self.crash.is_set():  # a clean stop (SIGTERM) releases the lock
            self.scheduler.close()

    def start(self) -> "Beat":
        self.thread.start()
        return self


def wait_for(condition, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {seconds} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def beats(settings):
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        pytest.skip("needs Redis (CELERY_BROKER_URL)")
    prefix = f"test-beat-{uuid.uuid4().hex[:8]}:"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    schedule = {
        "often": {"task": "probe.often", "schedule": 0.2},
        "hourly": {"task": "probe.hourly", "schedule": timedelta(hours=1)},
    }
    sent: list[tuple[str, str]] = []
    made: list[Beat] = []

    def make(name: str) -> Beat:
        beat = Beat(name, prefix, schedule, sent)
        made.append(beat)
        return beat

    yield make, sent, client, prefix
    for beat in made:
        beat.stop.set()
    for beat in made:
        if beat.thread.is_alive():
            beat.thread.join(5)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


def test_only_the_holder_sends_and_a_standby_takes_over_knowing_the_last_runs(beats, caplog):
    make, sent, client, prefix = beats
    lock_key = f"{prefix}{portal.conf.redbeat_lock_key}"
    first = make("first")
    # The hourly task last ran two hours ago: due at once.
    hourly = RedBeatSchedulerEntry.from_key(f"{prefix}hourly", app=first.app)
    hourly.reschedule(last_run_at=first.app.now() - timedelta(hours=2))
    first.start()
    wait_for(first.holds_lock.is_set, "the first beat to take the lock")

    with caplog.at_level(logging.INFO, logger="koopstadt.celery"):
        second = make("second").start()
        wait_for(lambda: "celery beat stands by" in caplog.text, "the second beat to say it stands by")
    wait_for(lambda: sum(1 for _, task in sent if task == "probe.often") >= 3, "the holder to send")
    assert not second.holds_lock.is_set()
    assert {beat for beat, _ in sent} == {"first"}  # the standby sends nothing
    assert [task for _, task in sent].count("probe.hourly") == 1
    hourly_ran_at = RedBeatSchedulerEntry.from_key(f"{prefix}hourly", app=first.app).last_run_at
    assert first.app.now() - hourly_ran_at < timedelta(minutes=1)

    # The holder dies without releasing its lock (SIGKILL, power cut): the standby waits for the lock
    # to expire, then sends what falls due – but not the hourly task, which the first beat sent just now.
    first.crash.set()
    first.thread.join(5)
    taken_over = len(sent)
    wait_for(second.holds_lock.is_set, "the standby to take the lock once it expired")
    wait_for(lambda: ("second", "probe.often") in sent[taken_over:], "the standby to send")
    time.sleep(5 * TICK_SECONDS)
    assert {beat for beat, _ in sent[taken_over:]} == {"second"}
    assert ("second", "probe.hourly") not in sent
    standby_view = second.scheduler.Entry.from_key(f"{prefix}hourly", app=second.app)
    assert standby_view.last_run_at == hourly_ran_at
    assert standby_view.is_due().is_due is False
    assert client.exists(lock_key)


def test_a_clean_stop_releases_the_lock_at_once(beats):
    make, _sent, client, prefix = beats
    first = make("first").start()
    wait_for(first.holds_lock.is_set, "the first beat to take the lock")
    assert client.exists(f"{prefix}{portal.conf.redbeat_lock_key}")
    first.stop.set()
    first.thread.join(5)
    assert not client.exists(f"{prefix}{portal.conf.redbeat_lock_key}")
    second = make("second").start()
    wait_for(second.holds_lock.is_set, "the next beat to take the free lock")


def test_a_beat_without_redis_stops_instead_of_sending(beats):
    """It could neither know the last runs nor hold the lock: the process ends with an error, and systemd
    (Restart=on-failure) or compose starts it again."""
    _make, sent, _client, prefix = beats
    with pytest.raises(redis.ConnectionError):
        Beat(
            "lost", prefix, {"often": {"task": "probe.often", "schedule": 0.2}}, sent, "redis://127.0.0.1:1/0"
        )
    assert sent == []
