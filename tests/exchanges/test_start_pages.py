"""Start pages: what waits for each person now, with counts, the oldest first, each item a link to the page
where it is done, and an empty state that says what to do instead (issue 20, part 1)."""

import re
from datetime import timedelta
from decimal import Decimal
from html import unescape

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from cities.directory.models import User
from cities.operations.models import FailedTask
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.services.invitations import invitations_propose
from exchanges.cycle.services.routing import request_route
from exchanges.travel.models import ClaimStatus, TravelClaim
from exchanges.travel.services.budget import budget_position
from koopstadt.development.demo_data import EXPERTS, PEOPLE
from tests.exchanges.claims_world import held_exchange

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_world, db):
    return None


def person(email: str) -> User:
    return User.objects.get(email=email)


def start_page(client, email: str) -> str:
    client.force_login(person(email))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def section(main: str, title: str) -> str:
    """The HTML of the start page's section with this heading."""
    start = main.index(f">{title}</h2>")
    end = main.find("</section>", start)
    return main[start:end]


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def links(html: str) -> dict[str, str]:
    """Link text → address."""
    return {
        text(label): unescape(href)
        for href, label in re.findall(r'<a [^>]*href="([^"]+)"[^>]*>(.*?)</a>', html)
    }


def test_staff_see_returned_requests_reflections_claims_and_meetings_with_links_to_do_them(client, demo):
    main = start_page(client, "petra.neumann@example.org")
    mine = section(main, "Ihre Anfragen und Austausche")
    returned = ExchangeRequest.objects.get(title="Quartiersschulen und Bildungszentren planen")
    held = held_exchange()
    scheduled = ExchangeRequest.objects.get(title="Schulcampus und Ganztag")

    assert "Zurückgegebene Anfragen beantworten 1" in text(mine)
    assert links(mine)[f"{returned.reference}: {returned.title}"] == returned.get_absolute_url()
    assert "Reflexionen schreiben 1" in text(mine)
    assert "Reisekosten abrechnen 1" in text(mine)
    assert reverse("exchanges:reflection_create", args=[held.pk]) in mine
    assert reverse("exchanges:claim_create", args=[held.pk]) in mine
    assert "Anstehende Termine 1" in text(mine)
    assert scheduled.get_absolute_url() in mine
    # the prominent way to a new request, and the one primary button of the page
    assert links(mine)["Neue C+R-Anfrage"] == reverse("exchanges:request_create")
    assert main.count("btn-primary") == 1
    assert 'class="btn btn-primary" href="/anfragen/neu/"' in main


def test_a_draft_links_to_its_form_and_nothing_else_waits_for_the_requester_of_a_submitted_request(
    client, demo
):
    main = start_page(client, "jonas.fischer@example.org")
    draft = ExchangeRequest.objects.get(title="Klimaanpassung in Bestandsquartieren")
    assert "Entwürfe vervollständigen und einreichen 1" in text(main)
    assert links(main)[draft.title] == reverse("exchanges:request_edit", args=[draft.pk])

    lukas = text(start_page(client, "lukas.meyer@example.org"))
    # his request waits for the contact, not for him
    assert "Bei Ihren eigenen Anfragen wartet im Moment nichts auf Sie." in lukas
    assert "Neue C+R-Anfrage" in lukas and "Wissensspeicher" in lukas


def test_the_empty_own_requests_section_does_not_say_nothing_waits_when_the_inbox_above_has_work(
    client, demo
):
    main = start_page(client, "kontakt.nuernberg@example.org")
    assert "Anfragen, die auf Sie warten 1" in text(section(main, "Anfragen aus Nürnberg"))
    mine = text(section(main, "Ihre Anfragen und Austausche"))
    assert "Bei Ihren eigenen Anfragen wartet im Moment nichts auf Sie." in mine
    assert "Im Moment wartet nichts auf Sie" not in text(main)


