"""No lost work: a broker outage at commit time never fails the page, and the sweeper queues the work again."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from cities.directory.models import User
from cities.mail.models import OutgoingEmail
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.travel.models import Booking, ClaimStatus, TravelClaim
from koopstadt.sweeping import sweep
from tests.exchanges.services.test_routing import REAL_EXAMPLES, submitted_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Every task sent while this is active fails as if Redis were unreachable."""

    def refuse(self, *args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr("celery.app.task.Task.apply_async", refuse)
    return monkeypatch


def later() -> timezone.datetime:
    return timezone.now() + timedelta(hours=1)


def test_accepting_while_the_broker_is_down_succeeds_and_the_sweeper_routes_later(
    client, db, broker_down, django_capture_on_commit_callbacks
):
    call_command("load_demo", stdout=io.StringIO())
    request = submitted_request(*REAL_EXAMPLES[0][:4])
    client.force_login(User.objects.city_contacts(request.requester_city_id).get())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("exchanges:request_action", args=[request.pk, "accept"]),
            {"accept-expected_status": "submitted"},
        )

    assert response.status_code == 302  # the page still succeeds
    request.refresh_from_db()
    assert request.status == Status.ROUTING and not request.routing_decisions.exists()

    broker_down.undo()  # Redis is back
    waiting = ExchangeRequest.objects.filter(status=Status.ROUTING, routing_decisions__isnull=True).count()
    with django_capture_on_commit_callbacks(execute=True):
        counts = sweep(now=later())
        again = sweep(now=later())
    # the demo's own accepted request was loaded during the outage as well: both are swept
    assert counts["routing"] == waiting >= 1
    assert again["routing"] == 0
    request.refresh_from_db()
    assert request.status == Status.MATCHING
    assert request.routing_decisions.filter(is_routed=True).count() >= 2


def test_the_sweeper_sends_emails_that_were_never_sent(db, broker_down, django_capture_on_commit_callbacks):
    from cities.mail.services import email_queue

    with django_capture_on_commit_callbacks(execute=True):
        email_queue(key="lost:1", to_address="a@example.org", subject="Hallo", body="Text")
    assert OutgoingEmail.objects.get(key="lost:1").state == "pending"

    broker_down.undo()
    assert sweep()["emails"] == 0  # still within the grace period: perhaps only slow
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=later())["emails"] == 1
    assert OutgoingEmail.objects.get(key="lost:1").state == "sent"
    assert len(mail.outbox) == 1
    assert sweep(now=later())["emails"] == 0


def test_the_sweeper_books_approved_claims_exactly_once(
    db, broker_down, django_capture_on_commit_callbacks, settings, tmp_path
):
    from exchanges.travel.services.claims import claim_approve, claim_submit
    from tests.exchanges.claims_world import held_exchange
    from tests.exchanges.services.test_claims import _claim_a

    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    exchange = held_exchange()
    claim = _claim_a(exchange)
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=claim.pk, actor=claim.traveller)
    with django_capture_on_commit_callbacks(execute=True):
        claim_approve(claim_id=claim.pk, actor=User.objects.get(email="finanzen@example.org"))
    assert TravelClaim.objects.get(pk=claim.pk).status == ClaimStatus.APPROVED

    broker_down.undo()
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(now=later())["bookings"] == 1
        assert sweep(now=later())["bookings"] == 0
    assert Booking.objects.filter(claim=claim).count() == 1
    assert TravelClaim.objects.get(pk=claim.pk).status == ClaimStatus.BOOKED


def test_notifications_lost_in_an_outage_are_sent_by_the_sweeper_once(
    db, broker_down, django_capture_on_commit_callbacks
):
    from exchanges.cycle.models import Comment, TimelineEntry
    from exchanges.cycle.services.requests import comment_add
    from exchanges.notifications.models import Notification

    call_command("load_demo", stdout=io.StringIO())
    # the demo's own notifications went out when it was loaded (its history lies weeks back)
    TimelineEntry.objects.update(notification_pending=False)
    request = submitted_request(*REAL_EXAMPLES[0][:4])
    contact = User.objects.city_contacts(request.requester_city_id).get()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(request=request, author=request.requester, body="Eine Frage zum Termin")
    comment = Comment.objects.get(request=request)
    submit = TimelineEntry.objects.get(request=request, action="submit")
    # neither the submit notification nor the comment's reached the broker
    assert submit.notification_pending and comment.notification_pending
    assert not Notification.objects.filter(key=f"comment:{comment.pk}:{contact.pk}").exists()

    broker_down.undo()  # Redis is back
    assert sweep()["notifications"] == 0  # within the grace period: perhaps only slow
    with django_capture_on_commit_callbacks(execute=True):
        first = sweep(now=later())
        second = sweep(now=later())
    assert first["notifications"] >= 1 and second["notifications"] == 0
    assert Notification.objects.filter(key=f"comment:{comment.pk}:{contact.pk}").count() == 1
    assert [m.to for m in mail.outbox if "Eine Frage zum Termin" in m.body] == [[contact.email]]
    assert not TimelineEntry.objects.filter(pk=submit.pk, notification_pending=True).exists()
