"""A world of two cities for the attack tests: one person per role in the own city A, and in both cities
objects of every kind whose id appears in a URL (requests in several states, attachments, invitations,
meetings, reflections, claims with items and receipts, trip requests, bookings in an export batch, experts).

The attack modules import the fixture ``world`` from here and walk the URL conf with ``url_names``.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cities.directory.models import City, Department, ExpertProfile, User
from cities.directory.roles import Role
from exchanges.cycle.models import (
    Attachment,
    Comment,
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    Reflection,
    RoutingDecision,
)
from exchanges.cycle.services.invitations import LINK_SALT
from exchanges.notifications.models import Notification
from exchanges.travel.models import (
    Booking,
    BookingCounter,
    ClaimItem,
    ClaimStatus,
    ExportBatch,
    RateSet,
    Receipt,
    TravelClaim,
    TripRequest,
    TripStatus,
)
from exchanges.travel.services.trips import LINK_SALT as TRIP_LINK_SALT
from tests.cities.factories import CityFactory, DepartmentFactory, ExpertProfileFactory, UserFactory
from tests.exchanges.factories import ExchangeRequestFactory
from tests.module_db import rolled_back_after_module

ROLES = ["anonymous", "staff", "contact", "liaison", "coordinator", "expert", "finance", "superuser"]
SIDES = ["own", "foreign"]
STATES = ["draft", "submitted", "matching", "scheduled", "completed"]
PDF = b"%PDF-1.4 attack test\n%%EOF"
LOGIN = "login"  # a 302 to the log-in page


def url_names() -> list[str]:
    """Every named URL of the URL conf (recursing into includes), with its namespace."""

    def walk(patterns, namespace: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                yield (
                    f"{namespace}{pattern.name}"
                    if pattern.name
                    else f"{namespace}<unnamed {pattern.pattern}>"
                )

    return sorted(set(walk(get_resolver().url_patterns)))


@dataclass
class Side:
    """The objects of one city."""

    city: City
    department: Department
    staff: User  # requester of all requests here, traveller of the draft and booked claims
    contact: User
    liaison: User  # of ``department``; every request from "matching" on is routed there
    expert: ExpertProfile  # invited to every request from "matching" on; traveller of the submitted claim
    requests: dict[str, ExchangeRequest] = field(default_factory=dict)
    attachments: dict[str, Attachment] = field(default_factory=dict)
    invitation_open: Invitation | None = None
    invitation_accepted: Invitation | None = None
    claims: dict[str, TravelClaim] = field(default_factory=dict)
    items: dict[str, ClaimItem] = field(default_factory=dict)
    receipts: dict[str, Receipt] = field(default_factory=dict)
    # Trip requests on the scheduled exchange, supervised by ``contact``: the draft and the approved one of
    # ``staff``, the submitted one of ``expert`` (its approval link works).
    trips: dict[str, TripRequest] = field(default_factory=dict)

    def trip_token(self, trip: str = "submitted", nonce: str | None = None) -> str:
        trip_request = self.trips[trip]
        nonce = trip_request.link_nonce if nonce is None else nonce
        return signing.dumps({"trip": trip_request.pk, "nonce": nonce}, salt=TRIP_LINK_SALT)

    def token(self, invitation: Invitation | None = None) -> str:
        invitation = invitation or self.invitation_open
        return signing.dumps({"invitation": invitation.pk}, salt=LINK_SALT)

    def titles(self, *states: str) -> list[str]:
        return [self.requests[s].title for s in states or STATES]

    def references(self, *states: str) -> list[str]:
        return [self.requests[s].reference for s in states or STATES if self.requests[s].reference]


@dataclass
class World:
    users: dict[str, User]
    sides: dict[str, Side]
    batch: ExportBatch
    rate_set: RateSet

    def __getitem__(self, side: str) -> Side:
        return self.sides[side]


def _request(side_letter: str, staff: User, state: str, number: int, text: str) -> ExchangeRequest:
    request = ExchangeRequestFactory(
        requester=staff, title=f"{text}Anfrage {side_letter} {state} {number}", need=f"{text}Bedarf"
    )
    if state != "draft":
        reference = f"CR-2026-{number:04d}"
        ExchangeRequest.objects.filter(pk=request.pk).update(
            status=state, reference=reference, submitted_at=timezone.now()
        )
        request.refresh_from_db()
    return request


def _attachment(request: ExchangeRequest, by: User, name: str) -> Attachment:
    attachment = Attachment(
        request=request,
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256=Attachment.digest(PDF),
        uploaded_by=by,
    )
    attachment.file.save(name, ContentFile(PDF), save=False)
    attachment.save()
    return attachment


def _claim(exchange: ExchangeRequest, traveller: User, status: str, text: str) -> TravelClaim:
    start = timezone.now() - timedelta(days=3)
    return TravelClaim.objects.create(
        exchange=exchange,
        traveller=traveller,
        submitted_by=traveller,
        status=status,
        trip_start=start,
        trip_end=start + timedelta(hours=10),
        origin=f"{text}Ort",
        destination=f"{text}Ziel",
        purpose=f"{text}Zweck",
        calculated_total=Decimal("42.00"),
        submitted_at=None if status == ClaimStatus.DRAFT else timezone.now(),
    )


def _item_with_receipt(claim: TravelClaim, text: str) -> tuple[ClaimItem, Receipt]:
    item = ClaimItem.objects.create(
        claim=claim, kind=ClaimItem.Kind.RAIL, amount=Decimal("42.00"), explanation=f"{text}Notiz"
    )
    receipt = Receipt(
        claim=claim,
        item=item,
        original_name="fahrkarte.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256=Attachment.digest(PDF),
    )
    receipt.file.save("fahrkarte.pdf", ContentFile(PDF), save=False)
    receipt.save()
    return item, receipt


def _trip(
    exchange: ExchangeRequest, traveller: User, supervisor: User, status: str, text: str
) -> TripRequest:
    """A trip request by train to the exchange's meeting, complete enough to be submitted."""
    meeting = Meeting.objects.get(request=exchange)
    now = timezone.now()
    decided = status == TripStatus.APPROVED
    return TripRequest.objects.create(
        exchange=exchange,
        traveller=traveller,
        filed_by=traveller,
        status=status,
        purpose=f"{text}Reisezweck {status} {exchange.pk}",
        origin=f"{text}Ort",
        destination=f"{text}Ziel",
        starts_at=meeting.starts_at - timedelta(hours=2),
        ends_at=meeting.ends_at + timedelta(hours=2),
        means="rail",
        fare=Decimal("42.00"),
        cost_centre="KST-1",
        estimated_total=Decimal("56.00"),
        supervisor=supervisor,
        supervisor_name=supervisor.display_name,
        supervisor_email=supervisor.email,
        link_nonce=f"attack{traveller.pk}" if status == TripStatus.SUBMITTED else "",
        submitted_at=None if status == TripStatus.DRAFT else now,
        supervisor_decision="approved" if decided else "",
        supervisor_decided_at=now if decided else None,
        supervisor_decided_by=supervisor if decided else None,
        supervisor_channel="portal" if decided else "",
        cost_decision="approved" if decided else "",
        cost_decided_at=now if decided else None,
        approved_at=meeting.starts_at - timedelta(days=5) if decided else None,
    )


