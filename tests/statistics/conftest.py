"""A small, fixed network with explicit dates: every figure of the statistics is known by hand.

All times are 10:00 UTC (11:00 or 12:00 in Berlin), so day differences are whole days and no date
falls near midnight. The period under test is the calendar year 2025.

Cities: Bremen (HB), Leipzig (SN), Nürnberg (BY), one department each.
Experts: exp_b (Bremen), exp_l (Leipzig), exp_n (Nürnberg, anonymised).

====  ========  ==========  ==========  ======================  ===========  =========================
req   city      status      submitted   accepted experts        meeting      costed claims
====  ========  ==========  ==========  ======================  ===========  =========================
R1    Bremen    completed   10.01.2025  exp_l (20.01.)          09.02.2025   paid 180 (calc. 200)
R2    Leipzig   held        01.03.2025  exp_b (07.03.),         01.04.2025   approved 100, booked 150
                                        exp_n (09.03.)
R3    Nürnberg  completed   01.05.2025  exp_b (11.05.)          10.06.2025   –
R4    Bremen    cancelled   01.06.2025  exp_n (05.06.)          01.07.2025   –  (never held)
R5    Leipzig   withdrawn   01.07.2025  –                       –            –
R6    Bremen    submitted   01.08.2025  –  (due 05.08.2025)     –            –
R7    Nürnberg  matching    01.09.2025  exp_b declined; exp_l   –            –
                                        open since 12.09.2025;
                                        exp_n withdrawn, then
                                        open since today
R8    Bremen    draft       –           –                       –            –
R9    Bremen    completed   01.11.2024  exp_l (20.11.2024)      05.12.2024   paid 300 (paid 10.01.2025)
R10   Leipzig   held        20.12.2025  exp_n (28.12.)          15.01.2026   approved 80
====  ========  ==========  ==========  ======================  ===========  =========================
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from cities.directory.roles import Role
from exchanges.cycle.models import (
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    Reflection,
    RoutingDecision,
    Status,
    TimelineEntry,
)
from exchanges.statistics.tables import Period
from exchanges.travel.models import Booking, Budget, ClaimStatus, ExportBatch, TravelClaim
from tests.cities.factories import (
    CityFactory,
    DepartmentFactory,
    ExpertProfileFactory,
    TopicFactory,
    UserFactory,
)
from tests.exchanges.factories import ExchangeRequestFactory

YEAR_2025 = Period(date(2025, 1, 1), date(2025, 12, 31))


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=UTC)


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@dataclass
class World:
    cities: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    people: dict = field(default_factory=dict)
    experts: dict = field(default_factory=dict)
    topics: dict = field(default_factory=dict)
    requests: dict = field(default_factory=dict)
    counter: list = field(default_factory=lambda: [0])

    def request(
        self,
        key: str,
        city: str,
        status: Status,
        submitted: datetime | None,
        topics: list[str],
        fmt: str = "workshop",
        **extra: object,
    ) -> ExchangeRequest:
        requester = self.people[f"requester_{city}"]
        year = submitted.year if submitted else 2025
        self.counter[0] += 1
        request = ExchangeRequestFactory(
            requester=requester,
            title=f"Request {key}",
            status=status,
            submitted_at=submitted,
            reference=f"CR-{year}-{self.counter[0]:04d}" if submitted else None,
            preferred_format=fmt,
            topics=[self.topics[t] for t in topics],
            **extra,
        )
        self.requests[key] = request
        return request

    def routed_on(self, request: ExchangeRequest, when: datetime) -> None:
        entry = TimelineEntry.objects.create(
            request=request, action="start_matching", from_status="routing", to_status="matching"
        )
        TimelineEntry.objects.filter(pk=entry.pk).update(created_at=when)

    def route(self, request: ExchangeRequest, *cities: str, unrouted: tuple[str, ...] = ()) -> None:
        for rank, city in enumerate(cities + unrouted):
            RoutingDecision.objects.create(
                request=request, department=self.departments[city], rank=rank, is_routed=city in cities
            )

    def invite(
        self, request: ExchangeRequest, expert: str, status: str, answered: datetime | None, created: datetime
    ) -> Invitation:
        invitation = Invitation.objects.create(
            request=request, expert=self.experts[expert], status=status, answered_at=answered
        )
        Invitation.objects.filter(pk=invitation.pk).update(created_at=created)
        return invitation

    def meet(self, request: ExchangeRequest, when: datetime, fmt: str) -> Meeting:
        return Meeting.objects.create(
            request=request, starts_at=when, ends_at=when + timedelta(hours=4), format=fmt, address="Rathaus"
        )

    def reflect(self, request: ExchangeRequest, author, side: str, takeaway: str, internal: bool = False):
        return Reflection.objects.create(
            request=request,
            author=author,
            side=side,
            takeaway=takeaway,
            question="Frage",
            learnt="Gelernt",
            is_internal=internal,
        )

    def claim(
        self,
        request: ExchangeRequest,
        traveller,
        status: str,
        trip: datetime,
        calculated: str,
        decided: datetime | None = None,
        booked: tuple[str, datetime] | None = None,
        batch: ExportBatch | None = None,
    ) -> TravelClaim:
        claim = TravelClaim.objects.create(
            exchange=request,
            traveller=traveller,
            submitted_by=traveller,
            status=status,
            trip_start=trip,
            trip_end=trip + timedelta(hours=10),
            origin="A",
            destination="B",
            purpose="C+R",
            calculated_total=Decimal(calculated),
            submitted_at=trip + timedelta(days=1),
            decided_at=decided,
        )
        if booked:
            amount, when = booked
            self.counter[0] += 1
            booking = Booking.objects.create(
                claim=claim,
                number=f"B-{self.counter[0]}",
                budget_year=when.year,
                cost_centre="KS-1",
                payee=str(traveller),
                amount=Decimal(amount),
                batch=batch,
            )
            Booking.objects.filter(pk=booking.pk).update(created_at=when)
        return claim


@pytest.fixture
def world(db) -> World:
    w = World()
    for slug, name, state in [
        ("bremen", "Bremen", "HB"),
        ("leipzig", "Leipzig", "SN"),
        ("nuernberg", "Nürnberg", "BY"),
    ]:
        w.cities[slug] = CityFactory(slug=slug, name=name, federal_state=state)
        w.departments[slug] = DepartmentFactory(city=w.cities[slug], name=f"Stadtplanungsamt {name}")
        w.people[f"requester_{slug}"] = UserFactory(department=w.departments[slug], roles=[Role.STAFF])
        w.people[f"contact_{slug}"] = UserFactory(
            department=w.departments[slug], roles=[Role.CITY_CONTACT, Role.STAFF]
        )
        w.experts[slug] = ExpertProfileFactory(
            user=UserFactory(department=w.departments[slug], roles=[Role.EXPERT, Role.STAFF])
        )
    w.people["coordinator"] = UserFactory(department=w.departments["leipzig"], roles=[Role.COORDINATOR])
    w.people["finance"] = UserFactory(department=w.departments["leipzig"], roles=[Role.FINANCE])
    w.topics = {
        "wohnen": TopicFactory(slug="wohnen", name="Wohnen"),
        "mobil": TopicFactory(slug="mobil", name="Mobilität"),
    }
    finance = w.people["finance"]
    batch_2025_03 = ExportBatch.objects.create(number="X-1", created_by=finance, paid_at=at(2025, 3, 5))
    batch_2025_01 = ExportBatch.objects.create(number="X-2", created_by=finance, paid_at=at(2025, 1, 10))
    exp = {slug: w.experts[slug].user for slug in w.experts}

    r1 = w.request("R1", "bremen", Status.COMPLETED, at(2025, 1, 10), ["wohnen"], "workshop")
    w.routed_on(r1, at(2025, 1, 14))
    w.route(r1, "leipzig", unrouted=("nuernberg",))
    w.invite(r1, "leipzig", InvitationStatus.ACCEPTED, at(2025, 1, 20), at(2025, 1, 15))
    w.meet(r1, at(2025, 2, 9), "workshop")
    w.reflect(r1, r1.requester, Reflection.Side.REQUESTER, "T1 public")
    w.reflect(r1, exp["leipzig"], Reflection.Side.EXPERT, "T1 internal", internal=True)
    w.claim(
        r1,
        exp["leipzig"],
        ClaimStatus.PAID,
        at(2025, 2, 9),
        "200.00",
        at(2025, 2, 15),
        ("180.00", at(2025, 2, 20)),
        batch_2025_03,
    )
    w.claim(r1, r1.requester, ClaimStatus.REJECTED, at(2025, 2, 9), "500.00", at(2025, 2, 15))

    r2 = w.request("R2", "leipzig", Status.HELD, at(2025, 3, 1), ["mobil", "wohnen"], "site_visit")
    w.routed_on(r2, at(2025, 3, 3))
    w.route(r2, "bremen", "nuernberg")
    w.invite(r2, "bremen", InvitationStatus.ACCEPTED, at(2025, 3, 7), at(2025, 3, 4))
    w.invite(r2, "nuernberg", InvitationStatus.ACCEPTED, at(2025, 3, 9), at(2025, 3, 4))
    w.meet(r2, at(2025, 4, 1), "site_visit")
    w.claim(r2, exp["bremen"], ClaimStatus.APPROVED, at(2025, 4, 1), "100.00", at(2025, 4, 10))
    w.claim(
        r2,
        exp["nuernberg"],
        ClaimStatus.BOOKED,
        at(2025, 4, 1),
        "150.00",
        at(2025, 4, 12),
        ("150.00", at(2025, 4, 20)),
    )
    w.claim(r2, r2.requester, ClaimStatus.SUBMITTED, at(2025, 4, 1), "999.00")

    r3 = w.request("R3", "nuernberg", Status.COMPLETED, at(2025, 5, 1), ["mobil"], "bilateral")
    w.routed_on(r3, at(2025, 5, 9))
    w.route(r3, "bremen")
    w.invite(r3, "bremen", InvitationStatus.ACCEPTED, at(2025, 5, 11), at(2025, 5, 10))
    w.meet(r3, at(2025, 6, 10), "video_call")
    w.reflect(r3, r3.requester, Reflection.Side.REQUESTER, "T3")

    r4 = w.request("R4", "bremen", Status.CANCELLED, at(2025, 6, 1), ["wohnen"], "workshop")
    w.routed_on(r4, at(2025, 6, 3))
    w.route(r4, "nuernberg")
    w.invite(r4, "nuernberg", InvitationStatus.ACCEPTED, at(2025, 6, 5), at(2025, 6, 4))
    w.meet(r4, at(2025, 7, 1), "workshop")

    w.request("R5", "leipzig", Status.WITHDRAWN, at(2025, 7, 1), ["mobil"], "video_call")
    w.request(
        "R6",
        "bremen",
        Status.SUBMITTED,
        at(2025, 8, 1),
        ["wohnen"],
        "",
        contact_due_on=date(2025, 8, 5),
    )

    r7 = w.request("R7", "nuernberg", Status.MATCHING, at(2025, 9, 1), ["wohnen"], "workshop")
    w.routed_on(r7, at(2025, 9, 11))
    w.route(r7, "leipzig", "bremen", unrouted=("nuernberg",))
    w.invite(r7, "bremen", InvitationStatus.DECLINED, at(2025, 9, 15), at(2025, 9, 12))
    w.invite(r7, "leipzig", InvitationStatus.OPEN, None, at(2025, 9, 12))
    w.invite(r7, "nuernberg", InvitationStatus.WITHDRAWN, at(2025, 9, 20), at(2025, 9, 12))
    w.invite(r7, "nuernberg", InvitationStatus.OPEN, None, timezone.now())

    w.request("R8", "bremen", Status.DRAFT, None, ["wohnen"], "workshop")

    r9 = w.request("R9", "bremen", Status.COMPLETED, at(2024, 11, 1), ["wohnen"], "workshop")
    w.routed_on(r9, at(2024, 11, 5))
    w.route(r9, "leipzig")
    w.invite(r9, "leipzig", InvitationStatus.ACCEPTED, at(2024, 11, 20), at(2024, 11, 6))
    w.meet(r9, at(2024, 12, 5), "workshop")
    w.claim(
        r9,
        exp["leipzig"],
        ClaimStatus.PAID,
        at(2024, 12, 5),
        "300.00",
        at(2024, 12, 10),
        ("300.00", at(2024, 12, 15)),
        batch_2025_01,
    )

    r10 = w.request("R10", "leipzig", Status.HELD, at(2025, 12, 20), ["mobil"], "workshop")
    w.routed_on(r10, at(2025, 12, 22))
    w.route(r10, "bremen")
    w.invite(r10, "nuernberg", InvitationStatus.ACCEPTED, at(2025, 12, 28), at(2025, 12, 22))
    w.meet(r10, at(2026, 1, 15), "workshop")
    w.claim(r10, exp["nuernberg"], ClaimStatus.APPROVED, at(2026, 1, 15), "80.00", at(2026, 1, 20))

    Budget.objects.create(year=2025, city=None, amount=Decimal("1000.00"))
    Budget.objects.create(year=2025, city=w.cities["bremen"], amount=Decimal("400.00"))

    # The Nürnberg expert asked to be forgotten: the person still counts, under another name.
    anonymised = exp["nuernberg"]
    anonymised.display_name = "Anonymisierte Person"
    anonymised.email = f"anonymised-{anonymised.pk}@invalid"
    anonymised.anonymised_at = timezone.now()
    anonymised.save(update_fields=["display_name", "email", "anonymised_at"])
    return w
