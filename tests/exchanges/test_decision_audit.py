"""Finance decisions, bookings and exports land in the audit log; every download is an attachment."""

import pytest
from django.urls import reverse

from cities.directory.models import User
from cities.operations.models import AuditEvent
from exchanges.travel.models import ExportBatch
from exchanges.travel.services.claims import claim_approve, claim_book, claim_return_or_reject, claim_submit
from tests.exchanges import test_exports
from tests.exchanges.services.test_claims import _claim_a

pytestmark = pytest.mark.django_db

booked = test_exports.booked  # a claim approved by finance and booked, from the demo data

Kind = AuditEvent.Kind


def test_approval_and_booking_are_audited_with_the_deciding_person(booked):
    claim, finance = booked
    claim.refresh_from_db()
    decisions = AuditEvent.objects.filter(
        kind=Kind.CLAIM_DECISION, target=f"exchanges.travelclaim:{claim.pk}"
    )
    approve, book = decisions.order_by("id")
    assert (approve.actor, approve.subject, approve.details["decision"]) == (
        finance,
        claim.traveller,
        "approve",
    )
    assert approve.details["amount"] == str(claim.calculated_total)
    # booked by the task, on behalf of the person who approved: never "system"
    assert (book.actor, book.details["decision"]) == (finance, "book")
    # booking twice records nothing more
    assert claim_book(claim_id=claim.pk) is False
    assert decisions.count() == 2


@pytest.mark.parametrize("reject", [True, False])
def test_return_and_rejection_are_audited(booked, reject):
    claim, finance = booked
    second = _claim_a(claim.exchange, traveller=User.objects.get(email="gesa.lueders@example.org"))
    claim_submit(no_trip_reason="Auf Papier genehmigt.", claim_id=second.pk, actor=second.traveller)
    claim_return_or_reject(claim_id=second.pk, actor=finance, reject=reject, reason="Beleg fehlt")
    event = AuditEvent.objects.get(kind=Kind.CLAIM_DECISION, target=f"exchanges.travelclaim:{second.pk}")
    assert event.actor == finance and event.details == {"decision": "reject" if reject else "return"}


def test_a_refused_approval_records_nothing(booked):
    claim, finance = booked
    from koopstadt.errors import DomainError

    with pytest.raises(DomainError):
        claim_approve(claim_id=claim.pk, actor=finance)  # already booked
    assert AuditEvent.objects.filter(kind=Kind.CLAIM_DECISION, details__decision="approve").count() == 1


def test_batches_and_their_downloads_are_audited_and_sent_as_attachments(client, booked):
    _claim, finance = booked
    client.force_login(finance)
    client.post(reverse("exchanges:batch_list"))
    batch = ExportBatch.objects.get()
    for kind in ("csv", "xlsx"):
        response = client.post(reverse("exchanges:batch_download", args=[batch.pk, kind]))
        assert response["Content-Disposition"] == f'attachment; filename="{batch.number}.{kind}"'
        assert response["X-Content-Type-Options"] == "nosniff"

    exports = AuditEvent.objects.filter(
        kind=Kind.EXPORT, target=f"exchanges.exportbatch:{batch.pk}"
    ).order_by("id")
    assert [(e.actor, e.details.get("action"), e.details.get("format")) for e in exports] == [
        (finance, "batch_create", None),
        (finance, "batch_download", "csv"),
        (finance, "batch_download", "xlsx"),
    ]
    assert exports[0].details["bookings"] == 1


def test_the_claim_pdf_is_an_audited_attachment(client, booked):
    claim, finance = booked
    client.force_login(finance)
    response = client.get(reverse("exchanges:claim_pdf", args=[claim.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.get(kind=Kind.EXPORT, details__action="claim_pdf")
    assert event.actor == finance and event.ip_address == "127.0.0.1"
