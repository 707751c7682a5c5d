"""Who may do what with travel claims. The claim page shows a form only when its rule says yes, the claims
service refuses when it says no, and the API asks the same functions (docs/travel-costs.md).

Who claims for an exchange at all is a question about the request: ``exchanges.cycle.rules.may_claim``.
"""

import rules

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator, is_finance
from exchanges.travel.models import ClaimStatus, TravelClaim

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


rules.add_perm("exchanges.finance", is_finance)
