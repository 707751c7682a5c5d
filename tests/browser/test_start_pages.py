"""Start pages and where a request stands, in Chromium (issue 20): each role's start page with real work in
it, the progress indicator on a request page, and the message after a step; axe on every page at desktop
width and on a 390 px phone. Screenshots of the start pages: test-artifacts/start-<role>.png (and -phone)."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cities.directory.models import User
from cities.operations.models import FailedTask
from exchanges.cycle.models import ExchangeRequest
from exchanges.cycle.services.invitations import invitations_propose
from exchanges.travel.models import ClaimStatus, TravelClaim
from koopstadt.development.demo_data import DEMO_PASSWORD
from koopstadt.development.demo_exchanges import DEMO_HELD_TITLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def person(email: str) -> User:
    return User.objects.get(email=email)


def look_at_both_widths(portal, name: str) -> None:
    """axe and a screenshot at desktop width and on a phone; on the phone nothing scrolls sideways."""
    page = portal.page
    ARTIFACTS.mkdir(exist_ok=True)
    for suffix, size in (("", DESKTOP), ("-phone", PHONE)):
        page.set_viewport_size(size)
        portal.check(f"{name}{suffix}")
        page.screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{name}{suffix}"
    page.set_viewport_size(DESKTOP)


def log_out(portal) -> None:
    portal.page.get_by_role("button", name="Abmelden").click()


def work(portal, title: str):
    """The start page's section with this heading."""
    return portal.page.get_by_role("region", name=title)


@pytest.fixture
def busy_demo(demo):
    """The demo network with work waiting for every role: its requests (routed at once: eager tasks), an
    overdue request, open invitations, submitted claims and a failed background task."""
    from koopstadt.development.demo_exchanges import demo_requests_load

    demo_requests_load()
    waiting = ExchangeRequest.objects.get(title="Erfahrungen mit Mobilitätsstationen im Quartier")
    ExchangeRequest.objects.filter(pk=waiting.pk).update(
        contact_due_on=timezone.localdate() - timedelta(days=2)
    )
    coordinator = person("koordination@example.org")
    weber = person("stefan.weber@example.org").expert_profile
    for title in (
        "Akteurswerkstätten zum Wohnungspolitischen Konzept",
        "Zwischennutzung leerstehender Ladenlokale",
    ):
        invitations_propose(
            request=ExchangeRequest.objects.get(title=title), experts=[weber], message="", actor=coordinator
        )
    held = ExchangeRequest.objects.get(title=DEMO_HELD_TITLE)
    cycled = ExchangeRequest.objects.get(title="Radverkehr und Mobilitätsstation am Bahnhof")
    now = timezone.now()
    for days, exchange, email, amount in (
        (3, cycled, "robert.schulze@example.org", "62.70"),
        (8, held, "gesa.lueders@example.org", "118.40"),
    ):
        TravelClaim.objects.create(
            exchange=exchange,
            traveller=person(email),
            submitted_by=person(email),
            status=ClaimStatus.SUBMITTED,
            trip_start=exchange.meeting.starts_at - timedelta(hours=3),
            trip_end=exchange.meeting.ends_at + timedelta(hours=3),
            origin="Leipzig",
            destination="Bremen",
            purpose=exchange.title,
            calculated_total=Decimal(amount),
            submitted_at=now - timedelta(days=days),
        )
    FailedTask.objects.create(task_id="demo-1", task_name="cities.mail.tasks.send_email_task")
    return held


