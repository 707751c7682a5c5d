"""The trip request pages: the form, the trip's page with only the actions its rules allow, the e-mail link
for a supervisor without an account, the lists and the request page's section.

Demo exchange "Schulcampus und Ganztag" (scheduled): Petra Neumann of Leipzig travels to Nürnberg.
"""

from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.services.users import user_set_roles
from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.travel.models import DecisionChannel, TravelClaim, TripRequest, TripStatus
from exchanges.travel.rules import (
    may_cancel_trip,
    may_claim_from_trip,
    may_decide_as_supervisor,
    may_decide_trip_costs,
    may_edit_trip,
)
from exchanges.travel.services.budget import budget_position, budget_set
from exchanges.travel.services.trips import (
    LINK_SALT,
    claim_from_trip,
    trip_cancel,
    trip_cost_decide,
    trip_create,
    trip_link,
    trip_submit,
    trip_supervisor_decide,
    trip_update,
)
from tests.cities.factories import PASSWORD
from tests.exchanges.test_page_offers_what_the_service_allows import attempt, compare, parse, target

pytestmark = pytest.mark.django_db
SCHEDULED_TITLE = "Schulcampus und Ganztag"


@pytest.fixture(autouse=True)
def _demo(demo_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(email: str) -> User:
    return User.objects.get(email=email)


@pytest.fixture
def exchange() -> ExchangeRequest:
    return ExchangeRequest.objects.get(title=SCHEDULED_TITLE)


@pytest.fixture
def petra() -> User:
    return person("petra.neumann@example.org")


@pytest.fixture
def coordinator() -> User:
    return person("koordination@example.org")


@pytest.fixture
def chief(petra) -> User:
    """Petra's supervisor in Leipzig (the demo's Dr. Ines Vogt), here with an account of the portal."""
    chief = User.objects.get(email="amtsleitung.leipzig@example.org")
    chief.set_password(PASSWORD)
    chief.save(update_fields=["password"])
    return user_set_roles(user=chief, roles=[Role.STAFF])


@pytest.fixture
def outsider() -> User:
    """Anna Schmidt of Leipzig: neither travels nor supervises."""
    return person("anna.schmidt@example.org")


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def local(moment) -> str:
    return f"{timezone.localtime(moment):%d.%m.%Y %H:%M}"


def _file(exchange, petra, chief, **data) -> TripRequest:
    meeting = Meeting.objects.get(request=exchange)
    values = {
        "starts_at": meeting.starts_at - timedelta(hours=4),
        "ends_at": meeting.ends_at + timedelta(hours=4),
        "destination": "Nürnberg, Rathaus",
        "fare": D("119.80"),
        "supervisor": chief,
        **data,
    }
    return trip_create(exchange=exchange, traveller=petra, actor=petra, data=values)


def _submitted(exchange, petra, chief, **data) -> TripRequest:
    trip = _file(exchange, petra, chief, **data)
    return trip_submit(trip_id=trip.pk, actor=petra)


def _approved(exchange, petra, chief, coordinator) -> TripRequest:
    trip = _submitted(exchange, petra, chief)
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=chief)
    return trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)


