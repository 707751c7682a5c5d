"""No silent lost update: every edit carries the version it started from (pages: a hidden field; API:
ETag / If-Match). A save on top of a newer version is refused with who changed what and when, and the
form comes back with everything the person typed.

The finding behind this: two tabs on one draft silently overwrote each other. These tests failed on
that code (the second save went through and the first tab's change was lost).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cities.records.models import EditRecord
from exchanges.cycle.models import ExchangeRequest, Meeting, Status
from tests.api.conftest import issue, problem, token_client
from tests.exchanges.conftest import make_request

pytestmark = pytest.mark.django_db


def form_data(request: ExchangeRequest, version: int, **changes: object) -> dict:
    data = {
        "title": request.title,
        "topics": [topic.pk for topic in request.topics.all()],
        "need": request.need,
        "occasion": request.occasion,
        "preferred_format": request.preferred_format,
        "direction": request.direction,
        "earliest_date": request.earliest_date.strftime("%d.%m.%Y"),
        "latest_date": request.latest_date.strftime("%d.%m.%Y"),
        "travellers": str(request.travellers),
        "version": str(version),
        "save": "1",
    }
    data.update(changes)
    return data


def test_two_tabs_on_one_draft_the_second_save_is_refused_and_keeps_its_input(people):
    draft = make_request(people, Status.DRAFT)
    first, second = Client(), Client()
    for tab in (first, second):
        tab.force_login(people["requester"])
    url = reverse("exchanges:request_edit", args=[draft.pk])
    opened = first.get(url).context["form"]["version"].value()
    assert second.get(url).context["form"]["version"].value() == opened

    saved = first.post(url, form_data(draft, opened, title="Werkstatt zur Wohnungspolitik"))
    assert saved.status_code == 302
    refused = second.post(url, form_data(draft, opened, need="Unser Bedarf, in Tab 2 getippt."))

    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Unser Bedarf, in Tab 2 getippt." in page  # nothing typed is lost
    assert "Anna Schmidt am" in page and "(Titel)" in page  # who changed what, and when
    assert "Jetzt gespeichert: „Werkstatt zur Wohnungspolitik“" in page
    draft.refresh_from_db()
    assert draft.title == "Werkstatt zur Wohnungspolitik"  # the first tab's change stands
    assert draft.need != "Unser Bedarf, in Tab 2 getippt."

    # The form now carries the current version: saving again, after checking, is deliberate.
    again = second.post(
        url, form_data(draft, refused.context["form"]["version"].value(), need="Unser Bedarf, geprüft.")
    )
    assert again.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.need) == ("Werkstatt zur Wohnungspolitik", "Unser Bedarf, geprüft.")
    assert list(
        EditRecord.objects.filter(target=f"exchanges.exchangerequest:{draft.pk}").values_list(
            "fields", flat=True
        )
    ) == [["title"], ["need"]]


def test_a_returned_request_edited_in_two_tabs_is_protected_too(people):
    returned = make_request(people, Status.RETURNED)
    tab = Client()
    tab.force_login(people["requester"])
    url = reverse("exchanges:request_edit", args=[returned.pk])
    opened = tab.get(url).context["form"]["version"].value()
    ExchangeRequest.objects.filter(pk=returned.pk).update(version=opened + 1)  # saved elsewhere meanwhile

    response = tab.post(url, form_data(returned, opened, title="Neu"))

    assert response.status_code == 409
    returned.refresh_from_db()
    assert returned.title != "Neu"


def test_the_api_sends_an_etag_and_a_stale_if_match_gets_412(people):
    draft = make_request(people, Status.DRAFT)
    api = token_client(issue(people["requester"]))
    url = f"/api/v1/requests/{draft.pk}/"

    first = api.get(url)
    etag = first["ETag"]
    assert etag == f'"exchangerequest-{draft.pk}-v{draft.version}"'
    changed = api.patch(url, {"title": "Zuerst"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag

    stale = api.patch(url, {"title": "Veraltet"}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    body = problem(stale)
    assert body["type"].endswith("/precondition-failed") and "Titel" in body["detail"]
    draft.refresh_from_db()
    assert draft.title == "Zuerst"
    # Without If-Match a simple client may still save (documented), and a foreign tag never matches.
    assert api.patch(url, {"title": "Ohne"}, format="json").status_code == 200
    other = api.patch(url, {"title": "X"}, format="json", HTTP_IF_MATCH='"meeting-1-v1"')
    assert other.status_code == 412


def test_a_step_through_the_api_with_a_stale_etag_changes_nothing(people):
    submitted = make_request(people, Status.SUBMITTED)
    api = token_client(issue(people["contact"]))
    etag = api.get(f"/api/v1/requests/{submitted.pk}/")["ETag"]
    from exchanges.cycle.services.requests import requests_assign

    requests_assign(request_ids=[submitted.pk], assignee=people["coordinator"], actor=people["coordinator"])

    response = api.post(
        f"/api/v1/requests/{submitted.pk}/actions/accept/", {}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 412
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED
    fresh = api.get(f"/api/v1/requests/{submitted.pk}/")["ETag"]
    ok = api.post(f"/api/v1/requests/{submitted.pk}/actions/accept/", {}, format="json", HTTP_IF_MATCH=fresh)
    assert ok.status_code == 200


def _meeting_form(people, start, address: str, version: int | None) -> dict:
    data = {
        "starts_at": start.strftime("%d.%m.%Y 10:00"),
        "ends_at": start.strftime("%d.%m.%Y 12:00"),
        "format": "workshop",
        "address": address,
        "participants": [people["requester"].pk, people["expert"].pk],
    }
    if version is not None:
        data["version"] = str(version)
    return data


def test_a_meeting_changed_in_two_tabs_keeps_the_first_change(people):
    scheduled = make_request(people, Status.SCHEDULED)
    meeting = Meeting.objects.get(request=scheduled)
    start = timezone.localtime() + timedelta(days=12)
    coordinator, requester = Client(), Client()
    coordinator.force_login(people["coordinator"])
    requester.force_login(people["requester"])
    url = reverse("exchanges:meeting_edit", args=[scheduled.pk])
    opened = requester.get(url).context["form"]["version"].value()

    assert coordinator.post(url, _meeting_form(people, start, "Neues Rathaus", opened)).status_code == 302
    refused = requester.post(url, _meeting_form(people, start, "Altes Rathaus", opened))

    assert refused.status_code == 409
    assert "Altes Rathaus" in refused.content.decode() and "Sabine Lorenz" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.address == "Neues Rathaus"


def test_the_meeting_and_expert_apis_honour_if_match(people):
    scheduled = make_request(people, Status.SCHEDULED)
    api = token_client(issue(people["coordinator"]))
    url = f"/api/v1/requests/{scheduled.pk}/meeting/"
    etag = api.get(url)["ETag"]
    start = timezone.now() + timedelta(days=9)
    body = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "format": "workshop",
        "address": "Saal 1",
        "participants": [people["requester"].pk, people["expert"].pk],
    }
    assert api.put(url, body, format="json", HTTP_IF_MATCH=etag).status_code == 200
    assert api.put(url, {**body, "address": "Saal 2"}, format="json", HTTP_IF_MATCH=etag).status_code == 412
    assert Meeting.objects.get(request=scheduled).address == "Saal 1"

    expert = people["expert"].expert_profile
    expert_url = f"/api/v1/experts/{expert.pk}/"
    tag = api.get(expert_url)["ETag"]
    assert api.patch(expert_url, {"is_available": False}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    stale = api.patch(expert_url, {"position": "Leitung"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    expert.refresh_from_db()
    assert expert.position != "Leitung" and expert.is_available is False
