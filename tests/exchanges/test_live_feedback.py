"""Live feedback without a full reload (issue 20, part 4): htmx asks the same addresses with HX-Request and
gets only the part that changes; without it the whole page, as without JavaScript.

The claim's live calculation saves nothing (no version, no event, no audit entry) and shows the numbers
that "Save and recalculate" then stores. These tests fail on the code before: there was no calculate
address, and the lists answered the whole page to htmx.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cities.directory.models import User
from cities.operations.models import AuditEvent
from exchanges.travel.models import ClaimStatus, TravelClaim
from exchanges.travel.services.claims import claim_shown_calculation
from tests.exchanges.claims_world import day_trip_draft, held_exchange, meeting_day

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def demo(demo_world, db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(email: str) -> User:
    return User.objects.get(email=email)


@pytest.fixture
def claim(demo) -> TravelClaim:
    """Petra's draft: a day trip to the held exchange's meeting, 07:00–18:00 (14 € allowance)."""
    return day_trip_draft(held_exchange())


def _trip_form(claim: TravelClaim, *, end: str = "18:00", meals: tuple[str, ...] = ()) -> dict:
    day = meeting_day(claim.exchange)
    data = {
        "trip_start": f"{day:%d.%m.%Y} 07:00",
        "trip_end": f"{day:%d.%m.%Y} {end}",
        "origin": "Leipzig",
        "destination": "Bremen",
        "purpose": claim.purpose,
        "flat_nights": "0",
        "car_km": "0",
        "local_transport": "0",
        "version": str(claim.version),
    }
    data.update({f"meals-{day.isoformat()}_{meal}": "on" for meal in meals})
    return data


def _total(html: str) -> str:
    """The total the calculation's table shows ("14,00 €")."""
    match = re.search(r"<tfoot>.*?<strong>([^<]+)</strong>", html, re.S)
    assert match, html
    return match.group(1).replace("\xa0", " ")


def test_the_claim_page_offers_the_live_calculation_and_keeps_the_button(client, claim):
    client.force_login(claim.traveller)
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert f'hx-post="{reverse("exchanges:claim_calculate", args=[claim.pk])}"' in page
    assert 'hx-target="#claim-calculation"' in page
    assert 'id="calculation-status" role="status" aria-live="polite"' in page
    # without JavaScript the form still posts to "Save and recalculate"
    assert f'action="{reverse("exchanges:claim_edit", args=[claim.pk])}"' in page
    assert "Speichern und neu berechnen" in page