def form_data(trip: TripRequest, **changes) -> dict:
    data = {
        "purpose": trip.purpose,
        "origin": trip.origin,
        "destination": trip.destination,
        "starts_at": local(trip.starts_at),
        "ends_at": local(trip.ends_at),
        "means": trip.means,
        "means_note": trip.means_note,
        "fare": "119,80",
        "scheduled_hours": "0",
        "higher_class_reason": "",
        "car_km": "0",
        "car_interest_reason": "",
        "hotel_nights": "0",
        "hotel_price": "0",
        "hotel_reason": "",
        "other_costs": "0",
        "other_costs_note": "",
        "cost_centre": trip.cost_centre,
        "supervisor": trip.supervisor_id or "",
        "supervisor_name": "",
        "supervisor_email": "",
        "version": trip.version,
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


def link_token(trip: TripRequest) -> str:
    return trip_link(trip).rsplit("/", 2)[-2]


# --- the form ----------------------------------------------------------------------------------------------


def test_the_traveller_files_a_trip_and_sees_the_estimate_in_german(exchange, petra, chief, outsider):
    client = login(petra)
    url = reverse("exchanges:trip_create", args=[exchange.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dienstreise beantragen" in html and "Entwurf speichern" in html
    assert "Zur Genehmigung einreichen" in html
    # The supervisor is chosen among the people of Leipzig, never the traveller herself.
    supervisor = page.context["form"].fields["supervisor"]
    choices = set(supervisor.queryset)
    assert chief in choices and outsider in choices and petra not in choices
    assert {person.home_city_id for person in choices} == {petra.home_city_id}

    meeting = Meeting.objects.get(request=exchange)
    response = client.post(
        url,
        {
            "purpose": "Hospitation Schulcampus",
            "origin": "Leipzig",
            "destination": "Nürnberg, Rathaus",
            "starts_at": local(meeting.starts_at - timedelta(hours=4)),
            "ends_at": local(meeting.ends_at + timedelta(hours=4)),
            "means": "rail",
            "fare": "119,80",
            "scheduled_hours": "0",
            "car_km": "0",
            "hotel_nights": "0",
            "hotel_price": "0",
            "other_costs": "0",
            "cost_centre": "KOOPSTADT-CR",
            "supervisor": chief.pk,
            "action": "save",
        },
    )
    trip = TripRequest.objects.get(exchange=exchange, traveller=petra)
    assert response.status_code == 302 and response["Location"] == reverse(
        "exchanges:trip_detail", args=[trip.pk]
    )
    assert (trip.status, trip.supervisor_id, trip.supervisor_email) == (
        TripStatus.DRAFT,
        chief.pk,
        chief.email,
    )
    detail = client.get(response["Location"]).content.decode()
    assert "133,80 €" in detail  # 14 € allowance + 119,80 € fares (SächsRKG)
    assert "Geschätzte Kosten" in detail and "Rechtsgrundlage" in detail


def test_a_supervisor_not_in_the_directory_is_typed_with_name_and_address(exchange, petra):
    trip = _file(exchange, petra, None, supervisor_name="Frau Berg", supervisor_email="berg@amt.example")
    assert trip.supervisor_id is None and trip.supervisor_email == "berg@amt.example"
    client = login(petra)
    response = client.post(
        reverse("exchanges:trip_edit", args=[trip.pk]),
        form_data(trip, supervisor_name="Frau Dr. Berg", supervisor_email="berg@amt.example", action="save"),
    )
    assert response.status_code == 302
    assert TripRequest.objects.get(pk=trip.pk).supervisor_name == "Frau Dr. Berg"


def test_submission_errors_stand_next_to_their_fields_and_the_draft_keeps_what_was_typed(
    exchange, petra, chief
):
    trip = _file(exchange, petra, chief)
    client = login(petra)
    response = client.post(
        reverse("exchanges:trip_edit", args=[trip.pk]),
        form_data(trip, means="car", car_km="0", other_costs="15,00", action="submit"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"car_km", "other_costs_note"} <= set(errors)
    html = response.content.decode()
    assert 'id="error_1_id_car_km"' in html  # crispy's message under the field
    assert "Bitte korrigieren Sie" in html or "error-summary" in html
    trip.refresh_from_db()
    assert trip.status == TripStatus.DRAFT and trip.means == "car" and trip.other_costs == D("15.00")
    # The form now carries the saved version: saving again goes through.
    again = client.post(
        reverse("exchanges:trip_edit", args=[trip.pk]),
        {**form_data(trip, means="rail", other_costs="0", action="submit"), "version": trip.version},
    )
    assert again.status_code == 302
    assert TripRequest.objects.get(pk=trip.pk).status == TripStatus.SUBMITTED


def test_a_stale_edit_is_refused_with_409_and_keeps_what_was_typed(exchange, petra, chief):
    trip = _file(exchange, petra, chief)
    seen = TripRequest.objects.get(pk=trip.pk)
    trip_update(trip=trip, actor=petra, data={"purpose": "Neuer Zweck aus dem anderen Tab"})
    response = login(petra).post(
        reverse("exchanges:trip_edit", args=[trip.pk]),
        form_data(seen, destination="Fürth, Schulamt", action="save"),
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Fürth, Schulamt" in html
    assert "Inzwischen geändert" in html and "Neuer Zweck aus dem anderen Tab" in html
    assert TripRequest.objects.get(pk=trip.pk).destination == "Nürnberg, Rathaus"


def test_the_coordination_picks_the_traveller_among_the_exchanges_travellers(
    exchange, petra, coordinator, outsider
):
    client = login(coordinator)
    url = reverse("exchanges:trip_create", args=[exchange.pk])
    chooser = client.get(url)
    assert chooser.status_code == 200
    travellers = set(chooser.context["chooser"].fields["traveller"].queryset)
    assert petra in travellers and outsider not in travellers
    page = client.get(url, {"traveller": petra.pk})
    assert page.status_code == 200 and "Petra Neumann" in page.content.decode()
    assert petra not in set(page.context["form"].fields["supervisor"].queryset)
    refused = client.get(url, {"traveller": outsider.pk})
    assert refused.templates[0].name == "exchanges/trip_traveller.html"  # Anna does not travel


def test_someone_who_does_not_travel_is_sent_back_to_the_request(exchange, outsider):
    response = login(outsider).get(reverse("exchanges:trip_create", args=[exchange.pk]))
    assert response.status_code in {302, 404}


# --- the trip's page ---------------------------------------------------------------------------------------


def test_the_trip_page_is_for_the_trips_people_and_404_for_others(
    exchange, petra, chief, coordinator, outsider
):
    trip = _submitted(exchange, petra, chief)
    url = reverse("exchanges:trip_detail", args=[trip.pk])
    for user in (petra, chief, coordinator, person("finanzen@example.org")):
        assert login(user).get(url).status_code == 200, user
    assert login(outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to the log-in
    for name in ("trip_edit", "trip_submit", "trip_supervisor_decide", "trip_cost_decide", "trip_cancel"):
        assert login(outsider).post(reverse(f"exchanges:{name}", args=[trip.pk])).status_code == 404, name


def test_the_supervisor_with_an_account_decides_in_the_portal(exchange, petra, chief):
    trip = _submitted(exchange, petra, chief)
    client = login(chief)
    page = client.get(reverse("exchanges:trip_detail", args=[trip.pk])).content.decode()
    assert "Ihre Entscheidung als Vorgesetzte" in page or "supervisor-heading" in page
    refused = client.post(
        reverse("exchanges:trip_supervisor_decide", args=[trip.pk]),
        {"supervisor-decision": "refused", "supervisor-note": "", "supervisor-version": trip.version},
    )
    assert refused.status_code == 200
    assert "note" in refused.context["supervisor_form"].errors
    response = client.post(
        reverse("exchanges:trip_supervisor_decide", args=[trip.pk]),
        {"supervisor-decision": "approved", "supervisor-version": trip.version},
    )
    assert response.status_code == 302
    trip.refresh_from_db()
    assert (trip.supervisor_decision, trip.supervisor_channel) == ("approved", DecisionChannel.PORTAL)
    detail = login(petra).get(reverse("exchanges:trip_detail", args=[trip.pk])).content.decode()
    assert "im Portal" in detail and "Dr. Ines Vogt" in detail


def test_the_cost_decision_asks_for_the_confirmation_only_beyond_the_budget(
    exchange, petra, chief, coordinator
):
    trip = _submitted(exchange, petra, chief)
    client = login(coordinator)
    url = reverse("exchanges:trip_detail", args=[trip.pk])
    assert "cost-confirm_over_budget" not in client.get(url).content.decode()
    year = timezone.localtime(trip.starts_at).year
    used = budget_position(year=year)["used"]
    budget_set(year=year, amount=used + D("10.00"), actor=person("finanzen@example.org"))
    page = client.get(url)
    assert 'name="cost-confirm_over_budget"' in page.content.decode()
    decide = reverse("exchanges:trip_cost_decide", args=[trip.pk])
    unconfirmed = client.post(decide, {"cost-decision": "approved", "cost-version": trip.version})
    assert unconfirmed.status_code == 200
    assert "confirm_over_budget" in unconfirmed.context["cost_form"].errors
    assert TripRequest.objects.get(pk=trip.pk).cost_decision == ""
    confirmed = client.post(
        decide,
        {"cost-decision": "approved", "cost-confirm_over_budget": "on", "cost-version": trip.version},
    )
    assert confirmed.status_code == 302
    trip.refresh_from_db()
    assert trip.cost_decision == "approved" and trip.budget_override is True
    assert trip.commitments.filter(released_at__isnull=True).exists()


def test_the_approved_trip_offers_the_claim_and_the_pdf(exchange, petra, chief, coordinator):
    trip = _approved(exchange, petra, chief, coordinator)
    client = login(petra)
    page = client.get(reverse("exchanges:trip_detail", args=[trip.pk])).content.decode()
    assert reverse("exchanges:trip_pdf", args=[trip.pk]) in page
    assert "Genehmigt" in page
    # The costs are claimed once the trip has taken place: not offered before.
    assert reverse("exchanges:trip_claim", args=[trip.pk]) not in page
    with time_machine.travel(trip.ends_at + timedelta(days=1)):
        client = login(petra)  # a new log-in: the old one has expired by then
        page = client.get(reverse("exchanges:trip_detail", args=[trip.pk])).content.decode()
        assert reverse("exchanges:trip_claim", args=[trip.pk]) in page
        response = client.post(reverse("exchanges:trip_claim", args=[trip.pk]))
        claim = TravelClaim.objects.get(trip=trip)
        assert response.status_code == 302
        assert response["Location"] == reverse("exchanges:claim_detail", args=[claim.pk])
        # Once claimed, it is not offered again.
        again = client.get(reverse("exchanges:trip_detail", args=[trip.pk])).content.decode()
        assert reverse("exchanges:trip_claim", args=[trip.pk]) not in again


def test_a_submitted_trip_shows_no_pdf_and_cancelling_needs_a_reason(exchange, petra, chief):
    trip = _submitted(exchange, petra, chief)
    client = login(petra)
    page = client.get(reverse("exchanges:trip_detail", args=[trip.pk])).content.decode()
    assert reverse("exchanges:trip_pdf", args=[trip.pk]) not in page
    url = reverse("exchanges:trip_cancel", args=[trip.pk])
    without = client.post(url, {"cancel-reason": "", "cancel-version": trip.version})
    assert without.status_code == 200 and "reason" in without.context["cancel_form"].errors
    done = client.post(url, {"cancel-reason": "Termin verschoben.", "cancel-version": trip.version})
    assert done.status_code == 302
    assert TripRequest.objects.get(pk=trip.pk).status == TripStatus.CANCELLED


# --- the e-mail link -------------------------------------------------------------------------------------


def test_the_link_approves_once_without_an_account(exchange, petra, chief):
    trip = _submitted(exchange, petra, chief)
    url = reverse("exchanges:trip_approval_link", args=[link_token(trip)])
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Petra Neumann" in html and "133,80 €" in html and "Entscheidung speichern" in html
    response = anonymous.post(url, {"decision": "approved", "version": trip.version})
    assert response.status_code == 200
    trip.refresh_from_db()
    assert (trip.supervisor_decision, trip.supervisor_channel) == ("approved", DecisionChannel.LINK)
    assert trip.supervisor_decided_by is None
    assert "Vielen Dank" in response.content.decode()
    second = anonymous.get(url)
    assert second.status_code == 410
    assert "bereits verwendet" in second.content.decode()
    assert anonymous.post(url, {"decision": "refused", "note": "Doch nicht"}).status_code == 410
    assert TripRequest.objects.get(pk=trip.pk).supervisor_decision == "approved"


def test_a_tampered_or_foreign_link_is_refused_in_german(exchange, petra, chief):
    trip = _submitted(exchange, petra, chief)
    token = link_token(trip)
    response = Client().get(reverse("exchanges:trip_approval_link", args=[token[:-3] + "xyz"]))
    assert response.status_code == 400
    assert "nicht gültig" in response.content.decode()
    forged = signing.dumps({"trip": trip.pk, "nonce": "0" * 32}, salt="another-salt")
    assert Client().get(reverse("exchanges:trip_approval_link", args=[forged])).status_code == 400
    wrong_nonce = signing.dumps({"trip": trip.pk, "nonce": "0" * 32}, salt=LINK_SALT)
    assert Client().get(reverse("exchanges:trip_approval_link", args=[wrong_nonce])).status_code == 410


def test_an_expired_link_is_refused(exchange, petra, chief):
    trip = _submitted(exchange, petra, chief)
    url = reverse("exchanges:trip_approval_link", args=[link_token(trip)])
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        response = Client().get(url)
        posted = Client().post(url, {"decision": "approved", "version": trip.version})
    assert response.status_code == 400 and posted.status_code == 400
    assert "abgelaufen" in response.content.decode()
    assert TripRequest.objects.get(pk=trip.pk).supervisor_decision == ""


def test_the_traveller_signed_in_cannot_use_the_link(exchange, petra, chief):
    trip = _submitted(exchange, petra, chief)
    url = reverse("exchanges:trip_approval_link", args=[link_token(trip)])
    client = login(petra)
    page = client.get(url)
    assert page.status_code == 403
    assert "Vier-Augen-Prinzip" in page.content.decode()
    assert client.post(url, {"decision": "approved", "version": trip.version}).status_code == 403
    assert TripRequest.objects.get(pk=trip.pk).supervisor_decision == ""


def test_someone_else_signed_in_decides_as_the_links_holder(exchange, petra, chief, outsider):
    trip = _submitted(exchange, petra, chief)
    url = reverse("exchanges:trip_approval_link", args=[link_token(trip)])
    client = login(outsider)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"decision": "returned", "note": "Bitte Hotel prüfen.", "version": trip.version}
    )
    assert response.status_code == 200
    trip.refresh_from_db()
    assert trip.status == TripStatus.RETURNED and trip.supervisor_channel == DecisionChannel.LINK
    assert trip.supervisor_decided_by is None
    assert trip.events.get(action="supervisor_returned").actor_name.startswith("Dr. Ines Vogt")


# --- lists and the request page ------------------------------------------------------------------------------


def test_the_lists_show_each_person_their_trips(exchange, petra, chief, coordinator, outsider):
    trip = _submitted(exchange, petra, chief)
    detail = reverse("exchanges:trip_detail", args=[trip.pk])
    assert detail in login(petra).get(reverse("exchanges:my_trips")).content.decode()
    assert detail not in login(outsider).get(reverse("exchanges:my_trips")).content.decode()
    for user in (chief, coordinator):
        page = login(user).get(reverse("exchanges:trips_to_approve"))
        assert page.status_code == 200 and detail in page.content.decode(), user
    waiting = login(petra).get(reverse("exchanges:trips_to_approve"))
    assert detail not in waiting.content.decode()  # nobody approves their own trip
    assert detail not in login(outsider).get(reverse("exchanges:trips_to_approve")).content.decode()
    start = login(chief).get(reverse("home")).content.decode()
    assert detail in start


def test_the_navigation_leads_to_the_trips_and_to_those_waiting_for_a_decision(
    exchange, petra, chief, coordinator
):
    _submitted(exchange, petra, chief)
    assert reverse("exchanges:my_trips") in login(petra).get(reverse("home")).content.decode()
    for person_ in (chief, coordinator):  # the supervisor and the coordination each have a decision to take
        client = login(person_)
        home = client.get(reverse("home")).content.decode()
        assert reverse("exchanges:my_trips") in home  # the navigation's "Dienstreisen"
        trips = client.get(reverse("exchanges:my_trips")).content.decode()
        assert "wartet auf Ihre Entscheidung" in trips or "warten auf Ihre Entscheidung" in trips
        assert reverse("exchanges:trips_to_approve") in trips


def test_the_request_page_lists_the_trips_and_offers_a_new_one_by_the_rule(
    exchange, petra, chief, coordinator
):
    trip = _file(exchange, petra, chief)
    create = reverse("exchanges:trip_create", args=[exchange.pk])
    for user in (petra, coordinator):
        html = login(user).get(exchange.get_absolute_url()).content.decode()
        assert "Dienstreisen" in html and reverse("exchanges:trip_detail", args=[trip.pk]) in html
        assert create in html and "Dienstreise beantragen" in html
    # The expert travels too: he may request his own trip, but does not see Petra's.
    expert = person("andreas.roth@example.org")
    html = login(expert).get(exchange.get_absolute_url()).content.decode()
    assert reverse("exchanges:trip_detail", args=[trip.pk]) not in html
    assert create in html
    # The city contact sees the request, but neither travels nor sees the trip: no section at all.
    html = login(person("kontakt.leipzig@example.org")).get(exchange.get_absolute_url()).content.decode()
    assert 'id="trips-heading"' not in html and create not in html


# --- a page never offers what the rule refuses ----------------------------------------------------------

TRIP_FORMS = {
    "edit": "exchanges:trip_submit",
    "supervisor": "exchanges:trip_supervisor_decide",
    "costs": "exchanges:trip_cost_decide",
    "cancel": "exchanges:trip_cancel",
    "claim": "exchanges:trip_claim",
}


def trip_offers(html: str, trip: TripRequest) -> set[str]:
    names = set()
    for form in parse(html).forms:
        resolved = target(form["action"]) if form["method"].lower() == "post" else None
        if resolved and resolved[1].get("pk") == trip.pk:
            names.add(resolved[0])
    return {key for key, name in TRIP_FORMS.items() if name in names}


@pytest.mark.parametrize("who", ["petra", "chief", "coordinator", "outsider", "finance"])
@pytest.mark.parametrize("state", ["draft", "submitted", "approved by the supervisor", "approved"])
def test_the_trip_page_offers_exactly_what_the_rules_allow(
    exchange, petra, chief, coordinator, outsider, who, state
):
    people = {
        "petra": petra,
        "chief": chief,
        "coordinator": coordinator,
        "outsider": outsider,
        "finance": person("finanzen@example.org"),
    }
    user = people[who]
    trip = _file(exchange, petra, chief)
    if state != "draft":
        trip = trip_submit(trip_id=trip.pk, actor=petra)
    if state in {"approved by the supervisor", "approved"}:
        trip = trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=chief)
    if state == "approved":
        trip = trip_cost_decide(trip_id=trip.pk, decision="approved", actor=coordinator)
    trip = TripRequest.objects.get(pk=trip.pk)
    response = login(user).get(reverse("exchanges:trip_detail", args=[trip.pk]))
    assert response.status_code in {200, 404}
    offered = trip_offers(response.content.decode(), trip) if response.status_code == 200 else set()
    rules = {
        "edit": may_edit_trip(user, trip),
        "supervisor": may_decide_as_supervisor(user, trip),
        "costs": may_decide_trip_costs(user, trip),
        "cancel": may_cancel_trip(user, trip),
        "claim": may_claim_from_trip(user, trip),
    }
    services = {
        "edit": lambda: trip_submit(trip_id=trip.pk, actor=user),
        "supervisor": lambda: trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=user),
        "costs": lambda: trip_cost_decide(trip_id=trip.pk, decision="approved", actor=user),
        "cancel": lambda: trip_cancel(trip_id=trip.pk, actor=user, reason="Geprüft"),
        "claim": lambda: claim_from_trip(trip_id=trip.pk, actor=user),
    }
    problems: list[str] = []
    for key in TRIP_FORMS:
        accepted, reason = attempt(services[key])
        compare(f"{who}, {state} trip, {key}", key in offered, rules[key], accepted, reason, problems)
    assert not problems, "\n".join(problems)


def test_the_traveller_has_a_new_approval_link_sent_and_the_old_one_stops_working(exchange, petra, chief):
    trip = _submitted(exchange, petra, chief)
    old = trip_link(trip).replace(settings.SITE_URL, "")
    client = login(petra)
    page = client.get(reverse("exchanges:trip_detail", args=[trip.pk])).content.decode()
    assert "Neuen Genehmigungslink senden" in page
    response = client.post(reverse("exchanges:trip_link_resend", args=[trip.pk]), follow=True)
    assert "Ein neuer Genehmigungslink wurde an" in response.content.decode()
    trip.refresh_from_db()
    assert Client().get(old).status_code == 410
    assert Client().get(trip_link(trip).replace(settings.SITE_URL, "")).status_code == 200
    outsider = login(person("anna.schmidt@example.org"))
    assert outsider.post(reverse("exchanges:trip_link_resend", args=[trip.pk])).status_code == 404


def test_the_coordination_entering_a_trip_is_told_who_approves_it(exchange, petra, coordinator):
    client = login(coordinator)
    url = reverse("exchanges:trip_create", args=[exchange.pk]) + f"?traveller={petra.pk}"
    html = client.get(url).content.decode()
    assert "Die oder der Vorgesetzte von Petra Neumann genehmigt die Reise" in html
    assert "nicht Sie: Sie haben den Antrag erfasst" in html
    own = login(petra).get(reverse("exchanges:trip_create", args=[exchange.pk])).content.decode()
    assert "Ihre vorgesetzte Person" in own or "Ihre Vorgesetzte" in own