def build_world(text: str = "") -> World:
    """Build the two cities. ``text`` is put in front of every free text (the XSS test passes payloads)."""
    number = 0
    sides: dict[str, Side] = {}
    for side_name, letter, state_code in (("own", "A", "SN"), ("foreign", "B", "HB")):
        city = CityFactory(
            name=f"{text}Stadt {letter}", slug=f"stadt-{letter.lower()}", federal_state=state_code
        )
        department = DepartmentFactory(city=city, name=f"{text}Amt {letter}")
        staff = UserFactory(
            department=department,
            roles=[Role.STAFF],
            display_name=f"{text}Person {letter}",
            organisation=f"{text}Verein {letter}",
        )
        contact = UserFactory(department=department, roles=[Role.CITY_CONTACT, Role.STAFF])
        liaison = UserFactory(department=department, roles=[Role.DEPARTMENT_LIAISON])
        expert = ExpertProfileFactory(
            user=UserFactory(
                department=department,
                roles=[Role.EXPERT, Role.STAFF],
                display_name=f"{text}Expertin {letter}",
            ),
            position=f"{text}Referentin",
            experience=f"{text}Erfahrung",
            availability_note=f"{text}Hinweis",
        )
        side = Side(city, department, staff, contact, liaison, expert)
        for state in STATES:
            number += 1
            request = _request(letter, staff, state, number, text)
            side.requests[state] = request
            if state in {"matching", "scheduled", "completed"}:
                RoutingDecision.objects.create(
                    request=request,
                    department=department,
                    score=10,
                    rank=1,
                    is_routed=True,
                    note=f"{text}Notiz",
                )
                invitation = Invitation.objects.create(
                    request=request,
                    expert=expert,
                    proposed_by=None,
                    message=f"{text}Nachricht",
                    status=InvitationStatus.OPEN if state == "matching" else InvitationStatus.ACCEPTED,
                    answer_note="" if state == "matching" else f"{text}Antwort",
                    answered_at=None if state == "matching" else timezone.now(),
                )
                if state == "matching":
                    side.invitation_open = invitation
                elif state == "scheduled":
                    side.invitation_accepted = invitation
            if state in {"scheduled", "completed"}:
                start = timezone.now() + timedelta(days=10 if state == "scheduled" else -10)
                meeting = Meeting.objects.create(
                    request=request,
                    starts_at=start,
                    ends_at=start + timedelta(hours=3),
                    city=city,
                    address=f"{text}Rathaus",
                    format="workshop",
                )
                meeting.participants.set([staff, expert.user])
                meeting.travellers.set([expert.user])
            if state == "completed":
                Reflection.objects.create(
                    request=request,
                    author=staff,
                    side=Reflection.Side.REQUESTER,
                    takeaway=f"{text}Erkenntnis {letter}",
                    question=f"{text}Frage",
                    learnt=f"{text}Gelernt",
                    worked=f"{text}Lief gut",
                    did_not_work=f"{text}Lief schlecht",
                    follow_ups=f"{text}Weiter",
                )
        for state in ("draft", "submitted"):
            side.attachments[state] = _attachment(side.requests[state], staff, f"{text}plan-{state}.pdf")
        Comment.objects.create(request=side.requests["submitted"], author=contact, body=f"{text}Kommentar")
        Notification.objects.create(
            key=f"attack-{letter}-{number}",
            recipient=staff,
            request=side.requests["submitted"],
            subject=f"{text}Betreff {side.requests['submitted'].title}",
            body=f"{text}Text",
        )
        side.claims["draft"] = _claim(side.requests["scheduled"], staff, ClaimStatus.DRAFT, text)
        side.claims["submitted"] = _claim(
            side.requests["scheduled"], expert.user, ClaimStatus.SUBMITTED, text
        )
        side.claims["booked"] = _claim(side.requests["completed"], staff, ClaimStatus.BOOKED, text)
        for key, claim in side.claims.items():
            side.items[key], side.receipts[key] = _item_with_receipt(claim, text)
        scheduled = side.requests["scheduled"]
        side.trips["draft"] = _trip(scheduled, staff, contact, TripStatus.DRAFT, text)
        side.trips["submitted"] = _trip(scheduled, expert.user, contact, TripStatus.SUBMITTED, text)
        side.trips["approved"] = _trip(scheduled, staff, contact, TripStatus.APPROVED, text)
        sides[side_name] = side

    own = sides["own"]
    users = {
        "staff": own.staff,
        "contact": own.contact,
        "liaison": own.liaison,
        "coordinator": UserFactory(department=own.department, roles=[Role.COORDINATOR]),
        "expert": own.expert.user,
        "finance": UserFactory(department=own.department, roles=[Role.FINANCE]),
        "superuser": UserFactory(department=own.department, is_superuser=True, is_staff=True),
    }
    batch = ExportBatch.objects.create(number="EX-2026-0001", created_by=users["finance"])
    for number_, side in enumerate(sides.values(), start=1):
        Booking.objects.create(
            claim=side.claims["booked"],
            number=f"RK-2026-{number_:05d}",
            budget_year=2026,
            cost_centre="KST-1",
            payee=side.claims["booked"].traveller.display_name,
            amount=Decimal("42.00"),
            batch=batch,
        )
    # The numbers above are taken: a claim approved during an attack is booked with the next one.
    BookingCounter.objects.update_or_create(year=2026, defaults={"last_number": len(sides)})
    return World(users=users, sides=sides, batch=batch, rate_set=RateSet.objects.order_by("pk").first())


