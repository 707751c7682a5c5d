"""A page never offers what the service refuses, and never hides what it allows (issue "House in order",
item 2; CONTRIBUTING.md, "One rule, one place").

People of every role (and the in-between ones: an expert who accepted but is not at the meeting, an expert
still asked, one who declined, an administrator, a liaison whose department was not chosen) meet requests in
every state of the cycle, claims in every state and invitations in every state. For each of them the pages
that show actions are rendered (the request page, the claim page, the invitation page); every action they
offer — a form's target, a link to an action's page — is collected, and for every action there is:

    offered on the page  ⇔  its rule says yes  ⇔  the service accepts it

The service is tried directly, and through the page: an offered action posted as its form would post it is
carried out, one not offered is refused and changes nothing. Each attempt runs in a savepoint that is rolled
back, so everyone meets the same world.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from cities.directory.models import Department, ExpertProfile, User
from cities.directory.roles import Role
from exchanges.cycle.models import (
    AnswerChannel,
    Comment,
    ExchangeRequest,
    Invitation,
    InvitationStatus,
    Meeting,
    Reflection,
    RoutingDecision,
    Status,
)
from exchanges.cycle.rules import (
    available_transitions,
    can_comment,
    can_comment_internally,
    can_edit_request,
    may_answer_invitation,
    may_claim,
    may_correct_routing,
    may_propose_experts,
    may_record_answer,
    may_record_past_exchange,
    may_set_meeting,
    may_withdraw_invitations,
    may_write_reflection,
)
from exchanges.cycle.services.invitations import (
    invitation_answer,
    invitations_propose,
    invitations_withdraw_open,
)
from exchanges.cycle.services.meetings import exchange_record_past, meeting_schedule
from exchanges.cycle.services.reflections import reflection_submit
from exchanges.cycle.services.requests import comment_add, request_save_draft, request_transition
from exchanges.cycle.services.routing import routing_correct
from exchanges.cycle.workflow import TRANSITIONS
from exchanges.travel.models import ClaimStatus, TravelClaim
from exchanges.travel.rules import may_decide_claim, may_edit_claim
from exchanges.travel.services.claims import claim_create, claim_return_or_reject, claim_update
from koopstadt.errors import DomainError
from tests.cities.factories import CityFactory, DepartmentFactory, ExpertProfileFactory, UserFactory
from tests.exchanges.conftest import REFLECTION, make_people, make_request
from tests.module_db import rolled_back_after_module

pytestmark = pytest.mark.django_db

STEPS = [action for action, step in TRANSITIONS.items() if step.is_direct]
REFUSALS = (DomainError, ValidationError, PermissionDenied, Http404)


# --- the world ---------------------------------------------------------------------------------------------
@dataclass
class World:
    people: dict[str, User]
    requests: dict[str, ExchangeRequest]
    claims: dict[str, TravelClaim] = field(default_factory=dict)
    invitations: dict[str, Invitation] = field(default_factory=dict)
    spare_expert: ExpertProfile | None = None


def _invite(request: ExchangeRequest, user: User, status: InvitationStatus) -> Invitation:
    return Invitation.objects.create(
        request=request,
        expert=user.expert_profile,
        status=status,
        answered_at=None if status == InvitationStatus.OPEN else timezone.now(),
        answer_note="" if status == InvitationStatus.OPEN else "Antwort",
    )


def _claim(
    exchange: ExchangeRequest, traveller: User, status: str, submitted_by: User | None = None
) -> TravelClaim:
    start = timezone.now() - timedelta(days=9)
    return TravelClaim.objects.create(
        exchange=exchange,
        traveller=traveller,
        submitted_by=submitted_by or traveller,
        status=status,
        trip_start=start,
        trip_end=start + timedelta(hours=12),
        origin="Bremen",
        destination="Leipzig",
        purpose="Werkstatt",
        calculated_total=Decimal("40.00"),
        submitted_at=None if status == ClaimStatus.DRAFT else timezone.now(),
    )


def build_world() -> World:
    people = make_people(
        CityFactory(name="Leipzig", slug="leipzig", federal_state="SN"),
        CityFactory(name="Bremen", slug="bremen", federal_state="HB"),
    )
    away = people["expert"].department
    people.update(
        admin=UserFactory(roles=[], is_superuser=True, is_staff=True, display_name="Ada Admin"),
        routed_liaison=UserFactory(department=away, roles=[Role.DEPARTMENT_LIAISON]),
        **{
            name: ExpertProfileFactory(user__department=DepartmentFactory(city=away.city)).user
            for name in ("absent_expert", "asked_expert", "declined_expert")
        },
    )
    requests = {status.value: make_request(people, status) for status in Status}
    # A scheduled exchange whose meeting has begun: "it took place" is offered (with a reason for those
    # who were not there).
    begun = make_request(people, Status.SCHEDULED)
    past = timezone.now() - timedelta(hours=3)
    Meeting.objects.filter(request=begun).update(starts_at=past, ends_at=past + timedelta(hours=2))
    requests["scheduled, begun"] = begun
    for request in requests.values():
        if request.status in {Status.MATCHING, Status.AGREED}:
            _invite(request, people["asked_expert"], InvitationStatus.OPEN)
            _invite(request, people["declined_expert"], InvitationStatus.DECLINED)
        if request.status in {Status.AGREED, Status.SCHEDULED, Status.HELD, Status.COMPLETED}:
            # Accepted, but not among the meeting's participants (the meeting was saved before).
            _invite(request, people["absent_expert"], InvitationStatus.ACCEPTED)
    world = World(people=people, requests=requests)
    held = requests[Status.HELD.value]
    world.claims = {
        "draft": _claim(held, people["expert"], ClaimStatus.DRAFT),
        "submitted": _claim(held, people["expert"], ClaimStatus.SUBMITTED),
        "returned": _claim(held, people["expert"], ClaimStatus.RETURNED),
        "approved": _claim(held, people["expert"], ClaimStatus.APPROVED),
        "entered by the coordination": _claim(
            held, people["absent_expert"], ClaimStatus.SUBMITTED, submitted_by=people["coordinator"]
        ),
        "of a finance person": _claim(held, people["finance"], ClaimStatus.SUBMITTED),
    }
    matching = requests[Status.MATCHING.value]
    world.invitations = {
        status: matching.invitations.get(status=status)
        for status in (InvitationStatus.OPEN, InvitationStatus.DECLINED)
    }
    world.invitations[InvitationStatus.ACCEPTED] = held.invitations.filter(
        status=InvitationStatus.ACCEPTED, expert__user=people["expert"]
    ).get()
    # An expert of every request's topics, asked nowhere: among the suggestions wherever experts are proposed.
    topics = {topic for request in requests.values() for topic in request.topics.all()}
    world.spare_expert = ExpertProfileFactory(
        user__department=DepartmentFactory(city=away.city), topics=topics
    )
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction that is rolled back at its end (as ``demo_world``)."""
    with rolled_back_after_module(django_db_blocker):
        yield build_world()