def test_each_roles_start_page_lists_its_work_with_counts_and_links(portal, busy_demo):
    page = portal.page

    # staff: returned request, reflection and claim to write, an upcoming meeting; a new request is primary
    portal.log_in("petra.neumann@example.org", DEMO_PASSWORD)
    mine = work(portal, "Ihre Anfragen und Austausche")
    expect(mine.get_by_role("heading", name="Zurückgegebene Anfragen beantworten")).to_contain_text("1")
    expect(mine.get_by_role("heading", name="Reflexionen schreiben")).to_be_visible()
    expect(mine.get_by_role("heading", name="Reisekosten abrechnen")).to_be_visible()
    expect(page.locator("main .btn-primary")).to_have_count(1)
    expect(page.locator("main .btn-primary")).to_have_text("Neue C+R-Anfrage")
    look_at_both_widths(portal, "start-staff")
    mine.get_by_role("link", name="Quartiersschulen und Bildungszentren planen").click()
    portal.check("returned-request")
    expect(page.locator('[aria-current="step"]')).to_contain_text("zur Überarbeitung zurückgegeben")
    expect(page.locator("main .btn-primary")).to_have_text("Antworten und Anfrage bearbeiten")
    log_out(portal)

    # city contact: the count of waiting requests, overdue marked in words
    portal.log_in("kontakt.nuernberg@example.org", DEMO_PASSWORD)
    inbox = work(portal, "Anfragen aus Nürnberg")
    expect(inbox.get_by_role("heading", name="Anfragen, die auf Sie warten (1 überfällig)")).to_contain_text(
        "1"
    )
    expect(inbox.get_by_role("listitem").first).to_contain_text("überfällig")
    look_at_both_widths(portal, "start-city-contact")
    log_out(portal)

    # liaison: requests routed to the department, experts to nominate
    portal.log_in("ressort.nuernberg-wohnen@example.org", DEMO_PASSWORD)
    routed = work(portal, "Anfragen an Stab Wohnen")
    expect(routed.get_by_role("heading", name="Weitere offene Anfragen an Ihr Fachressort")).to_be_visible()
    look_at_both_widths(portal, "start-liaison")
    log_out(portal)

    # coordinator: triage counts by state, overdue, unassigned, and the failed task (there is one)
    portal.log_in("koordination@example.org", DEMO_PASSWORD)
    coordination = work(portal, "Koordination")
    expect(
        coordination.get_by_role("heading", name="Überfällig: Die Ansprechperson hat nicht geantwortet")
    ).to_be_visible()
    expect(coordination.get_by_role("heading", name="Niemandem zugewiesen")).to_be_visible()
    expect(coordination.get_by_role("heading", name="Fehlgeschlagene Hintergrundaufgaben")).to_be_visible()
    expect(coordination.get_by_role("link", name="Zur Triage")).to_have_class("btn btn-primary")
    look_at_both_widths(portal, "start-coordinator")
    coordination.get_by_role("link", name="Alle in der Triage").first.click()
    portal.check("triage-from-start")
    log_out(portal)

    # expert: open invitations (the oldest first) and the way to answer them
    portal.log_in("stefan.weber@example.org", DEMO_PASSWORD)
    invitations = work(portal, "Ihre Einladungen als Expertin oder Experte")
    expect(
        invitations.get_by_role("heading", name="Einladungen, die auf Ihre Antwort warten")
    ).to_contain_text("2")
    look_at_both_widths(portal, "start-expert")
    invitations.get_by_role("link", name="Akteurswerkstätten zum Wohnungspolitischen Konzept").click()
    portal.check("invitation-from-start")
    log_out(portal)

    # finance: queue size, the oldest waiting, budget use
    portal.log_in("finanzen@example.org", DEMO_PASSWORD)
    costs = work(portal, "Reisekosten")
    expect(costs).to_contain_text("Abrechnungen, die auf Sie warten")
    expect(costs.get_by_role("listitem").first).to_contain_text("Gesa Lüders")  # waiting longest
    expect(costs).to_contain_text("Budget")
    look_at_both_widths(portal, "start-finance")
    log_out(portal)


def test_the_request_page_shows_where_it_stands_and_a_step_says_what_happened(portal, busy_demo):
    page = portal.page
    waiting = ExchangeRequest.objects.get(title="Erfahrungen mit Mobilitätsstationen im Quartier")

    portal.log_in("lukas.meyer@example.org", DEMO_PASSWORD)
    page.goto(portal.base_url + waiting.get_absolute_url())
    look_at_both_widths(portal, "request-stepper-requester")
    stepper = page.get_by_role("list").filter(has_text="eingereicht").first
    expect(stepper.get_by_role("listitem")).to_have_count(7)
    expect(page.locator('[aria-current="step"]')).to_contain_text("eingereicht")
    expect(page.locator(".cr-next")).to_contain_text(
        "Als Nächstes: Die Ansprechperson in Nürnberg nimmt die Anfrage an"
    )
    log_out(portal)

    portal.log_in("kontakt.nuernberg@example.org", DEMO_PASSWORD)
    work(portal, "Anfragen aus Nürnberg").get_by_role(
        "link", name="Erfahrungen mit Mobilitätsstationen"
    ).click()
    portal.check("request-for-contact")
    expect(page.locator(".cr-next")).to_contain_text("Als Nächstes: Sie nehmen die Anfrage an")
    primary = page.locator("main .btn-primary")
    expect(primary).to_have_count(1)
    expect(primary).to_have_text("Annehmen und an die Koordination weiterleiten")
    primary.click()
    portal.check("request-accepted")
    expect(page.get_by_role("status")).to_contain_text(
        f"Sie haben {waiting.reference} angenommen und an die Koordination weitergeleitet."
    )
    expect(page.locator('[aria-current="step"]')).not_to_contain_text("eingereicht")
    look_at_both_widths(portal, "request-stepper-accepted")
