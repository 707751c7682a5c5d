"""Travel claims through the pages: traveller → finance → booking; receipts by content and permission."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import User
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.travel.models import Booking, ClaimStatus, TravelClaim
from tests.exchanges.claims_world import held_exchange, meeting_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def scheduled(demo):
    """The demo's scheduled exchange (its meeting is still to come: a draft only)."""
    return ExchangeRequest.objects.get(status=Status.SCHEDULED)


@pytest.fixture
def held(demo):
    """The demo's held exchange: Petra Neumann visited Bremen twelve days ago."""
    return held_exchange()


_receipts = iter(range(1, 10_000))


def _pdf(name: str = "fahrkarte.pdf") -> SimpleUploadedFile:
    """A receipt with content of its own (the same content on two claims is flagged as a duplicate)."""
    return SimpleUploadedFile(
        name, f"%PDF-1.4 receipt {next(_receipts)}".encode(), content_type="application/pdf"
    )


def _trip(offset: int, start: str, end_days: int, end: str) -> dict:
    """A trip beginning ``offset`` days after the held exchange's meeting day."""
    day = meeting_day(held_exchange()) + timedelta(days=offset)
    return {
        "trip_start": f"{day:%d.%m.%Y} {start}",
        "trip_end": f"{day + timedelta(days=end_days):%d.%m.%Y} {end}",
        "origin": "Leipzig",
        "destination": "Nürnberg",
        "purpose": "Ortsbesichtigung Schulcampus",
        "flat_nights": "0",
        "car_km": "0",
        "local_transport": "0",
    }


def _item(client, claim, **data):
    payload = {
        f"item-{key}": value for key, value in {"scheduled_hours": "0", "explanation": "", **data}.items()
    }
    return client.post(reverse("exchanges:claim_item_add", args=[claim.pk]), payload)


def test_example_b_through_the_pages_then_finance_approves_and_it_is_booked_once(
    client, held, django_capture_on_commit_callbacks
):
    traveller = User.objects.get(email="petra.neumann@example.org")
    client.force_login(traveller)
    page = client.get(held.get_absolute_url()).content.decode()
    assert reverse("exchanges:claim_create", args=[held.pk]) in page

    response = client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(-1, "07:00", 1, "18:00"))
    claim = TravelClaim.objects.get()
    assert response["Location"] == reverse("exchanges:claim_detail", args=[claim.pk])
    pdf = SimpleUploadedFile("fahrkarte.pdf", b"%PDF-1.4 ticket", content_type="application/pdf")
    _item(client, claim, kind="rail", amount="89,00", receipt=pdf)
    _item(client, claim, kind="rail", amount="89,00", receipt=_pdf())
    hotel_bill = SimpleUploadedFile("hotel.pdf", b"%PDF-1.4 hotel", content_type="application/pdf")
    night = f"{timezone.localtime(claim.trip_start):%d.%m.%Y}"
    _item(
        client,
        claim,
        kind="hotel",
        amount="68,00",
        night_of=night,
        breakfast_included="on",
        receipt=hotel_bill,
    )

    html = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert "268,40 €" in html
    assert "§ 6 Abs. 1 SächsRKG" in html  # Leipzig's staff travel under the Saxon law
    assert "fahrkarte.pdf" in html

    client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and str(claim.calculated_total) == "268.40"

    finance = User.objects.get(email="finanzen@example.org")
    client.force_login(finance)
    queue = client.get(reverse("exchanges:finance_queue")).content.decode()
    assert "Petra Neumann" in queue
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("exchanges:claim_decide", args=[claim.pk]), {"decision": "approve"})
        client.post(
            reverse("exchanges:claim_decide", args=[claim.pk]), {"decision": "approve"}
        )  # double click
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.BOOKED
    assert Booking.objects.filter(claim=claim).count() == 1
    assert (
        Booking.objects.get(claim=claim).number
        in client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    )