PEOPLE = [
    "requester",
    "colleague",
    "contact",
    "foreign_contact",
    "coordinator",
    "admin",
    "liaison",
    "routed_liaison",
    "expert",
    "absent_expert",
    "asked_expert",
    "declined_expert",
    "finance",
]


# --- what a page offers --------------------------------------------------------------------------------------
class Offers(HTMLParser):
    """The forms (target, method, their inputs) and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._form = {
                "action": values.get("action") or "",
                "method": values.get("method") or "get",
                "inputs": [],
            }
            self.forms.append(self._form)
        elif tag in {"input", "select", "textarea"} and self._form is not None:
            self._form["inputs"].append((values.get("name"), values.get("value"), values.get("type")))
        elif tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def parse(html: str) -> Offers:
    offers = Offers()
    offers.feed(html)
    return offers


def target(url: str) -> tuple[str, dict] | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name, match.kwargs


def request_offers(html: str, request: ExchangeRequest) -> dict[object, dict]:
    """The actions the request page offers for ``request``: key → the form's inputs (links: {})."""
    page = parse(html)
    found: dict[object, dict] = {}
    places = [(form["action"], form) for form in page.forms if form["method"].lower() == "post"]
    places += [(link, None) for link in page.links]
    for url, form in places:
        resolved = target(url)
        if resolved is None or resolved[1].get("pk") != request.pk:
            continue
        name, kwargs = resolved
        inputs = {"inputs": form["inputs"]} if form else {}
        key = {
            "exchanges:comment_create": "comment",
            "exchanges:request_edit": "edit",
            "exchanges:routing_correction": "routing",
            "exchanges:propose_experts": "propose",
            "exchanges:withdraw_invitations": "withdraw invitations",
            "exchanges:meeting_edit": "meeting",
            "exchanges:past_exchange_record": "past exchange",
            "exchanges:reflection_create": "reflection",
            "exchanges:claim_create": "claim",
        }.get(name)
        if name == "exchanges:request_action":
            key = ("step", kwargs["action"])
        elif name == "exchanges:invitation_record_answer":
            key = ("record answer", kwargs["invitation_pk"])
        if key is None:
            continue
        found[key] = inputs
        if key == "comment" and any(input_[0] == "is_internal" for input_ in inputs["inputs"]):
            found["internal comment"] = inputs
    return found


