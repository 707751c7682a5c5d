"""Retention periods, with fixed dates: what goes just past each boundary, what stays, and a second run changes nothing."""

import os
from datetime import date, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from cities.mail.models import OutgoingEmail
from cities.operations.models import AuditEvent
from exchanges.cycle.models import Attachment, Comment, ExchangeRequest, Status
from exchanges.privacy.people import REDACTED, retention_apply
from exchanges.privacy.tasks import retention_apply_task
from exchanges.travel.models import Booking, ClaimItem, ClaimStatus, Receipt, TravelClaim
from tests.cities.factories import DepartmentFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
# Fixed dates. The audit-log boundary (three years back) must lie before the machine's clock, because
# the events this run writes carry the real time: true from 15.06.2026 on.
TODAY = date(2029, 6, 15)
MIDNIGHT = datetime(2029, 6, 15, tzinfo=BERLIN)
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def periods(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_CLOSED_REQUEST_YEARS = 5
    settings.RETENTION_RECEIPT_YEARS = 10
    settings.RETENTION_EMAIL_DAYS = 90
    settings.RETENTION_AUDIT_YEARS = 3
    settings.RETENTION_INACTIVE_ACCOUNT_YEARS = 3


def _years_ago(years: int) -> datetime:
    return MIDNIGHT.replace(year=MIDNIGHT.year - years)


def _recently_active(*users: User) -> None:
    User.objects.filter(pk__in=[u.pk for u in users]).update(last_login=_years_ago(3))


def _closed_request(number: int, closed_at: datetime) -> ExchangeRequest:
    request = ExchangeRequestFactory(
        status=Status.COMPLETED, reference=f"CR-2026-{number:04d}", need="Unser Bedarf im Detail"
    )
    ExchangeRequest.objects.filter(pk=request.pk).update(status_changed_at=closed_at)
    Comment.objects.create(request=request, author=request.requester, body="Ein Kommentar")
    attachment = Attachment(
        request=request, original_name="plan.pdf", content_type="application/pdf", size=4, sha256="x"
    )
    attachment.file.save("plan.pdf", ContentFile(b"%PDF"), save=False)
    attachment.save()
    _recently_active(request.requester)
    return request


def _booked_claim(exchange: ExchangeRequest, budget_year: int, number: str) -> TravelClaim:
    claim = TravelClaim.objects.create(
        exchange=exchange,
        traveller=exchange.requester,
        submitted_by=exchange.requester,
        status=ClaimStatus.PAID,
        trip_start=datetime(budget_year, 3, 1, 8, tzinfo=BERLIN),
        trip_end=datetime(budget_year, 3, 1, 18, tzinfo=BERLIN),
        origin="Leipzig",
        destination="Bremen",
        purpose="Werkstatt",
        calculated_total=D("80.00"),
    )
    item = ClaimItem.objects.create(claim=claim, kind="rail", amount=D("80.00"), explanation="Fahrkarte")
    receipt = Receipt(
        claim=claim, item=item, original_name="t.pdf", content_type="application/pdf", size=4, sha256="x"
    )
    receipt.file.save("t.pdf", ContentFile(b"%PDF"), save=False)
    receipt.save()
    Booking.objects.create(
        claim=claim, number=number, budget_year=budget_year, cost_centre="K", payee="P", amount=D("80.00")
    )
    return claim


def test_closed_request_texts_and_attachments_go_after_the_period_to_the_second(db):
    expired = _closed_request(1, _years_ago(5) - SECOND)
    kept = _closed_request(2, _years_ago(5))
    open_request = _closed_request(3, _years_ago(9))
    ExchangeRequest.objects.filter(pk=open_request.pk).update(status=Status.SCHEDULED)

    result = retention_apply(today=TODAY)

    assert result.request_texts > 0
    expired.refresh_from_db()
    assert expired.need == REDACTED and expired.comments.get().body == REDACTED
    assert expired.title.startswith("Beteiligungswerkstatt")  # the knowledge base keeps the title
    assert not expired.attachments.exists()
    for request in (kept, open_request):
        request.refresh_from_db()
        assert request.need == "Unser Bedarf im Detail" and request.comments.get().body == "Ein Kommentar"
        assert request.attachments.count() == 1


def test_receipt_files_go_ten_full_years_after_the_year_of_booking(db, django_capture_on_commit_callbacks):
    exchange = ExchangeRequestFactory(status=Status.COMPLETED, reference="CR-2018-0001")
    _recently_active(exchange.requester)
    ExchangeRequest.objects.filter(pk=exchange.pk).update(status_changed_at=MIDNIGHT)
    old = _booked_claim(exchange, 2018, "RK-2018-00001")  # period ended 31.12.2028
    young = _booked_claim(exchange, 2019, "RK-2019-00001")  # runs until 31.12.2029
    old_path = old.receipts.get().file.path

    with django_capture_on_commit_callbacks(execute=True):
        result = retention_apply(today=TODAY)

    assert result.receipts == 1
    assert not old.receipts.exists()
    assert not os.path.exists(old_path)
    old.refresh_from_db()
    assert (old.origin, old.purpose, old.items.get().explanation) == (REDACTED, REDACTED, REDACTED)
    assert young.receipts.count() == 1
    young.refresh_from_db()
    assert young.purpose == "Werkstatt"
    # amounts and bookings stay
    assert old.calculated_total == D("80.00") and old.booking.amount == D("80.00")
    assert old.items.get().amount == D("80.00")


def test_email_texts_audit_events_and_inactive_accounts_at_their_boundaries(db):
    email_cutoff = MIDNIGHT - timedelta(days=90)
    person = UserFactory(display_name="Karl Alt", email="karl@example.org")
    old_mail = OutgoingEmail.objects.create(
        key="a",
        to_address="x@example.org",
        subject="S",
        body="Text",
        state="sent",
        sent_at=email_cutoff - SECOND,
    )
    young_mail = OutgoingEmail.objects.create(
        key="b", to_address="x@example.org", subject="S", body="Text", state="sent", sent_at=email_cutoff
    )
    pending = OutgoingEmail.objects.create(key="c", to_address="x@example.org", subject="S", body="Text")
    OutgoingEmail.objects.filter(pk=pending.pk).update(created_at=email_cutoff - timedelta(days=400))
    old_event = AuditEvent.objects.create(kind="login", actor=person, occurred_at=_years_ago(3) - SECOND)
    young_event = AuditEvent.objects.create(kind="login", actor=person, occurred_at=_years_ago(3))
    from axes.models import AccessLog

    logs = [
        AccessLog.objects.create(
            username="karl@example.org", ip_address="10.0.0.1", user_agent="t", path_info="/"
        )
        for _ in range(2)
    ]
    AccessLog.objects.filter(pk=logs[0].pk).update(attempt_time=_years_ago(3) - SECOND)
    AccessLog.objects.filter(pk=logs[1].pk).update(attempt_time=_years_ago(3))

    inactive = UserFactory(display_name="Ina Aktiv", department=DepartmentFactory(), roles=[Role.STAFF])
    never = UserFactory(display_name="Nie Angemeldet")
    active = UserFactory(display_name="Bea Bleibt")
    admin = UserFactory(display_name="Ada Admin", is_superuser=True, is_staff=True)
    User.objects.filter(pk=inactive.pk).update(last_login=_years_ago(3) - SECOND)
    User.objects.filter(pk=never.pk).update(last_login=None, date_joined=_years_ago(3) - SECOND)
    User.objects.filter(pk__in=[active.pk, person.pk]).update(last_login=_years_ago(3))
    User.objects.filter(pk=admin.pk).update(last_login=_years_ago(8))

    result = retention_apply(today=TODAY)

    old_mail.refresh_from_db(), young_mail.refresh_from_db(), pending.refresh_from_db()
    assert old_mail.body == "" and young_mail.body == "Text" and pending.body == "Text"
    assert not AuditEvent.objects.filter(pk=old_event.pk).exists()
    assert AuditEvent.objects.filter(pk=young_event.pk).exists()
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [logs[1].pk]
    assert sorted(result.accounts) == sorted([inactive.pk, never.pk])
    for user in (inactive, never):
        user.refresh_from_db()
        assert user.display_name == f"Anonymisierte Person {user.pk}" and not user.is_active
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.RETENTION, subject=user)
        assert event.actor is None
    for user, name in ((active, "Bea Bleibt"), (admin, "Ada Admin"), (person, "Karl Alt")):
        user.refresh_from_db()
        assert user.display_name == name and user.anonymised_at is None