def test_example_a_through_the_pages(client, held):
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(0, "06:30", 0, "19:45"))
    claim = TravelClaim.objects.get()
    day = timezone.localtime(claim.trip_start).date().isoformat()
    data = {**_trip(0, "06:30", 0, "19:45"), f"meals-{day}_lunch": "on"}
    client.post(reverse("exchanges:claim_edit", args=[claim.pk]), data)
    _item(client, claim, kind="rail", amount="59,90")
    assert "62,70 €" in client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()


def test_a_receipt_that_is_html_renamed_to_pdf_is_refused(client, held):
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(0, "06:30", 0, "19:45"))
    claim = TravelClaim.objects.get()
    fake = SimpleUploadedFile("beleg.pdf", b"<html><body>nope</body></html>", content_type="application/pdf")
    response = _item(client, claim, kind="rail", amount="20,00", receipt=fake)
    assert "passt nicht zu seinem Namen" in response.content.decode()
    assert claim.items.count() == 0


def test_receipts_of_another_persons_claim_answer_404(client, held):
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(0, "06:30", 0, "19:45"))
    claim = TravelClaim.objects.get()
    _item(client, claim, kind="rail", amount="20,00", receipt=SimpleUploadedFile("t.pdf", b"%PDF-1.4 x"))
    receipt = claim.receipts.get()
    url = reverse("exchanges:receipt_download", args=[claim.pk, receipt.pk])
    assert client.get(url).status_code == 200

    for email in ["anna.schmidt@example.org", "andreas.roth@example.org", "kontakt.leipzig@example.org"]:
        client.force_login(User.objects.get(email=email))
        assert client.get(url).status_code == 404
        assert client.get(reverse("exchanges:claim_detail", args=[claim.pk])).status_code == 404
    client.force_login(User.objects.get(email="finanzen@example.org"))
    assert client.get(url).status_code == 200


def test_the_finance_queue_is_for_finance_only_and_bad_input_is_explained(client, held):
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    assert client.get(reverse("exchanges:finance_queue")).status_code == 403
    response = client.post(
        reverse("exchanges:claim_create", args=[held.pk]), {**_trip(0, "18:00", 0, "08:00")}
    )
    assert "Bitte korrigieren Sie" in response.content.decode()
    assert TravelClaim.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("59,90", "59.90"),
        ("5.000,00", "5000.00"),
        ("5.000", "5000"),
        ("1.234.567,89", "1234567.89"),
        ("12", "12"),
        (" 7,5 € ", "7.5"),
    ],
)
def test_amounts_are_read_as_germans_type_them(typed, expected):
    from decimal import Decimal

    from koopstadt.form_widgets import LocalizedDecimalField

    assert LocalizedDecimalField(max_digits=12, decimal_places=2).clean(typed) == Decimal(expected)


def test_a_malformed_amount_is_explained():
    from django.core.exceptions import ValidationError

    from koopstadt.form_widgets import LocalizedDecimalField

    with pytest.raises(ValidationError):
        LocalizedDecimalField(max_digits=12, decimal_places=2).clean("zwölf")


