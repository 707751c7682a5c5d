"""Writing a request in Chromium, with JavaScript on and off (issue 23): the form suggests topics from the
text with the words that led to them and shows similar completed exchanges beside it; a suggested topic
is chosen with one click — at once with JavaScript, by sending the form back (nothing saved, nothing
lost) without it. axe on every page at desktop and phone width."""

import pytest
from playwright.sync_api import expect

from exchanges.cycle.models import ExchangeRequest
from koopstadt.development.demo_data import DEMO_PASSWORD
from tests.browser.test_live_feedback import (  # noqa: F401 - fixtures
    both_widths,
    javascript,
    portal,
    world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Mobilitätsstationen im Quartier"
PAST_TITLE = "Radverkehr und Mobilitätsstation am Bahnhof"  # Bremen's completed demo exchange
NEED = "Wir wollen Carsharing, Leihräder und den Radverkehr an neuen Mobilitätsstationen bündeln."


def test_the_form_suggests_topics_from_the_text_and_one_click_chooses_one(portal, world, javascript):  # noqa: F811
    page = portal.page
    portal.log_in("anna.schmidt@example.org", DEMO_PASSWORD)
    portal.goto("/anfragen/neu/", "new-request")
    both_widths(portal, "new-request")
    suggestions = page.locator("#topic-suggestions")
    expect(suggestions).to_contain_text("Schreiben Sie Titel und Anliegen")
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Ihr Anliegen").fill(NEED)
    if javascript:
        # Renewed as one writes, without sending the form.
        expect(suggestions).to_contain_text("„Mobilitätsstationen“")
    else:
        page.wait_for_timeout(1000)
        expect(suggestions).to_contain_text("Schreiben Sie Titel und Anliegen")  # nothing without the button
        page.get_by_role("button", name="Themen zu meinem Text vorschlagen").click()
        portal.check("suggested")
        expect(suggestions).to_contain_text("„Mobilitätsstationen“")
    # Beside the form: the completed exchange that may already answer it ("Vielleicht hilft das schon").
    expect(page.locator("#similar-exchanges-results")).to_contain_text(PAST_TITLE)
    both_widths(portal, "suggestions")
    mobility = page.get_by_role("checkbox", name="Mobilität", exact=True)
    expect(mobility).not_to_be_checked()
    page.get_by_role("button", name="„Mobilität“ wählen").click()
    if not javascript:
        portal.check("chosen")
        expect(page.locator(".alert")).to_contain_text("Thema „Mobilität“ ausgewählt")
    expect(mobility).to_be_checked()
    expect(page.get_by_label("Titel")).to_have_value(TITLE)  # nothing typed is lost
    expect(page.get_by_label("Ihr Anliegen")).to_have_value(NEED)
    both_widths(portal, "chosen")
    assert not ExchangeRequest.objects.filter(title=TITLE).exists()  # nothing saved yet
    page.get_by_role("button", name="Entwurf speichern").first.click()
    portal.check("saved")
    saved = ExchangeRequest.objects.get(title=TITLE)
    assert list(saved.topics.values_list("slug", flat=True)) == ["mobilitaet"]