def test_live_calculation_answers_the_fragment_with_the_new_total_and_saves_nothing(client, claim):
    client.force_login(claim.traveller)
    url = reverse("exchanges:claim_calculate", args=[claim.pk])
    before = (claim.version, AuditEvent.objects.count(), claim.events.count())
    assert claim_shown_calculation(claim).total == Decimal("14.00")

    # back at 23:30 and lunch provided: the 14 € allowance less 40 % of 28 € (11.20 €) = 2.80 €
    response = client.post(url, _trip_form(claim, end="23:30", meals=("lunch",)), **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html  # only the calculation
    assert 'id="calculation-preview"' in html and "Noch nicht gespeichert" in html
    assert 'id="calculation-status"' in html and 'hx-swap-oob="true"' in html
    preview_total = _total(html)
    assert preview_total == "2,80 €"
    assert "HX-Request" in response["Vary"]

    claim.refresh_from_db()
    assert (claim.version, AuditEvent.objects.count(), claim.events.count()) == before
    assert claim.meals in ({}, None) and claim_shown_calculation(claim).total == Decimal("14.00")

    # The way without JavaScript: the same entries saved give the same numbers.
    saved = client.post(
        reverse("exchanges:claim_edit", args=[claim.pk]), _trip_form(claim, end="23:30", meals=("lunch",))
    )
    assert saved.status_code == 302
    claim.refresh_from_db()
    assert claim.version == before[0] + 1
    assert claim_shown_calculation(claim).total == Decimal("2.80")
    page = client.get(reverse("exchanges:claim_detail", args=[claim.pk])).content.decode()
    assert _total(page) == preview_total


def test_live_calculation_names_what_cannot_be_calculated(client, claim):
    client.force_login(claim.traveller)
    data = _trip_form(claim)
    data["trip_end"] = (
        f"{meeting_day(claim.exchange) - timedelta(days=1):%d.%m.%Y} 18:00"  # back before leaving
    )
    response = client.post(reverse("exchanges:claim_calculate", args=[claim.pk]), data, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Die Berechnung konnte nicht aktualisiert werden" in html
    assert "Reiseende: Die Reise muss nach ihrem Beginn enden." in html  # the field and its problem
    version = claim.version
    claim.refresh_from_db()
    assert claim.version == version


def test_live_calculation_of_a_submitted_claim_is_refused_and_saves_nothing(client, claim):
    TravelClaim.objects.filter(pk=claim.pk).update(status=ClaimStatus.SUBMITTED)
    claim.refresh_from_db()
    client.force_login(claim.traveller)
    response = client.post(
        reverse("exchanges:claim_calculate", args=[claim.pk]), _trip_form(claim, meals=("lunch",)), **HTMX
    )
    html = response.content.decode()
    assert "Die Berechnung konnte nicht aktualisiert werden" in html
    assert "<tfoot>" not in html
    claim.refresh_from_db()
    assert not claim.meals


def test_live_calculation_is_not_answered_to_others(client, claim):
    client.force_login(person("anna.schmidt@example.org"))
    response = client.post(reverse("exchanges:claim_calculate", args=[claim.pk]), _trip_form(claim), **HTMX)
    assert response.status_code in (403, 404)


def test_live_calculation_takes_posts_only(client, claim):
    client.force_login(claim.traveller)
    assert client.get(reverse("exchanges:claim_calculate", args=[claim.pk]), **HTMX).status_code == 405


LISTS = [
    ("exchanges:triage", "koordination@example.org", "triage-results", {"status": "all"}, "Anfragen"),
    ("cities:expert_list", "petra.neumann@example.org", "expert-results", {"q": "Schule"}, "Expert"),
    (
        "exchanges:knowledge_base",
        "petra.neumann@example.org",
        "knowledge-results",
        {"q": "Schule"},
        "Reflexion",
    ),
    ("exchanges:finance_queue", "finanzen@example.org", "finance-results", {"status": "all"}, "Abrechnung"),
]


@pytest.mark.parametrize(("name", "email", "target", "params", "word"), LISTS)
def test_filters_answer_htmx_with_the_list_alone_and_the_page_without_it(
    client, demo, name, email, target, params, word
):
    client.force_login(person(email))
    url = reverse(name)

    page = client.get(url, params)
    html = page.content.decode()
    assert page.status_code == 200 and "<html" in html
    assert f'hx-get="{url}"' in html and f'hx-target="#{target}"' in html and 'hx-push-url="true"' in html
    assert f'<div id="{target}"' in html
    assert '<p id="results-status" class="visually-hidden" role="status"></p>' in html
    assert "HX-Request" in page["Vary"]

    fragment = client.get(url, params, **HTMX)
    part = fragment.content.decode()
    assert fragment.status_code == 200
    assert "<html" not in part and 'method="get"' not in part  # neither the layout nor the filter form
    assert 'id="results-status"' in part and 'hx-swap-oob="true"' in part and word in part
    assert "HX-Request" in fragment["Vary"]
    # what the list shows is the same with and without htmx
    assert _same(part.split('<p id="results-status"')[0]) in _same(html)
    # the "Filters" button's count of set filters (outside the list) is sent along and replaces its own
    count = re.search(r'<span id="([a-z]+-filters)-count" hx-swap-oob="true">(.*?)</span>\s*$', part, re.S)
    assert count, part[-400:]
    assert f'aria-controls="{count[1]}"' in html and f'<span id="{count[1]}-count">' in html
    assert "1 gesetzt" in count[2]


def _same(html: str) -> str:
    """``html`` without the differences of white space and of the CSRF token of each answer."""
    return re.sub(r"\s+", " ", re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)).strip()


@pytest.mark.parametrize(("name", "email", "target", "params", "word"), LISTS)
def test_the_list_alone_needs_no_more_queries_than_the_page(client, demo, name, email, target, params, word):
    client.force_login(person(email))
    url = reverse(name)
    client.get(url, params)  # warm caches
    with CaptureQueriesContext(connection) as whole:
        client.get(url, params)
    with CaptureQueriesContext(connection) as part:
        client.get(url, params, **HTMX)
    assert len(part) <= len(whole)


def test_a_filter_with_errors_sends_htmx_to_the_whole_page(client, demo):
    client.force_login(person("finanzen@example.org"))
    response = client.get(reverse("exchanges:finance_queue"), {"min_amount": "viel"}, **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("exchanges:finance_queue") + "?min_amount=viel"
    page = client.get(reverse("exchanges:finance_queue"), {"min_amount": "viel"}).content.decode()
    assert 'id="error-summary"' in page


def test_history_restore_gets_the_whole_page(client, demo):
    client.force_login(person("koordination@example.org"))
    response = client.get(
        reverse("exchanges:triage"), **HTMX, HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()
    assert "<html" in response


def test_htmx_is_served_from_the_package_under_the_strict_csp(client, demo):
    assert finders.find("django_htmx/htmx-2.min.js")
    client.force_login(person("petra.neumann@example.org"))
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert re.search(
        r'<script src="/static/django_htmx/htmx-2\.min\.[0-9a-f.]*js" defer></script>', html
    ) or ('<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in html)
    config = re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)
    assert config, "htmx is configured by a meta tag (no inline script)"
    import json

    settings_ = json.loads(config.group(1))
    assert settings_["allowEval"] is False and settings_["includeIndicatorStyles"] is False
    assert "style" not in settings_["attributesToSettle"]  # htmx would set style attributes the CSP blocks
    assert settings_["historyCacheSize"] == 0  # nothing of a page in the browser's storage
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy and "unsafe-inline" not in policy
    assert "<script>" not in html and " hx-on" not in html


# --- the new claim's dates, checked on leaving them ------------------------------------------------------
def _new_trip(day, start: str = "07:00", end: str = "18:00") -> dict:
    return {
        "trip_start": f"{day:%d.%m.%Y} {start}",
        "trip_end": f"{day:%d.%m.%Y} {end}",
        "origin": "",
        "destination": "",
        "purpose": "",
        "flat_nights": "0",
        "car_km": "0",
        "local_transport": "0",
    }


def test_the_new_claim_form_checks_its_dates_on_leaving_them(client, demo):
    exchange = held_exchange()
    client.force_login(exchange.requester)
    url = reverse("exchanges:claim_create", args=[exchange.pk])
    page = client.get(url).content.decode()
    assert 'id="trip-check" class="mb-3" role="status" aria-live="polite"' in page
    assert 'hx-trigger="change from:#id_trip_start, change from:#id_trip_end"' in page
    day = meeting_day(exchange)

    fits = client.post(url, _new_trip(day), **HTMX).content.decode()
    assert "Die Reisedaten passen zum Termin des Austauschs." in fits and "<form" not in fits

    misses = client.post(url, _new_trip(day - timedelta(days=9)), **HTMX).content.decode()
    assert "Bitte prüfen Sie die Reise:" in misses
    assert "erreicht den Termin des Austauschs am" in misses

    backwards = client.post(url, _new_trip(day, start="18:00", end="07:00"), **HTMX).content.decode()
    assert "Reiseende: Die Reise muss nach ihrem Beginn enden." in backwards

    # origin and destination are still empty: no complaint about them while the dates are checked
    assert "Von" not in misses and not TravelClaim.objects.filter(exchange=exchange).exists()

    # without htmx the same address still saves the draft (and names the missing fields)
    response = client.post(url, _new_trip(day))
    assert response.status_code == 200 and 'id="error-summary"' in response.content.decode()