def test_an_inactive_traveller_with_a_claim_still_to_pay_waits(db):
    exchange = ExchangeRequestFactory(status=Status.SCHEDULED, reference="CR-2026-0009")
    claim = _booked_claim(exchange, 2026, "RK-2026-00009")
    TravelClaim.objects.filter(pk=claim.pk).update(status=ClaimStatus.BOOKED)
    User.objects.filter(pk=exchange.requester_id).update(last_login=_years_ago(4))

    assert retention_apply(today=TODAY).accounts == []
    assert User.objects.get(pk=exchange.requester_id).anonymised_at is None


def _snapshot() -> dict:
    return {
        "requests": sorted(ExchangeRequest.objects.values_list("pk", "title", "need", "status")),
        "comments": sorted(Comment.objects.values_list("pk", "body")),
        "attachments": Attachment.objects.count(),
        "receipts": Receipt.objects.count(),
        "claims": sorted(TravelClaim.objects.values_list("pk", "purpose", "calculated_total")),
        "users": sorted(
            User.objects.values_list("pk", "display_name", "email", "is_active", "anonymised_at")
        ),
        "emails": sorted(OutgoingEmail.objects.values_list("pk", "body")),
        "audit": sorted(AuditEvent.objects.values_list("pk", flat=True)),
    }


def test_running_twice_changes_nothing_more(db, django_capture_on_commit_callbacks):
    _closed_request(1, _years_ago(6))
    exchange = ExchangeRequestFactory(status=Status.COMPLETED, reference="CR-2017-0001")
    ExchangeRequest.objects.filter(pk=exchange.pk).update(status_changed_at=_years_ago(1))
    _booked_claim(exchange, 2017, "RK-2017-00001")
    OutgoingEmail.objects.create(
        key="a", to_address="x@example.org", subject="S", body="Text", state="sent", sent_at=_years_ago(1)
    )
    User.objects.filter(pk=exchange.requester_id).update(last_login=_years_ago(5))
    AuditEvent.objects.create(kind="login", occurred_at=_years_ago(4))

    with django_capture_on_commit_callbacks(execute=True):
        first = retention_apply(today=TODAY)
    assert first.changed and first.accounts and first.audit_events
    after_first = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        second = retention_apply(today=TODAY)

    assert not second.changed and second.audit_events == 0
    assert _snapshot() == after_first


def test_the_daily_task_runs_the_retention_without_arguments(db, settings):
    AuditEvent.objects.create(kind="login", occurred_at=timezone.now() - timedelta(days=365 * 4))
    result = retention_apply_task.delay().result
    assert result["audit_events"] == 1
    assert "apply-retention-periods" in settings.CELERY_BEAT_SCHEDULE
