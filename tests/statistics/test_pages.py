"""The statistics pages, exports and annual report: who may see them, what they show, what they refuse."""

import csv
import io
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cities.directory.models import User
from cities.directory.roles import Role
from cities.operations.models import AuditEvent
from exchanges.cycle.models import ExchangeRequest, Status
from tests.cities.factories import CityFactory, DepartmentFactory, TopicFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory
from tests.pdf_checks import tagged_pdf

pytestmark = pytest.mark.django_db

PAGES = ["exchanges:statistics", "exchanges:statistics_cities", "exchanges:statistics_costs"]


def submitted_request(requester, topic, **values) -> ExchangeRequest:
    """A request submitted today (state set directly: these tests are about reading, not the workflow)."""
    request = ExchangeRequestFactory(requester=requester, topics=[topic], **values)
    ExchangeRequest.objects.filter(pk=request.pk).update(
        status=Status.SUBMITTED, reference=f"CR-T-{request.pk:05d}", submitted_at=timezone.now()
    )
    return request


@pytest.fixture
def network(db):
    """Two cities: Aachen with two requests on housing, Bonn with one on a topic only Bonn asks about."""
    aachen, bonn = CityFactory(name="Aachen", slug="aachen"), CityFactory(name="Bonn", slug="bonn")
    home, away = DepartmentFactory(city=aachen), DepartmentFactory(city=bonn)
    housing = TopicFactory(name="Wohnen", slug="wohnen")
    secret_topic = TopicFactory(name="Hafenkante Bonn", slug="hafenkante")
    requester = UserFactory(department=home, roles=[Role.STAFF])
    foreign_requester = UserFactory(department=away, roles=[Role.STAFF])
    for _ in range(2):
        submitted_request(requester, housing)
    submitted_request(foreign_requester, secret_topic)
    return {
        "aachen": aachen,
        "bonn": bonn,
        "housing": housing,
        "requester": requester,
        "foreign_requester": foreign_requester,
        "staff": requester,
        "contact": UserFactory(department=home, roles=[Role.CITY_CONTACT, Role.STAFF]),
        "liaison": UserFactory(department=home, roles=[Role.DEPARTMENT_LIAISON]),
        "expert": UserFactory(department=home, roles=[Role.EXPERT]),
        "finance": UserFactory(department=home, roles=[Role.FINANCE]),
        "coordinator": UserFactory(department=away, roles=[Role.COORDINATOR]),
        "superuser": UserFactory(department=away, is_superuser=True, is_staff=True),
    }


@pytest.fixture
def english_client(client, network):
    """English page texts: the German translations of the new texts are compiled by the lead later."""
    User.objects.update(preferred_language="en")  # a person's saved choice wins over the cookie
    return client


def scope_line(response) -> str:
    match = re.search(r'<p class="lead stat-scope">(.*?)</p>', response.content.decode(), re.S)
    assert match, "the page says whose figures it shows"
    return match.group(1)


def export_url(key: str, file_format: str, **query: str) -> str:
    url = reverse("exchanges:statistics_export", kwargs={"key": key, "file_format": file_format})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


