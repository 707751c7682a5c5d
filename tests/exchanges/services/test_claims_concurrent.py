"""Twenty finance people approving one claim at once: exactly one approval and one booking (row locks on
PostgreSQL; real commits, so the demo is loaded per test, apart from test_claims' module-wide demo)."""

import io
import threading

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from cities.directory.models import User
from exchanges.travel.models import Booking, ClaimStatus
from exchanges.travel.services.claims import claim_approve, claim_book, claim_submit
from koopstadt.errors import TransitionNotAllowed
from tests.exchanges.claims_world import held_exchange
from tests.exchanges.services.test_claims import _claim_a


@pytest.fixture
def exchange(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    return held_exchange()


@pytest.fixture
def finance(transactional_db):
    return User.objects.get(email="finanzen@example.org")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks need PostgreSQL")
def test_twenty_concurrent_approvals_give_one_approval_and_one_booking(exchange, finance):
    claim = _claim_a(exchange)
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    assert eager  # the booking runs right after each commit in this test
    barrier = threading.Barrier(20)
    results: list = []

    def approve() -> None:
        try:
            barrier.wait()
            results.append(claim_approve(claim_id=claim.pk, actor=finance))
        except Exception as exc:  # collected and counted below
            results.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert sum(isinstance(r, TransitionNotAllowed) for r in results) == 19
    assert Booking.objects.filter(claim=claim).count() == 1
    assert claim.events.filter(action="approve").count() == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.BOOKED
    assert claim_book(claim_id=claim.pk) is False