def test_city_contacts_see_the_count_of_waiting_requests_with_overdue_marks(client, demo):
    waiting = ExchangeRequest.objects.get(title="Erfahrungen mit Mobilitätsstationen im Quartier")
    main = start_page(client, "kontakt.nuernberg@example.org")
    inbox = section(main, "Anfragen aus Nürnberg")
    assert "Anfragen, die auf Sie warten 1" in text(inbox)
    assert links(inbox)[f"{waiting.reference}: {waiting.title}"] == waiting.get_absolute_url()
    assert "überfällig" not in text(inbox)
    assert 'class="btn btn-primary" href="/posteingang/"' in inbox  # the contact's work comes first

    ExchangeRequest.objects.filter(pk=waiting.pk).update(
        contact_due_on=timezone.localdate() - timedelta(days=2)
    )
    inbox = text(section(start_page(client, "kontakt.nuernberg@example.org"), "Anfragen aus Nürnberg"))
    assert "Anfragen, die auf Sie warten (1 überfällig) 1" in inbox
    assert f"{waiting.title} überfällig" in inbox


def test_an_empty_inbox_says_so_and_where_to_follow_up(client, demo):
    inbox = text(section(start_page(client, "kontakt.bremen@example.org"), "Anfragen aus Bremen"))
    assert "Keine Anfrage aus Bremen wartet auf Sie." in inbox
    assert "Posteingang öffnen" in inbox


def test_liaisons_see_requests_routed_to_their_department_and_experts_to_nominate(client, demo):
    housing = ExchangeRequest.objects.get(title="Akteurswerkstätten zum Wohnungspolitischen Konzept")
    request_route(request_id=housing.pk)  # the routing task the acceptance queued after its commit
    agreed = ExchangeRequest.objects.get(title="Genossenschaftliches Wohnen fördern")
    main = start_page(client, "ressort.nuernberg-wohnen@example.org")
    work = section(main, "Anfragen an Stab Wohnen")
    assert "Expertinnen und Experten vorschlagen 1" in text(work)
    assert f'href="{housing.get_absolute_url()}#suggestions-heading"' in work
    assert "Weitere offene Anfragen an Ihr Fachressort 1" in text(work)
    assert agreed.get_absolute_url() in work

    quiet = text(
        section(start_page(client, "ressort.leipzig-schule@example.org"), "Anfragen an Amt für Schule")
    )
    assert "Im Moment ist keine Anfrage an Ihr Fachressort geleitet." in quiet


def test_coordinators_see_triage_counts_unassigned_and_failed_tasks_only_when_there_are_any(client, demo):
    main = start_page(client, "koordination@example.org")
    work = section(main, "Koordination")
    assert links(work)["Zur Triage"] == reverse("exchanges:triage")
    assert 'class="btn btn-primary" href="/triage/"' in work
    assert "Eingereicht 1 – Eingereicht" in text(work)  # the figure, a link whose name says what it counts
    assert f'href="{reverse("exchanges:triage")}?status=submitted">1<' in work
    assert "Niemandem zugewiesen 7" in text(work)
    assert "Die ältesten 5 von 7." in text(work)
    assert links(work)["Alle in der Triage"] == reverse("exchanges:triage") + "?assignee=none"
    assert "Fehlgeschlagene Hintergrundaufgaben" not in text(work)
    assert "Überfällig" not in text(work)

    FailedTask.objects.create(task_id="t-1", task_name="exchanges.tasks.route_request_task")
    waiting = ExchangeRequest.objects.get(status=Status.SUBMITTED)
    ExchangeRequest.objects.filter(pk=waiting.pk).update(
        contact_due_on=timezone.localdate() - timedelta(days=1)
    )
    work = section(start_page(client, "koordination@example.org"), "Koordination")
    assert "Fehlgeschlagene Hintergrundaufgaben 1" in text(work)
    assert reverse("failed_tasks") in work
    assert "Überfällig: Die Ansprechperson hat nicht geantwortet 1" in text(work)