# --- access -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("staff", 403),
        ("liaison", 403),
        ("expert", 403),
        ("finance", 403),
        ("contact", 200),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_only_the_coordination_and_city_contacts_see_statistics(client, network, name, role, expected):
    client.force_login(network[role])
    assert client.get(reverse(name)).status_code == expected


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_people_are_sent_to_the_log_in(client, network, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_downloads_and_the_report_are_refused_like_the_pages(client, network):
    client.force_login(network["staff"])
    assert client.get(export_url("requests_by_city", "csv")).status_code == 403
    assert client.get(export_url("requests_by_city", "xlsx")).status_code == 403
    assert client.get(reverse("exchanges:statistics_report", kwargs={"year": 2026})).status_code == 403


def test_the_pages_and_downloads_only_answer_get(client, network):
    client.force_login(network["coordinator"])
    urls = [
        *(reverse(name) for name in PAGES),
        export_url("requests_by_city", "csv"),
        export_url("requests_by_city", "xlsx"),
        reverse("exchanges:statistics_report", kwargs={"year": 2026}),
    ]
    for url in urls:
        assert client.post(url).status_code == 405, url
    client.logout()
    assert client.post(urls[0])["Location"].startswith(reverse("login"))


def test_the_navigation_offers_statistics_to_coordinators_and_city_contacts(english_client, network):
    for role, shown in (("coordinator", True), ("contact", True), ("staff", False), ("finance", False)):
        english_client.force_login(network[role])
        page = english_client.get(reverse("home")).content.decode()
        assert (f'href="{reverse("exchanges:statistics")}"' in page) is shown, role


# --- what the pages show ------------------------------------------------------------------------------------
def test_the_dashboard_shows_tables_with_captions_charts_and_export_links(english_client, network):
    english_client.force_login(network["coordinator"])
    response = english_client.get(reverse("exchanges:statistics"))
    page = response.content.decode()

    assert response.status_code == 200
    assert page.count("<h1") == 1
    assert "Figures for the whole network" in scope_line(response)
    year = timezone.localdate().year
    assert f"01.01.{year} to 31.12.{year}" in scope_line(response)
    for key in ("key_figures", "requests_by_state", "requests_by_topic", "requests_by_city", "held_per_year"):
        assert f'id="heading-{key}"' in page
        assert export_url(key, "csv") in page and export_url(key, "xlsx") in page
    assert "<caption>" in page
    # the strict CSP allows neither inline style nor inline script (htmx is a file of our own)
    assert "style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert reverse("exchanges:statistics_report", kwargs={"year": year}) in page


def test_the_city_matrix_and_costs_pages_render(english_client, network):
    english_client.force_login(network["coordinator"])
    for name, key in (
        ("exchanges:statistics_cities", "city_matrix_held"),
        ("exchanges:statistics_costs", "budget_use"),
    ):
        response = english_client.get(reverse(name))
        assert response.status_code == 200
        assert f'id="heading-{key}"' in response.content.decode()


def test_a_city_contact_sees_the_figures_of_their_own_city(english_client, network):
    english_client.force_login(network["contact"])
    response = english_client.get(reverse("exchanges:statistics"))

    line = scope_line(response)
    assert "Figures for Aachen" in line and "Bonn" not in line
    assert 'name="city"' not in response.content.decode()  # no city filter for city contacts
    # a city contact cannot ask for another city's figures
    response = english_client.get(reverse("exchanges:statistics"), {"city": network["bonn"].pk})
    assert "Figures for Aachen" in scope_line(response)


def test_a_coordinator_may_narrow_the_figures_to_one_city(english_client, network):
    english_client.force_login(network["coordinator"])
    response = english_client.get(reverse("exchanges:statistics"), {"city": network["bonn"].pk})
    assert "Figures for Bonn" in scope_line(response)
    assert f"city={network['bonn'].pk}" in response.content.decode()  # exports keep the choice


def test_a_year_can_be_chosen(english_client, network):
    english_client.force_login(network["coordinator"])
    response = english_client.get(reverse("exchanges:statistics"), {"year": timezone.localdate().year - 1})
    year = timezone.localdate().year - 1
    assert f"01.01.{year} to 31.12.{year}" in scope_line(response)


def test_dates_take_precedence_over_the_year(english_client, network):
    english_client.force_login(network["coordinator"])
    response = english_client.get(
        reverse("exchanges:statistics"),
        {"year": timezone.localdate().year, "start": "01.03.2024", "end": "15.04.2024"},
    )
    assert "01.03.2024 to 15.04.2024" in scope_line(response)
    assert "start=01.03.2024&amp;end=15.04.2024" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"start": "31.02.2026", "end": "01.03.2026"}, "start", "Enter a valid date."),
        (
            {"start": "10.03.2026", "end": "01.03.2026"},
            "end",
            "The end of the period must not be before its start.",
        ),
        ({"start": "01.03.2026"}, "end", "Please give the end of the period too, or choose a year."),
        ({"year": "1850"}, "year", "Select a valid choice."),
        ({"city": "999999"}, "city", "Select a valid choice."),
    ],
)
def test_a_bad_period_is_explained_at_its_field_and_the_default_period_shown(
    english_client, network, query, field, message
):
    english_client.force_login(network["coordinator"])
    response = english_client.get(reverse("exchanges:statistics"), query)
    page = response.content.decode()

    assert response.status_code == 200
    assert 'id="error-summary"' in page and f'href="#id_{field}"' in page
    assert message in page
    assert 'aria-invalid="true"' in page or "is-invalid" in page
    year = timezone.localdate().year
    assert f"01.01.{year} to 31.12.{year}" in scope_line(response)
    assert "Figures for the whole network" in scope_line(response)


