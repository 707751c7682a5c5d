"""Expert pool, invitations, meeting and reflections through the API (the cycle itself: test_full_cycle.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cities.directory.models import ExpertTopic
from cities.directory.roles import Role
from exchanges.cycle.models import Invitation, InvitationStatus, Reflection, RoutingDecision, Status
from tests.api.conftest import problem
from tests.cities.factories import DepartmentFactory, ExpertProfileFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert(people):
    topic = TopicFactory(name="Mobilität", slug="mobilitaet-x")
    profile = people["expert"].expert_profile  # the people fixture's expert is in the pool already
    ExpertTopic.objects.create(expert=profile, topic=topic, level=ExpertTopic.Level.EXPERT)
    profile.experience = "Mobilitätsstationen"
    profile.save(update_fields=["experience"])
    profile.user.phone = "0421 123"
    profile.user.save(update_fields=["phone"])
    return profile


def test_the_pool_is_searched_with_the_directory_filters_and_contacts_only_for_some(api, people, expert):
    staff = api(people["requester"]).get(
        f"/api/v1/experts/?q=Mobilitätsstationen&city={expert.user.home_city_id}"
    )
    assert staff.status_code == 200
    [row] = staff.json()["results"]
    assert row["id"] == expert.pk and row["email"] is None and row["phone"] is None
    contact = api(people["contact"]).get(f"/api/v1/experts/{expert.pk}/").json()
    assert contact["email"] == expert.user.email and contact["phone"] == "0421 123"
    assert api(people["requester"]).get("/api/v1/experts/?q=Nichts").json()["results"] == []
    # the department filter lists the chosen city's departments only, as in the browser
    foreign = DepartmentFactory()
    bad = api(people["requester"]).get(
        f"/api/v1/experts/?city={expert.user.home_city_id}&department={foreign.pk}"
    )
    assert bad.status_code == 400 and problem(bad)["errors"][0]["field"] == "department"


def test_coordinators_keep_departments_and_topics_current(api, people, expert):
    new_department = DepartmentFactory(city=expert.user.home_city)
    energy = TopicFactory(name="Energie", slug="energie-x")
    change = {
        "department": new_department.pk,
        "topics": [{"topic": energy.pk, "level": 3}],
        "is_available": False,
    }

    refused = api(people["contact"]).patch(f"/api/v1/experts/{expert.pk}/", change, format="json")
    assert refused.status_code == 403
    done = api(people["coordinator"]).patch(f"/api/v1/experts/{expert.pk}/", change, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["department"]["id"] == new_department.pk and body["is_available"] is False
    assert [(t["topic"]["id"], t["level"]) for t in body["topics"]] == [(energy.pk, 3)]
    expert.user.refresh_from_db()
    assert expert.user.department == new_department
    assert list(ExpertTopic.objects.filter(expert=expert).values_list("topic_id", flat=True)) == [energy.pk]

    elsewhere = DepartmentFactory()  # another city: refused, nothing changes
    wrong = api(people["coordinator"]).patch(
        f"/api/v1/experts/{expert.pk}/", {"department": elsewhere.pk}, format="json"
    )
    assert wrong.status_code == 400 and problem(wrong)["errors"][0]["field"] == "department"
    expert.user.refresh_from_db()
    assert expert.user.department == new_department


def test_only_the_invited_expert_answers_and_a_decline_needs_a_reason(api, people, request_in, expert):
    matching = request_in(Status.MATCHING)
    invitation = Invitation.objects.create(request=matching, expert=expert, proposed_by=people["coordinator"])
    answer = f"/api/v1/invitations/{invitation.pk}/answer/"

    assert api(people["coordinator"]).post(answer, {"answer": "accept"}, format="json").status_code == 404
    no_reason = api(people["expert"]).post(answer, {"answer": "decline"}, format="json")
    assert no_reason.status_code == 400 and problem(no_reason)["errors"][0]["field"] == "note"
    declined = api(people["expert"]).post(answer, {"answer": "decline", "note": "Urlaub"}, format="json")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    twice = api(people["expert"]).post(answer, {"answer": "accept"}, format="json")
    assert twice.status_code == 409
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED


def test_proposals_only_from_the_suggestions_and_by_those_who_may(api, people, request_in, expert):
    matching = request_in(Status.MATCHING)
    RoutingDecision.objects.create(request=matching, department=people["liaison"].department, is_routed=True)
    matching.topics.add(expert.topics.get())
    outsider = ExpertProfileFactory()
    base = f"/api/v1/requests/{matching.pk}/invitations/"

    assert api(people["requester"]).post(base, {"experts": [expert.pk]}, format="json").status_code == 403
    wrong = api(people["coordinator"]).post(base, {"experts": [outsider.pk]}, format="json")
    assert wrong.status_code == 400 and problem(wrong)["errors"][0]["field"] == "experts"
    done = api(people["liaison"]).post(base, {"experts": [expert.pk], "message": "Zeit?"}, format="json")
    assert done.status_code == 201 and done.json()[0]["expert"]["id"] == expert.pk
    assert Invitation.objects.filter(request=matching, expert=expert, proposed_by=people["liaison"]).exists()
    assert [i["id"] for i in api(people["coordinator"]).get(base).json()["results"]] == [done.json()[0]["id"]]


def test_meeting_input_is_checked_as_the_browser_form_checks_it(api, people, request_in):
    agreed = request_in(Status.AGREED)
    past = timezone.now() - timedelta(days=1)
    response = api(people["coordinator"]).put(
        f"/api/v1/requests/{agreed.pk}/meeting/",
        {
            "starts_at": past.isoformat(),
            "ends_at": (past - timedelta(hours=1)).isoformat(),
            "format": "workshop",
            "participants": [people["requester"].pk],
        },
        format="json",
    )
    assert response.status_code == 400
    fields = {error["field"] for error in problem(response)["errors"]}
    assert fields == {"ends_at", "starts_at", "address"}
    soon = timezone.now() + timedelta(days=3)
    stranger = api(people["coordinator"]).put(
        f"/api/v1/requests/{agreed.pk}/meeting/",
        {
            "starts_at": soon.isoformat(),
            "ends_at": (soon + timedelta(hours=1)).isoformat(),
            "format": "workshop",
            "address": "Rathaus",
            "participants": [people["colleague"].pk],  # not taking part in this exchange
        },
        format="json",
    )
    assert stranger.status_code == 400 and problem(stranger)["errors"][0]["field"] == "participants"
    assert (
        api(people["colleague"]).put(f"/api/v1/requests/{agreed.pk}/meeting/", {}, format="json").status_code
        == 404
    )
    assert (
        api(people["contact"]).put(f"/api/v1/requests/{agreed.pk}/meeting/", {}, format="json").status_code
        == 403
    )
    assert (
        api(people["requester"]).get(f"/api/v1/requests/{agreed.pk}/meeting/").status_code == 404
    )  # none yet


def test_reflections_by_participants_only_and_internal_ones_stay_internal(api, people, request_in):
    held = request_in(Status.HELD)
    text = {"takeaway": "Früh beteiligen", "question": "Wie?", "learnt": "So.", "is_internal": True}
    assert (
        api(people["contact"])
        .post(f"/api/v1/requests/{held.pk}/reflections/", text, format="json")
        .status_code
        == 403
    )
    incomplete = api(people["requester"]).post(
        f"/api/v1/requests/{held.pk}/reflections/", {"takeaway": "x"}, format="json"
    )
    assert incomplete.status_code == 400
    done = api(people["requester"]).post(f"/api/v1/requests/{held.pk}/reflections/", text, format="json")
    assert done.status_code == 201
    held.refresh_from_db()
    assert held.status == Status.COMPLETED and Reflection.objects.filter(request=held).count() == 1
    assert len(api(people["contact"]).get(f"/api/v1/requests/{held.pk}/reflections/").json()) == 1
    outsider = UserFactory(department=people["requester"].department, roles=[Role.COORDINATOR])
    assert len(api(outsider).get(f"/api/v1/requests/{held.pk}/reflections/").json()) == 1
    # internal: not in the knowledge base
    assert api(people["requester"]).get("/api/v1/knowledge/?q=beteiligen").json()["results"] == []


def test_the_pool_costs_the_same_queries_for_two_experts_or_ten(api, people, expert):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(people["requester"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/experts/").status_code == 200
        return len(captured)

    ExpertProfileFactory()
    queries()  # the token's first use also notes "last used"
    few = queries()
    ExpertProfileFactory.create_batch(8)  # each in a department of a city of its own
    assert queries() == few


def test_suggestions_and_proposals_only_while_proposing_is_open_as_on_the_request_page(
    api, people, request_in, expert
):
    routing = request_in(Status.ROUTING)
    coordinator = api(people["coordinator"])
    answer = coordinator.get(f"/api/v1/requests/{routing.pk}/suggestions/")
    assert answer.status_code == 409
    assert problem(answer)["detail"] == (
        "Expertinnen und Experten können vorgeschlagen werden, solange die Suche nach Expertinnen und Experten läuft."
    )
    proposal = coordinator.post(
        f"/api/v1/requests/{routing.pk}/invitations/", {"experts": [expert.pk]}, format="json"
    )
    assert proposal.status_code == 409
    assert not Invitation.objects.filter(request=routing).exists()
