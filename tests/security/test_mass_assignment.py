"""Mass assignment: extra fields posted to a form never reach the database.

Every form page that creates or edits requests, comments, meetings, reflections, claims, claim items
and the person's own settings is sent the fields a role may not set (status, requester, reference,
amounts, decisions, administrator rights, roles, home city …). The stored values stay those the role
may set.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from exchanges.cycle.models import Comment, ExchangeRequest, Meeting, Reflection, Status
from exchanges.travel.models import ClaimItem, ClaimStatus, TravelClaim
from exchanges.travel.services.claims import claim_create
from tests.exchanges import conftest as exchange_fixtures
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db

# The people of tests/exchanges (one per role, two cities), shared with these tests.
city = exchange_fixtures.city
other_city = exchange_fixtures.other_city
people = exchange_fixtures.people


@pytest.fixture
def forbidden(people, other_city):
    """Fields no ordinary form may take, pointing at someone or something else."""
    intruder = people["colleague"]
    return {
        "status": Status.AGREED,
        "requester": intruder.pk,
        "requester_id": intruder.pk,
        "requester_city": other_city.pk,
        "requester_department": "",
        "reference": "CR-1999-9999",
        "assignee": people["coordinator"].pk,
        "submitted_at": "01.01.2020 10:00",
        "author": intruder.pk,
        "author_id": intruder.pk,
        "traveller": intruder.pk,
        "submitted_by": intruder.pk,
        "calculated_total": "9999.00",
        "amount_approved": "9999.00",
        "approved_amount": "9999.00",
        "reduced_to": "9999.00",
        "reduction_reason": "selbst genehmigt",
        "reason_accepted": "on",
        "decided_by": intruder.pk,
        "decided_at": "01.01.2020 10:00",
        "budget_override": "on",
        "filed_late": "on",
        "trip_unfit": "on",
        "calculation_snapshot": '{"total": "9999.00", "lines": []}',
        "trip_fit_reason": "selbst begründet",
        "duplicate_reason": "selbst begründet",
        "booked": "on",
        "booking": "RK-1999-00001",
        "rate_set": "1",
        "side": Reflection.Side.EXPERT,
        "sequence": "99",
        "is_cancelled": "on",
        "held_reminder_sent": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "",
        "groups": [group.pk for group in Group.objects.all()],
        "user_permissions": "1",
        "home_city": other_city.pk,
        "department": "",
        "email": "boss@example.org",
        "anonymised_at": "01.01.2020 10:00",
    }


def _request_data(**extra):
    return {"title": "Workshop Wohnungspolitik", "need": "Wie binden wir die Akteure ein?", **extra}


def test_creating_a_request_keeps_status_requester_and_reference_to_the_portal(
    client, people, city, forbidden
):
    requester = people["requester"]
    client.force_login(requester)
    response = client.post(reverse("exchanges:request_create"), _request_data(**forbidden))
    assert response.status_code == 302

    saved = ExchangeRequest.objects.get()
    assert saved.status == Status.DRAFT
    assert saved.requester == requester
    assert saved.requester_city == city
    assert saved.requester_department == requester.department
    assert not saved.reference
    assert saved.assignee is None and saved.submitted_at is None


def test_editing_a_draft_changes_only_the_draft_fields(client, people, city, forbidden):
    exchange = make_request(people)
    client.force_login(people["requester"])
    response = client.post(
        reverse("exchanges:request_edit", args=[exchange.pk]), _request_data(**forbidden, title="Neu")
    )
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert exchange.title == "Neu"
    assert (exchange.status, exchange.requester, exchange.requester_city) == (
        Status.DRAFT,
        people["requester"],
        city,
    )
    assert not exchange.reference and exchange.assignee is None


def test_a_comment_is_the_authors_own_and_staff_cannot_make_it_internal(client, people, forbidden):
    exchange = make_request(people, Status.SUBMITTED)
    client.force_login(people["requester"])
    client.post(
        reverse("exchanges:comment_create", args=[exchange.pk]),
        {**forbidden, "body": "Noch eine Frage", "request": make_request(people).pk},
    )
    client.post(
        reverse("exchanges:comment_create", args=[exchange.pk]),
        {**forbidden, "body": "Geheim", "is_internal": "on"},
    )
    comments = list(Comment.objects.order_by("id"))
    # The internal flag is not offered to the requester: the comment is stored, visible to everyone.
    assert [(c.body, c.author, c.request_id, c.is_internal) for c in comments] == [
        ("Noch eine Frage", people["requester"], exchange.pk, False),
        ("Geheim", people["requester"], exchange.pk, False),
    ]


def test_a_meeting_keeps_its_sequence_and_is_not_cancelled_by_input(client, people, forbidden):
    exchange = make_request(people, Status.AGREED)
    client.force_login(people["coordinator"])
    start = timezone.localtime() + timedelta(days=10)
    response = client.post(
        reverse("exchanges:meeting_edit", args=[exchange.pk]),
        {
            **forbidden,
            "starts_at": f"{start:%d.%m.%Y} 10:00",
            "ends_at": f"{start:%d.%m.%Y} 12:00",
            "format": "video_call",
            "video_link": "https://video.example.org/raum",
            "participants": [people["requester"].pk],
            "request": make_request(people).pk,
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert meeting.request == exchange
    assert not meeting.is_cancelled and not meeting.held_reminder_sent
    assert meeting.sequence < 99


def test_a_reflection_belongs_to_its_author_and_side(client, people, forbidden):
    exchange = make_request(people, Status.HELD)
    client.force_login(people["requester"])
    client.post(
        reverse("exchanges:reflection_create", args=[exchange.pk]),
        {
            **forbidden,
            "takeaway": "Früh einbinden",
            "question": "Beteiligung",
            "learnt": "Viel",
            "would_recommend": "on",
            "request": make_request(people).pk,
        },
    )
    reflection = Reflection.objects.get()
    assert (reflection.author, reflection.side, reflection.request) == (
        people["requester"],
        Reflection.Side.REQUESTER,
        exchange,
    )


def _trip() -> dict:
    day = timezone.localdate() - timedelta(days=5)
    return {
        "trip_start": f"{day:%d.%m.%Y} 07:00",
        "trip_end": f"{day:%d.%m.%Y} 19:00",
        "origin": "Leipzig",
        "destination": "Bremen",
        "purpose": "Workshop",
        "flat_nights": "0",
        "car_km": "0",
        "local_transport": "0",
    }


def _assert_claim_untouched(claim: TravelClaim, traveller: User) -> None:
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT
    assert claim.traveller == traveller and claim.submitted_by == traveller
    assert claim.calculated_total in (None, Decimal("0"), Decimal("0.00"))
    assert claim.decided_by is None and claim.decided_at is None
    assert not claim.budget_override and not claim.filed_late and not claim.trip_unfit
    assert claim.rate_set_id is None and claim.calculation_snapshot is None
    assert claim.trip_fit_reason == "" and claim.duplicate_reason == ""  # only submitting gives reasons


def test_a_claim_is_created_and_edited_only_with_the_trip_fields(client, people, forbidden):
    exchange = make_request(people, Status.SCHEDULED)
    traveller = people["requester"]
    client.force_login(traveller)
    response = client.post(reverse("exchanges:claim_create", args=[exchange.pk]), {**_trip(), **forbidden})
    assert response.status_code == 302
    claim = TravelClaim.objects.get()
    _assert_claim_untouched(claim, traveller)

    response = client.post(
        reverse("exchanges:claim_edit", args=[claim.pk]), {**_trip(), **forbidden, "destination": "Nürnberg"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.destination == "Nürnberg"
    _assert_claim_untouched(claim, traveller)


def test_a_claim_item_cannot_be_reduced_accepted_or_moved_by_the_traveller(client, people, forbidden):
    exchange = make_request(people, Status.SCHEDULED)
    traveller = people["requester"]
    start = timezone.now() - timedelta(days=5)
    trip = {
        "trip_start": start,
        "trip_end": start + timedelta(hours=10),
        "origin": "Leipzig",
        "destination": "Bremen",
    }
    claim = claim_create(exchange=exchange, traveller=traveller, actor=traveller, data=trip)
    other_exchange = make_request(people, Status.SCHEDULED)
    other_claim = claim_create(exchange=other_exchange, traveller=traveller, actor=traveller, data=trip)
    client.force_login(traveller)
    payload = {f"item-{key}": value for key, value in forbidden.items()}
    payload |= {
        "item-kind": "rail",
        "item-amount": "20,00",
        "item-scheduled_hours": "0",
        "item-claim": other_claim.pk,
    }
    payload |= {"claim": other_claim.pk, "reduced_to": "0"}
    client.post(reverse("exchanges:claim_item_add", args=[claim.pk]), payload)

    item = ClaimItem.objects.get()
    assert item.claim == claim
    assert item.amount == Decimal("20.00")
    assert item.reduced_to is None and not item.reduction_reason
    assert not item.reason_accepted
    _assert_claim_untouched(claim, traveller)


def test_own_settings_never_change_rights_roles_city_or_address(client, people, city, forbidden):
    person = people["requester"]
    client.force_login(person)
    client.post(reverse("exchanges:notifications"), {**forbidden, "notification_mode": "digest"})
    client.post(reverse("language_switch"), {**forbidden, "language": "en", "next": "/"})
    client.post(reverse("profile"), forbidden)

    person.refresh_from_db()
    assert person.notification_mode == "digest" and person.preferred_language == "en"
    assert not person.is_staff and not person.is_superuser and person.is_active
    assert person.home_city == city and person.email != "boss@example.org"
    assert person.anonymised_at is None
    assert sorted(person.groups.values_list("name", flat=True)) == [Role.STAFF.value]
    assert not person.user_permissions.exists()
