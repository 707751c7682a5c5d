"""The whole cycle through the API alone (create → submit → accept → routed → propose → accept invitation →
schedule → held → reflection; claim → approve → booked), with tokens, on the demo network; then the browser's pages
show the same state (the same services and access rules behind both doors)."""

import io
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from cities.directory.models import ExpertProfile, Topic, User
from exchanges.cycle.models import ExchangeRequest, Invitation, Reflection, Status
from exchanges.travel.models import Booking, ClaimStatus, TravelClaim
from tests.api.conftest import issue, token_client

pytestmark = pytest.mark.django_db


def person(email: str):
    return token_client(issue(User.objects.get(email=email)))


def ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def demo_network(db):
    call_command("load_demo", stdout=io.StringIO())


def run_cycle(capture, clock) -> ExchangeRequest:
    """create → submit → accept → routed → propose → accept invitation → schedule → held → reflection."""
    lukas, contact = person("lukas.meyer@example.org"), person("kontakt.nuernberg@example.org")
    coordinator, henrik = person("koordination@example.org"), person("henrik.brandt@example.org")
    today = timezone.localdate()

    draft = ok(
        lukas.post(
            "/api/v1/requests/",
            {
                "title": "Mobilitätsstationen im Quartier (API)",
                "need": "Wir planen Mobilitätsstationen und möchten von den Erfahrungen anderer Städte lernen.",
                "occasion": "question",
                "preferred_format": "workshop",
                "direction": "expert_travels",
                "earliest_date": str(today + timedelta(days=14)),
                "latest_date": str(today + timedelta(days=90)),
                "travellers": 1,
                "estimated_costs": "180.00",
                "topics": [Topic.objects.get(slug="mobilitaet").pk],
            },
            format="json",
        ),
        201,
    )
    pk = draft["id"]
    base = f"/api/v1/requests/{pk}/"
    with capture(execute=True):
        ok(lukas.post(base + "actions/submit/", {"expected_status": "draft"}, format="json"))
    with capture(execute=True):  # the routing task runs after the commit
        ok(contact.post(base + "actions/accept/", {"comment": "Passt."}, format="json"))
    assert ok(coordinator.get(base))["status"] == "matching"
    routed = [d for d in ok(coordinator.get(base + "routing/"))["results"] if d["is_routed"]]
    assert {d["department"]["city"]["name"] for d in routed} >= {"Bremen"}

    suggestions = ok(coordinator.get(base + "suggestions/"))
    henrik_profile = ExpertProfile.objects.get(user__email="henrik.brandt@example.org")
    assert henrik_profile.pk in [s["expert"]["id"] for s in suggestions["routed"]]
    with capture(execute=True):
        invitations = ok(
            coordinator.post(
                base + "invitations/",
                {"experts": [henrik_profile.pk], "message": "Hättest du Zeit?"},
                format="json",
            ),
            201,
        )
    mine = ok(henrik.get("/api/v1/invitations/"))["results"]
    assert [i["id"] for i in mine] == [invitations[0]["id"]]
    with capture(execute=True):
        answered = ok(
            henrik.post(
                f"/api/v1/invitations/{invitations[0]['id']}/answer/",
                {"answer": "accept", "note": "Gern, ab Mai."},
                format="json",
            )
        )
    assert answered["status"] == "accepted"
    assert ok(lukas.get(base))["status"] == "agreed"

    starts = timezone.now() + timedelta(days=20)
    henrik_user = User.objects.get(email="henrik.brandt@example.org")
    lukas_user = User.objects.get(email="lukas.meyer@example.org")
    # The coordination sets date and place: saving the meeting is what schedules the request.
    with capture(execute=True):
        meeting = ok(
            coordinator.put(
                base + "meeting/",
                {
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=3)).isoformat(),
                    "format": "workshop",
                    "address": "Rathaus Nürnberg, Saal 2",
                    "participants": [lukas_user.pk, henrik_user.pk],
                    "travellers": [henrik_user.pk],
                },
                format="json",
            )
        )
    assert [p["id"] for p in meeting["travellers"]] == [henrik_user.pk]
    assert ok(lukas.get(base))["status"] == "scheduled"
    # Before the meeting it cannot be confirmed as held …
    early = lukas.post(base + "actions/mark_held/", {"expected_status": "scheduled"}, format="json")
    assert early.status_code == 409
    # … afterwards it can: the clock stands four hours after the meeting's start from here on.
    clock.move_to(starts + timedelta(hours=4))
    with capture(execute=True):
        ok(lukas.post(base + "actions/mark_held/", {"expected_status": "scheduled"}, format="json"))
    with capture(execute=True):
        reflection = ok(
            lukas.post(
                base + "reflections/",
                {
                    "takeaway": "Mobilitätsstationen mit der Wohnungsgesellschaft starten",
                    "question": "Wie starten wir Mobilitätsstationen im Bestand?",
                    "learnt": "Die Wohnungsgesellschaft früh einbinden.",
                },
                format="json",
            ),
            201,
        )
    assert reflection["side"] == "requester"
    return ExchangeRequest.objects.get(pk=pk)