def checkbox_values(html: str, name: str) -> list[str]:
    return [
        value or ""
        for form in parse(html).forms
        for input_name, value, kind in form["inputs"]
        if input_name == name and kind == "checkbox"
    ]


# --- each action: its rule, the service, the page's post, and what it changes ----------------------------
MARK = "Geprüft von der Regel"


def fresh(request: ExchangeRequest) -> ExchangeRequest:
    return ExchangeRequest.objects.get(pk=request.pk)


def local(moment) -> str:
    return f"{timezone.localtime(moment):%d.%m.%Y %H:%M}"


@dataclass
class Action:
    rule: object  # (world, user, request) -> bool
    service: object  # (world, user, request) -> None, raises a refusal
    post: object  # (world, user, request, client) -> response
    done: object  # (world, user, request) -> bool: the change happened


def step(action: str) -> Action:
    transition = TRANSITIONS[action]
    return Action(
        rule=lambda w, u, r: transition in available_transitions(u, r),
        service=lambda w, u, r: request_transition(
            request_id=r.pk, action=action, actor=u, comment=MARK, expected_status=r.status
        ),
        post=lambda w, u, r, c: c.post(
            reverse("exchanges:request_action", args=[r.pk, action]),
            {f"{action}-comment": MARK, f"{action}-expected_status": r.status},
        ),
        done=lambda w, u, r: fresh(r).status == transition.target,
    )


def _unrouted_department(request: ExchangeRequest) -> Department:
    routed = RoutingDecision.objects.filter(request=request, is_routed=True).values("department_id")
    return Department.objects.exclude(pk__in=routed).order_by("pk").first()


def _meeting_data(request: ExchangeRequest, *, past: bool = False) -> dict:
    start = timezone.now() + (timedelta(days=-4) if past else timedelta(days=6))
    return {"starts_at": start, "ends_at": start + timedelta(hours=2), "format": "workshop", "address": MARK}


def _meeting_post(w, u, r, c):
    url = reverse("exchanges:meeting_edit", args=[r.pk])
    page = c.get(url)
    if page.status_code != 200:
        return page
    data = _meeting_data(r)
    meeting = Meeting.objects.filter(request=r).first()
    return c.post(
        url,
        {
            "starts_at": local(data["starts_at"]),
            "ends_at": local(data["ends_at"]),
            "format": "workshop",
            "city": "",
            "address": MARK,
            "video_link": "",
            "participants": [r.requester_id],
            "version": meeting.version if meeting else "",
        },
    )


