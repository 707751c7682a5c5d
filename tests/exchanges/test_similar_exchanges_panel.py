"""The panel "Vielleicht hilft das schon" beside the request form and on the request page, and the one-click
"hat sich erledigt" (the step "withdraw", offered only to whom the rule allows it)."""

import pytest
from django.urls import reverse

from exchanges.cycle.models import ExchangeRequest, Status, TimelineEntry
from tests.exchanges.factories import ExchangeRequestFactory
from tests.exchanges.test_similar_exchanges import TEXT, past

pytestmark = pytest.mark.django_db


def test_the_live_panel_needs_a_login(client):
    response = client.get(reverse("exchanges:similar_exchanges"), {"title": "Mobilitätsstationen"})

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_live_panel_shows_what_is_typed_so_far(client, people, other_city):
    exchange = past(other_city, "Mobilitätsstationen im Quartier", worked="Ein Rundgang vor Ort")
    client.force_login(people["colleague"])

    response = client.get(
        reverse("exchanges:similar_exchanges"), {"title": "Mobilitätsstationen", "need": TEXT}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Mobilitätsstationen im Quartier" in html and exchange.reference in html
    assert "Ein Rundgang vor Ort" in html
    assert "withdraw" not in html  # nothing saved yet: nothing to withdraw


def draft_like(people):
    return ExchangeRequestFactory(
        requester=people["requester"], title="Mobilitätsstationen im Quartier", need=TEXT
    )


def test_the_edit_page_of_a_draft_shows_the_panel_without_javascript(client, people, other_city):
    exchange = past(other_city, "Mobilitätsstationen in Bremen", worked="Ein Rundgang vor Ort")
    draft = draft_like(people)
    client.force_login(people["requester"])

    html = client.get(reverse("exchanges:request_edit", args=[draft.pk])).content.decode()

    assert "Vielleicht hilft das schon" in html
    assert 'aria-live="polite"' in html
    assert exchange.reference in html and "Ein Rundgang vor Ort" in html
    assert reverse("exchanges:request_action", args=[draft.pk, "withdraw"]) in html


def test_a_failed_first_save_shows_the_panel(client, people, other_city):
    exchange = past(other_city, "Mobilitätsstationen in Bremen", worked="Ein Rundgang vor Ort")
    client.force_login(people["requester"])

    response = client.post(reverse("exchanges:request_create"), {"title": "", "need": TEXT, "save": "1"})

    assert response.status_code == 200
    html = response.content.decode()
    assert exchange.reference in html
    assert "/schritt/withdraw/" not in html


def test_settled_withdraws_the_draft_and_the_timeline_says_why(client, people, other_city):
    exchange = past(other_city, "Mobilitätsstationen in Bremen", worked="Ein Rundgang vor Ort")
    draft = draft_like(people)
    client.force_login(people["requester"])
    page = client.get(reverse("exchanges:request_edit", args=[draft.pk])).content.decode()
    assert f"Hat sich erledigt: {exchange.reference}" in page

    response = client.post(
        reverse("exchanges:request_action", args=[draft.pk, "withdraw"]),
        {"withdraw-expected_status": "draft", "withdraw-comment": f"Hat sich erledigt: {exchange.reference}"},
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.WITHDRAWN
    entry = TimelineEntry.objects.get(request=draft, action="withdraw")
    assert entry.actor == people["requester"] and exchange.reference in entry.comment
    assert exchange.reference in client.get(draft.get_absolute_url()).content.decode()


def test_the_coordination_sees_the_panel_but_may_not_settle(client, people, other_city, request_in):
    exchange = past(other_city, "Mobilitätsstationen in Bremen", worked="Ein Rundgang vor Ort")
    submitted = request_in(Status.SUBMITTED)
    ExchangeRequest.objects.filter(pk=submitted.pk).update(title="Mobilitätsstationen im Quartier", need=TEXT)
    withdraw_url = reverse("exchanges:request_action", args=[submitted.pk, "withdraw"])

    for who in ("coordinator", "contact"):
        client.force_login(people[who])
        html = client.get(submitted.get_absolute_url()).content.decode()
        assert "Vielleicht hilft das schon" in html and exchange.reference in html, who
        assert withdraw_url not in html, who
        response = client.post(
            withdraw_url, {"withdraw-expected_status": "submitted", "withdraw-comment": "Hat sich erledigt"}
        )
        assert response.status_code in (200, 403), who
        submitted.refresh_from_db()
        assert submitted.status == Status.SUBMITTED, who

    # the requester of the submitted request may withdraw it, and is offered the one click there
    client.force_login(people["requester"])
    assert withdraw_url in client.get(submitted.get_absolute_url()).content.decode()


def test_someone_who_may_not_see_the_draft_gets_no_panel_and_not_found(client, people):
    draft = draft_like(people)
    client.force_login(people["colleague"])

    response = client.get(reverse("exchanges:similar_exchanges"), {"request": draft.pk, "need": TEXT})
    assert response.status_code == 404
    response = client.post(
        reverse("exchanges:request_action", args=[draft.pk, "withdraw"]),
        {"withdraw-expected_status": "draft", "withdraw-comment": "Hat sich erledigt"},
    )
    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