# --- requests as a browser would send them ------------------------------------------------------------
def csrf_client() -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, with a valid token ready for POSTs."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    token = _get_new_csrf_string()
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return client, token


def answer(response) -> object:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else 302
    return response.status_code


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)  # the test client closes it when consumed
    return response.content


def run(world: World, role: str, method: str, url: str, data: dict) -> tuple[object, bytes]:
    """Answer one request in a savepoint that is rolled back, so every role meets the same world."""
    got, content, _changed = run_probed(world, role, method, url, data)
    return got, content


def run_probed(
    world: World, role: str, method: str, url: str, data: dict, *, probe: bool = False
) -> tuple[object, bytes, list[str]]:
    """``run``, also naming the tables the request changed when ``probe`` is set."""
    with transaction.atomic():
        client, token = csrf_client()
        if role != "anonymous":
            client.force_login(world.users[role])
        before = database_fingerprint() if probe else {}
        if method == "get":
            response = client.get(url)
        else:
            response = client.post(url, {**data, "csrfmiddlewaretoken": token})
        content = body(response)
        assert_security_headers(response, url)
        after = database_fingerprint() if probe else {}
        transaction.set_rollback(True)
    changed = sorted(table for table in before if before[table] != after.get(table))
    return answer(response), content, changed


def assert_security_headers(response, url: str) -> None:
    """Every answer of the portal, whatever its status, carries the protective headers."""
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp, (url, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert response.headers.get("Referrer-Policy") == "same-origin", url


def database_fingerprint() -> dict[str, str]:
    """A checksum of every table's content (sessions and log-in attempt logs aside)."""
    fingerprint = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table == "django_session" or table.startswith("axes_"):
                continue
            quoted = connection.ops.quote_name(table)
            if connection.vendor == "postgresql":
                cursor.execute(
                    f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quoted} t"
                )
                fingerprint[table] = cursor.fetchone()[0]
            else:  # the embedded SQLite default: small test tables, hashed in Python
                cursor.execute(f"SELECT * FROM {quoted}")
                rows = sorted(repr(row) for row in cursor.fetchall())
                fingerprint[table] = hashlib.sha256("|".join(rows).encode()).hexdigest()
    return fingerprint


@pytest.fixture(name="world", scope="module")
def world_fixture(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[World]:
    """The world, built once for a test module (as ``demo_world`` in tests/conftest.py): inside a
    transaction that stays open while the module's tests run and is rolled back after the last one. Each
    test's own transaction is a savepoint inside it, and every request the tests make runs in a further
    savepoint that is rolled back (``run_probed``), so every test meets the same world."""
    with (
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        rolled_back_after_module(django_db_blocker),
    ):
        yield build_world()
