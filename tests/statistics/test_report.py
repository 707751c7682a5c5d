"""The annual report renders as a PDF whose text a machine can read, and its first page as a picture."""

import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from exchanges.statistics.report import annual_report_pdf
from exchanges.statistics.tables import Period, StatTable
from tests.pdf_checks import tagged_pdf

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


def tables() -> dict[str, StatTable]:
    return {
        "key_figures": StatTable(
            "key_figures",
            "Kennzahlen",
            ["Kennzahl", "Wert"],
            [
                ["Anfragen", 14],
                ["Austausche abgehalten", 9],
                ["Beteiligte Personen", 25],
                ["Median bis Vereinbarung (Tage)", Decimal("12.5")],
            ],
            chart="none",
        ),
        "city_matrix_held": StatTable(
            "city_matrix_held",
            "Wer hat wen beraten: abgehaltene Austausche",
            ["Anfragende Stadt", "Bremen", "Leipzig", "Nürnberg", "Summe"],
            [["Bremen", 0, 2, 1, 3], ["Leipzig", 2, 0, 2, 4], ["Nürnberg", 1, 1, 0, 2]],
            summary="Leipzig hat am häufigsten Expertise angefragt.",
            chart="matrix",
        ),
        "city_balance": StatTable(
            "city_balance",
            "Geben und Nehmen",
            ["Stadt", "Gegeben", "Erhalten"],
            [["Bremen", 3, 3], ["Leipzig", 3, 4], ["Nürnberg", 3, 2]],
            chart="stacked",
        ),
        "costs_by_city": StatTable(
            "costs_by_city",
            "Reisekosten nach Stadt",
            ["Stadt", "Reisekosten"],
            [["Leipzig", Decimal("1234.56")], ["Bremen <b>", Decimal("88.00")]],
            money_columns=frozenset({1}),
            totals=["Summe", Decimal("1322.56")],
        ),
        "costs_by_topic": StatTable(
            "costs_by_topic",
            "Reisekosten nach Thema",
            ["Thema", "Reisekosten"],
            [],
            money_columns=frozenset({1}),
        ),
        "budget_use": StatTable(
            "budget_use",
            "Budgetnutzung",
            ["Monat", "Genehmigt", "Gebucht", "Bezahlt", "Budget"],
            [["März 2026", Decimal("100"), Decimal("80"), Decimal("50"), Decimal("5000")]],
            chart="line",
            money_columns=frozenset({1, 2, 3, 4}),
        ),
        "cost_per_exchange": StatTable(
            "cost_per_exchange",
            "Kosten je Austausch",
            ["Format", "Austausche", "Reisekosten", "Durchschnitt"],
            [["Werkstatt", 3, Decimal("900"), Decimal("300")]],
            money_columns=frozenset({2, 3}),
        ),
    }


EXCHANGES = [
    {
        "reference": "CR-2026-0007",
        "title": "Wohnungspolitisches Konzept <Entwurf>",
        "requester_city": "Leipzig",
        "expert_cities": ["Bremen", "Nürnberg"],
        "meeting_date": date(2026, 5, 12),
        "takeaways": ["Früh die Wohnungswirtschaft einbinden & Mieterbeirat fragen"],
    },
    {
        "reference": "CR-2026-0009",
        "title": "Mobilitätsstationen",
        "requester_city": "Nürnberg",
        "expert_cities": ["Bremen"],
        "meeting_date": date(2026, 6, 2),
        "takeaways": [],
    },
]


def render(**overrides) -> bytes:
    arguments = {
        "year": 2026,
        "period": Period(date(2026, 1, 1), date(2026, 12, 31)),
        "tables": tables(),
        "exchanges": EXCHANGES,
        "scope": "das ganze Netzwerk",
        "created_at": datetime(2026, 11, 22, 9, 30, tzinfo=ZoneInfo("Europe/Berlin")),
    }
    return annual_report_pdf(**{**arguments, **overrides})


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "bilanz.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def test_the_report_renders_as_pdf():
    pdf = render()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 2000


def test_the_report_is_a_tagged_pdf_in_german_with_its_title():
    """PDF/UA: a screen reader finds the language, the title, headings, tables whose cells name their
    headers, the list of takeaways and a text alternative for every chart."""
    pdf = tagged_pdf(render())

    assert pdf.marked and pdf.pdfua_part == "1"
    assert pdf.language == "de"
    assert pdf.title == "koopstadt C+R – Jahresbilanz 2026" and pdf.display_title
    tags = pdf.tags
    assert tags["H1"] == 1 and tags["H2"] == 4  # Kennzahlen, Wer hat wen beraten?, Reisekosten, Austausche
    assert tags["H3"] >= 2 + 2  # the tables' own titles and the two exchanges
    assert tags["Table"] == 6 and tags["TH"] > 0 and tags["TFoot"] == 1  # costs by city has a total
    # every figure in a table is tied to its column header and to its row's header (<th scope="row">)
    assert pdf.cell_headers and all(count == 2 for count in pdf.cell_headers)
    assert tags["L"] == 1 and tags["LI"] == 1  # the one released takeaway
    assert tags["Figure"] == len(pdf.figure_alts) >= 1
    assert all(alt.startswith("Diagramm: ") for alt in pdf.figure_alts)
    assert "Diagramm: Reisekosten nach Stadt. Die Zahlen stehen in der Tabelle darunter." in pdf.figure_alts