def _past_post(w, u, r, c):
    url = reverse("exchanges:past_exchange_record", args=[r.pk])
    page = c.get(url)
    if page.status_code != 200:
        return page
    experts = checkbox_values(page.content.decode(), "experts")
    data = _meeting_data(r, past=True)
    return c.post(
        url,
        {
            "experts": experts[:1],
            "starts_at": local(data["starts_at"]),
            "ends_at": local(data["ends_at"]),
            "format": "workshop",
            "address": MARK,
            "note": MARK,
        },
    )


def _propose_post(w, u, r, c):
    page = c.get(r.get_absolute_url()).content.decode()
    asked = set(r.invitations.values_list("expert_id", flat=True))
    offered = [value for value in checkbox_values(page, "experts") if int(value) not in asked]
    chosen = offered[:1] or [str(w.spare_expert.pk)]
    return c.post(reverse("exchanges:propose_experts", args=[r.pk]), {"experts": chosen, "message": MARK})


def _trip() -> dict:
    start = timezone.now() - timedelta(days=2)
    return {"trip_start": start, "trip_end": start + timedelta(hours=10)}


def _claim_post(w, u, r, c):
    url = reverse("exchanges:claim_create", args=[r.pk])
    page = c.get(url)
    if page.status_code != 200:
        return page
    trip = _trip()
    return c.post(
        url,
        {
            "trip_start": local(trip["trip_start"]),
            "trip_end": local(trip["trip_end"]),
            "origin": MARK,
            "destination": "Leipzig",
            "purpose": "Werkstatt",
            "flat_nights": "0",
            "car_km": "0",
            "local_transport": "0",
        },
    )


def _reflection_post(w, u, r, c):
    url = reverse("exchanges:reflection_create", args=[r.pk])
    page = c.get(url)
    if page.status_code != 200:
        return page
    return c.post(url, {**REFLECTION, "takeaway": MARK, "would_recommend": "on"})


def _open_invitations(r: ExchangeRequest) -> bool:
    return r.invitations.filter(status=InvitationStatus.OPEN).exists()


