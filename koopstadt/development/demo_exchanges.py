"""Demo requests, among them the three real examples of the network. Idempotent like ``demo_load``."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cities.directory.models import City, Department, ExpertProfile, Topic, User
from exchanges.cycle.models import (
    Comment,
    ExchangeRequest,
    Invitation,
    Meeting,
    RoutingDecision,
    TimelineEntry,
)
from exchanges.cycle.services.invitations import invitation_answer, invitations_propose
from exchanges.cycle.services.meetings import meeting_participant_choices, meeting_schedule
from exchanges.cycle.services.reflections import reflection_submit
from exchanges.cycle.services.requests import request_save_draft, request_transition
from exchanges.cycle.services.routing import request_route, routing_correct
from exchanges.travel.models import Budget, Commitment, TripEvent, TripRequest
from exchanges.travel.services.budget import budget_set
from koopstadt.development.demo_trips import held_trip_before_the_meeting

# requester, title, topics, need, format, direction, partner cities, steps (action, actor e-mail, comment)
DEMO_REQUESTS = [
    (
        "anna.schmidt@example.org",
        "Akteurswerkstätten zum Wohnungspolitischen Konzept",
        ["wohnen", "beteiligung"],
        "Leipzig schreibt sein Wohnungspolitisches Konzept fort. Für die Stakeholder-Werkstätten mit "
        "Wohnungsunternehmen, Genossenschaften und Mieterverein suchen wir Expertinnen und Experten aus "
        "Bremen und Nürnberg, die ihre Erfahrungen mit Bündnissen für Wohnen einbringen.",
        "workshop",
        "expert_travels",
        ["bremen", "nuernberg"],
        [
            ("submit", "anna.schmidt@example.org", ""),
            ("accept", "kontakt.leipzig@example.org", "Passt sehr gut."),
        ],
    ),
    (
        "lukas.meyer@example.org",
        "Erfahrungen mit Mobilitätsstationen im Quartier",
        ["mobilitaet"],
        "Nürnberg plant die ersten Mobilitätsstationen in Wohnquartieren. In einer kleinen Werkstatt möchten "
        "wir von den Erfahrungen mit den Bremer mobil.punkten lernen: Standortwahl, Betreiber, Kommunikation.",
        "workshop",
        "expert_travels",
        ["bremen"],
        [("submit", "lukas.meyer@example.org", "")],
    ),
    (
        "petra.neumann@example.org",
        "Quartiersschulen und Bildungszentren planen",
        ["bildung", "stadtplanung"],
        "Beim Bau neuer Schulen wollen wir sie als Quartiersschulen ins Viertel öffnen. Wir suchen Austausch "
        "mit Bremen zu Ansätzen und Stolpersteinen beim Bau von Bildungs- und Quartierszentren.",
        "site_visit",
        "requester_travels",
        ["bremen"],
        [
            ("submit", "petra.neumann@example.org", ""),
            (
                "return_for_changes",
                "kontakt.leipzig@example.org",
                "Welche Schulstandorte sind gemeint, und wer reist mit?",
            ),
        ],
    ),
    (
        "jonas.fischer@example.org",
        "Klimaanpassung in Bestandsquartieren",
        ["energie-klima"],
        "Erste Ideen für einen Austausch zu Hitzeaktionsplänen.",
        "video_call",
        "no_travel",
        [],
        [],
    ),
    (
        "jonas.fischer@example.org",
        "Zwischennutzung leerstehender Ladenlokale",
        ["kultur", "wirtschaft"],
        "Wie haben Partnerstädte Zwischennutzungen in der Innenstadt organisiert?",
        "bilateral",
        "requester_travels",
        ["leipzig"],
        [
            ("submit", "jonas.fischer@example.org", ""),
            ("accept", "kontakt.bremen@example.org", ""),
            ("route", "", ""),
            # No department has these topics as its own: the coordination routes it by hand.
            ("correct_routing", "koordination@example.org", "leipzig:Stadtplanungsamt"),
        ],
    ),
    (
        "lukas.meyer@example.org",
        "Parkraummanagement (zurückgezogen)",
        ["mobilitaet"],
        "Austausch zum Parkraummanagement in Gründerzeitvierteln.",
        "video_call",
        "no_travel",
        [],
        [
            ("submit", "lukas.meyer@example.org", ""),
            ("withdraw", "lukas.meyer@example.org", "Hat sich intern erledigt."),
        ],
    ),
    (
        "anna.schmidt@example.org",
        "Genossenschaftliches Wohnen fördern",
        ["wohnen"],
        "Wie unterstützen Partnerstädte Wohnungsbaugenossenschaften bei Grundstücksvergabe und Förderung?",
        "bilateral",
        "requester_travels",
        ["nuernberg"],
        [
            ("submit", "anna.schmidt@example.org", ""),
            ("accept", "kontakt.leipzig@example.org", ""),
            ("route", "", ""),
            ("invite", "koordination@example.org", "birgit.koch@example.org"),
            ("answer", "birgit.koch@example.org", "accept"),
        ],
    ),
    (
        "petra.neumann@example.org",
        "Schulcampus und Ganztag",
        ["bildung"],
        "Erfahrungen mit Bildungscampus-Projekten und der Öffnung des Ganztags für das Quartier.",
        "site_visit",
        "requester_travels",
        ["nuernberg"],
        [
            ("submit", "petra.neumann@example.org", ""),
            ("accept", "kontakt.leipzig@example.org", ""),
            ("route", "", ""),
            ("invite", "koordination@example.org", "andreas.roth@example.org"),
            ("answer", "andreas.roth@example.org", "accept"),
            ("schedule", "koordination@example.org", "30"),
        ],
    ),
    (
        "jonas.fischer@example.org",
        "Radverkehr und Mobilitätsstation am Bahnhof",
        ["mobilitaet"],
        "Wie wurde die erste Mobilitätsstation am Bahnhof geplant, und wie hat sich der Radverkehr entwickelt?",
        "workshop",
        "expert_travels",
        ["leipzig"],
        [
            ("submit", "jonas.fischer@example.org", ""),
            ("accept", "kontakt.bremen@example.org", ""),
            ("route", "", ""),
            ("invite", "koordination@example.org", "robert.schulze@example.org"),
            ("answer", "robert.schulze@example.org", "accept"),
            ("schedule", "koordination@example.org", "40"),
            ("past", "", "-60"),
            ("mark_held", "jonas.fischer@example.org", ""),
            ("reflect", "jonas.fischer@example.org", ""),
        ],
    ),
    (
        # Held twelve days ago and not yet reflected: the README's travel-cost walk claims this trip.
        "petra.neumann@example.org",
        "Bildungs- und Quartierszentren in Bremen besichtigen",
        ["bildung", "stadtplanung"],
        "Wir möchten die Bremer Bildungs- und Quartierszentren vor Ort sehen: wie sie geplant wurden, wie "
        "das Quartier sie nutzt und was wir für unsere Quartiersschulen übernehmen können.",
        "site_visit",
        "requester_travels",
        ["bremen"],
        [
            ("submit", "petra.neumann@example.org", ""),
            ("accept", "kontakt.leipzig@example.org", ""),
            ("route", "", ""),
            ("invite", "koordination@example.org", "gesa.lueders@example.org"),
            ("answer", "gesa.lueders@example.org", "accept"),
            ("schedule", "koordination@example.org", "40"),
            ("past", "", "-12"),
            ("mark_held", "petra.neumann@example.org", ""),
        ],
    ),
]

# The held exchange of the travel-cost walk (README, "Travel costs in the demo").
DEMO_HELD_TITLE = "Bildungs- und Quartierszentren in Bremen besichtigen"

DEMO_REFLECTION = {
    "takeaway": "Eine Mobilitätsstation wirkt nur mit guter Radabstellanlage und sichtbarer Beschilderung",
    "question": "Wie planen wir eine Mobilitätsstation am Bahnhof, die wirklich genutzt wird?",
    "learnt": "Leipzig hat die Station gemeinsam mit dem Verkehrsunternehmen geplant und früh Carsharing-Anbieter "
    "eingebunden. Entscheidend waren sichere Radabstellplätze und eine klare Beschilderung.",
    "worked": "Der Rundgang vor Ort und die offenen Zahlen zur Nutzung.",
    "did_not_work": "Für die Frage der Finanzierung war zu wenig Zeit.",
    "follow_ups": "Gegenbesuch der Leipziger Kollegen in Bremen im Frühjahr.",
    "would_recommend": True,
    "is_internal": False,
}


def _step(request: ExchangeRequest, action: str, actor_email: str, argument: str) -> None:
    """One step of a demo request's history, always through the portal's own services."""

    actor = User.objects.get(email=actor_email) if actor_email else None
    if action == "route":
        request_route(request_id=request.pk)
    elif action == "invite":
        invitations_propose(
            request=request,
            experts=[ExpertProfile.objects.get(user__email=argument)],
            message="Hätten Sie Zeit für einen Austausch?",
            actor=actor,
        )
    elif action == "answer":
        invitation = Invitation.objects.get(request=request, expert__user=actor)
        invitation_answer(invitation_id=invitation.pk, accept=argument == "accept", note="Gern.", actor=actor)
    elif action == "schedule":
        start = (timezone.localtime() + timedelta(days=int(argument))).replace(
            hour=10, minute=0, second=0, microsecond=0
        )
        people = meeting_participant_choices(request)
        meeting_schedule(
            request=request,
            actor=actor,
            starts_at=start,
            ends_at=start + timedelta(hours=4),
            format=request.preferred_format,
            city=people[-1].home_city,
            address="Rathaus, Raum 101",
            video_link="",
            participants=people,
            travellers=people[1:],
        )
    elif action == "past":
        # Demo history: the exchange took place some weeks ago (a meeting cannot be set in the past).
        # The whole history before it moves back by the same amount, so that submission, routing and
        # invitations still come before the meeting (the statistics measure these intervals).
        shift = timedelta(days=int(argument) - 40)
        # A trip is approved before it begins: the held exchange's trip is made now, while the meeting
        # is still ahead, and moves back with the rest of the history.
        held_trip_before_the_meeting(request)
        _history_shift(request, shift)
    elif action == "correct_routing":
        if request.routing_decisions.filter(is_routed=True).exists():
            return
        routing_correct(
            request=request,
            department=Department.objects.get(city__slug=argument.split(":")[0], name=argument.split(":")[1]),
            routed=True,
            note="Innenstadt und Zwischennutzung liegen beim Stadtplanungsamt.",
            actor=actor,
        )
    elif action == "reflect":
        reflection_submit(request=request, author=actor, data=DEMO_REFLECTION)
    else:
        request_transition(request_id=request.pk, action=action, actor=actor, comment=argument)


def _history_shift(request: ExchangeRequest, shift: timedelta) -> None:

    due = ExchangeRequest.objects.values_list("contact_due_on", flat=True).get(pk=request.pk)
    ExchangeRequest.objects.filter(pk=request.pk).update(
        created_at=F("created_at") + shift,
        submitted_at=F("submitted_at") + shift,
        status_changed_at=F("status_changed_at") + shift,
        contact_due_on=due + shift if due else None,
    )
    Meeting.objects.filter(request=request).update(
        starts_at=F("starts_at") + shift, ends_at=F("ends_at") + shift
    )
    TimelineEntry.objects.filter(request=request).update(created_at=F("created_at") + shift)
    Comment.objects.filter(request=request).update(created_at=F("created_at") + shift)
    RoutingDecision.objects.filter(request=request).update(created_at=F("created_at") + shift)
    Invitation.objects.filter(request=request).update(
        created_at=F("created_at") + shift, answered_at=F("answered_at") + shift
    )
    _trips_shift(request, shift)


def _trips_shift(request: ExchangeRequest, shift: timedelta) -> None:
    """The request's trips move back with it: the plan, every decision and event, the commitment (whose
    budget year follows the trip's new first day) and the time the estimate was stored."""
    trips = TripRequest.objects.filter(exchange=request)
    for pk, snapshot in trips.values_list("pk", "estimate_snapshot"):
        if snapshot and snapshot.get("taken_at"):
            taken_at = datetime.fromisoformat(snapshot["taken_at"]) + shift
            TripRequest.objects.filter(pk=pk).update(
                estimate_snapshot={**snapshot, "taken_at": taken_at.isoformat()}
            )
    trips.update(
        starts_at=F("starts_at") + shift,
        ends_at=F("ends_at") + shift,
        created_at=F("created_at") + shift,
        submitted_at=F("submitted_at") + shift,
        approved_at=F("approved_at") + shift,
        supervisor_decided_at=F("supervisor_decided_at") + shift,
        cost_decided_at=F("cost_decided_at") + shift,
    )
    TripEvent.objects.filter(trip__exchange=request).update(created_at=F("created_at") + shift)
    Commitment.objects.filter(trip__exchange=request).update(
        created_at=F("created_at") + shift, released_at=F("released_at") + shift
    )
    for commitment in Commitment.objects.filter(trip__exchange=request).select_related("trip"):
        year = timezone.localtime(commitment.trip.starts_at).year
        if commitment.year != year:
            Commitment.objects.filter(pk=commitment.pk).update(year=year)


@transaction.atomic
def demo_requests_load() -> int:
    """Create the demo requests that do not exist yet; returns how many were created."""
    today = timezone.localdate()
    created = 0
    for email, title, topic_slugs, need, fmt, direction, partners, steps in DEMO_REQUESTS:
        requester = User.objects.get(email=email)
        if ExchangeRequest.objects.filter(requester=requester, title=title).exists():
            continue
        request = request_save_draft(
            requester=requester,
            data={
                "title": title,
                "need": need,
                "occasion": "question",
                "preferred_format": fmt,
                "direction": direction,
                "earliest_date": today + timedelta(days=21),
                "latest_date": today + timedelta(days=120),
                "travellers": 2 if direction != "no_travel" else 1,
            },
            topics=Topic.objects.filter(slug__in=topic_slugs),
            partner_cities=City.objects.filter(slug__in=partners),
        )
        for action, actor_email, argument in steps:
            _step(request, action, actor_email, argument)
        created += 1

    year = timezone.localdate().year
    if not Budget.objects.filter(year=year, city__isnull=True).exists():
        budget_set(
            year=year, amount=Decimal("15000.00"), actor=User.objects.get(email="finanzen@example.org")
        )
    return created
