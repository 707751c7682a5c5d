"""The whole C+R cycle in Chromium: accept → routed → expert proposed → accepts by link → scheduled →
held → reflection → completed → found in the knowledge base. Four people, axe on every page."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from exchanges.cycle.models import ExchangeRequest, Meeting
from koopstadt.development.demo_data import DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Erfahrungen mit Mobilitätsstationen im Quartier"


def test_the_whole_cycle(portal, demo):
    from koopstadt.development.demo_exchanges import demo_requests_load

    demo_requests_load()
    page = portal.page
    request = ExchangeRequest.objects.get(title=TITLE)
    url = portal.base_url + request.get_absolute_url()

    # The city contact of Nürnberg accepts; routing runs.
    portal.log_in("kontakt.nuernberg@example.org", DEMO_PASSWORD)
    page.goto(url)
    portal.check("contact-detail")
    page.get_by_role("button", name="Annehmen und an die Koordination weiterleiten").click()
    portal.check("accepted")
    page.get_by_role("button", name="Abmelden").click()

    # The coordinator sees the routing with its reasons and asks Henrik Brandt.
    portal.log_in("koordination@example.org", DEMO_PASSWORD)
    page.goto(url)
    portal.check("coordinator-routing")
    expect(page.get_by_role("heading", name="Zuordnung zu Fachressorts")).to_be_visible()
    expect(page.get_by_text("Thema Mobilität").first).to_be_visible()
    page.get_by_label(re.compile("Henrik Brandt")).check()
    page.get_by_label("Nachricht an die Expertinnen und Experten").fill("Hätten Sie im Frühjahr Zeit?")
    page.get_by_role("button", name="Ausgewählte Expertinnen und Experten anfragen").click()
    portal.check("proposed")
    page.get_by_role("button", name="Abmelden").click()

    # The expert answers through the signed link in the e-mail, without logging in.
    invitation_mail = next(m for m in mail.outbox if m.to == ["henrik.brandt@example.org"])
    link = re.search(r"http://[^/\s]+(/einladung/\S+/)", invitation_mail.body).group(1)
    page.goto(portal.base_url + link)
    portal.check("invitation-link")
    page.get_by_label("Ja, ich mache mit").check()
    page.get_by_role("textbox", name="Hinweis").fill("Im März passt es gut.")
    page.get_by_role("button", name="Antwort senden").click()
    portal.check("invitation-answered")
    expect(page.get_by_role("status")).to_contain_text("zugesagt")

    # The coordinator sets date and place.
    portal.log_in("koordination@example.org", DEMO_PASSWORD)
    page.goto(url)
    portal.check("agreed")
    page.get_by_role("link", name="Termin und Ort festlegen").click()
    portal.check("meeting-form")
    start = timezone.localtime() + timedelta(days=21)
    page.get_by_label("Beginn").fill(start.strftime("%d.%m.%Y") + " 10:00")
    page.get_by_label("Ende").fill(start.strftime("%d.%m.%Y") + " 14:00")
    page.get_by_label("Adresse").fill("Verkehrsplanungsamt, Lorenzer Str. 30")
    page.get_by_role("button", name="Speichern und Kalendereinträge senden").click()
    portal.check("scheduled")
    calendar = page.request.get(portal.base_url + request.get_absolute_url() + "termin.ics")
    assert calendar.ok and "BEGIN:VEVENT" in calendar.text()
    page.get_by_role("button", name="Abmelden").click()

    # Before the meeting the requester cannot confirm it took place: the page says from when.
    portal.log_in("lukas.meyer@example.org", DEMO_PASSWORD)
    page.goto(url)
    portal.check("requester-scheduled")
    expect(page.get_by_role("button", name="Der Austausch hat stattgefunden")).to_have_count(0)
    expect(page.get_by_text(start.strftime("%d.%m.%Y")).first).to_be_visible()
    expect(page.get_by_text("erst nach seinem Beginn", exact=False)).to_be_visible()
    # Three weeks later the meeting has taken place (moved into the past: test data); the requester
    # confirms it and writes the reflection.
    past = timezone.now() - timedelta(days=1)
    Meeting.objects.filter(request=request).update(starts_at=past, ends_at=past + timedelta(hours=4))
    page.reload()
    page.get_by_role("button", name="Der Austausch hat stattgefunden").click()
    portal.check("held")
    page.get_by_role("link", name="Reflexion schreiben").click()
    portal.check("reflection-form")
    page.get_by_label("Die wichtigste Erkenntnis in einem Satz").fill(
        "Mobilitätsstation zuerst im Neubauquartier erproben"
    )
    page.get_by_label("Was war die Frage?").fill("Wie starten wir mit Mobilitätsstationen?")
    page.get_by_label("Was wir gelernt haben").fill(
        "Bremen hat mit einer Pilotstation begonnen und dann ausgebaut."
    )
    page.get_by_role("button", name="Reflexion absenden").click()
    portal.check("completed")
    request.refresh_from_db()
    assert request.status == "completed"

    # Anyone signed in finds it in the knowledge base by another word form.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Wissensspeicher").click()
    portal.check("knowledge-base")
    page.get_by_label("Suchbegriff").fill("Mobilitätsstationen")
    page.get_by_role("button", name="Suchen").click()
    portal.check("knowledge-base-search")
    expect(
        page.get_by_role("heading", name="Mobilitätsstation zuerst im Neubauquartier erproben")
    ).to_be_visible()