ACTIONS: dict[object, Action] = {
    **{("step", action): step(action) for action in STEPS},
    "comment": Action(
        rule=lambda w, u, r: bool(can_comment(u, r)),
        service=lambda w, u, r: comment_add(request=r, author=u, body=MARK),
        post=lambda w, u, r, c: c.post(reverse("exchanges:comment_create", args=[r.pk]), {"body": MARK}),
        done=lambda w, u, r: Comment.objects.filter(request=r, author=u, body=MARK).exists(),
    ),
    "internal comment": Action(
        rule=lambda w, u, r: bool(can_comment(u, r) and can_comment_internally(u, r)),
        service=lambda w, u, r: comment_add(request=r, author=u, body=MARK, is_internal=True),
        post=lambda w, u, r, c: c.post(
            reverse("exchanges:comment_create", args=[r.pk]), {"body": MARK, "is_internal": "on"}
        ),
        done=lambda w, u, r: Comment.objects.filter(
            request=r, author=u, body=MARK, is_internal=True
        ).exists(),
    ),
    "edit": Action(
        rule=lambda w, u, r: bool(can_edit_request(u, r)),
        service=lambda w, u, r: request_save_draft(requester=u, request=r, data={"title": MARK}),
        post=lambda w, u, r, c: c.post(
            reverse("exchanges:request_edit", args=[r.pk]),
            {"title": MARK, "travellers": "1", "version": r.version, "save": "1"},
        ),
        done=lambda w, u, r: fresh(r).title == MARK,
    ),
    "routing": Action(
        rule=lambda w, u, r: may_correct_routing(u, r),
        service=lambda w, u, r: routing_correct(
            request=r, department=_unrouted_department(r), routed=True, note=MARK, actor=u
        ),
        post=lambda w, u, r, c: c.post(
            reverse("exchanges:routing_correction", args=[r.pk]),
            {"department": _unrouted_department(r).pk, "routed": "1", "note": MARK},
        ),
        done=lambda w, u, r: RoutingDecision.objects.filter(request=r, note=MARK, is_routed=True).exists(),
    ),
    "propose": Action(
        rule=lambda w, u, r: may_propose_experts(u, r),
        service=lambda w, u, r: invitations_propose(
            request=r, experts=[w.spare_expert], message=MARK, actor=u
        ),
        post=_propose_post,
        done=lambda w, u, r: Invitation.objects.filter(request=r, message=MARK).exists(),
    ),
    "withdraw invitations": Action(
        rule=lambda w, u, r: may_withdraw_invitations(u, r),
        service=lambda w, u, r: invitations_withdraw_open(request=r, actor=u),
        post=lambda w, u, r, c: c.post(reverse("exchanges:withdraw_invitations", args=[r.pk])),
        done=lambda w, u, r: Invitation.objects.filter(request=r, status=InvitationStatus.WITHDRAWN).exists(),
    ),
    "meeting": Action(
        rule=lambda w, u, r: may_set_meeting(u, r),
        service=lambda w, u, r: meeting_schedule(
            request=r,
            actor=u,
            **_meeting_data(r),
            city=None,
            video_link="",
            participants=[r.requester],
            travellers=[],
        ),
        post=_meeting_post,
        done=lambda w, u, r: Meeting.objects.filter(request=r, address=MARK, is_cancelled=False).exists(),
    ),
    "past exchange": Action(
        rule=lambda w, u, r: may_record_past_exchange(u, r),
        service=lambda w, u, r: exchange_record_past(
            request=r,
            actor=u,
            experts=[w.people["expert"].expert_profile],
            **_meeting_data(r, past=True),
            city=None,
            video_link="",
            note=MARK,
        ),
        post=_past_post,
        done=lambda w, u, r: (
            fresh(r).status == Status.HELD and Meeting.objects.filter(request=r, address=MARK).exists()
        ),
    ),
    "reflection": Action(
        rule=lambda w, u, r: may_write_reflection(u, r),
        service=lambda w, u, r: reflection_submit(request=r, author=u, data={**REFLECTION, "takeaway": MARK}),
        post=_reflection_post,
        done=lambda w, u, r: Reflection.objects.filter(request=r, author=u, takeaway=MARK).exists(),
    ),
    "claim": Action(
        rule=lambda w, u, r: may_claim(u, r),
        service=lambda w, u, r: claim_create(
            exchange=r,
            traveller=u,
            actor=u,
            data={
                **_trip(),
                "origin": MARK,
                "destination": "Leipzig",
                "flat_nights": 0,
                "car_km": Decimal("0"),
                "local_transport": Decimal("0"),
            },
        ),
        post=_claim_post,
        done=lambda w, u, r: TravelClaim.objects.filter(exchange=r, traveller=u, origin=MARK).exists(),
    ),
}


def record_answer(invitation_pk: int) -> Action:
    def invitation() -> Invitation:
        return Invitation.objects.select_related("expert__user").get(pk=invitation_pk)

    prefix = f"answer-{invitation_pk}"
    return Action(
        rule=lambda w, u, r: (
            invitation().status == InvitationStatus.OPEN and may_record_answer(u, invitation())
        ),
        service=lambda w, u, r: invitation_answer(
            invitation_id=invitation_pk, accept=True, note=MARK, actor=u, channel=AnswerChannel.RECORDED
        ),
        post=lambda w, u, r, c: c.post(
            reverse("exchanges:invitation_record_answer", args=[r.pk, invitation_pk]),
            {f"{prefix}-answer": "accept", f"{prefix}-note": MARK},
        ),
        done=lambda w, u, r: invitation().answer_note == MARK,
    )


