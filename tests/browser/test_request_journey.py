"""The requests issue's journey in Chromium: three people, axe on every page."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from exchanges.cycle.models import ExchangeRequest
from koopstadt.development.demo_data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REQUESTER = "jonas.fischer@example.org"
CONTACT = "kontakt.bremen@example.org"
COORDINATOR = "koordination@example.org"
TITLE = "Beteiligung bei der Quartiersentwicklung"


def _log_out(portal) -> None:
    portal.page.get_by_role("button", name="Abmelden").click()


def _open_request(portal, link_name: str, label: str) -> None:
    portal.page.get_by_role("link", name=link_name).first.click()
    portal.check(label)


def test_draft_submit_return_answer_accept_triage(portal, demo):
    page = portal.page
    today = timezone.localdate()

    # The requester starts a draft with a title only and leaves.
    portal.log_in(REQUESTER, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Meine Anfragen").click()
    portal.check("my-requests")
    page.get_by_role("link", name="Neue C+R-Anfrage").click()
    portal.check("new-request")
    page.locator("#id_title").fill(TITLE)
    page.get_by_role("button", name="Entwurf speichern").click()
    portal.check("draft-saved")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    _log_out(portal)

    # They come back, complete and submit it.
    portal.log_in(REQUESTER, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Meine Anfragen").click()
    portal.check("my-requests-again")
    _open_request(portal, TITLE, "draft-detail")
    page.get_by_role("link", name="Entwurf bearbeiten").click()
    portal.check("edit-draft")
    page.get_by_label("Beteiligung", exact=True).check()
    page.locator("#id_need").fill("Wir suchen Erfahrungen mit Beteiligungsformaten im Quartier.")
    page.locator("input[name=occasion][value=question]").check()
    page.locator("#id_preferred_format").select_option("workshop")
    page.locator("input[name=direction][value=expert_travels]").check()
    page.locator("#id_earliest_date").fill((today + timedelta(days=14)).strftime("%d.%m.%Y"))
    page.locator("#id_latest_date").fill((today + timedelta(days=60)).strftime("%d.%m.%Y"))
    page.locator("#id_travellers").fill("1")
    page.get_by_role("button", name="Speichern und einreichen").click()
    portal.check("submitted")
    request = ExchangeRequest.objects.get(title=TITLE)
    expect(page.get_by_text(request.reference).first).to_be_visible()
    _log_out(portal)

    # The city contact returns it with a question.
    portal.log_in(CONTACT, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Posteingang meiner Stadt"
    ).click()
    portal.check("contact-inbox")
    _open_request(portal, f"{request.reference}: {TITLE}", "contact-detail")
    page.locator("#id_return_for_changes-comment").fill("Welche Quartiere sind gemeint?")
    page.get_by_role("button", name="Zur Überarbeitung zurückgeben").click()
    portal.check("returned")
    _log_out(portal)

    # The requester answers and submits again.
    portal.log_in(REQUESTER, DEMO_PASSWORD)
    page.goto(portal.base_url + request.get_absolute_url())
    portal.check("returned-detail")
    expect(page.get_by_text("Welche Quartiere sind gemeint?")).to_be_visible()
    page.get_by_role("link", name="Antworten und Anfrage bearbeiten").click()
    portal.check("answer")
    # The edit page shows the question above the field for the answer.
    question = page.get_by_role("group", name="Die Frage Ihrer Ansprechperson")
    expect(question).to_contain_text("Welche Quartiere sind gemeint?")
    question.get_by_label("Ihre Antwort auf die Frage").fill("Gröpelingen und die Neue Vahr.")
    page.locator("#id_need").fill("Gemeint sind Gröpelingen und die Neue Vahr.")
    page.get_by_role("button", name="Speichern und einreichen").click()
    portal.check("resubmitted")
    _log_out(portal)

    # The city contact sees the answer in the timeline and accepts.
    portal.log_in(CONTACT, DEMO_PASSWORD)
    page.goto(portal.base_url + request.get_absolute_url())
    portal.check("contact-detail-again")
    expect(page.get_by_text("Gröpelingen und die Neue Vahr.", exact=True)).to_be_visible()
    page.get_by_role("button", name="Annehmen und an die Koordination weiterleiten").click()
    portal.check("accepted")
    _log_out(portal)

    # A coordinator sees it in the triage.
    portal.log_in(COORDINATOR, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Triage").click()
    portal.check("triage")
    expect(page.get_by_role("link", name=f"{request.reference}: {TITLE}")).to_be_visible()
    _open_request(portal, f"{request.reference}: {TITLE}", "coordinator-detail")
    portal.page.get_by_role("link", name="Benachrichtigungen").click()
    portal.check("notifications")

    request.refresh_from_db()
    # Accepting started the routing, which found departments in the partner cities.
    assert request.status == "matching"
    public = request.timeline.filter(is_public=True).values_list("action", flat=True)
    assert list(public)[:4] == ["submit", "return_for_changes", "submit", "accept"]
