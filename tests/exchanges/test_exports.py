"""Export batches for accounting (CSV for German spreadsheets, XLSX), frozen once exported; the budget."""

import csv
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cities.directory.models import User
from exchanges.travel.models import ClaimStatus, TravelClaim
from exchanges.travel.services.budget import budget_position
from exchanges.travel.services.claims import claim_approve, claim_book, claim_submit
from tests.exchanges.claims_world import held_exchange
from tests.exchanges.services.test_claims import _claim_a
from tests.pdf_checks import tagged_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(demo_world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    exchange = held_exchange()
    finance = User.objects.get(email="finanzen@example.org")
    claim = _claim_a(exchange)
    claim_submit(claim_id=claim.pk, actor=claim.traveller, no_trip_reason="Auf Papier genehmigt.")
    claim_approve(claim_id=claim.pk, actor=finance)
    claim_book(claim_id=claim.pk)
    return claim, finance


def test_a_batch_exports_csv_and_xlsx_and_is_then_frozen(client, booked):
    claim, finance = booked
    client.force_login(finance)
    response = client.post(reverse("exchanges:batch_list"))
    batch_url = response["Location"]
    batch_pk = int(batch_url.rstrip("/").rsplit("/", 1)[1])

    raw = client.post(reverse("exchanges:batch_download", args=[batch_pk, "csv"])).content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Buchungsnummer"
    assert rows[1][4] == "62,70"
    assert rows[1][5] == claim.exchange.reference

    workbook = load_workbook(
        io.BytesIO(client.post(reverse("exchanges:batch_download", args=[batch_pk, "xlsx"])).content)
    )
    sheet = workbook.active
    assert sheet["A2"].value == claim.booking.number
    assert D(str(sheet["E2"].value)) == D("62.70")

    # a new booking goes into a new batch, never into the exported one
    second = _claim_a(claim.exchange, traveller=User.objects.get(email="gesa.lueders@example.org"))
    claim_submit(claim_id=second.pk, actor=second.traveller, no_trip_reason="Auf Papier genehmigt.")
    claim_approve(claim_id=second.pk, actor=finance)
    claim_book(claim_id=second.pk)
    client.post(reverse("exchanges:batch_list"))
    again = list(
        csv.reader(
            io.StringIO(
                client.post(reverse("exchanges:batch_download", args=[batch_pk, "csv"])).content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    assert len(again) == 2

    client.post(reverse("exchanges:batch_detail", args=[batch_pk]))
    claim.refresh_from_db()
    second.refresh_from_db()
    assert claim.status == ClaimStatus.PAID
    assert second.status == ClaimStatus.BOOKED


def test_only_finance_sees_batches_and_the_budget(client, booked):
    client.force_login(User.objects.get(email="petra.neumann@example.org"))
    for name in ["exchanges:batch_list", "exchanges:budget"]:
        assert client.get(reverse(name)).status_code == 403


def test_the_claim_pdf_is_a_tagged_pdf_a_screen_reader_can_read(client, booked):
    """PDF/UA: language, title, headings, and tables whose cells name their headers."""
    claim, _finance = booked
    client.force_login(claim.traveller)
    pdf = tagged_pdf(client.get(reverse("exchanges:claim_pdf", args=[claim.pk])).content)

    assert pdf.marked and pdf.pdfua_part == "1"
    assert pdf.language == "de"
    assert pdf.title == f"Reisekostenabrechnung {claim.exchange.reference}" and pdf.display_title
    tags = pdf.tags
    assert tags["H1"] == 1 and tags["H2"] == 2  # Berechnung, Verlauf und Entscheidungen
    # the facts (row headers), the calculation and the history (column headers)
    assert tags["Table"] == 3 and tags["THead"] == 2 and tags["TFoot"] == 1
    assert pdf.cell_headers and all(count >= 1 for count in pdf.cell_headers)
    assert not tags["Figure"]  # no picture without a text alternative


def test_an_english_speaker_gets_the_claim_pdf_in_english(client, booked, tmp_path):
    """The PDF is written in the language of the person who downloads it: headings, facts, /Lang."""
    import shutil
    import subprocess

    claim, _finance = booked
    User.objects.filter(pk=claim.traveller.pk).update(preferred_language="en")
    client.force_login(claim.traveller)
    content = client.get(reverse("exchanges:claim_pdf", args=[claim.pk])).content
    pdf = tagged_pdf(content)

    assert pdf.language == "en" and pdf.title == f"Travel claim {claim.exchange.reference}"
    assert pdf.tags["H1"] == 1 and pdf.tags["H2"] == 2 and pdf.tags["Table"] == 3
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF (./scripts/test installs it)"
    path = tmp_path / "claim.pdf"
    path.write_bytes(content)
    text = " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "Travel claim" in text and f"C+R exchange {claim.exchange.reference}" in text
    assert "Calculation" in text and "History and decisions" in text and "Total" in text
    assert "Traveller" in text and "Legal basis" in text and "Booking" in text
    assert "62.70 €" in text and "Page 1 of 1" in text
    for german in ("Reisekostenabrechnung", "Berechnung", "Verlauf", "Summe", "Erstellt am", "Seite"):
        assert german not in text, german


def test_the_german_claim_pdf_numbers_its_pages_in_german(client, booked, tmp_path):
    import subprocess

    claim, _finance = booked
    client.force_login(claim.traveller)
    path = tmp_path / "claim.pdf"
    path.write_bytes(client.get(reverse("exchanges:claim_pdf", args=[claim.pk])).content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Seite 1 von 1" in text and "Erstellt am " in text


def test_the_budget_overview(client, booked):
    claim, finance = booked
    client.force_login(finance)
    client.post(reverse("exchanges:budget"), {"year": timezone.localdate().year, "amount": "5.000,00"})
    html = client.get(reverse("exchanges:budget")).content.decode()
    assert "5.000,00 €" in html
    # 5000 − 62.70 booked − the demo's open commitments of the year (its approved trips' estimates)
    remaining = D("5000.00") - D("62.70") - budget_position(year=timezone.localdate().year)["committed"]
    assert f"{remaining:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".") + " €" in html
    assert TravelClaim.objects.get(pk=claim.pk).status == ClaimStatus.BOOKED


def test_the_claim_pdf_renders_with_lines_decisions_and_booking(client, booked, tmp_path):
    import shutil
    import subprocess

    claim, _finance = booked
    client.force_login(claim.traveller)
    response = client.get(reverse("exchanges:claim_pdf", args=[claim.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert shutil.which("pdftotext"), "poppler-utils is needed to read the PDF (./scripts/test installs it)"
    path = tmp_path / "claim.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Reisekostenabrechnung" in text
    assert claim.booking.number in text
    assert "62,70 €" in text and "§ 6 Abs. 1 SächsRKG" in text
    assert "Verlauf und Entscheidungen" in text and "Summe" in text
    client.force_login(User.objects.get(email="anna.schmidt@example.org"))
    assert client.get(reverse("exchanges:claim_pdf", args=[claim.pk])).status_code == 404