# --- trying --------------------------------------------------------------------------------------------------
def attempt(run) -> tuple[bool, str]:
    """Run ``run`` in a savepoint that is rolled back: (accepted, the refusal's text)."""
    with transaction.atomic():
        try:
            run()
        except REFUSALS as error:
            accepted, reason = False, getattr(error, "message", str(error))
        else:
            accepted, reason = True, ""
        transaction.set_rollback(True)
    return accepted, reason


def through_page(client: Client, action: Action, world: World, user: User, request: ExchangeRequest) -> bool:
    """Post the action as its page would; True when the change happened (then rolled back)."""
    with transaction.atomic():
        action.post(world, user, request, client)
        done = bool(action.done(world, user, request))
        transaction.set_rollback(True)
    return done


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def compare(label: str, offered: bool, rule: bool, accepted: bool, reason: str, problems: list[str]) -> None:
    if not offered == rule == accepted:
        problems.append(
            f"{label}: page offers {offered}, rule says {rule}, service {'accepts' if accepted else 'refuses'}"
            + (f" ({reason})" if reason else "")
        )


@pytest.mark.parametrize("who", PEOPLE)
def test_the_request_page_offers_exactly_what_the_services_allow(world, who):
    user = world.people[who]
    client = client_for(user)
    problems: list[str] = []
    for name, request in world.requests.items():
        request = fresh(request)
        response = client.get(request.get_absolute_url())
        assert response.status_code in {200, 404}, (name, response.status_code)
        offers = request_offers(response.content.decode(), request) if response.status_code == 200 else {}
        actions = dict(ACTIONS)
        for invitation in request.invitations.all():
            actions[("record answer", invitation.pk)] = record_answer(invitation.pk)
        unknown = set(offers) - set(actions)
        assert not unknown, f"{name}: the page offers actions this test does not know: {unknown}"
        for key, action in actions.items():
            label = f"{who} on the {name} request, {key}"
            rule = bool(action.rule(world, user, fresh(request)))
            accepted, reason = attempt(
                lambda action=action, request=request: action.service(world, user, fresh(request))
            )
            compare(label, key in offers, rule, accepted, reason, problems)
            plausible = key in offers or response.status_code == 200
            if plausible and (
                key in offers
                or not isinstance(key, tuple)
                or key[0] != "step"
                or (request.status in TRANSITIONS[key[1]].sources)
            ):
                done = through_page(client, action, world, user, fresh(request))
                if done != (key in offers):
                    problems.append(
                        f"{label}: offered {key in offers}, but posting it through the page "
                        f"{'changed' if done else 'did not change'} the request"
                    )
    assert not problems, "\n".join(problems)


# --- the claim page ------------------------------------------------------------------------------------------
CLAIM_ACTIONS = {
    # The traveller's forms (change the trip, add items, submit) and finance's decision.
    "edit": {"exchanges:claim_edit", "exchanges:claim_item_add", "exchanges:claim_submit"},
    "decide": {"exchanges:claim_decide"},
}


def claim_offers(html: str, claim: TravelClaim) -> dict[str, set[str]]:
    names = set()
    for form in parse(html).forms:
        resolved = target(form["action"]) if form["method"].lower() == "post" else None
        if resolved and resolved[1].get("pk") == claim.pk:
            names.add(resolved[0])
    return {key: names & forms for key, forms in CLAIM_ACTIONS.items()}


def _claim_edit_post(client: Client, claim: TravelClaim):
    return client.post(
        reverse("exchanges:claim_edit", args=[claim.pk]),
        {
            "trip_start": local(claim.trip_start),
            "trip_end": local(claim.trip_end),
            "origin": MARK,
            "destination": claim.destination,
            "purpose": claim.purpose,
            "flat_nights": "0",
            "car_km": "0",
            "local_transport": "0",
            "version": claim.version,
        },
    )