def run_claim(capture, exchange: ExchangeRequest) -> int:
    """claim → approve → booked: the expert who travelled claims, finance approves, the booking follows."""
    henrik, finance = person("henrik.brandt@example.org"), person("finanzen@example.org")
    # the trip to the meeting and back, ended before the clock's "now" (a claim is filed after the trip)
    start = exchange.meeting.starts_at - timedelta(hours=4)
    claim = ok(
        henrik.post(
            "/api/v1/claims/",
            {
                "exchange": exchange.pk,
                "trip_start": start.isoformat(),
                "trip_end": (exchange.meeting.ends_at + timedelta(minutes=30)).isoformat(),
                "origin": "Bremen",
                "destination": "Nürnberg",
            },
            format="json",
        ),
        201,
    )
    ok(
        henrik.post(
            f"/api/v1/claims/{claim['id']}/items/",
            {
                "kind": "rail",
                "amount": "119.90",
                "receipt": SimpleUploadedFile("fahrkarte.pdf", b"%PDF-1.4 ICE"),
            },
            format="multipart",
        ),
        201,
    )
    # no trip was approved in the portal for this exchange: the claim says why
    ok(
        henrik.post(
            f"/api/v1/claims/{claim['id']}/submit/",
            {"no_trip_reason": "Auf Papier genehmigt."},
            format="json",
        )
    )
    queue = ok(finance.get("/api/v1/finance/queue/"))["results"]
    assert claim["id"] in [row["id"] for row in queue]
    with capture(execute=True):  # the booking task runs after the commit
        ok(finance.post(f"/api/v1/claims/{claim['id']}/decision/", {"decision": "approve"}, format="json"))
    booked = ok(henrik.get(f"/api/v1/claims/{claim['id']}/"))
    assert booked["status"] == "booked" and booked["booking"]["number"].startswith("RK-")
    bookings = ok(finance.get("/api/v1/finance/bookings/?unbatched=true"))["results"]
    assert booked["booking"]["number"] in [b["number"] for b in bookings]
    return claim["id"]


def test_the_cycle_through_the_api_alone_and_the_browser_shows_the_same(
    demo_network, client, django_capture_on_commit_callbacks, settings, tmp_path, request
):
    settings.MEDIA_ROOT = tmp_path
    clock = time_machine.travel(timezone.now(), tick=True)
    request.addfinalizer(clock.stop)
    exchange = run_cycle(django_capture_on_commit_callbacks, clock.start())
    claim_id = run_claim(django_capture_on_commit_callbacks, exchange)

    # the database holds what the API said
    assert exchange.status == Status.COMPLETED
    assert list(exchange.timeline.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "start_matching",
        "invite",
        "invitation_accepted",
        "agree",
        "schedule",
        "mark_held",
        "complete",
    ]
    assert Invitation.objects.get(request=exchange).status == "accepted"
    assert Reflection.objects.filter(request=exchange, side="requester").count() == 1
    # the knowledge base finds it, through the API …
    lukas = person("lukas.meyer@example.org")
    found = ok(lukas.get("/api/v1/knowledge/?q=Wohnungsgesellschaft"))["results"]
    assert exchange.pk in [entry["request"]["id"] for entry in found]

    # … and the browser's pages show the same state
    client.force_login(User.objects.get(email="lukas.meyer@example.org"))
    page = client.get(f"/anfragen/{exchange.pk}/").content.decode()
    assert exchange.reference in page and "Abgeschlossen" in page  # German: "Completed"
    assert "Mobilitätsstationen mit der Wohnungsgesellschaft starten" in page
    assert "Henrik Brandt" in page and "Rathaus Nürnberg, Saal 2" in page
    knowledge = client.get("/wissen/?q=Wohnungsgesellschaft").content.decode()
    assert "Mobilitätsstationen im Quartier (API)" in knowledge

    # the claim's page in the browser: booked, with the booking number the API gave
    claim = TravelClaim.objects.get(pk=claim_id)
    assert claim.status == ClaimStatus.BOOKED and Booking.objects.filter(claim=claim).count() == 1
    client.force_login(User.objects.get(email="henrik.brandt@example.org"))
    claim_page = client.get(f"/reisekosten/{claim_id}/").content.decode()
    assert "Gebucht" in claim_page and claim.booking.number in claim_page
    client.force_login(User.objects.get(email="finanzen@example.org"))
    assert claim.booking.number in client.get(f"/reisekosten/{claim_id}/").content.decode()
