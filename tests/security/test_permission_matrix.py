"""Every URL of the URL conf × every role × own/foreign city, with GET and (for state-changing views) POST.

The URL list is generated from the URL conf: a URL name without an expectation fails, and so does an
expectation for a URL that no longer exists. Expected answers: 200, 302 (a redirect elsewhere),
"login" (302 to the log-in page), 400, 403, 404, 405, 410 — never 500, and never 200 for an object the
role must not see (who sees what: SPEC §5, docs/workflow.md "Who sees what", exchanges/rules.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.db import transaction
from django.urls import reverse

from tests.security.attack_world import (  # noqa: F401
    LOGIN,
    ROLES,
    SIDES,
    STATES,
    World,
    csrf_client,
    run,
    run_probed,
    url_names,
    world_fixture,
)

pytestmark = [pytest.mark.security, pytest.mark.django_db]

Rule = Callable[[str, str], object]  # (role, side) -> expected answer
Kwargs = Callable[[World, str], dict | None]  # (world, side) -> URL kwargs, None: no such object on that side


# --- who sees what (SPEC §5; docs/workflow.md) ----------------------------------------------------------
def sees_request(role: str, side: str, state: str) -> bool:
    """Coordination sees everything; in the own city the requester all, the city contact everything after
    submission, the routed liaison and the invited expert the requests from "matching" on."""
    if role in {"coordinator", "superuser"}:
        return True
    if side != "own":
        return False
    return {
        "staff": True,
        "contact": state != "draft",
        "liaison": state in {"matching", "scheduled", "completed"},
        "expert": state in {"matching", "scheduled", "completed"},
    }.get(role, False)


CLAIM_TRAVELLER = {"draft": "staff", "submitted": "expert", "booked": "staff"}


def sees_claim(role: str, side: str, claim: str) -> bool:
    """Finance and coordination see every claim; everyone else only their own."""
    if role in {"coordinator", "superuser", "finance"}:
        return True
    return side == "own" and CLAIM_TRAVELLER[claim] == role


# --- rules ------------------------------------------------------------------------------------------------
def everyone(code: object) -> Rule:
    return lambda role, side: code


def signed_in(code: object) -> Rule:
    return lambda role, side: LOGIN if role == "anonymous" else code


def roles(allowed: set[str], ok: object = 200, other: object = 403) -> Rule:
    return lambda role, side: LOGIN if role == "anonymous" else (ok if role in allowed else other)


POST_ONLY = signed_in(405)


def on_request(state: str, ok: object = 200, only: set[str] | None = None, other: object = 302) -> Rule:
    """Login first; 404 when the role may not see the request; ``ok`` for ``only`` (default: all who see it)."""

    def rule(role: str, side: str) -> object:
        if role == "anonymous":
            return LOGIN
        if not sees_request(role, side, state):
            return 404
        return ok if only is None or role in only else other

    return rule


TRIP_TRAVELLER = {"draft": "staff", "submitted": "expert", "approved": "staff"}


def sees_trip(role: str, side: str, trip: str) -> bool:
    """Coordination and finance see every trip request; the own city's traveller and supervisor (the
    city contact) theirs."""
    if role in {"coordinator", "superuser", "finance"}:
        return True
    return side == "own" and role in {TRIP_TRAVELLER[trip], "contact"}


def on_trip(trip: str, ok: object = 200, only: set[str] | None = None, other: object = 302) -> Rule:
    """Login first; 404 when the role may not see the trip; ``ok`` for ``only`` (default: all who see it),
    ``other`` for the rest who see it (a refusal: back to the trip's page with the reason)."""

    def rule(role: str, side: str) -> object:
        if role == "anonymous":
            return LOGIN
        if not sees_trip(role, side, trip):
            return 404
        return ok if only is None or role in only else other

    return rule


def trip_pk(trip: str) -> Kwargs:
    return lambda world, side: {"pk": world[side].trips[trip].pk}


def on_claim(claim: str, ok: object = 200) -> Rule:
    return lambda role, side: LOGIN if role == "anonymous" else (ok if sees_claim(role, side, claim) else 404)


FINANCE = {"finance", "superuser"}
COORDINATION = {"coordinator", "superuser"}
STATISTICS = COORDINATION | {"contact"}


def never(role: str, side: str) -> bool:
    return False


def only(*who: str, side: str | None = None) -> Callable[[str, str], bool]:
    return lambda role, side_: role in who and side in {None, side_}


def failed_task():
    from cities.operations.models import FailedTask

    task, _created = FailedTask.objects.get_or_create(
        task_id="attack-task", defaults={"task_name": "exchanges.tasks.route_request_task", "args": [1]}
    )
    return task


# --- URL arguments ----------------------------------------------------------------------------------------
def none(world: World, side: str) -> dict | None:
    return {} if side == "own" else None


def request_pk(state: str) -> Kwargs:
    return lambda world, side: {"pk": world[side].requests[state].pk}


def claim_pk(claim: str, **extra: str) -> Kwargs:
    def kwargs(world: World, side: str) -> dict:
        values = {"pk": world[side].claims[claim].pk}
        if "item" in extra:
            values["item_pk"] = world[side].items[claim].pk
        if "receipt" in extra:
            values["receipt_pk"] = world[side].receipts[claim].pk
        return values

    return kwargs


@dataclass
class Case:
    """One URL with one object: expected answers to GET and (where the view changes state) POST."""

    kwargs: Kwargs = none
    get: Rule | None = None
    post: Rule | None = None
    data: Callable[[World, str], dict] = field(default=lambda world, side: {})
    secret: Callable[[World, str], str] | None = None  # must not show up in an answer other than 200
    label: str = ""
    # For POSTs: who changes the database with ``data`` (everyone else must change nothing).
    acts: Callable[[str, str], bool] | None = None


def request_title(state: str) -> Callable[[World, str], str]:
    return lambda world, side: world[side].requests[state].title


reflection_rule = on_request("completed", only={"staff", "expert"}, other=404)

EXPECTATIONS: dict[str, list[Case]] = {
    # --- portal and account --------------------------------------------------------------------------
    "home": [Case(get=signed_in(200))],
    "login": [
        Case(
            get=lambda role, side: 200 if role == "anonymous" else 302,
            post=lambda role, side: 200 if role == "anonymous" else 302,
        )
    ],
    "logout": [Case(get=everyone(405), post=everyone(LOGIN))],
    "password_change": [Case(get=signed_in(200), post=signed_in(200))],
    "password_change_done": [Case(get=signed_in(200))],
    "password_reset": [Case(get=everyone(200), post=everyone(200))],
    "password_reset_done": [Case(get=everyone(200))],
    "password_reset_confirm": [
        Case(
            kwargs=lambda world, side: {"uidb64": "MQ", "token": "abc-123"} if side == "own" else None,
            get=everyone(200),
            post=everyone(200),
        )
    ],
    "password_reset_complete": [Case(get=everyone(200))],
    "profile": [Case(get=signed_in(200))],
    # a person's own data (GDPR export): only ever their own, by POST
    "profile_data_json": [Case(get=POST_ONLY, post=signed_in(200))],
    "profile_data_html": [Case(get=POST_ONLY, post=signed_in(200))],
    # single sign-on: off in the test settings, so its addresses do not exist (on: tests/sso)
    "oidc_authentication_init": [Case(get=everyone(404))],
    "oidc_authentication_callback": [Case(get=everyone(404))],
    # operations ("Betrieb"): its overview and the failed background tasks, for coordination
    "operations": [Case(get=roles(COORDINATION))],
    "failed_tasks": [Case(get=roles(COORDINATION))],
    "failed_task_action": [
        Case(
            kwargs=lambda world, side: (
                {"pk": failed_task().pk, "action": "dismiss"} if side == "own" else None
            ),
            get=everyone(405),  # require_POST comes before the log-in check here
            post=roles(COORDINATION, ok=302),
            acts=only(*COORDINATION),
        )
    ],
    "language_switch": [Case(get=everyone(405), post=everyone(302), data=lambda w, s: {"language": "en"})],
    "accessibility": [Case(get=everyone(200))],
    "too_large": [Case(get=everyone(413))],
    "imprint": [Case(get=everyone(200))],
    "easy_language": [Case(get=everyone(200))],
    "sign_language": [Case(get=everyone(200))],
    "healthz": [Case(get=everyone(200))],
    "readyz": [Case(get=everyone(200))],
    # By address or token, not by role: the test client comes from 127.0.0.1, which may read it
    # (tests/operations/test_observability.py: other addresses and logged-in people get 404).
    "metrics": [Case(get=everyone(200))],
    # --- expert pool: the whole network's pool for everyone signed in -----------------------------------
    "cities:expert_list": [Case(get=signed_in(200))],
    "cities:expert_detail": [
        Case(kwargs=lambda world, side: {"pk": world[side].expert.pk}, get=signed_in(200)),
    ],
    # --- requests -------------------------------------------------------------------------------------
    "exchanges:request_list": [Case(get=signed_in(200))],
    "exchanges:request_create": [Case(get=signed_in(200), post=signed_in(200))],
    "exchanges:request_detail": [
        Case(kwargs=request_pk(state), get=on_request(state), secret=request_title(state), label=state)
        for state in STATES
    ],
    "exchanges:request_edit": [
        Case(
            kwargs=request_pk("draft"),
            get=on_request("draft", only={"staff"}),
            post=on_request("draft", only={"staff"}),
            data=lambda world, side: {"title": "", "save": "1"},
            acts=never,
            secret=request_title("draft"),
            label="draft",
        ),
        Case(
            kwargs=request_pk("submitted"),
            get=on_request("submitted", ok=302),
            post=on_request("submitted", ok=302),
            data=lambda world, side: {"title": "Gekapert", "save": "1"},
            acts=never,
            secret=request_title("submitted"),
            label="submitted",
        ),
    ],
    "exchanges:request_action": [
        Case(
            kwargs=lambda world, side: {"pk": world[side].requests["submitted"].pk, "action": "accept"},
            get=POST_ONLY,
            # the contact and the coordination accept (302); the requester is refused on the page (200)
            post=on_request("submitted", ok=302, only=COORDINATION | {"contact"}, other=200),
            data=lambda world, side: {"accept-expected_status": "submitted"},
            acts=lambda role, side: role in COORDINATION or (role, side) == ("contact", "own"),
            secret=request_title("submitted"),
        )
    ],
    "exchanges:comment_create": [
        Case(
            kwargs=request_pk("submitted"),
            get=POST_ONLY,
            post=on_request("submitted", ok=302),
            data=lambda world, side: {"body": "Ein Kommentar"},
            acts=lambda role, side: role in COORDINATION or (role in {"staff", "contact"} and side == "own"),
            secret=request_title("submitted"),
        )
    ],
    "exchanges:attachment_download": [
        Case(
            kwargs=lambda world, side, state=state: {
                "pk": world[side].requests[state].pk,
                "attachment_pk": world[side].attachments[state].pk,
            },
            get=on_request(state),
            label=state,
        )
        for state in ("draft", "submitted")
    ],
    "exchanges:routing_correction": [
        Case(
            kwargs=request_pk("matching"),
            get=POST_ONLY,
            post=on_request("matching", only=COORDINATION, ok=302, other=200),
            data=lambda world, side: {
                "department": world[side].department.pk,
                "routed": "0",
                "note": "Passt nicht",
            },
            acts=only(*COORDINATION),
            secret=request_title("matching"),
        )
    ],
    "exchanges:propose_experts": [
        Case(
            kwargs=request_pk("matching"),
            get=POST_ONLY,
            # coordination and the routed liaison propose; everyone else gets 404
            post=on_request("matching", only=COORDINATION | {"liaison"}, ok=200, other=404),
            acts=never,  # nobody chosen
            secret=request_title("matching"),
        )
    ],
    "exchanges:withdraw_invitations": [
        Case(
            kwargs=request_pk("matching"),
            get=POST_ONLY,
            post=on_request("matching", ok=302),
            secret=request_title("matching"),
            acts=only(*COORDINATION),
        )
    ],
    "exchanges:meeting_edit": [
        Case(
            kwargs=request_pk("scheduled"),
            get=on_request("scheduled", only=COORDINATION | {"staff"}, other=302),
            post=on_request("scheduled", only=COORDINATION | {"staff"}, other=302),
            secret=request_title("scheduled"),
            acts=never,  # an empty form
        )
    ],
    "exchanges:past_exchange_record": [
        Case(
            kwargs=request_pk("matching"),
            # only the coordination records a past exchange; everyone else gets 404
            get=on_request("matching", only=COORDINATION, other=404),
            post=on_request("matching", only=COORDINATION, other=404),
            secret=request_title("matching"),
            acts=never,  # an empty form
        )
    ],
    "exchanges:invitation_record_answer": [
        Case(
            kwargs=lambda world, side: {
                "pk": world[side].requests["matching"].pk,
                "invitation_pk": world[side].invitation_open.pk,
            },
            get=POST_ONLY,
            # the coordination records an answer given by phone (empty form: the page with errors)
            post=on_request("matching", only=COORDINATION, ok=200, other=404),
            acts=never,
            secret=request_title("matching"),
        )
    ],
    "exchanges:meeting_calendar": [
        Case(kwargs=request_pk("scheduled"), get=on_request("scheduled"), secret=request_title("scheduled")),
        Case(kwargs=request_pk("submitted"), get=on_request("submitted", ok=404), label="no meeting"),
    ],
    "exchanges:reflection_create": [
        Case(
            kwargs=request_pk("completed"),
            # the requester and the accepted expert reflect; the others who see the request get 404. The
            # requester has written theirs (it completed the request): sent back, no second form
            get=lambda role, side: 302 if (role, side) == ("staff", "own") else reflection_rule(role, side),
            post=lambda role, side: 302 if (role, side) == ("staff", "own") else reflection_rule(role, side),
            secret=request_title("completed"),
            acts=never,  # an empty form
        )
    ],
    # --- invitations ----------------------------------------------------------------------------------
    "exchanges:my_invitations": [Case(get=signed_in(200))],
    "exchanges:invitation_answer": [
        Case(
            kwargs=lambda world, side: {"invitation_pk": world[side].invitation_open.pk},
            get=lambda role, side: (
                LOGIN if role == "anonymous" else (200 if (role, side) == ("expert", "own") else 404)
            ),
            post=lambda role, side: (
                LOGIN if role == "anonymous" else (200 if (role, side) == ("expert", "own") else 404)
            ),
            acts=never,  # an empty form
            secret=request_title("matching"),
        )
    ],
    "exchanges:invitation_answer_link": [
        # the signed link is the key without a log-in; signed in, only for its own expert (anyone else is
        # shown whose link it is, 403)
        Case(
            kwargs=lambda world, side: {"token": world[side].token()},
            get=lambda role, side: 200 if role == "anonymous" or (role, side) == ("expert", "own") else 403,
            post=lambda role, side: 200 if role == "anonymous" or (role, side) == ("expert", "own") else 403,
            acts=never,  # an empty form
        ),
        Case(
            kwargs=lambda world, side: {"token": world[side].token(world[side].invitation_accepted)},
            get=everyone(410),
            label="answered",
        ),
        Case(
            kwargs=lambda world, side: {"token": world[side].token()[:-3] + "xyz"},
            get=everyone(400),
            post=everyone(400),
            secret=request_title("matching"),
            label="tampered",
        ),
    ],
    "exchanges:knowledge_base": [Case(get=signed_in(200))],
    # the panel of similar past exchanges (live, beside the request form): as the knowledge base
    "exchanges:similar_exchanges": [Case(get=signed_in(200))],
    "exchanges:request_topic_suggestions": [Case(get=signed_in(200))],
    # --- travel claims --------------------------------------------------------------------------------
    "exchanges:claim_create": [
        Case(
            kwargs=request_pk("scheduled"),
            # participants of the meeting claim; others who see the exchange are sent back to it
            get=on_request("scheduled", only={"staff", "expert"}, other=302),
            post=on_request("scheduled", only={"staff", "expert"}, other=302),
            secret=request_title("scheduled"),
            acts=never,  # an empty form
        )
    ],
    "exchanges:my_claims": [Case(get=signed_in(200))],
    "exchanges:claim_detail": [
        Case(kwargs=claim_pk(claim), get=on_claim(claim), label=claim)
        for claim in ("draft", "submitted", "booked")
    ],
    "exchanges:claim_edit": [
        Case(kwargs=claim_pk("draft"), get=POST_ONLY, post=on_claim("draft"), acts=never)
    ],
    # the live calculation: the calculation for whoever sees the claim (a refusal for all but the
    # traveller), never a change
    "exchanges:claim_calculate": [
        Case(kwargs=claim_pk("draft"), get=POST_ONLY, post=on_claim("draft"), acts=never)
    ],
    "exchanges:claim_item_add": [
        Case(kwargs=claim_pk("draft"), get=POST_ONLY, post=on_claim("draft"), acts=never)
    ],
    "exchanges:claim_item_remove": [
        Case(
            kwargs=claim_pk("draft", item="1"),
            get=POST_ONLY,
            post=on_claim("draft", ok=302),
            acts=only("staff", side="own"),  # the traveller, while the claim is a draft
        )
    ],
    "exchanges:claim_item_reduce": [
        Case(
            kwargs=claim_pk("submitted", item="1"),
            get=POST_ONLY,
            # finance reduces (302); everyone else who sees the claim gets the page with the refusal
            post=lambda role, side: 302 if role == "finance" else on_claim("submitted")(role, side),
            data=lambda world, side: {
                f"reduce-{world[side].items['submitted'].pk}-amount": "10,00",
                f"reduce-{world[side].items['submitted'].pk}-reason": "Nur 2. Klasse",
            },
            acts=only("finance"),  # finance only, and never on a claim of their own
        )
    ],
    "exchanges:claim_submit": [
        Case(
            kwargs=claim_pk("draft"),
            get=POST_ONLY,
            post=on_claim("draft", ok=302),
            # the world's trips do not fit their meetings and overlap, and no trip request was approved for
            # them: the reasons the notes ask for
            data=lambda world, side: {
                "submit-trip_fit_reason": "Vorbesprechung",
                "submit-duplicate_reason": "Zwei Termine an einem Tag",
                "submit-no_trip_reason": "Auf Papier genehmigt",
            },
            acts=only("staff", side="own"),
        )
    ],
    "exchanges:claim_receipt_add": [
        Case(
            kwargs=claim_pk("draft", item="1"),
            get=POST_ONLY,
            post=on_claim("draft"),  # without a file: the page with the form's error, nothing stored
            acts=never,
        )
    ],
    "exchanges:claim_pdf": [Case(kwargs=claim_pk("submitted"), get=on_claim("submitted"))],
    # The world has no trip request: a missing trip is 404 for everyone signed in, and a forged link too
    # (tests/exchanges/test_trip_pdf.py checks who gets the approval document of an approved trip).
    "exchanges:trip_pdf": [
        Case(kwargs=lambda world, side: {"pk": 999_999} if side == "own" else None, get=signed_in(404)),
        # the approved trip's document: for those who see the trip (rules.sees_trip)
        Case(kwargs=trip_pk("approved"), get=on_trip("approved"), label="approved"),
        # not approved yet: no document, for anybody
        Case(kwargs=trip_pk("submitted"), get=on_trip("submitted", ok=404), label="submitted"),
    ],
    "exchanges:trip_approval_link_pdf": [
        Case(kwargs=lambda world, side: {"token": "forged:abc"} if side == "own" else None, get=everyone(404))
    ],
    "exchanges:claim_decide": [
        Case(
            kwargs=claim_pk("submitted"),
            get=POST_ONLY,
            # finance decides (302); everyone else who sees the claim gets the page with the refusal
            post=lambda role, side: 302 if role == "finance" else on_claim("submitted")(role, side),
            data=lambda world, side: {"decision": "return", "reason": "Bitte Belege nachreichen"},
            acts=only("finance"),
        )
    ],
    "exchanges:receipt_download": [
        Case(kwargs=claim_pk(claim, receipt="1"), get=on_claim(claim), label=claim)
        for claim in ("draft", "submitted")
    ],
    # --- trip requests (Dienstreiseanträge) ------------------------------------------------------------
    "exchanges:trip_create": [
        Case(
            kwargs=request_pk("scheduled"),
            # the travellers file their trip, the coordination picks whom it files one for; others who see
            # the exchange are sent back to it
            get=on_request("scheduled", only={"staff", "expert", *COORDINATION}, other=302),
            post=on_request("scheduled", only={"staff", "expert", *COORDINATION}, other=302),
            secret=request_title("scheduled"),
            acts=never,  # an empty form
        )
    ],
    "exchanges:my_trips": [Case(get=signed_in(200))],
    "exchanges:trips_to_approve": [Case(get=signed_in(200))],
    "exchanges:trip_detail": [
        Case(kwargs=trip_pk(trip), get=on_trip(trip), label=trip)
        for trip in ("draft", "submitted", "approved")
    ],
    "exchanges:trip_edit": [
        Case(
            kwargs=trip_pk("draft"),
            get=on_trip("draft", only={"staff"}),
            post=on_trip("draft", only={"staff"}),  # the traveller: the empty form's errors
            acts=never,
            label="draft",
        ),
        Case(
            kwargs=trip_pk("submitted"),
            get=on_trip("submitted", ok=302),
            post=on_trip("submitted", ok=302),
            acts=never,
            label="submitted",
        ),
    ],
    "exchanges:trip_submit": [
        Case(
            kwargs=trip_pk("draft"),
            get=POST_ONLY,
            post=on_trip("draft", ok=302),
            acts=only("staff", side="own"),
        )
    ],
    "exchanges:trip_supervisor_decide": [
        Case(
            kwargs=trip_pk("submitted"),
            get=POST_ONLY,
            post=on_trip("submitted", ok=302),
            data=lambda world, side: {"supervisor-decision": "returned", "supervisor-note": "Bitte ändern"},
            acts=only("contact", side="own"),  # the supervisor named on the trip
        )
    ],
    "exchanges:trip_cost_decide": [
        Case(
            kwargs=trip_pk("submitted"),
            get=POST_ONLY,
            post=on_trip("submitted", ok=302),
            data=lambda world, side: {"cost-decision": "returned", "cost-note": "Bitte ändern"},
            acts=only(*COORDINATION),
        )
    ],
    "exchanges:trip_cancel": [
        Case(
            kwargs=trip_pk("draft"),
            get=POST_ONLY,
            post=on_trip("draft", ok=302),
            acts=lambda role, side: role in COORDINATION or (role, side) == ("staff", "own"),
        )
    ],
    "exchanges:trip_link_resend": [
        Case(
            kwargs=trip_pk("submitted"),
            get=POST_ONLY,
            post=on_trip("submitted", ok=302),
            # the traveller or the coordination has a new link sent; the supervisor is refused (a message)
            acts=lambda role, side: role in COORDINATION or (role, side) == ("expert", "own"),
        )
    ],
    "exchanges:trip_claim": [
        Case(
            kwargs=trip_pk("approved"),
            get=POST_ONLY,
            post=on_trip("approved", ok=302),
            acts=never,  # the world's approved trip is still ahead: its costs are claimed after it
        )
    ],
    "exchanges:trip_approval_link": [
        # the signed link is the key, with or without a log-in — but never for the trip's own traveller
        # (four eyes: 403)
        Case(
            kwargs=lambda world, side: {"token": world[side].trip_token()},
            get=lambda role, side: 403 if (role, side) == ("expert", "own") else 200,
            post=lambda role, side: 403 if (role, side) == ("expert", "own") else 200,
            acts=never,  # an empty form
        ),
        Case(
            kwargs=lambda world, side: {"token": world[side].trip_token("draft", nonce="0" * 32)},
            get=lambda role, side: 403 if (role, side) == ("staff", "own") else 410,
            post=lambda role, side: 403 if (role, side) == ("staff", "own") else 410,
            data=lambda world, side: {"decision": "approved"},
            acts=never,
            label="used",
        ),
        Case(
            kwargs=lambda world, side: {"token": world[side].trip_token()[:-3] + "xyz"},
            get=everyone(400),
            post=everyone(400),
            data=lambda world, side: {"decision": "approved"},
            acts=never,
            label="tampered",
        ),
    ],
    # --- finance --------------------------------------------------------------------------------------
    "exchanges:finance_queue": [Case(get=roles(FINANCE))],
    "exchanges:batch_list": [
        Case(get=roles(FINANCE), post=roles(FINANCE, ok=302), acts=never)
    ],  # nothing new
    "exchanges:batch_detail": [
        Case(
            kwargs=lambda world, side: {"pk": world.batch.pk} if side == "own" else None,
            get=roles(FINANCE),
            post=roles(FINANCE, ok=302),
            acts=never,  # not exported yet: cannot be marked paid
        )
    ],
    "exchanges:batch_download": [
        Case(
            kwargs=lambda world, side, kind=kind: (
                {"pk": world.batch.pk, "kind": kind} if side == "own" else None
            ),
            get=roles(FINANCE, ok=405),  # the first download freezes the batch: POST only
            post=roles(FINANCE),
            acts=only("finance", "superuser", side="own"),
            label=kind,
        )
        for kind in ("csv", "xlsx")
    ],
    "exchanges:budget": [Case(get=roles(FINANCE), post=roles(FINANCE), acts=never)],  # an empty form
    "exchanges:rate_sets": [Case(get=roles(FINANCE))],
    "exchanges:rate_set_new_period": [
        Case(
            kwargs=lambda world, side: {"pk": world.rate_set.pk} if side == "own" else None,
            get=roles(FINANCE),
            post=roles(FINANCE),
            acts=never,  # an empty form
        )
    ],
    # --- inboxes and notifications --------------------------------------------------------------------
    "exchanges:contact_inbox": [Case(get=roles({"contact"}))],  # an administrator has no city inbox
    "exchanges:triage": [
        Case(
            get=roles(COORDINATION),
            post=roles(COORDINATION, ok=302),
            data=lambda world, side: {
                "requests": [world["own"].requests["submitted"].pk],
                "assignee": world.users["coordinator"].pk,
            },
            acts=only(*COORDINATION),
        )
    ],
    "exchanges:notifications": [
        Case(
            get=signed_in(200),
            post=signed_in(302),
            data=lambda world, side: {"mark_read": "1"},
            acts=only("staff"),  # marks only the person's own notifications read
        )
    ],
    # --- statistics: the coordination sees the network, city contacts their own city (GET only: no POST
    # expectation, as for the other read-only views; tests/statistics/test_pages.py checks POST → 405) -----
    **{
        name: [Case(get=roles(STATISTICS))]
        for name in ("exchanges:statistics", "exchanges:statistics_cities", "exchanges:statistics_costs")
    },
    "exchanges:statistics_export": [
        *[
            Case(
                kwargs=lambda world, side, kind=kind: (
                    {"key": "requests_by_city", "file_format": kind} if side == "own" else None
                ),
                get=roles(STATISTICS),
                label=kind,
            )
            for kind in ("csv", "xlsx")
        ],
        Case(
            kwargs=lambda world, side: (
                {"key": "no_such_table", "file_format": "csv"} if side == "own" else None
            ),
            get=signed_in(404),
            label="unknown key",
        ),
    ],
    "exchanges:statistics_report": [
        Case(
            kwargs=lambda world, side: {"year": 2026} if side == "own" else None,
            get=roles(STATISTICS),
        )
    ],
}


def _is_admin(name: str) -> bool:
    return name.startswith("admin:")


def _is_api(name: str) -> bool:
    return name.startswith("api:")


# The REST API has a matrix of its own, run with tokens (tests/security/test_api_permission_matrix.py).
URL_NAMES = [name for name in url_names() if not _is_admin(name) and not _is_api(name)]


# --- running the matrix -----------------------------------------------------------------------------------
def matrix_report(name: str, rows: list[tuple]) -> str:
    lines = [f"{name}: expected → got (✗ marks a deviation)"]
    for case_label, role, side, method, expected, got in rows:
        mark = "✗" if expected != got else " "
        lines.append(f" {mark} {case_label or '-':12} {method:4} {side:8} {role:12} {expected!s:>6} → {got}")
    return "\n".join(lines)


def test_every_url_has_an_expectation_and_every_expectation_a_url():
    missing = sorted(set(URL_NAMES) - set(EXPECTATIONS))
    stale = sorted(set(EXPECTATIONS) - set(URL_NAMES))
    assert not missing, f"URL names without an expectation in the permission matrix: {missing}"
    assert not stale, f"Expectations for URL names that no longer exist: {stale}"


@pytest.mark.parametrize("name", URL_NAMES)
def test_permission_matrix(world, name):
    cases = EXPECTATIONS.get(name)
    assert cases, f"{name} has no expectation in the permission matrix: add one to EXPECTATIONS"
    rows, problems = [], []
    for case in cases:
        assert case.get or case.post, f"{name}: a case needs a GET or POST expectation"
        for side in SIDES:
            kwargs = case.kwargs(world, side)
            if kwargs is None:
                continue
            url = reverse(name, kwargs=kwargs)
            for method, rule in (("get", case.get), ("post", case.post)):
                if rule is None:
                    continue
                for role in ROLES:
                    expected = rule(role, side)
                    probe = method == "post" and case.acts is not None
                    got, content, changed = run_probed(
                        world, role, method, url, case.data(world, side), probe=probe
                    )
                    rows.append((case.label, role, side, method, expected, got))
                    if probe and case.acts(role, side) and not changed:
                        problems.append(f"{role} POST {url} [{side}] should have changed something")
                    if probe and not case.acts(role, side) and changed:
                        problems.append(f"{role} POST {url} [{side}] must change nothing, changed {changed}")
                    if got == 500:
                        problems.append(f"500 for {role} {method.upper()} {url}")
                    elif got != expected:
                        leak = " (LEAK)" if got == 200 else ""
                        problems.append(f"{role} {method.upper()} {url} [{side}]: {expected} → {got}{leak}")
                    if case.secret and got != 200 and case.secret(world, side).encode() in content:
                        problems.append(f"{role} {method.upper()} {url}: the title shows in a {got} answer")
    assert not problems, "\n".join(problems) + "\n\n" + matrix_report(name, rows)


# --- the administration as one group ----------------------------------------------------------------------
ADMIN_ROLES = {"coordinator", "superuser"}


@pytest.mark.parametrize("role", ROLES)
def test_the_administration_is_for_coordination_only(world, role):
    assert any(_is_admin(name) for name in url_names()), "the administration is no longer in the URL conf"
    index = reverse("admin:index")
    got, _content = run(world, role, "get", index, {})
    if role in ADMIN_ROLES:
        assert got == 200
    else:
        assert got == 302
    # every model page of the administration: a redirect to the admin log-in for everyone outside it
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        with transaction.atomic():
            client, _token = csrf_client()
            if role != "anonymous":
                client.force_login(world.users[role])
            response = client.get(url)
            transaction.set_rollback(True)
        assert response.status_code != 500, url
        if role in ADMIN_ROLES:
            assert response.status_code in {200, 403}, url
        else:
            assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), (
                url
            )


