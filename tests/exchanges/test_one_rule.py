"""One rule, one place (issue "House in order", item 2): who counts as the coordination, who works in
the finance area, and who decides on claims are each one function; the pages, the services and the lists
of people (whom to assign, whom to tell) ask it.

Each test here failed on the code before: the assignment form and service and the coordination's
notifications knew only the coordinator role while every other place counted administrators too; an
inactive finance person still held the finance permission; a coordinator, who sees every claim, was not
given the links to a traveller's other claims; an administrator could open the finance queue but was not
shown the way there.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator, is_finance
from exchanges.cycle.forms import AssignForm
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.services.requests import request_save_draft, request_transition, requests_assign
from exchanges.cycle.workflow import TRANSITIONS
from exchanges.travel.models import ClaimStatus, TravelClaim
from exchanges.travel.rules import decides_claims, may_decide_claim, sees_all_claims
from exchanges.travel.services.budget import budget_set
from exchanges.travel.services.claims import claim_approve
from koopstadt.errors import DomainError, NotPermitted
from tests.api.conftest import issue, token_client
from tests.cities.factories import UserFactory
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(people):
    """An administrator of the portal without any role: the coordination by the one rule."""
    return UserFactory(roles=[], is_superuser=True, is_staff=True, display_name="Ada Admin")


@pytest.fixture
def everyone(people, admin):
    return {
        **people,
        "admin": admin,
        "inactive_admin": UserFactory(roles=[], is_superuser=True, is_active=False),
        "inactive_coordinator": UserFactory(roles=[Role.COORDINATOR], is_active=False),
        "inactive_finance": UserFactory(roles=[Role.FINANCE], is_active=False),
    }


# --- who is the coordination ------------------------------------------------------------------------------
def test_the_list_of_coordinators_is_the_rule_read_by_the_database(everyone):
    listed = set(User.objects.coordinators())
    for name, person in everyone.items():
        assert (person in listed) is bool(is_coordinator(person)), name
    assert {everyone["coordinator"], everyone["admin"]} <= listed


def test_an_administrator_is_offered_and_accepted_as_assignee(client, people, admin):
    request = make_request(people, Status.SUBMITTED)
    assert admin in AssignForm().fields["assignee"].queryset
    client.force_login(people["coordinator"])
    page = client.get(reverse("exchanges:triage")).content.decode()
    assert f'value="{admin.pk}"' in page

    response = client.post(
        reverse("exchanges:triage"), {"requests": [request.pk], "assignee": admin.pk}, follow=True
    )

    assert f"1 Anfrage {admin.display_name} zugewiesen." in response.content.decode()
    request.refresh_from_db()
    assert request.assignee == admin


def test_assigning_asks_the_same_rule_as_the_form(people, admin):
    request = make_request(people, Status.SUBMITTED)
    assert requests_assign(request_ids=[request.pk], assignee=admin, actor=people["coordinator"]) == 1
    with pytest.raises(DomainError, match="nur Mitgliedern der Koordination"):
        requests_assign(request_ids=[request.pk], assignee=people["contact"], actor=people["coordinator"])


def test_the_coordination_is_told_by_the_same_rule(
    people, admin, mailoutbox, django_capture_on_commit_callbacks
):
    request = make_request(people, Status.SUBMITTED)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request_transition(request_id=request.pk, action="accept", actor=people["contact"])
    told = {address for message in mail.outbox for address in message.to}
    assert {people["coordinator"].email, admin.email} <= told


# --- the finance area and finance decisions ---------------------------------------------------------------
def test_the_finance_permission_is_the_finance_rule(everyone):
    for name, person in everyone.items():
        assert person.has_perm("exchanges.finance") is bool(is_finance(person)), name
    assert is_finance(everyone["finance"]) and is_finance(everyone["admin"])
    assert not is_finance(everyone["inactive_finance"]) and not is_finance(everyone["coordinator"])


def test_an_administrator_is_shown_the_way_to_the_finance_pages_it_may_open(client, admin):
    client.force_login(admin)
    home = client.get(reverse("home")).content.decode()
    assert reverse("exchanges:finance_queue") in home  # the navigation asks is_finance
    assert "geben sie frei" not in home  # but the finance role's card ("you approve claims") is not theirs
    assert client.get(reverse("exchanges:finance_queue")).status_code == 200
    assert client.get(reverse("exchanges:budget")).status_code == 200
    budget_set(year=2031, amount=Decimal("1000"), actor=admin)


def test_an_administrator_is_not_shown_a_city_inbox_it_has_none_of(client, people, admin):
    """An administrator holds every permission, the city inbox's too; the inbox is a city contact's."""
    inbox = reverse("exchanges:contact_inbox")
    client.force_login(admin)
    assert f'href="{inbox}"' not in client.get(reverse("home")).content.decode()
    assert client.get(inbox).status_code == 403
    client.force_login(people["contact"])
    assert f'href="{inbox}"' in client.get(reverse("home")).content.decode()
    assert client.get(inbox).status_code == 200


def test_the_budget_and_batches_refuse_who_the_finance_pages_refuse(client, people):
    client.force_login(people["coordinator"])
    assert client.get(reverse("exchanges:budget")).status_code == 403
    with pytest.raises(NotPermitted):
        budget_set(year=2031, amount=Decimal("1000"), actor=people["coordinator"])


def _claims(people):
    """Two overlapping claims of the expert for a held exchange, the second submitted."""
    exchange = make_request(people, Status.HELD)
    start = timezone.now() - timedelta(days=8)
    made = [
        TravelClaim.objects.create(
            exchange=exchange,
            traveller=people["expert"],
            submitted_by=people["expert"],
            status=status,
            trip_start=start,
            trip_end=start + timedelta(hours=12),
            origin="Bremen",
            destination="Leipzig",
            purpose="Werkstatt",
            calculated_total=Decimal("40.00"),
            submitted_at=timezone.now() if status == ClaimStatus.SUBMITTED else None,
        )
        for status in (ClaimStatus.DRAFT, ClaimStatus.SUBMITTED)
    ]
    return made


def test_who_sees_every_claim_is_given_the_links_to_the_others(client, people, admin):
    draft, submitted = _claims(people)
    for person in (people["coordinator"], people["finance"], admin):
        assert sees_all_claims(person)
        client.force_login(person)
        page = client.get(reverse("exchanges:claim_detail", args=[submitted.pk])).content.decode()
        assert reverse("exchanges:claim_detail", args=[draft.pk]) in page, person
        assert client.get(reverse("exchanges:claim_detail", args=[draft.pk])).status_code == 200


def test_decisions_are_the_finance_roles_own_on_the_page_and_in_the_service(client, people, admin):
    _draft, submitted = _claims(people)
    decide = reverse("exchanges:claim_decide", args=[submitted.pk])
    for person, decides in ((people["finance"], True), (admin, False), (people["coordinator"], False)):
        assert decides_claims(person) is decides and may_decide_claim(person, submitted) is decides
        client.force_login(person)
        page = client.get(reverse("exchanges:claim_detail", args=[submitted.pk])).content.decode()
        assert (decide in page) is decides, person
    with pytest.raises(NotPermitted):
        claim_approve(claim_id=submitted.pk, actor=admin)
    claim_approve(claim_id=submitted.pk, actor=people["finance"])


# --- every "may" of the request page is the service's rule --------------------------------------------------
def test_an_administrator_is_not_offered_a_comment_on_a_draft_the_service_refuses(client, people, admin):
    draft = make_request(people, Status.DRAFT)
    client.force_login(admin)
    page = client.get(draft.get_absolute_url()).content.decode()
    assert reverse("exchanges:comment_create", args=[draft.pk]) not in page
    response = client.post(reverse("exchanges:comment_create", args=[draft.pk]), {"body": "Hallo"})
    assert "Sie dürfen diese Anfrage nicht kommentieren" in response.content.decode()
    assert not draft.comments.exists()


def test_no_reflection_form_before_the_exchange_took_place(client, people):
    scheduled = make_request(people, Status.SCHEDULED)
    client.force_login(people["requester"])
    assert (
        reverse("exchanges:reflection_create", args=[scheduled.pk])
        not in client.get(scheduled.get_absolute_url()).content.decode()
    )
    response = client.get(reverse("exchanges:reflection_create", args=[scheduled.pk]), follow=True)
    assert response.redirect_chain[-1][0] == scheduled.get_absolute_url()
    assert "sobald der Austausch stattgefunden hat" in response.content.decode()


def test_withdrawing_open_invitations_is_refused_when_there_are_none(client, people):
    agreed = make_request(people, Status.AGREED)
    client.force_login(people["coordinator"])
    url = reverse("exchanges:withdraw_invitations", args=[agreed.pk])
    assert url not in client.get(agreed.get_absolute_url()).content.decode()
    response = client.post(url, follow=True)
    assert "Es gibt keine offenen Einladungen" in response.content.decode()


# --- what a step causes is declared next to the step ----------------------------------------------------------
def test_what_submitting_sets_is_declared_with_the_step_in_the_table(people):
    assert "exchanges.cycle.services.requests.request_number_and_deadline" in TRANSITIONS["submit"].sets
    submitted = make_request(people, Status.SUBMITTED)
    assert submitted.reference.startswith(f"CR-{timezone.localdate().year}-")
    assert submitted.submitted_at == submitted.status_changed_at and submitted.contact_due_on is not None
    reference = submitted.reference
    request_transition(
        request_id=submitted.pk, action="return_for_changes", actor=people["contact"], comment="?"
    )
    request_transition(request_id=submitted.pk, action="submit", actor=people["requester"])
    submitted.refresh_from_db()
    assert submitted.reference == reference  # a returned request keeps its number


def test_an_administrator_without_a_home_city_is_not_offered_a_request_it_cannot_file(client, api_admin):
    admin, token_client = api_admin
    client.force_login(admin)
    assert (
        reverse("exchanges:request_create")
        not in client.get(reverse("exchanges:request_list")).content.decode()
    )
    assert client.get(reverse("exchanges:request_create")).status_code == 403
    refused = token_client.post("/api/v1/requests/", {"title": "Werkstatt"}, format="json")
    assert refused.status_code == 403 and "Heimatstadt" in refused.json()["detail"]
    with pytest.raises(NotPermitted):
        request_save_draft(requester=admin, data={"title": "Werkstatt"})
    assert not ExchangeRequest.objects.exists()


@pytest.fixture
def api_admin(db):
    admin = UserFactory(roles=[], is_superuser=True, is_staff=True, home_city=None, department=None)
    return admin, token_client(issue(admin))