@pytest.mark.parametrize("who", PEOPLE)
def test_the_claim_page_offers_exactly_what_the_claims_service_allows(world, who):
    user = world.people[who]
    client = client_for(user)
    problems: list[str] = []
    for name, claim in world.claims.items():
        claim = TravelClaim.objects.get(pk=claim.pk)
        response = client.get(reverse("exchanges:claim_detail", args=[claim.pk]))
        assert response.status_code in {200, 404}, (name, response.status_code)
        found = claim_offers(response.content.decode(), claim) if response.status_code == 200 else {}
        for key, forms in CLAIM_ACTIONS.items():
            offered = bool(found.get(key))
            if offered and found[key] != forms:
                problems.append(f"{who}, claim {name}: offers only {sorted(found[key])} of {sorted(forms)}")
            rule = (may_edit_claim if key == "edit" else may_decide_claim)(user, claim)
            if key == "edit":
                service = lambda claim=claim: claim_update(claim=claim, actor=user, data={"origin": MARK})  # noqa: E731
                post = lambda claim=claim: _claim_edit_post(client, claim)  # noqa: E731
                done = lambda claim=claim: TravelClaim.objects.get(pk=claim.pk).origin == MARK  # noqa: E731
            else:
                service = lambda claim=claim: claim_return_or_reject(  # noqa: E731
                    claim_id=claim.pk, actor=user, reject=False, reason=MARK
                )
                post = lambda claim=claim: client.post(  # noqa: E731
                    reverse("exchanges:claim_decide", args=[claim.pk]),
                    {"decision": "return", "reason": MARK, "version": claim.version},
                )
                done = lambda claim=claim: TravelClaim.objects.get(pk=claim.pk).status == ClaimStatus.RETURNED  # noqa: E731
            accepted, reason = attempt(service)
            compare(f"{who}, claim {name}, {key}", offered, rule, accepted, reason, problems)
            if key == "decide" and claim.status == ClaimStatus.RETURNED:
                continue  # already returned: the change cannot be seen
            with transaction.atomic():
                post()
                changed = done()
                transaction.set_rollback(True)
            if changed != offered:
                problems.append(f"{who}, claim {name}, {key}: offered {offered}, posted: changed {changed}")
    assert not problems, "\n".join(problems)


# --- the invitation page -------------------------------------------------------------------------------------
@pytest.mark.parametrize("who", PEOPLE)
def test_the_invitation_page_offers_an_answer_exactly_when_the_service_takes_it(world, who):
    user = world.people[who]
    client = client_for(user)
    problems: list[str] = []
    for status, invitation in world.invitations.items():
        invitation = Invitation.objects.select_related("expert__user").get(pk=invitation.pk)
        url = reverse("exchanges:invitation_answer", args=[invitation.pk])
        response = client.get(url)
        assert response.status_code in {200, 404}, (status, response.status_code)
        offered = response.status_code == 200 and any(
            form["method"].lower() == "post" and form["action"] in {"", url}
            for form in parse(response.content.decode()).forms
        )
        rule = may_answer_invitation(user, invitation)
        accepted, reason = attempt(
            lambda invitation=invitation: invitation_answer(
                invitation_id=invitation.pk, accept=True, note=MARK, actor=user, channel=AnswerChannel.PORTAL
            )
        )
        compare(f"{who}, {status} invitation", offered, rule, accepted, reason, problems)
        with transaction.atomic():
            client.post(url, {"answer": "accept", "note": MARK})
            changed = Invitation.objects.get(pk=invitation.pk).answer_note == MARK
            transaction.set_rollback(True)
        if changed != offered:
            problems.append(f"{who}, {status} invitation: offered {offered}, posted: changed {changed}")
    assert not problems, "\n".join(problems)
