"""Every way figures or finance data leave the portal writes the same audit entry, because the service that
produces them writes it — not each view (issue "House in order", item 2).

Before, the statistics pages audited their downloads in the view, and the REST API's statistics, which hand
out the same tables, wrote no entry at all; neither did the bookings a finance system pulls through the API.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cities.operations.models import AuditEvent
from exchanges.cycle.models import Status
from exchanges.travel.models import Booking, ClaimStatus, ExportBatch, TravelClaim
from tests.api.conftest import make_request

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def exports(actor) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, actor=actor).order_by("pk"))


def test_the_apis_statistics_are_audited_like_the_pages_downloads(client, api, people):
    coordinator = people["coordinator"]

    response = api(coordinator).get("/api/v1/statistics/", {"year": YEAR})

    assert response.status_code == 200
    [entry] = exports(coordinator)
    assert entry.target == "statistics"
    assert entry.details == {
        "action": "statistics_export",
        "table": "all",
        "format": "json",
        "start": f"{YEAR}-01-01",
        "end": f"{YEAR}-12-31",
        "city": None,
    }

    client.force_login(coordinator)
    download = reverse(
        "exchanges:statistics_export", kwargs={"key": "requests_by_state", "file_format": "csv"}
    )
    assert client.get(download, {"year": YEAR}).status_code == 200
    page_entry = exports(coordinator)[-1]
    assert page_entry.details == {**entry.details, "table": "requests_by_state", "format": "csv"}


def test_a_city_contacts_statistics_through_the_api_name_their_city(api, people):
    contact = people["contact"]
    assert api(contact).get("/api/v1/statistics/").status_code == 200
    [entry] = exports(contact)
    assert entry.details["city"] == contact.home_city_id


def test_refused_statistics_write_no_entry(api, people):
    assert api(people["requester"]).get("/api/v1/statistics/").status_code == 403
    assert exports(people["requester"]) == []


def test_the_annual_report_is_audited_by_the_same_service(client, people):
    client.force_login(people["coordinator"])
    response = client.get(reverse("exchanges:statistics_report", kwargs={"year": YEAR}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    [entry] = exports(people["coordinator"])
    assert entry.details == {"action": "annual_report", "year": YEAR, "city": None}


@pytest.fixture
def booked(people):
    exchange = make_request(people, Status.HELD)
    start = timezone.now() - timezone.timedelta(days=9)
    claim = TravelClaim.objects.create(
        exchange=exchange,
        traveller=people["expert"],
        submitted_by=people["expert"],
        status=ClaimStatus.BOOKED,
        trip_start=start,
        trip_end=start + timezone.timedelta(hours=10),
        origin="Bremen",
        destination="Leipzig",
        purpose="Werkstatt",
        calculated_total=Decimal("42.00"),
    )
    batch = ExportBatch.objects.create(number=f"EX-{YEAR}-0001", created_by=people["finance"])
    Booking.objects.create(
        claim=claim,
        number=f"RK-{YEAR}-00001",
        budget_year=YEAR,
        cost_centre="KST-1",
        payee="Henrik Brandt",
        amount=Decimal("42.00"),
        batch=batch,
    )
    return claim, batch


def test_bookings_a_finance_system_pulls_are_audited(api, people, booked):
    _claim, batch = booked
    finance = api(people["finance"])

    assert finance.get("/api/v1/finance/bookings/", {"budget_year": YEAR}).status_code == 200
    assert finance.get(f"/api/v1/finance/batches/{batch.pk}/").status_code == 200

    listed, read = exports(people["finance"])
    assert listed.target == "bookings"
    assert listed.details == {"action": "bookings_read", "filters": {"budget_year": str(YEAR)}}
    assert read.target == f"exchanges.exportbatch:{batch.pk}"
    assert read.details == {"action": "batch_read"}


def test_the_claim_pdf_is_audited_by_its_service(client, people, booked):
    claim, _batch = booked
    client.force_login(people["expert"])
    response = client.get(reverse("exchanges:claim_pdf", args=[claim.pk]))
    assert response.status_code == 200
    [entry] = exports(people["expert"])
    assert entry.target == f"exchanges.travelclaim:{claim.pk}" and entry.details == {"action": "claim_pdf"}
