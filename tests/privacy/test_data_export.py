"""A person downloads everything the portal holds about them, as JSON and as a readable HTML page."""

import json
import re

import pytest
from django.urls import reverse

from cities.operations.models import AuditEvent
from exchanges.privacy.people import person_data
from tests.privacy.conftest import OLD_EMAIL

pytestmark = pytest.mark.django_db


def test_the_profile_page_offers_both_downloads(client, world):
    client.force_login(world.person)
    html = client.get(reverse("profile")).content.decode()
    assert f'action="{reverse("profile_data_json")}"' in html
    assert f'action="{reverse("profile_data_html")}"' in html


def test_json_export_holds_the_persons_data_and_nobody_elses(client, world):
    client.force_login(world.person)

    response = client.post(reverse("profile_data_json"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="koopstadt-meine-daten-')
    data = json.loads(response.content)
    assert data["account"]["email"] == OLD_EMAIL
    assert data["account"]["display_name"] == "Petra Neumann"
    assert {r["reference"] for r in data["requests"]} >= {world.exchange.reference, world.returned.reference}
    assert [a["original_name"] for a in data["attachments"]] == ["Standorte Petra Neumann.pdf"]
    assert data["comments"][0]["body"] == "Ich bringe Frau Kühn aus dem Schulamt mit."
    # her submissions, and her confirmation that the demo's visit to Bremen took place
    assert {e["to_status"] for e in data["timeline"]} == {"submitted", "held"}
    own_claim, other_claim = world.claims
    assert [c["claim"] for c in data["travel_claims"]] == [f"{world.exchange.reference} / {own_claim.pk}"]
    assert data["claim_items"][0]["amount"] == "59.90"
    assert data["receipts"][0]["original_name"] == "Fahrkarte Petra Neumann.pdf"
    assert data["receipts"][0]["size"] == len(f"%PDF-1.4 ticket {world.person.pk}".encode())
    assert [b["number"] for b in data["bookings"]] == [own_claim.booking.number]
    assert data["meetings"] and data["meetings"][0]["travels"] is False  # she hosts, the expert travels
    assert data["emails"] and all(e["to_address"] == OLD_EMAIL for e in data["emails"])
    assert data["notifications"]
    # the coordination's internal comment about her and the other traveller's booking are not hers
    raw = response.content.decode()
    assert "Rückfragen bitte" not in raw
    assert other_claim.booking.number not in raw
    assert "%PDF" not in raw  # metadata only, never file contents
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.DATA_EXPORT)
    assert (event.actor, event.details["format"]) == (world.person, "json")


def test_html_export_is_a_german_self_contained_page_with_one_heading(client, world):
    client.force_login(world.person)

    response = client.post(reverse("profile_data_html"))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="koopstadt-meine-daten-')
    assert response["Content-Disposition"].endswith('.html"')
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert len(re.findall(r"<h1[ >]", html)) == 1
    assert '<table border="1">' in html and '<th scope="col">' in html
    assert "<link" not in html and "<script" not in html  # nothing loaded from elsewhere
    assert world.claims[0].booking.number in html
    assert "Fahrkarte Petra Neumann.pdf" in html
    assert "59,90" in html  # German decimal comma
    assert re.search(r"\d\d\.\d\d\.\d{4}", html)  # TT.MM.JJJJ
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_EXPORT, actor=world.person).count() == 1


def test_export_needs_log_in_and_post(client, world):
    assert client.post(reverse("profile_data_json")).status_code == 302
    client.force_login(world.person)
    assert client.get(reverse("profile_data_json")).status_code == 405
    assert client.get(reverse("profile_data_html")).status_code == 405
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.DATA_EXPORT).exists()


def test_the_export_reads_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    # the coordinator has many rows (timeline steps, invitations proposed, meetings)
    with django_assert_max_num_queries(30):
        sections = person_data(person=world.coordinator)
    assert sum(len(section.rows) for section in sections) > 10
