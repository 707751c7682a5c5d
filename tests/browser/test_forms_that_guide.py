"""Forms that guide, in Chromium (issue 20, part 3): "Anfrage einreichen" on an incomplete draft leads to its
form with the error summary focused; each link of the summary moves the focus to its field. axe on every
page at desktop width and on a 390 px phone."""

import pytest
from playwright.sync_api import expect

from koopstadt.development.demo_data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REQUESTER = "jonas.fischer@example.org"
TITLE = "Beteiligung im Quartier, noch unvollständig"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def check_both_widths(portal, label: str) -> None:
    """axe at desktop width and on a phone; on the phone nothing scrolls sideways."""
    page = portal.page
    for suffix, size in (("", DESKTOP), ("-phone", PHONE)):
        page.set_viewport_size(size)
        portal.check(f"{label}{suffix}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{label}{suffix}"
    page.set_viewport_size(DESKTOP)


def test_submitting_an_incomplete_draft_focuses_the_summary_whose_links_lead_to_the_fields(portal, demo):
    page = portal.page
    portal.log_in(REQUESTER, DEMO_PASSWORD)
    portal.goto("/anfragen/neu/", "new-request")
    # Every field needed for submitting says so in its label (and so in its accessible name).
    expect(page.get_by_label("Titel (Pflichtfeld für das Einreichen)")).to_be_visible()
    expect(page.get_by_label("Ihr Anliegen (Pflichtfeld für das Einreichen)")).to_be_visible()
    expect(page.get_by_role("group", name="Anlass (Pflichtfeld für das Einreichen)")).to_be_visible()
    page.locator("#id_title").fill(TITLE)
    page.get_by_role("button", name="Entwurf speichern").click()
    portal.check("draft-saved")
    page.locator("#id_submit-comment").fill("Bitte bald ansehen")

    # when the requester submits the incomplete draft from its page
    page.get_by_role("button", name="Anfrage einreichen").click()
    page.wait_for_load_state("load")

    # then its form comes back with the error summary focused, one message next to each missing field
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Bitte korrigieren Sie Folgendes:")
    expect(summary.get_by_role("link")).to_have_count(8)
    expect(page.locator(".invalid-feedback")).to_have_count(8)
    expect(page.locator("#id_note")).to_have_value("Bitte bald ansehen")
    check_both_widths(portal, "incomplete")
    expect(summary).to_be_focused()

    # a link of the summary moves the focus to its field: a text area, a group of radio buttons, a date
    for link, field in (
        ("Ihr Anliegen: Bitte füllen Sie dieses Feld vor dem Einreichen aus.", "id_need"),
        ("Anlass: Bitte wählen Sie vor dem Einreichen eine der Möglichkeiten.", "id_occasion_0"),
        ("Frühestes Datum: Bitte füllen Sie dieses Feld vor dem Einreichen aus.", "id_earliest_date"),
    ):
        summary.get_by_role("link", name=link).click()
        assert focused_id(page) == field, link
        page.locator("#error-summary").focus()

    # and the keyboard works the same on a phone
    page.set_viewport_size(PHONE)
    summary.get_by_role(
        "link", name="Anzahl der Reisenden: Bitte füllen Sie dieses Feld vor dem Einreichen aus."
    ).focus()
    page.keyboard.press("Enter")
    assert focused_id(page) == "id_travellers"
    expect(page.locator("#id_travellers")).to_be_in_viewport()
    page.set_viewport_size(DESKTOP)

    # Filling in one field and submitting again leaves one message fewer.
    page.locator("#id_need").fill("Wir suchen Erfahrungen mit Beteiligungsformaten im Quartier.")
    page.get_by_role("button", name="Speichern und einreichen").click()
    page.wait_for_load_state("load")
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary").get_by_role("link")).to_have_count(7)
    portal.check("incomplete-again")
