"""The permission matrix of the REST API: every ``api:`` URL name × every role × own/foreign city.

Each role calls the API as a machine would, with a token of its own carrying every scope (read, write,
finance), so that only the person's roles and city decide, exactly as in the browser (the browser's
matrix is tests/security/test_permission_matrix.py; scope restrictions are tested in tests/api/).
Expected answers: 200/201/204, 400, 401 (no token), 403 (signed in, not allowed), 404 (may not see the
object, or it does not exist), 405, 409 (not possible in the object's state) — never 500, and never
200 for an object the role must not see.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cities.accounts.api_tokens import token_issue
from cities.accounts.models import ApiScope
from tests.security.attack_world import (  # noqa: F401
    ROLES,
    SIDES,
    STATES,
    World,
    assert_security_headers,
    body,
    database_fingerprint,
    url_names,
    world_fixture,
)
from tests.security.test_permission_matrix import COORDINATION, FINANCE, STATISTICS, sees_claim, sees_request

pytestmark = [pytest.mark.security, pytest.mark.django_db]

Rule = Callable[[str, str], int]
Kwargs = Callable[[World, str], dict | None]
METHODS = ("get", "post", "put", "patch", "delete")
# Tables the act of calling changes whatever the call does: the token's "last used" time.
BOOKKEEPING_TABLES = {"cities_apitoken"}


# --- rules ------------------------------------------------------------------------------------------------
def public(code: int) -> Rule:
    return lambda role, side: code


def authed(code: int) -> Rule:
    return lambda role, side: 401 if role == "anonymous" else code


def api_roles(allowed: set[str], ok: int = 200, other: int = 403) -> Rule:
    return lambda role, side: 401 if role == "anonymous" else (ok if role in allowed else other)


def api_on_request(state: str, ok: int = 200, only: set[str] | None = None, other: int = 403) -> Rule:
    """401 without a token; 404 when the role may not see the request; ``ok`` for ``only``, else ``other``."""

    def rule(role: str, side: str) -> int:
        if role == "anonymous":
            return 401
        if not sees_request(role, side, state):
            return 404
        return ok if only is None or role in only else other

    return rule


def api_on_claim(claim: str, ok: int = 200, only: set[str] | None = None, other: int = 403) -> Rule:
    def rule(role: str, side: str) -> int:
        if role == "anonymous":
            return 401
        if not sees_claim(role, side, claim):
            return 404
        return ok if only is None or role in only else other

    return rule


def api_finance_on_claim(claim: str) -> Rule:
    """A finance endpoint on a claim: the finance permission first (403, as on the finance lists), then
    the claim's visibility (404), then the decision is the finance role's own (403 for the others)."""

    def rule(role: str, side: str) -> int:
        if role == "anonymous":
            return 401
        if role not in FINANCE:
            return 403
        if not sees_claim(role, side, claim):
            return 404
        return 200 if role == "finance" else 403

    return rule


def claim_pk(claim: str, item: bool = False) -> Kwargs:
    def kwargs(world: World, side: str) -> dict:
        values = {"pk": world[side].claims[claim].pk}
        if item:
            values["item_pk"] = world[side].items[claim].pk
        return values

    return kwargs


def new_claim(world: World, side: str) -> dict:
    start = timezone.now() - timedelta(days=3)
    return {
        "exchange": world[side].requests["scheduled"].pk,
        "trip_start": start.isoformat(),
        "trip_end": (start + timedelta(hours=9)).isoformat(),
        "origin": "Leipzig",
        "destination": "Bremen",
    }


def claims_as_participant(role: str, side: str) -> int:
    """Participants of the scheduled exchange claim (201); others who see it 403; the rest 404."""
    if role == "anonymous":
        return 401
    if not sees_request(role, side, "scheduled"):
        return 404
    return 201 if role in {"staff", "expert"} else 403


# Trip requests: who sees them (exchanges.travel.rules.sees_trip) besides the coordination and finance —
# the traveller and the supervisor (the world's city contact) in the own city.
TRIP_PEOPLE = {
    "draft": {"staff", "contact"},
    "submitted": {"expert", "contact"},
    "approved": {"staff", "contact"},
}
SEES_ALL_TRIPS = COORDINATION | FINANCE


def sees_trip(role: str, side: str, trip: str) -> bool:
    return role in SEES_ALL_TRIPS or (side == "own" and role in TRIP_PEOPLE[trip])


def api_on_trip(trip: str, ok: int = 200, only: set[str] | None = None, other: int = 403) -> Rule:
    """401 without a token; 404 when the role may not see the trip; ``ok`` for ``only``, else ``other``."""

    def rule(role: str, side: str) -> int:
        if role == "anonymous":
            return 401
        if not sees_trip(role, side, trip):
            return 404
        return ok if only is None or role in only else other

    return rule


def trip_pk(trip: str) -> Kwargs:
    return lambda world, side: {"pk": world[side].trips[trip].pk}


def trip_purpose(trip: str) -> Callable[[World, str], str]:
    return lambda world, side: world[side].trips[trip].purpose


def files_trip(role: str, side: str) -> int:
    """The travellers of the scheduled exchange and the coordination may file a trip for it: each refused
    on the input here (400: the travellers have one already, the coordination does not travel); the others
    who see the exchange 403, the rest 404."""
    if role == "anonymous":
        return 401
    if not sees_request(role, side, "scheduled"):
        return 404
    return 400 if role in {"staff", "expert"} | COORDINATION else 403


def never(role: str, side: str) -> bool:
    return False


def only(*who: str, side: str | None = None) -> Callable[[str, str], bool]:
    return lambda role, side_: role in who and side in {None, side_}


def none(world: World, side: str) -> dict | None:
    return {} if side == "own" else None


def request_pk(state: str) -> Kwargs:
    return lambda world, side: {"pk": world[side].requests[state].pk}


def request_title(state: str) -> Callable[[World, str], str]:
    return lambda world, side: world[side].requests[state].title


@dataclass
class ApiCase:
    kwargs: Kwargs = none
    get: Rule | None = None
    post: Rule | None = None
    put: Rule | None = None
    patch: Rule | None = None
    delete: Rule | None = None
    data: Callable[[World, str], dict] = field(default=lambda world, side: {})
    secret: Callable[[World, str], str] | None = None
    label: str = ""
    # For unsafe methods: who changes the database with ``data`` (everyone else must change nothing).
    acts: Callable[[str, str], bool] | None = None


reflections_post = api_on_request("completed", only={"staff", "expert"}, ok=400)

API_EXPECTATIONS: dict[str, list[ApiCase]] = {
    # --- the schema and its docs: public, they describe the API and hold no data ------------------------
    "api:schema": [ApiCase(get=public(200))],
    "api:docs": [ApiCase(get=public(200))],
    "api:not_found": [ApiCase(get=public(404), post=public(404), acts=never)],
    "api:me": [ApiCase(get=authed(200), post=authed(405), acts=never)],
    # --- master data: everyone signed in -------------------------------------------------------------
    "api:city_list": [ApiCase(get=authed(200))],
    "api:department_list": [ApiCase(get=authed(200))],
    "api:topic_list": [ApiCase(get=authed(200))],
    # without ?text= it asks for the text (400); signed out it asks for a token first
    "api:topic_suggest": [ApiCase(get=authed(400))],
    # --- requests ---------------------------------------------------------------------------------------
    "api:request_list": [
        ApiCase(
            get=authed(200),
            post=authed(201),  # everyone with a home city may ask for an exchange
            data=lambda world, side: {"title": "Neue Anfrage"},
            acts=lambda role, side: role != "anonymous",
        )
    ],
    "api:request_detail": [
        *[
            ApiCase(
                kwargs=request_pk(state), get=api_on_request(state), secret=request_title(state), label=state
            )
            for state in STATES
        ],
        ApiCase(
            kwargs=request_pk("draft"),
            patch=api_on_request("draft", only={"staff"}),  # only the requester changes the draft
            data=lambda world, side: {"title": "Geändert"},
            acts=only("staff", side="own"),
            secret=request_title("draft"),
            label="draft",
        ),
        ApiCase(
            kwargs=request_pk("submitted"),
            patch=api_on_request("submitted", only={"staff"}, ok=409),  # submitted: no longer a draft
            data=lambda world, side: {"title": "Gekapert"},
            acts=never,
            secret=request_title("submitted"),
            label="submitted",
        ),
    ],
    "api:request_action": [
        ApiCase(
            kwargs=lambda world, side: {"pk": world[side].requests["submitted"].pk, "action": "accept"},
            post=lambda role, side: api_on_request("submitted", only=COORDINATION | {"contact"})(role, side),
            acts=lambda role, side: role in COORDINATION or (role, side) == ("contact", "own"),
            secret=request_title("submitted"),
        )
    ],
    "api:request_timeline": [
        ApiCase(kwargs=request_pk(state), get=api_on_request(state), secret=request_title(state), label=state)
        for state in ("submitted", "matching")
    ],
    "api:request_comments": [
        ApiCase(
            kwargs=request_pk("submitted"),
            get=api_on_request("submitted"),
            post=api_on_request("submitted", ok=201),
            data=lambda world, side: {"body": "Ein Kommentar"},
            acts=lambda role, side: role in COORDINATION or (role in {"staff", "contact"} and side == "own"),
            secret=request_title("submitted"),
        )
    ],
    # --- the cycle -----------------------------------------------------------------------------------------
    "api:request_suggestions": [
        ApiCase(
            kwargs=request_pk("matching"),
            get=api_on_request("matching", only=COORDINATION | {"liaison"}),
            secret=request_title("matching"),
        )
    ],
    "api:request_invitations": [
        ApiCase(
            kwargs=request_pk("matching"),
            get=api_on_request("matching", only=COORDINATION | {"liaison"}),
            # the world's expert is asked already, so not among the suggestions: refused as input
            post=api_on_request("matching", only=COORDINATION | {"liaison"}, ok=400),
            data=lambda world, side: {"experts": [world[side].expert.pk]},
            acts=never,
            secret=request_title("matching"),
        )
    ],
    "api:request_meeting": [
        ApiCase(
            kwargs=request_pk("scheduled"),
            get=api_on_request("scheduled"),
            put=api_on_request("scheduled", only=COORDINATION | {"staff"}, ok=400),  # empty input
            acts=never,
            secret=request_title("scheduled"),
        ),
        ApiCase(kwargs=request_pk("submitted"), get=api_on_request("submitted", ok=404), label="no meeting"),
    ],
    "api:request_past_exchange": [
        ApiCase(
            kwargs=request_pk("matching"),
            # the coordination records a past exchange (empty input: 400); the others who see it: 403
            post=api_on_request("matching", only=COORDINATION, ok=400),
            acts=never,
            secret=request_title("matching"),
        )
    ],
    "api:request_reflections": [
        ApiCase(
            kwargs=request_pk("completed"),
            get=api_on_request("completed"),
            # the accepted expert reflects (empty input: 400); the requester has written theirs (it
            # completed the request: 409, before the input is read); the others who see it: 403
            post=lambda role, side: 409 if (role, side) == ("staff", "own") else reflections_post(role, side),
            acts=never,
            secret=request_title("completed"),
        )
    ],
    "api:invitation_list": [ApiCase(get=authed(200))],
    "api:invitation_answer": [
        ApiCase(
            kwargs=lambda world, side: {"pk": world[side].invitation_open.pk},
            post=lambda role, side: (
                401 if role == "anonymous" else (400 if (role, side) == ("expert", "own") else 404)
            ),
            acts=never,  # no answer given
            secret=request_title("matching"),
        )
    ],
    "api:invitation_recorded_answer": [
        ApiCase(
            kwargs=lambda world, side: {"pk": world[side].invitation_open.pk},
            # an answer given by phone is recorded by the coordination only (empty input: 400)
            post=api_on_request("matching", only=COORDINATION, ok=400),
            acts=never,
            secret=request_title("matching"),
        )
    ],
    "api:knowledge_base": [ApiCase(get=authed(200))],
    # --- the expert pool: the network's pool for everyone signed in; changes by coordinators ---------------
    "api:expert_list": [ApiCase(get=authed(200))],
    "api:expert_detail": [
        ApiCase(
            kwargs=lambda world, side: {"pk": world[side].expert.pk},
            get=authed(200),
            patch=api_roles(COORDINATION),
            data=lambda world, side: {"is_available": False},
            acts=only(*COORDINATION),
        )
    ],
    # --- travel claims: the traveller's own; finance, coordination and administrators see all ------------
    "api:claim_list": [
        ApiCase(
            get=authed(200),
            post=claims_as_participant,
            data=new_claim,
            acts=lambda r, s: claims_as_participant(r, s) == 201,
        )
    ],
    "api:claim_detail": [
        *[
            ApiCase(kwargs=claim_pk(claim), get=api_on_claim(claim), label=claim)
            for claim in ("draft", "submitted", "booked")
        ],
        ApiCase(
            kwargs=claim_pk("draft"),
            patch=api_on_claim("draft", only={"staff"}),
            data=lambda world, side: {"origin": "Gekapert"},
            acts=only("staff", side="own"),
            label="draft",
        ),
    ],
    "api:claim_items": [
        ApiCase(
            kwargs=claim_pk("draft"),
            post=api_on_claim("draft", only={"staff"}, ok=201),
            data=lambda world, side: {"kind": "rail", "amount": "5.00"},
            acts=only("staff", side="own"),
        )
    ],
    "api:claim_item": [
        ApiCase(
            kwargs=claim_pk("draft", item=True),
            get=api_on_claim("draft"),
            delete=api_on_claim("draft", only={"staff"}, ok=204),
            acts=only("staff", side="own"),
        )
    ],
    "api:claim_submit": [
        ApiCase(
            kwargs=claim_pk("draft"),
            post=api_on_claim("draft", only={"staff"}),
            # the world's trips do not fit their meetings and overlap, and no trip request was approved for
            # them: the reasons the flags ask for
            data=lambda world, side: {
                "trip_fit_reason": "Vorbesprechung",
                "duplicate_reason": "Zwei Termine",
                "no_trip_reason": "Auf Papier genehmigt",
            },
            acts=only("staff", side="own"),
        )
    ],
    "api:claim_item_receipts": [
        ApiCase(
            kwargs=claim_pk("draft", item=True),
            # JSON carries no file: refused as invalid for everyone who sees the claim, nothing stored
            post=api_on_claim("draft", ok=400),
            acts=never,
        )
    ],
    # finance decides (never on a claim of their own: the world's finance person travels in none)
    "api:claim_decision": [
        ApiCase(
            kwargs=claim_pk("submitted"),
            post=api_finance_on_claim("submitted"),
            data=lambda world, side: {"decision": "return", "reason": "Bitte Belege nachreichen"},
            acts=only("finance"),
        )
    ],
    "api:claim_item_reduction": [
        ApiCase(
            kwargs=claim_pk("submitted", item=True),
            post=api_finance_on_claim("submitted"),
            data=lambda world, side: {"amount": "10.00", "reason": "Nur 2. Klasse"},
            acts=only("finance"),
        )
    ],
    # --- trip requests: the traveller's own, the supervisor's to approve, all for coordination and finance --
    "api:trip_list": [
        ApiCase(
            get=authed(200),
            post=files_trip,
            data=lambda world, side: {"exchange": world[side].requests["scheduled"].pk},
            acts=never,
        )
    ],
    "api:trip_detail": [
        *[
            ApiCase(kwargs=trip_pk(trip), get=api_on_trip(trip), secret=trip_purpose(trip), label=trip)
            for trip in ("draft", "submitted", "approved")
        ],
        ApiCase(
            kwargs=trip_pk("draft"),
            patch=api_on_trip("draft", only={"staff"}),  # only the traveller changes the draft
            data=lambda world, side: {"purpose": "Geändert"},
            acts=only("staff", side="own"),
            secret=trip_purpose("draft"),
            label="draft",
        ),
        ApiCase(
            kwargs=trip_pk("submitted"),
            patch=api_on_trip("submitted", only={"expert"}, ok=409),  # submitted: no longer changed
            data=lambda world, side: {"purpose": "Gekapert"},
            acts=never,
            secret=trip_purpose("submitted"),
            label="submitted",
        ),
    ],
    "api:trip_submit": [
        ApiCase(
            kwargs=trip_pk("draft"),
            post=api_on_trip("draft", only={"staff"}),
            acts=only("staff", side="own"),
            secret=trip_purpose("draft"),
        )
    ],
    # the named supervisor decides (never the traveller: four eyes)
    "api:trip_supervisor_decision": [
        ApiCase(
            kwargs=trip_pk("submitted"),
            post=api_on_trip("submitted", only={"contact"}),
            data=lambda world, side: {"decision": "approved"},
            acts=only("contact", side="own"),
            secret=trip_purpose("submitted"),
        )
    ],
    # the coordination confirms the costs (the world has no budget: no limit)
    "api:trip_cost_decision": [
        ApiCase(
            kwargs=trip_pk("submitted"),
            post=api_on_trip("submitted", only=COORDINATION),
            data=lambda world, side: {"decision": "approved"},
            acts=only(*COORDINATION),
            secret=trip_purpose("submitted"),
        )
    ],
    "api:trip_cancel": [
        ApiCase(
            kwargs=trip_pk("submitted"),
            post=api_on_trip("submitted", only={"expert"} | COORDINATION),
            data=lambda world, side: {"reason": "Termin verschoben"},
            acts=lambda role, side: role in COORDINATION or (role, side) == ("expert", "own"),
            secret=trip_purpose("submitted"),
        )
    ],
    "api:trip_claim": [
        ApiCase(
            kwargs=trip_pk("approved"),
            # the world's approved trip is still ahead: its costs are claimed after it (409 for the traveller)
            post=api_on_trip("approved", only={"staff"}, ok=409),
            acts=never,
            secret=trip_purpose("approved"),
        )
    ],
    "api:finance_queue": [ApiCase(get=api_roles(FINANCE))],
    "api:booking_list": [ApiCase(get=api_roles(FINANCE))],
    "api:batch_list": [ApiCase(get=api_roles(FINANCE))],
    "api:batch_detail": [
        ApiCase(
            kwargs=lambda world, side: {"pk": world.batch.pk} if side == "own" else None,
            get=api_roles(FINANCE),
        )
    ],
    # --- statistics: the coordination sees the network, city contacts their own city ----------------------
    "api:statistics": [ApiCase(get=api_roles(STATISTICS))],
    "api:request_routing": [
        ApiCase(
            kwargs=request_pk("matching"),
            get=api_on_request("matching", only=COORDINATION | {"liaison"}),
            post=api_on_request("matching", only=COORDINATION),
            data=lambda world, side: {
                "department": world[side].department.pk,
                "routed": False,
                "note": "Passt nicht",
            },
            acts=only(*COORDINATION),
            secret=request_title("matching"),
        )
    ],
}


API_URL_NAMES = [name for name in url_names() if name.startswith("api:")]


@pytest.fixture
def tokens(world) -> dict[str, str]:
    scopes = [ApiScope.READ, ApiScope.WRITE, ApiScope.FINANCE]
    return {
        role: token_issue(user=user, name=f"matrix {role}", scopes=scopes, actor=None)[1]
        for role, user in world.users.items()
    }


def api_run(tokens: dict[str, str], role: str, method: str, url: str, data: dict, *, probe: bool = False):
    """One API call in a savepoint that is rolled back, so every role meets the same world."""
    with transaction.atomic():
        client = APIClient()
        if role != "anonymous":
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens[role]}")
        before = database_fingerprint() if probe else {}
        response = getattr(client, method)(url, data, format="json") if method != "get" else client.get(url)
        content = body(response)
        assert_security_headers(response, url)
        after = database_fingerprint() if probe else {}
        transaction.set_rollback(True)
    changed = sorted(
        table for table in before if before[table] != after.get(table) and table not in BOOKKEEPING_TABLES
    )
    return response.status_code, content, changed, response


def test_every_api_url_has_an_expectation_and_every_expectation_a_url():
    missing = sorted(set(API_URL_NAMES) - set(API_EXPECTATIONS))
    stale = sorted(set(API_EXPECTATIONS) - set(API_URL_NAMES))
    assert not missing, f"API URL names without an expectation in the API permission matrix: {missing}"
    assert not stale, f"Expectations for API URL names that no longer exist: {stale}"


@pytest.mark.parametrize("name", API_URL_NAMES)
def test_api_permission_matrix(world, tokens, name):
    cases = API_EXPECTATIONS.get(name)
    assert cases, f"{name} has no expectation in the API permission matrix"
    rows, problems = [], []
    with override_settings(API_THROTTLE_RATE="100000/hour"):
        for case in cases:
            for side in SIDES:
                kwargs = case.kwargs(world, side)
                if kwargs is None:
                    continue
                url = reverse(name, kwargs=kwargs)
                for method in METHODS:
                    rule = getattr(case, method)
                    if rule is None:
                        continue
                    for role in ROLES:
                        expected = rule(role, side)
                        probe = method != "get" and case.acts is not None
                        got, content, changed, response = api_run(
                            tokens, role, method, url, case.data(world, side), probe=probe
                        )
                        rows.append((case.label, role, side, method, expected, got))
                        is_problem = response.get("Content-Type") == "application/problem+json"
                        if got >= 400 and not is_problem and name not in {"api:docs", "api:schema"}:
                            problems.append(f"{role} {method.upper()} {url}: {got} is not problem+json")
                        if probe and case.acts(role, side) and not changed:
                            problems.append(
                                f"{role} {method.upper()} {url} [{side}] should have changed something"
                            )
                        if probe and not case.acts(role, side) and changed:
                            problems.append(
                                f"{role} {method.upper()} {url} [{side}] must change nothing, changed {changed}"
                            )
                        if got == 500:
                            problems.append(f"500 for {role} {method.upper()} {url}")
                        elif got != expected:
                            leak = " (LEAK)" if got == 200 else ""
                            problems.append(
                                f"{role} {method.upper()} {url} [{side}]: {expected} → {got}{leak}"
                            )
                        if case.secret and got >= 300 and case.secret(world, side).encode() in content:
                            problems.append(
                                f"{role} {method.upper()} {url}: the title shows in a {got} answer"
                            )
    report = "\n".join(
        f" {'✗' if expected != got else ' '} {label or '-':12} {method:6} {side:8} {role:12} {expected!s:>4} → {got}"
        for label, role, side, method, expected, got in rows
    )
    assert not problems, "\n".join(problems) + f"\n\n{name}: expected → got\n" + report