# --- list pages never show requests the role may not see ------------------------------------------------
LIST_PAGES = {
    # list name: states whose titles the list may show from any city, for the roles given
    "exchanges:request_list": {},
    "exchanges:triage": {},  # coordination sees everything anyway
    "exchanges:contact_inbox": {},
    "exchanges:my_claims": {},
    "exchanges:my_trips": {},
    "exchanges:trips_to_approve": {},
    "exchanges:finance_queue": {"finance": {"scheduled", "completed"}},  # claims of the whole network
    "exchanges:my_invitations": {},
    "exchanges:knowledge_base": {role: {"completed"} for role in ROLES},  # the network's knowledge base
    "exchanges:notifications": {},
    "cities:expert_list": {},
}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_list_pages_never_show_what_the_role_may_not_see(world, role):
    leaks = []
    for name, allowed in LIST_PAGES.items():
        got, content = run(world, role, "get", reverse(name), {})
        if got != 200:
            continue
        page = content.decode()
        for side in SIDES:
            for state in STATES:
                if sees_request(role, side, state) or state in allowed.get(role, set()):
                    continue
                exchange = world[side].requests[state]
                for secret in filter(None, [exchange.title, exchange.reference]):
                    if secret in page:
                        leaks.append(f"{name} shows {secret!r} ({side} {state}) to {role}")
    assert not leaks, "\n".join(leaks)