def test_experts_see_open_invitations_oldest_first_and_upcoming_meetings(client, demo):
    expert = person("stefan.weber@example.org")
    first = ExchangeRequest.objects.get(title="Akteurswerkstätten zum Wohnungspolitischen Konzept")
    second = ExchangeRequest.objects.get(title="Zwischennutzung leerstehender Ladenlokale")
    coordinator = person("koordination@example.org")
    request_route(request_id=first.pk)  # the routing task the acceptance queued after its commit
    older = invitations_propose(
        request=first, experts=[expert.expert_profile], message="", actor=coordinator
    )[0]
    invitations_propose(request=second, experts=[expert.expert_profile], message="", actor=coordinator)
    older.__class__.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=3))

    main = start_page(client, "stefan.weber@example.org")
    work = section(main, "Ihre Einladungen als Expertin oder Experte")
    assert "Einladungen, die auf Ihre Antwort warten 2" in text(work)
    assert work.index(first.title) < work.index(second.title)  # the oldest first
    assert f'href="{reverse("exchanges:invitation_answer", args=[older.pk])}"' in work
    assert 'class="btn btn-primary" href="/einladungen/"' in work

    roth = section(
        start_page(client, "andreas.roth@example.org"), "Ihre Einladungen als Expertin oder Experte"
    )
    assert "Anstehende Termine 1" in text(roth)
    assert "Schulcampus und Ganztag" in text(roth)


def test_finance_sees_the_queue_size_the_oldest_waiting_and_the_budget_use(client, demo):
    held = held_exchange()
    now = timezone.now()
    for days, traveller in ((2, "petra.neumann@example.org"), (9, "gesa.lueders@example.org")):
        TravelClaim.objects.create(
            exchange=held,
            traveller=person(traveller),
            submitted_by=person(traveller),
            status=ClaimStatus.SUBMITTED,
            trip_start=now - timedelta(days=20),
            trip_end=now - timedelta(days=19),
            origin="Leipzig",
            destination="Bremen",
            purpose="Besuch",
            calculated_total=Decimal("89.00"),
            submitted_at=now - timedelta(days=days),
        )
    work = section(start_page(client, "finanzen@example.org"), "Reisekosten")
    figures = text(work)
    assert "Abrechnungen, die auf Sie warten 2" in figures
    assert f"Wartet seit {timezone.localtime(now - timedelta(days=9)):%d.%m.%Y}" in figures
    # The demo's approved trips commit their estimates on the budget of their year (docs/travel-costs.md).
    position = budget_position(year=now.year)
    share = round(position["used"] * 100 / position["budget"])
    remaining = f"{position['remaining']:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert f"Budget {now.year} genutzt {share} %" in figures and f"Verbleibend {remaining} €" in figures
    assert work.index("Gesa Lüders") < work.index("Petra Neumann")  # the longest waiting first
    assert "89,00 €" in figures


def test_finance_is_not_asked_to_decide_a_claim_of_their_own(client, demo):
    finance = person("finanzen@example.org")
    now = timezone.now()
    TravelClaim.objects.create(
        exchange=held_exchange(),
        traveller=finance,
        submitted_by=finance,
        status=ClaimStatus.SUBMITTED,
        trip_start=now - timedelta(days=20),
        trip_end=now - timedelta(days=19),
        origin="Leipzig",
        destination="Bremen",
        purpose="Besuch",
        submitted_at=now,
    )
    work = text(section(start_page(client, "finanzen@example.org"), "Reisekosten"))
    assert "Abrechnungen, die auf Sie warten 0" in work
    assert "Keine Abrechnung wartet auf Ihre Entscheidung." in work


@pytest.mark.parametrize("email", [row[0] for row in PEOPLE] + [row[0] for row in EXPERTS])
def test_every_link_on_a_start_page_opens_a_page_the_person_may_use(client, demo, email):
    """A start page never points to what the person may not do: each of its links opens (200) for them.
    The pages that do something answer otherwise when the person may not (a redirect with an error, 404)."""
    main = start_page(client, email)
    addresses = set(re.findall(r'href="(/[^"#]*)', main))
    assert addresses
    for address in addresses:
        path = unescape(address)
        response = client.get(path)
        assert response.status_code == 200, (email, path, resolve(path.split("?")[0]).url_name)
