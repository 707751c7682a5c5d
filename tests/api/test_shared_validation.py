"""The API's serializers hold no rules of their own: each field check is the function the browser's form
and the service ask, so a value is refused with the same message, at the same field, wherever it comes in
(issue "House in order", item 2: the serializers had copied the forms' rules "message for message").

On the code before, the service itself let through what the form and the serializer refused (a request for
80 travellers, a claim with negative kilometres, an expert's topic twice), and the serializers carried their
own copies of the messages.
"""

import ast
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cities.directory.models import ExpertTopic
from cities.directory.services.experts import expert_profile_update
from exchanges.cycle.forms import RequestForm
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.services.requests import request_save_draft
from exchanges.travel.forms import ClaimForm, ClaimItemForm
from exchanges.travel.models import TravelClaim
from exchanges.travel.services.claims import claim_update
from tests.api.conftest import make_request, problem
from tests.cities.factories import ExpertProfileFactory, TopicFactory

pytestmark = pytest.mark.django_db

SERIALIZERS = Path(__file__).resolve().parents[2] / "exchanges" / "api" / "serializers"


def test_the_serializers_write_no_message_of_their_own():
    """Every message a serializer gives comes from a form's or a service's check (or DRF's own)."""
    own = []
    for path in sorted(SERIALIZERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") in {
                "_",
                "gettext",
                "gettext_lazy",
            }:
                own.append(f"{path.name}:{node.lineno}")
    assert own == []


def api_errors(response) -> dict[str, str]:
    assert response.status_code == 400, response.content
    return {error["field"]: error["message"] for error in problem(response)["errors"]}


def form_errors(form) -> dict[str, str]:
    assert not form.is_valid()
    return {field: str(messages[0]) for field, messages in form.errors.items()}


# --- a request's draft -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "api_value", "form_value"),
    [
        ("travellers", 80, "80"),
        ("travellers", 0, "0"),
        ("estimated_costs", "-5", "-5,00"),
    ],
)
def test_a_draft_is_refused_alike_by_form_api_and_service(api, people, field, api_value, form_value):
    requester = people["requester"]
    form = RequestForm({"title": "Werkstatt", field: form_value}, requester=requester)
    expected = form_errors(form)[field]

    response = api(requester).post(
        "/api/v1/requests/", {"title": "Werkstatt", field: api_value}, format="json"
    )
    assert api_errors(response)[field] == expected

    with pytest.raises(ValidationError) as refused:
        request_save_draft(requester=requester, data={"title": "Werkstatt", field: Decimal(str(api_value))})
    assert refused.value.message_dict[field] == [expected]
    assert not ExchangeRequest.objects.exists()


def test_a_draft_period_is_refused_alike(api, people):
    requester = people["requester"]
    today = timezone.localdate()
    early, late = today + timedelta(days=30), today + timedelta(days=10)
    form = RequestForm(
        {"title": "W", "earliest_date": f"{early:%d.%m.%Y}", "latest_date": f"{late:%d.%m.%Y}"},
        requester=requester,
    )
    expected = form_errors(form)["latest_date"]
    response = api(requester).post(
        "/api/v1/requests/",
        {"title": "W", "earliest_date": str(early), "latest_date": str(late)},
        format="json",
    )
    assert api_errors(response)["latest_date"] == expected


# --- a travel claim ----------------------------------------------------------------------------------------
@pytest.fixture
def claim(people):
    exchange = make_request(people, Status.HELD)
    start = timezone.now() - timedelta(days=8)
    return TravelClaim.objects.create(
        exchange=exchange,
        traveller=people["expert"],
        submitted_by=people["expert"],
        trip_start=start,
        trip_end=start + timedelta(hours=12),
        origin="Bremen",
        destination="Leipzig",
        purpose="Werkstatt",
    )


def _trip_form_data(claim, **changes):
    local = timezone.localtime
    return {
        "trip_start": f"{local(claim.trip_start):%d.%m.%Y %H:%M}",
        "trip_end": f"{local(claim.trip_end):%d.%m.%Y %H:%M}",
        "origin": "Bremen",
        "destination": "Leipzig",
        "purpose": "Werkstatt",
        "flat_nights": "0",
        "car_km": "0",
        "local_transport": "0",
        "version": str(claim.version),
        **changes,
    }


@pytest.mark.parametrize(
    ("field", "api_value", "form_value"),
    [
        ("car_km", "-12.0", "-12,0"),
        ("local_transport", "-3.00", "-3,00"),
        ("local_transport", "100001.00", "100001,00"),
    ],
)
def test_a_claims_trip_is_refused_alike_by_form_api_and_service(
    api, people, claim, field, api_value, form_value
):
    expected = form_errors(ClaimForm(_trip_form_data(claim, **{field: form_value}), instance=claim))[field]

    response = api(people["expert"]).patch(
        f"/api/v1/claims/{claim.pk}/",
        {field: api_value},
        format="json",
    )
    assert api_errors(response)[field] == expected

    with pytest.raises(ValidationError) as refused:
        claim_update(claim=claim, actor=people["expert"], data={field: Decimal(api_value)})
    assert refused.value.message_dict[field] == [expected]


def test_an_items_amount_is_refused_alike(api, people, claim):
    expected = form_errors(ClaimItemForm({"item-kind": "rail", "item-amount": "0,00"}))["amount"]
    response = api(people["expert"]).post(
        f"/api/v1/claims/{claim.pk}/items/",
        {"kind": "rail", "amount": "0.00"},
        format="json",
    )
    assert api_errors(response)["amount"] == expected


def test_meals_on_a_day_outside_the_trip_are_refused_by_the_services_check(api, people, claim):
    outside = (timezone.localtime(claim.trip_start).date() - timedelta(days=3)).isoformat()
    response = api(people["expert"]).patch(
        f"/api/v1/claims/{claim.pk}/",
        {"meals": {outside: ["lunch"]}},
        format="json",
    )
    assert "meals" in api_errors(response)


# --- the expert pool ---------------------------------------------------------------------------------------
def test_a_topic_twice_is_refused_by_the_service_and_so_by_the_api(api, people):
    expert = ExpertProfileFactory()
    topic = TopicFactory()
    with pytest.raises(ValidationError) as refused:
        expert_profile_update(
            expert=expert, actor=people["coordinator"], data={}, topics=[(topic, 2), (topic, 3)]
        )
    message = refused.value.message_dict["topics"][0]
    assert not ExpertTopic.objects.filter(expert=expert).exists()

    response = api(people["coordinator"]).patch(
        f"/api/v1/experts/{expert.pk}/",
        {"topics": [{"topic": topic.pk, "level": 2}, {"topic": topic.pk, "level": 3}]},
        format="json",
    )
    assert api_errors(response)["topics"] == message
