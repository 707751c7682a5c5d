"""Demo requests, among them the three real examples of the network. Idempotent like ``demo_load``."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cities.models import City, Topic, User
from exchanges.models import ExchangeRequest
from exchanges.services.requests import request_save_draft, request_transition

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
            ("start_matching", "koordination@example.org", ""),
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
]


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
        for action, actor_email, comment in steps:
            request_transition(
                request_id=request.pk,
                action=action,
                actor=User.objects.get(email=actor_email),
                comment=comment,
            )
        created += 1
    return created
