"""Who may do what with travel claims. The claim page shows a form only when its rule says yes, the claims
service refuses when it says no, and the API asks the same functions (docs/travel-costs.md).

Who claims for an exchange at all is a question about the request: ``exchanges.cycle.rules.may_claim``.
"""

from datetime import timedelta

import rules
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator, is_finance
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.rules import claim_participants
from exchanges.travel.models import ClaimStatus, Decision, TravelClaim, TripRequest, TripStatus

# The traveller changes a claim while it is a draft or was returned by finance.
EDITABLE_STATUSES = frozenset({ClaimStatus.DRAFT, ClaimStatus.RETURNED})


def sees_all_claims(user: User) -> bool:
    """Finance and the coordination see every claim; everyone else only their own."""
    return bool(is_finance(user) or is_coordinator(user))


def decides_claims(user: User) -> bool:
    """Decisions (approve, return, reject, reduce) are the finance role's own, superuser or not: the
    four-eyes principle needs a named finance person (docs/travel-costs.md)."""
    return bool(user is not None and user.is_authenticated and user.is_active and user.has_role(Role.FINANCE))


def is_own_claim(user: User, claim: TravelClaim) -> bool:
    """The traveller, or the person who entered the claim for them."""
    return user.is_authenticated and user.pk in {claim.traveller_id, claim.submitted_by_id}


def may_edit_claim(user: User, claim: TravelClaim) -> bool:
    """Change the trip, meals, items and receipts, and submit: the claim's own people, while it is theirs."""
    return is_own_claim(user, claim) and claim.status in EDITABLE_STATUSES


def may_decide_claim(user: User, claim: TravelClaim) -> bool:
    """Finance decides on a submitted claim — never on one in which they travel or which they entered."""
    return decides_claims(user) and not is_own_claim(user, claim) and claim.status == ClaimStatus.SUBMITTED


# --- trip requests (Dienstreiseanträge) ---------------------------------------------------------------------

# A trip is requested once an expert has agreed, until the exchange has taken place.
TRIP_EXCHANGE_STATUSES = frozenset({Status.AGREED, Status.SCHEDULED})
TRIP_EDITABLE_STATUSES = frozenset({TripStatus.DRAFT, TripStatus.RETURNED})
TRIP_OPEN_STATUSES = frozenset({TripStatus.DRAFT, TripStatus.SUBMITTED, TripStatus.RETURNED})


def may_travel_for(traveller: User, exchange: ExchangeRequest) -> bool:
    """Who travels for an exchange: the requester, the experts who accepted, the meeting's people."""
    return traveller.is_authenticated and traveller.pk in claim_participants(exchange)


def may_file_trip(user: User, exchange: ExchangeRequest) -> bool:
    """A traveller files their own trip request while the exchange is agreed or scheduled; the coordination
    may enter one for a traveller (the traveller still cannot approve it: four eyes)."""
    if not user.is_authenticated or exchange.status not in TRIP_EXCHANGE_STATUSES:
        return False
    return is_coordinator(user) or may_travel_for(user, exchange)


def is_own_trip(user: User, trip: TripRequest) -> bool:
    """The traveller, or the person who entered the trip for them: neither approves it."""
    return user.is_authenticated and user.pk in {trip.traveller_id, trip.filed_by_id}


def may_edit_trip(user: User, trip: TripRequest) -> bool:
    """Change and submit: the trip's own people, while it is a draft or was returned."""
    return is_own_trip(user, trip) and trip.status in TRIP_EDITABLE_STATUSES


def is_trip_supervisor(user: User, trip: TripRequest) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (
            (trip.supervisor_id is not None and user.pk == trip.supervisor_id)
            or (trip.supervisor_email and user.email.lower() == trip.supervisor_email.lower())
        )
    )


def may_decide_as_supervisor(user: User, trip: TripRequest) -> bool:
    """The named supervisor approves, returns or refuses a submitted trip once — never their own trip."""
    return (
        trip.status == TripStatus.SUBMITTED
        and not trip.supervisor_decision
        and is_trip_supervisor(user, trip)
        and not is_own_trip(user, trip)
    )


def supervisor_link_decision_possible(trip: TripRequest) -> bool:
    """The e-mail link decides for a supervisor without an account, once, while the trip awaits it."""
    return trip.status == TripStatus.SUBMITTED and not trip.supervisor_decision


def may_resend_trip_link(user: User, trip: TripRequest) -> bool:
    """A new approval link (the old one no longer works) while the supervisor has not decided: for the
    trip's own people and the coordination — e.g. when the first link expired or went astray."""
    return supervisor_link_decision_possible(trip) and (is_own_trip(user, trip) or is_coordinator(user))


def may_decide_trip_costs(user: User, trip: TripRequest) -> bool:
    """The coordination confirms (or refuses) that koopstadt covers the costs of a submitted trip, once —
    not for a trip they travel on or entered, nor one they approved as the supervisor (two people)."""
    return (
        trip.status == TripStatus.SUBMITTED
        and not trip.cost_decision
        and is_coordinator(user)
        and not is_own_trip(user, trip)
        and not (trip.supervisor_decision == Decision.APPROVED and trip.supervisor_decided_by_id == user.pk)
    )


def may_cancel_trip(user: User, trip: TripRequest) -> bool:
    """The traveller (or the coordination) withdraws a trip that has not been claimed yet."""
    if trip.status not in TRIP_OPEN_STATUSES | {TripStatus.APPROVED}:
        return False
    if not (is_own_trip(user, trip) or is_coordinator(user)):
        return False
    return not trip.claims.exclude(status=ClaimStatus.DRAFT).exists()


def sees_trip(user: User, trip: TripRequest) -> bool:
    """The trip's own people, its supervisor, the coordination and finance."""
    return bool(
        is_own_trip(user, trip) or is_trip_supervisor(user, trip) or is_coordinator(user) or is_finance(user)
    )


# A claim is filed after the trip; its trip may begin at most this far ahead of now (the claim form's rule,
# exchanges.travel.services.claims.trip_errors, and the approved trip's "claim its costs").
CLAIM_AHEAD = timedelta(days=1)


def trip_has_begun(trip: TripRequest) -> bool:
    """A claim is filed after the trip (the claim form's own rule): its costs can be claimed from the day
    before it begins (a claim's trip may start a day ahead of now, exchanges.travel.services.claims)."""
    return trip.starts_at <= timezone.now() + CLAIM_AHEAD


def may_claim_from_trip(user: User, trip: TripRequest) -> bool:
    """The traveller claims the costs of an approved trip once the exchange is scheduled, once per trip."""
    from_statuses = {Status.SCHEDULED, Status.HELD, Status.COMPLETED}
    return (
        is_own_trip(user, trip)
        and trip.status == TripStatus.APPROVED
        and trip.exchange.status in from_statuses
        and trip_has_begun(trip)
        and not trip.claims.exclude(status=ClaimStatus.REJECTED).exists()
    )


def trip_approval_document_exists(trip: TripRequest) -> bool:
    """The approval document (Dienstreisegenehmigung / Kostenübernahmeerklärung) documents an approved
    trip only: before both approvals, after a refusal or a cancellation there is nothing approved."""
    return trip.status == TripStatus.APPROVED


def may_download_trip_approval(user: User, trip: TripRequest) -> bool:
    """Whoever sees the trip (``sees_trip``) downloads the approval document of an approved trip; the
    supervisor without an account does so through their signed e-mail link."""
    return trip_approval_document_exists(trip) and sees_trip(user, trip)


rules.add_perm("exchanges.finance", is_finance)