# --- exports --------------------------------------------------------------------------------------------------
def test_a_csv_export_is_an_attachment_with_bom_and_semicolons(client, network):
    client.force_login(network["coordinator"])
    response = client.get(export_url("requests_by_topic", "csv", start="01.01.2000", end="31.12.2099"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="requests_by_topic-2000-01-01-2099-12-31.csv"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content.startswith(b"\xef\xbb\xbf")
    header = response.content.decode("utf-8-sig").split("\r\n")[0]
    assert ";" in header
    assert AuditEvent.objects.filter(
        kind=AuditEvent.Kind.EXPORT, actor=network["coordinator"], details__table="requests_by_topic"
    ).exists()


def test_an_xlsx_export_opens_as_a_workbook(client, network):
    client.force_login(network["coordinator"])
    response = client.get(export_url("costs_by_city", "xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"].startswith('attachment; filename="costs_by_city-')
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.active.max_column >= 2


@pytest.mark.parametrize(("key", "file_format"), [("no_such_table", "csv"), ("requests_by_city", "pdf")])
def test_unknown_tables_and_formats_are_not_found(client, network, key, file_format):
    client.force_login(network["coordinator"])
    assert client.get(export_url(key, file_format)).status_code == 404


def test_exports_follow_the_scope_of_the_city_contact(client, network):
    """The coordination's export names the other city's topic; the city contact's never does."""
    query = {"start": "01.01.2000", "end": "31.12.2099"}
    client.force_login(network["coordinator"])
    network_rows = csv_rows(client.get(export_url("requests_by_topic", "csv", **query)))
    network_cities = csv_rows(client.get(export_url("requests_by_city", "csv", **query)))
    assert any("Hafenkante Bonn" in row for row in network_rows)
    assert any("Bonn" in row for row in network_cities)

    client.force_login(network["contact"])
    own_rows = csv_rows(client.get(export_url("requests_by_topic", "csv", **query)))
    own_cities = csv_rows(client.get(export_url("requests_by_city", "csv", **query)))
    assert any("Wohnen" in row for row in own_rows)
    assert not any("Hafenkante Bonn" in row for row in own_rows)
    assert any("Aachen" in row for row in own_cities)
    assert not any("Bonn" in row for row in own_cities)
    # asking for Bonn does not help
    asked = csv_rows(
        client.get(export_url("requests_by_topic", "csv", city=str(network["bonn"].pk), **query))
    )
    assert not any("Hafenkante Bonn" in row for row in asked)


def test_typed_names_are_escaped_on_the_page(english_client, network):
    hostile = TopicFactory(name="<script>alert(1)</script>", slug="hostile")
    submitted_request(network["requester"], hostile)
    english_client.force_login(network["coordinator"])
    page = english_client.get(reverse("exchanges:statistics")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


# --- the annual report ----------------------------------------------------------------------------------------
def test_the_annual_report_is_a_pdf_attachment(client, network, tmp_path):
    year = timezone.localdate().year
    client.force_login(network["coordinator"])
    response = client.get(reverse("exchanges:statistics_report", kwargs={"year": year}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="Jahresbilanz-{year}.pdf"'
    assert response.content.startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        path = tmp_path / "bilanz.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert f"Jahresbilanz {year}" in text
        assert "Zahlen für das ganze Netzwerk" in text


def test_an_english_speaker_gets_the_annual_report_in_english(english_client, network, tmp_path):
    """The report is written in the language of the person who asks for it: texts, file name, /Lang."""
    year = timezone.localdate().year
    english_client.force_login(network["coordinator"])
    response = english_client.get(reverse("exchanges:statistics_report", kwargs={"year": year}))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="Annual-report-{year}.pdf"'
    tagged = tagged_pdf(response.content)
    assert tagged.language == "en" and tagged.title == f"koopstadt C+R – Annual report {year}"
    if shutil.which("pdftotext"):
        path = tmp_path / "report.pdf"
        path.write_bytes(response.content)
        text = " ".join(
            subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
            ).stdout.split()
        )
        assert f"Annual report {year}" in text and "Figures for the whole network" in text
        assert "Key figures" in text and "Who coached whom?" in text and "Completed exchanges" in text
        assert "Page 1 of" in text
        assert "Jahresbilanz" not in text and "Zahlen für" not in text and "Seite" not in text


def test_a_city_contacts_annual_report_is_their_citys(client, network, tmp_path):
    year = timezone.localdate().year
    client.force_login(network["contact"])
    response = client.get(reverse("exchanges:statistics_report", kwargs={"year": year}))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="Jahresbilanz-{year}-aachen.pdf"'
    if shutil.which("pdftotext"):
        path = tmp_path / "bilanz.pdf"
        path.write_bytes(response.content)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Zahlen für Aachen" in text


@pytest.mark.parametrize("year", [1999, 2101])
def test_an_annual_report_outside_sensible_years_is_not_found(client, network, year):
    client.force_login(network["coordinator"])
    assert client.get(reverse("exchanges:statistics_report", kwargs={"year": year})).status_code == 404


# --- cost ---------------------------------------------------------------------------------------------------
def dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("exchanges:statistics"), {"start": "01.01.2000", "end": "31.12.2099"})
    assert response.status_code == 200
    return len(queries)


def test_the_dashboard_costs_the_same_number_of_queries_for_few_and_many_requests(client, network):
    client.force_login(network["coordinator"])
    client.get(reverse("exchanges:statistics"))  # warm up the session and the content types
    few = dashboard_queries(client)

    topics = [TopicFactory() for _ in range(5)]
    earlier = timezone.now() - timedelta(days=400)
    for number in range(60):
        request = submitted_request(
            network["requester"] if number % 2 else network["foreign_requester"], topics[number % 5]
        )
        if number % 3 == 0:
            ExchangeRequest.objects.filter(pk=request.pk).update(submitted_at=earlier)
    many = dashboard_queries(client)

    assert many == few