# --- internal texts stay with the coordination ------------------------------------------------------------
def test_internal_comments_timeline_and_reflections_stay_with_the_coordination(world):
    from exchanges.cycle.models import Comment, Reflection, TimelineEntry

    own = world["own"]
    submitted, completed = own.requests["submitted"], own.requests["completed"]
    Comment.objects.create(request=submitted, author=own.contact, body="Interner Vermerk 1", is_internal=True)
    TimelineEntry.objects.create(
        request=submitted, actor=own.contact, action="assigned", comment="Interner Vermerk 2", is_public=False
    )
    Reflection.objects.create(
        request=completed,
        author=own.expert.user,
        side=Reflection.Side.EXPERT,
        takeaway="Interner Vermerk 3",
        question="Frage",
        learnt="Gelernt",
        is_internal=True,
    )
    coordination = {"contact", "coordinator", "superuser"}
    leaks = []
    for role in ROLES[1:]:
        for exchange, secrets in ((submitted, ["1", "2"]), (completed, ["3"])):
            got, content = run(world, role, "get", exchange.get_absolute_url(), {})
            if got != 200:
                continue
            for number in secrets:
                shown = f"Interner Vermerk {number}" in content.decode()
                may = role in coordination or (number == "3" and role == "expert")  # the author
                if shown and not may:
                    leaks.append(f"{role} sees internal text {number} on {exchange.title}")
                if may and not shown:
                    leaks.append(f"{role} should see internal text {number} on {exchange.title}")
        got, content = run(world, role, "get", reverse("exchanges:knowledge_base"), {})
        if "Interner Vermerk 3" in content.decode():
            leaks.append(f"the knowledge base shows an internal reflection to {role}")
    assert not leaks, "\n".join(leaks)