@needs_poppler
def test_the_report_text_has_title_figures_cities_and_takeaways(tmp_path):
    text = pdf_text(render(), tmp_path)

    assert "Jahresbilanz 2026" in text
    assert "Zeitraum 01.01.2026 bis 31.12.2026" in text
    assert "erstellt am 22.11.2026" in text
    assert "Beteiligte Personen" in text and "25" in text  # a key figure
    assert "Nürnberg" in text  # a city of the matrix
    assert "1.234,56 €" in text and "1.322,56 €" in text  # costs in German notation, with the total
    assert "Wohnungspolitisches Konzept <Entwurf>" in text  # typed text is escaped, shown as typed
    assert "Früh die Wohnungswirtschaft einbinden & Mieterbeirat fragen" in text
    assert "Expertise aus: Bremen, Nürnberg" in text
    assert "Keine Kernaussage freigegeben." in text
    assert "Keine Daten im Zeitraum." in text  # the empty costs-by-topic table says so


@needs_poppler
def test_the_report_without_completed_exchanges_says_so(tmp_path):
    text = pdf_text(render(exchanges=[], scope="Leipzig"), tmp_path)
    assert "Zahlen für Leipzig" in text
    assert "Im Zeitraum wurde kein Austausch abgeschlossen." in text


@needs_poppler
def test_the_report_numbers_its_pages_in_german(tmp_path):
    text = pdf_text(render(), tmp_path)
    assert "Seite 1 von " in text and "Page 1" not in text


@needs_poppler
def test_the_report_is_written_in_the_active_language(tmp_path):
    """Asked for in English, every text of the report is English: headings, lead, notes, chart
    alternatives, page numbers and the document's language (/Lang)."""
    with translation.override("en"):
        pdf = render(scope="the whole network")
    tagged = tagged_pdf(pdf)
    assert tagged.language == "en" and tagged.title == "koopstadt C+R – Annual report 2026"
    assert tagged.tags["H2"] == 4
    assert tagged.figure_alts and all(alt.startswith("Chart: ") for alt in tagged.figure_alts)
    assert "Chart: Reisekosten nach Stadt. The figures are in the table below it." in tagged.figure_alts

    text = " ".join(pdf_text(pdf, tmp_path).split())
    for heading in ("Key figures", "Who coached whom?", "Travel costs", "Completed exchanges"):
        assert heading in text
    assert "Period 01.01.2026 to 31.12.2026" in text and "Figures for the whole network" in text
    assert "created on 22.11.2026" in text
    assert "2 completed exchanges with the takeaways of their reflections" in text
    assert "Requesting city: Leipzig" in text and "Expertise from: Bremen, Nürnberg" in text
    assert "No takeaway released." in text and "No data in the period." in text
    assert "Page 1 of " in text
    for german in ("Jahresbilanz", "Zeitraum", "Abgeschlossene", "Keine", "Seite", "Diagramm", "Termin"):
        assert german not in text, german


@needs_poppler
def test_the_report_without_completed_exchanges_says_so_in_english(tmp_path):
    with translation.override("en"):
        text = pdf_text(render(exchanges=[], scope="Leipzig"), tmp_path)
    assert "Figures for Leipzig" in text and "No exchange was completed in the period." in text


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils")
def test_the_first_page_renders_as_a_picture(tmp_path):
    source = tmp_path / "bilanz.pdf"
    source.write_bytes(render())
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "jahresbilanz-seite-1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source), str(target)],
        check=True,
        timeout=60,
    )
    picture = target.with_suffix(".png")
    assert picture.exists() and picture.stat().st_size > 5000
    assert picture.read_bytes().startswith(b"\x89PNG")


@needs_poppler
@pytest.mark.django_db
def test_the_demo_networks_annual_report_names_its_cities_and_takeaways(client, demo, tmp_path):
    """The report as a coordinator downloads it for the demo network, and its first page as a picture."""
    from django.urls import reverse
    from django.utils import timezone

    from cities.directory.models import User
    from koopstadt.development.demo_exchanges import demo_requests_load

    demo_requests_load()
    year = timezone.localdate().year
    client.force_login(User.objects.get(email="koordination@example.org"))
    response = client.get(reverse("exchanges:statistics_report", kwargs={"year": year}))
    assert response.status_code == 200

    text = pdf_text(response.content, tmp_path)
    assert f"Jahresbilanz {year}" in text
    assert "Zahlen für das ganze Netzwerk" in text
    assert "Leipzig" in text and "Bremen" in text
    assert "Eine Mobilitätsstation wirkt nur mit guter Radabstellanlage" in text
    tagged = tagged_pdf(response.content)
    assert (
        tagged.marked and tagged.language == "de" and tagged.title == f"koopstadt C+R – Jahresbilanz {year}"
    )
    assert tagged.tags["Table"] >= 1 and tagged.tags["H2"] >= 1
    source = tmp_path / "demo.pdf"
    source.write_bytes(response.content)
    ARTIFACTS.mkdir(exist_ok=True)
    target = ARTIFACTS / "jahresbilanz-demo-seite-1"
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(source), str(target)],
        check=True,
        timeout=60,
    )
    assert target.with_suffix(".png").stat().st_size > 5000