def test_finance_edits_rate_sets_as_new_periods(client, held):
    from exchanges.travel.models import RateSet

    brkg = RateSet.objects.get(code="BRKG", valid_to__isnull=True)
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    assert client.get(reverse("exchanges:rate_sets")).status_code == 403
    client.force_login(User.objects.get(email="finanzen@example.org"))
    page = client.get(reverse("exchanges:rate_set_new_period", args=[brkg.pk]))
    assert page.status_code == 200
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    data = {
        k: (str(v).replace(".", ",") if k != "valid_from" else v)
        for k, v in data.items()
        if k in page.context["form"].fields
    }
    data.update({"valid_from": "01.01.2030", "km_rate": "0,25", "legal_basis": brkg.legal_basis})
    data.pop("to_be_confirmed", None)
    response = client.post(reverse("exchanges:rate_set_new_period", args=[brkg.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    brkg.refresh_from_db()
    assert str(brkg.valid_to) == "2029-12-31"
    assert str(RateSet.objects.get(code="BRKG", valid_from="2030-01-01").km_rate) == "0.25"


def test_decisions_are_mailed_to_the_traveller(client, held, django_capture_on_commit_callbacks):
    from django.core import mail

    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(0, "06:30", 0, "19:45"))
    claim = TravelClaim.objects.get()
    _item(client, claim, kind="rail", amount="59,90", receipt=_pdf())
    client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )
    mail.outbox.clear()
    client.force_login(User.objects.get(email="finanzen@example.org"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchanges:claim_decide", args=[claim.pk]),
            {"decision": "return", "reason": "Beleg fehlt"},
        )
    assert [m.to for m in mail.outbox] == [["petra.neumann@example.org"]]
    assert "Beleg fehlt" in mail.outbox[0].body


def test_the_late_filter_finds_late_claims_on_every_page(client, held, settings):
    settings.LIST_PAGE_SIZE = 2
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    for offset in (-1, 0, 1, -250):  # the last trip ended more than six months ago
        client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(offset, "06:30", 0, "19:45"))
    for claim in TravelClaim.objects.all():
        _item(client, claim, kind="rail", amount="10,00", receipt=_pdf())
        # the trip 250 days before the meeting does not fit the exchange: it needs a reason
        client.post(
            reverse("exchanges:claim_submit", args=[claim.pk]),
            {"submit-trip_fit_reason": "Vorgespräch", "submit-no_trip_reason": "Auf Papier genehmigt."},
        )
    late = TravelClaim.objects.get(filed_late=True)
    assert TravelClaim.objects.filter(filed_late=False).count() == 3

    client.force_login(User.objects.get(email="finanzen@example.org"))
    shown = client.get(reverse("exchanges:finance_queue"), {"late": "on"})
    assert [c.pk for c in shown.context["page"].object_list] == [late.pk]
    assert "verspätet" in shown.content.decode()


def test_only_finance_is_offered_the_decision_not_every_administrator(client, held):
    from tests.cities.factories import UserFactory

    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(0, "06:30", 0, "19:45"))
    claim = TravelClaim.objects.get()
    _item(client, claim, kind="rail", amount="59,90", receipt=_pdf())
    client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )
    url = reverse("exchanges:claim_detail", args=[claim.pk])

    client.force_login(User.objects.get(email="finanzen@example.org"))
    assert 'id="decision-heading"' in client.get(url).content.decode()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(url)
    assert page.status_code == 200 and 'id="decision-heading"' not in page.content.decode()


def test_the_night_of_a_hotel_item_is_asked_and_explained_next_to_its_field(client, held):
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(-1, "07:00", 1, "18:00"))
    claim = TravelClaim.objects.get()
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert 'for="id_item-night_of"' in page and "Nacht vom" in page and "TT.MM.JJJJ" in page

    first = timezone.localtime(claim.trip_start).date()
    for night, expected in [
        ("", "Bitte geben Sie die Nacht dieser Hotelübernachtung an"),
        (f"{first + timedelta(days=1):%d.%m.%Y}", f"eine der Nächte der Reise sein: vom {first:%d.%m.%Y}"),
    ]:
        response = _item(client, claim, kind="hotel", amount="68,00", night_of=night)
        assert response.status_code == 200
        assert expected in response.context["item_form"].errors["night_of"][0]
        html = response.content.decode()
        feedback = html[html.index('id="div_id_item-night_of"') : html.index('id="div_id_item-explanation"')]
        assert "is-invalid" in feedback and expected in feedback  # the message sits with its field
        assert f'value="{night}"' in html or not night  # what was typed stays
    assert claim.items.count() == 0

    response = _item(client, claim, kind="hotel", amount="68,00", night_of=f"{first:%d.%m.%Y}")
    assert response.status_code == 302
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert f"Nacht vom {first:%d.%m.%Y}" in page
    assert f"Übernachtung {first:%d.%m.}–{first + timedelta(days=1):%d.%m.%Y}" in page


