"""Requests through the API: the triage's filters, drafts, every step, timeline, comments, routing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cities.directory.models import DepartmentKeyword
from exchanges.cycle.models import Comment, ExchangeRequest, RoutingDecision, Status, TimelineEntry
from tests.api.conftest import problem
from tests.cities.factories import DepartmentFactory, TopicFactory

pytestmark = pytest.mark.django_db
LIST = "/api/v1/requests/"


def url(request, suffix: str = "") -> str:
    return f"/api/v1/requests/{request.pk}/{suffix}"


def draft_data(topic, **changes):
    today = timezone.localdate()
    return {
        "title": "Werkstatt zur Wohnungspolitik",
        "need": "Wir suchen Erfahrung mit Bündnissen für Wohnen.",
        "occasion": "question",
        "preferred_format": "workshop",
        "direction": "expert_travels",
        "earliest_date": str(today + timedelta(days=20)),
        "latest_date": str(today + timedelta(days=60)),
        "travellers": 2,
        "estimated_costs": "250.00",
        "topics": [topic.pk],
        **changes,
    }


def test_the_list_shows_what_the_triage_would_show_with_the_same_filters(api, people, request_in):
    submitted, routing, draft = (
        request_in(Status.SUBMITTED),
        request_in(Status.ROUTING),
        request_in(Status.DRAFT),
    )
    topic = submitted.topics.get()

    def ids(user, query=""):
        response = api(user).get(LIST + query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(people["coordinator"]) == [submitted.pk, routing.pk]  # open after submission, oldest first
    assert ids(people["coordinator"], "?sort=newest") == [routing.pk, submitted.pk]
    assert ids(people["coordinator"], "?status=routing") == [routing.pk]
    assert ids(people["coordinator"], f"?topic={topic.pk}") == [submitted.pk]
    assert draft.pk not in ids(people["requester"], "?status=all")
    assert ids(people["contact"]) == [submitted.pk, routing.pk]  # their city
    assert ids(people["foreign_contact"]) == []  # another city: nothing
    assert ids(people["colleague"]) == []


def test_an_invalid_filter_is_a_400_naming_the_field_in_german_or_english(api, people):
    german = api(people["coordinator"]).get(LIST + "?min_age=-1&status=nonsense")
    english = api(people["coordinator"], language="en").get(LIST + "?min_age=-1")

    assert german.status_code == english.status_code == 400
    body = problem(german)
    assert body["type"].endswith("/problems/validation-error") and body["title"] == "Ungültige Eingabe."
    assert {error["field"] for error in body["errors"]} == {"min_age", "status"}
    assert "größer oder gleich 0" in next(e["message"] for e in body["errors"] if e["field"] == "min_age")
    assert problem(english)["errors"] == [
        {"field": "min_age", "message": "Ensure this value is greater than or equal to 0."}
    ]


def test_a_draft_is_created_changed_and_submitted(api, people, django_capture_on_commit_callbacks):
    topic = TopicFactory()
    client = api(people["requester"])

    created = client.post(LIST, draft_data(topic, need=""), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["reference"] is None and body["may_edit"] is True
    assert set(body["actions"]) == {"submit", "withdraw"}
    exchange = ExchangeRequest.objects.get(pk=body["id"])
    assert exchange.requester == people["requester"] and list(exchange.topics.all()) == [topic]

    incomplete = client.post(url(exchange, "actions/submit/"), {}, format="json")
    assert incomplete.status_code == 400
    assert [e["field"] for e in problem(incomplete)["errors"]] == ["need"]

    changed = client.patch(url(exchange), {"need": "Erfahrung mit Bündnissen für Wohnen."}, format="json")
    assert changed.status_code == 200 and changed.json()["topics"] == [
        {"id": topic.pk, "name": topic.name, "name_en": ""}
    ]

    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(url(exchange, "actions/submit/"), {"comment": "Danke!"}, format="json")
    assert submitted.status_code == 200, submitted.content
    exchange.refresh_from_db()
    assert exchange.status == Status.SUBMITTED and exchange.reference.startswith("CR-")
    assert submitted.json()["reference"] == exchange.reference
    assert TimelineEntry.objects.filter(request=exchange, action="submit", actor=people["requester"]).exists()
    assert exchange.notifications.filter(recipient=people["contact"]).exists()  # the city contact is told

    again = client.patch(url(exchange), {"title": "Neu"}, format="json")
    assert again.status_code == 409 and problem(again)["type"].endswith("/problems/conflict")


def test_draft_input_is_checked_as_the_browser_form_checks_it(api, people):
    topic = TopicFactory()
    client = api(people["requester"])
    response = client.post(
        LIST,
        draft_data(
            topic,
            travellers=80,
            estimated_costs="-5",
            latest_date=str(timezone.localdate() - timedelta(days=1)),
            preferred_partner_cities=[people["requester"].home_city_id],
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = {error["field"]: error["message"] for error in problem(response)["errors"]}
    assert errors["travellers"] == "Bitte geben Sie eine Zahl zwischen 1 und 50 an."
    assert errors["estimated_costs"] == "Die Kosten können nicht negativ sein."
    assert "preferred_partner_cities" in errors  # the own city is no partner city
    assert not ExchangeRequest.objects.exists()


def test_others_cannot_see_or_change_a_draft(api, people, request_in):
    draft = request_in(Status.DRAFT)
    for who in ("colleague", "contact", "foreign_contact", "liaison", "expert"):
        assert api(people[who]).get(url(draft)).status_code == 404
        assert api(people[who]).patch(url(draft), {"title": "x"}, format="json").status_code == 404
    assert api(people["coordinator"]).patch(url(draft), {"title": "x"}, format="json").status_code == 403
    draft.refresh_from_db()
    assert draft.title != "x"


def test_steps_follow_the_transition_table_roles_and_states(api, people, request_in):
    submitted = request_in(Status.SUBMITTED)

    refused = api(people["requester"]).post(url(submitted, "actions/accept/"), {}, format="json")
    assert refused.status_code == 403
    unknown = api(people["contact"]).post(url(submitted, "actions/fly/"), {}, format="json")
    assert unknown.status_code == 404
    no_reason = api(people["contact"]).post(url(submitted, "actions/return_for_changes/"), {}, format="json")
    assert no_reason.status_code == 400 and problem(no_reason)["errors"][0]["field"] == "comment"
    stale = api(people["contact"]).post(
        url(submitted, "actions/accept/"), {"expected_status": "returned"}, format="json"
    )
    assert stale.status_code == 409

    returned = api(people["contact"]).post(
        url(submitted, "actions/return_for_changes/"), {"comment": "Bitte Termin nennen"}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    again = api(people["contact"]).post(
        url(submitted, "actions/return_for_changes/"), {"comment": "nochmal"}, format="json"
    )
    assert again.status_code == 409
    assert TimelineEntry.objects.filter(request=submitted, action="return_for_changes").count() == 1


def test_timeline_and_comments_keep_internal_texts_with_the_coordination(api, people, request_in):
    submitted = request_in(Status.SUBMITTED)
    internal = api(people["contact"]).post(
        url(submitted, "comments/"), {"body": "Nur für uns", "is_internal": True}, format="json"
    )
    assert internal.status_code == 201
    public = api(people["requester"]).post(url(submitted, "comments/"), {"body": "Frage"}, format="json")
    assert public.status_code == 201
    forbidden = api(people["requester"]).post(
        url(submitted, "comments/"), {"body": "psst", "is_internal": True}, format="json"
    )
    assert forbidden.status_code == 400 and problem(forbidden)["errors"][0]["field"] == "is_internal"
    blank = api(people["requester"]).post(url(submitted, "comments/"), {"body": ""}, format="json")
    assert blank.status_code == 400 and problem(blank)["errors"][0]["field"] == "body"

    def bodies(user):
        return [c["body"] for c in api(user).get(url(submitted, "comments/")).json()["results"]]

    assert bodies(people["contact"]) == ["Nur für uns", "Frage"]
    assert bodies(people["requester"]) == ["Frage"]
    assert Comment.objects.filter(request=submitted).count() == 2
    assert api(people["colleague"]).get(url(submitted, "comments/")).status_code == 404
    timeline = api(people["requester"]).get(url(submitted, "timeline/")).json()["results"]
    assert [entry["action"] for entry in timeline] == ["submit"]


def test_routing_is_read_by_coordination_and_routed_liaisons_and_corrected_by_coordinators(
    api, people, request_in
):
    matching = request_in(Status.MATCHING)
    department = people["liaison"].department
    RoutingDecision.objects.create(request=matching, department=department, score=5, is_routed=True)
    other = DepartmentFactory(city=people["foreign_contact"].home_city)

    assert department.pk in [
        row["department"]["id"]
        for row in api(people["liaison"]).get(url(matching, "routing/")).json()["results"]
    ]
    assert api(people["requester"]).get(url(matching, "routing/")).status_code == 403
    assert api(people["foreign_contact"]).get(url(matching, "routing/")).status_code == 404
    correction = {"department": other.pk, "routed": True, "note": "Passt besser"}
    assert (
        api(people["contact"]).post(url(matching, "routing/"), correction, format="json").status_code == 403
    )
    done = api(people["coordinator"]).post(url(matching, "routing/"), correction, format="json")
    assert done.status_code == 200 and done.json()["source"] == "manual"
    assert RoutingDecision.objects.get(request=matching, department=other).is_routed
    twice = api(people["coordinator"]).post(url(matching, "routing/"), correction, format="json")
    assert twice.status_code == 400  # "nothing to change"


def test_a_correction_through_the_api_adds_a_term_checked_like_the_form(api, people, request_in):
    matching = request_in(Status.MATCHING)
    department = DepartmentFactory(city=people["foreign_contact"].home_city)
    DepartmentKeyword.objects.create(department=department, term="Parkraum")
    correction = {"department": department.pk, "routed": True, "note": "Passt", "term": "parkraum"}
    refused = api(people["coordinator"]).post(url(matching, "routing/"), correction, format="json")
    assert refused.status_code == 400 and "term" in str(problem(refused))
    correction["term"] = "Quartiersgarage"
    done = api(people["coordinator"]).post(url(matching, "routing/"), correction, format="json")
    assert done.status_code == 200
    assert DepartmentKeyword.objects.filter(department=department, term="Quartiersgarage").exists()
