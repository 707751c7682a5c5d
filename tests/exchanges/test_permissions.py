"""Every request URL × every role × own/foreign city: who gets what, and nobody sees what they may not."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exchanges.cycle.models import Status
from exchanges.cycle.services.requests import attachment_add
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "requester",
    "colleague",
    "contact",
    "foreign_contact",
    "coordinator",
    "liaison",
    "expert",
    "finance",
]
SEES = {"requester", "contact", "coordinator"}  # a submitted request of the requester's city


@pytest.fixture
def setup(people, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    request = make_request(people, Status.DRAFT)
    attachment = attachment_add(
        request=request,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test"),
        actor=people["requester"],
    )
    from exchanges.cycle.services.requests import request_transition

    with django_capture_on_commit_callbacks(execute=True):  # the contact's notification
        request_transition(request_id=request.pk, action="submit", actor=people["requester"])
    request.refresh_from_db()
    return request, attachment


def _client_for(client, people, person):
    if person != "anonymous":
        client.force_login(people[person])
    return client


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("view", ["detail", "attachment"])
def test_reading_a_request(client, people, setup, person, view):
    request, attachment = setup
    url = {
        "detail": reverse("exchanges:request_detail", args=[request.pk]),
        "attachment": reverse("exchanges:attachment_download", args=[request.pk, attachment.pk]),
    }[view]

    response = _client_for(client, people, person).get(url)

    if person == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif person in SEES:
        assert response.status_code == 200
    else:
        assert response.status_code == 404
        assert request.title.encode() not in response.content


@pytest.mark.parametrize("person", PEOPLE)
def test_editing_a_submitted_request(client, people, setup, person):
    request, _attachment = setup
    response = _client_for(client, people, person).post(
        reverse("exchanges:request_edit", args=[request.pk]), {"title": "Gekapert", "save": "1"}
    )
    request.refresh_from_db()
    assert request.title != "Gekapert"
    expected = {"anonymous": 302, "requester": 302, "contact": 302, "coordinator": 302}.get(person, 404)
    assert response.status_code == expected


@pytest.mark.parametrize("person", PEOPLE)
def test_accepting_a_request(client, people, setup, person):
    request, _attachment = setup
    response = _client_for(client, people, person).post(
        reverse("exchanges:request_action", args=[request.pk, "accept"]),
        {"accept-expected_status": "submitted"},
    )
    request.refresh_from_db()
    may_accept = person in {"contact", "coordinator"}
    assert request.status == (Status.ROUTING if may_accept else Status.SUBMITTED)
    # Refused for those who see the request but may not accept: the page again, with the reason.
    expected = 302 if may_accept or person == "anonymous" else 200 if person in SEES else 404
    assert response.status_code == expected


@pytest.mark.parametrize("person", PEOPLE)
def test_commenting(client, people, setup, person):
    request, _attachment = setup
    response = _client_for(client, people, person).post(
        reverse("exchanges:comment_create", args=[request.pk]), {"body": f"Kommentar von {person}"}
    )
    exists = request.comments.filter(body=f"Kommentar von {person}").exists()
    assert exists is (person in SEES)
    assert response.status_code == (302 if person in SEES or person == "anonymous" else 404)


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize(
    ("name", "allowed", "lists_request"),
    [
        (
            "request_list",
            {
                "requester",
                "colleague",
                "contact",
                "foreign_contact",
                "coordinator",
                "liaison",
                "expert",
                "finance",
            },
            {"requester"},
        ),
        ("contact_inbox", {"contact", "foreign_contact"}, {"contact"}),
        ("triage", {"coordinator"}, {"coordinator"}),
        (
            "notifications",
            {
                "requester",
                "colleague",
                "contact",
                "foreign_contact",
                "coordinator",
                "liaison",
                "expert",
                "finance",
            },
            {"contact"},
        ),
        (
            "request_create",
            {
                "requester",
                "colleague",
                "contact",
                "foreign_contact",
                "coordinator",
                "liaison",
                "expert",
                "finance",
            },
            set(),
        ),
    ],
)
def test_list_pages(client, people, setup, person, name, allowed, lists_request):
    request, _attachment = setup
    response = _client_for(client, people, person).get(reverse(f"exchanges:{name}"))

    if person == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == (200 if person in allowed else 403)
    assert (request.reference.encode() in response.content) is (person in lists_request)


def test_a_draft_is_seen_by_its_author_only(client, people):
    draft = make_request(people, Status.DRAFT)
    for person in ["contact", "coordinator"]:
        client.force_login(people[person])
        status = client.get(draft.get_absolute_url()).status_code
        assert status == (200 if person == "coordinator" else 404)


@pytest.mark.parametrize("ends", ["declined", "withdrawn"])
def test_an_expert_reads_the_request_only_while_asked_or_taking_part(
    client, people, settings, tmp_path, ends
):
    """A declined or withdrawn invitation is not participation: access ends with it, by every URL."""
    from exchanges.cycle.models import Invitation
    from exchanges.cycle.services.invitations import (
        invitation_answer,
        invitations_propose,
        invitations_withdraw_open,
    )
    from exchanges.cycle.services.requests import comment_add
    from tests.api.conftest import issue, token_client
    from tests.exchanges.conftest import bring_to

    settings.MEDIA_ROOT = tmp_path
    request = make_request(people, Status.DRAFT)
    attachment = attachment_add(
        request=request, upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.4 test"), actor=people["requester"]
    )
    bring_to(request, people, Status.MATCHING)
    comment_add(request=request, author=people["contact"], body="Bitte bis Freitag antworten.")
    expert = people["expert"]
    invitations_propose(
        request=request, experts=[expert.expert_profile], message="", actor=people["coordinator"]
    )
    invitation = Invitation.objects.get(request=request, expert__user=expert)
    client.force_login(expert)
    api = token_client(issue(expert))
    pages = [
        reverse("exchanges:request_detail", args=[request.pk]),
        reverse("exchanges:attachment_download", args=[request.pk, attachment.pk]),
        reverse("exchanges:meeting_calendar", args=[request.pk]),
    ]
    api_urls = [
        f"/api/v1/requests/{request.pk}/",
        f"/api/v1/requests/{request.pk}/timeline/",
        f"/api/v1/requests/{request.pk}/comments/",
    ]
    # while asked: the expert reads the request, its attachments, timeline and comments
    assert client.get(pages[0]).status_code == 200
    assert client.get(pages[1]).status_code == 200
    assert [api.get(url).status_code for url in api_urls] == [200, 200, 200]

    if ends == "declined":
        invitation_answer(invitation_id=invitation.pk, accept=False, note="Keine Zeit", actor=expert)
    else:
        invitations_withdraw_open(request=request, actor=people["coordinator"])

    for url in pages:
        response = client.get(url)
        assert response.status_code == 404, url
        assert request.title.encode() not in response.content
    assert [api.get(url).status_code for url in api_urls] == [404, 404, 404]
    assert request.pk not in [item["id"] for item in api.get("/api/v1/requests/").json()["results"]]
    # the invitation itself stays theirs to look at (what they answered), without the request's pages
    invitation_page = client.get(reverse("exchanges:invitation_answer", args=[invitation.pk]))
    assert invitation_page.status_code == 200
    assert reverse("exchanges:request_detail", args=[request.pk]) not in invitation_page.content.decode()