def test_a_draft_shows_its_rate_sets_law_and_the_to_be_confirmed_mark_also_in_the_pdf(
    client, scheduled, tmp_path
):
    import shutil
    import subprocess

    # Andreas Roth works in Nürnberg: the Bavarian rate set, marked "to be confirmed" (SPEC §6). A draft
    # has no rate set of its own yet; the page computes with his city's set and must say so.
    client.force_login(User.objects.get(email="andreas.roth@example.org"))
    client.post(reverse("exchanges:claim_create", args=[scheduled.pk]), _trip(5, "06:30", 0, "19:45"))
    claim = TravelClaim.objects.get()
    _item(client, claim, kind="rail", amount="59,90")
    assert claim.status == ClaimStatus.DRAFT and claim.rate_set is None
    html = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    calculation = html[html.index('id="calc-heading"') : html.index('id="items-heading"')]
    assert "Sätze von den Finanzen noch zu bestätigen: Bayerisches Reisekostengesetz (BayRKG)." in calculation
    assert "Berechnet nach Bayerisches Reisekostengesetz (BayRKG)" in calculation
    assert "Art. 8 BayRKG" in calculation and "Art. 5 BayRKG" in calculation
    assert "Reisekostensätze von den Finanzen noch zu bestätigen" in html  # the badge at the top

    assert shutil.which("pdftotext")
    path = tmp_path / "draft.pdf"
    path.write_bytes(client.get(reverse("exchanges:claim_pdf", args=[claim.pk])).content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Bayerisches Reisekostengesetz (BayRKG)" in text
    assert "Sätze von den Finanzen noch zu bestätigen" in text and "Art. 8 BayRKG" in text

    # Leipzig's Saxon set is confirmed: no mark, its own law
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[scheduled.pk]), _trip(5, "06:30", 0, "19:45"))
    saxon = TravelClaim.objects.exclude(pk=claim.pk).get()
    html = client.get(reverse("exchanges:claim_detail", args=[saxon.pk])).content.decode()
    assert "Sächsisches Reisekostengesetz (SächsRKG)" in html and "noch zu bestätigen" not in html


def test_more_nights_without_receipt_than_the_trip_has_are_explained_next_to_the_field(client, held):
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(-1, "07:00", 1, "18:00"))
    claim = TravelClaim.objects.get()
    response = client.post(
        reverse("exchanges:claim_edit", args=[claim.pk]),
        {**_trip(-1, "07:00", 1, "18:00"), "flat_nights": "3"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    field = html[html.index('id="div_id_flat_nights"') : html.index('id="div_id_car_km"')]
    assert "is-invalid" in field and "höchstens 1 ohne Beleg" in field
    assert 'value="3"' in field  # what was typed stays
    claim.refresh_from_db()
    assert claim.flat_nights == 0


def test_the_budget_confirmation_is_offered_only_when_approving_goes_beyond_the_budget(client, held):
    """The decision form always showed "Ich bestätige die Genehmigung über das Budget hinaus", even with
    15.000 € of the year's budget left; it is offered when approving goes beyond it, and asked for then."""
    from decimal import Decimal

    from exchanges.travel.models import Budget

    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    client.post(reverse("exchanges:claim_create", args=[held.pk]), _trip(0, "06:30", 0, "19:45"))
    claim = TravelClaim.objects.get()
    _item(client, claim, kind="rail", amount="59,90", receipt=_pdf())
    client.post(
        reverse("exchanges:claim_submit", args=[claim.pk]), {"submit-no_trip_reason": "Auf Papier genehmigt."}
    )
    client.force_login(User.objects.get(email="finanzen@example.org"))
    page = reverse("exchanges:claim_detail", args=[claim.pk])
    confirmation = 'name="confirm_over_budget"'

    assert confirmation not in client.get(page).content.decode()  # the demo's budget has room

    Budget.objects.filter(city__isnull=True).update(amount=Decimal("10.00"))
    assert confirmation in client.get(page).content.decode()
    refused = client.post(
        reverse("exchanges:claim_decide", args=[claim.pk]),
        {"decision": "approve", "version": TravelClaim.objects.get(pk=claim.pk).version},
    )
    assert refused.status_code == 200 and "würde das Budget" in refused.content.decode()
    TravelClaim.objects.get(pk=claim.pk, status=ClaimStatus.SUBMITTED)
