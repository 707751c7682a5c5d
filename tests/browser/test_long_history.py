"""A request with a long history in Chromium: the newest entries, a link to the older ones, axe on each page."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cities.directory.models import User
from exchanges.cycle.models import Comment, Status, TimelineEntry
from koopstadt.development.demo_data import DEMO_PASSWORD
from tests.exchanges.factories import ExchangeRequestFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COORDINATOR = "koordination@example.org"
REQUESTER = "jonas.fischer@example.org"


def test_older_entries_and_comments_are_one_link_away(portal, demo):
    page = portal.page
    request = ExchangeRequestFactory(
        requester=User.objects.get(email=REQUESTER),
        status=Status.SUBMITTED,
        reference="CR-2026-0999",
        submitted_at=timezone.now(),
        topics=[],
    )
    coordinator = User.objects.get(email=COORDINATOR)
    TimelineEntry.objects.bulk_create(
        TimelineEntry(
            request=request,
            actor=coordinator,
            action="note",
            from_status=request.status,
            to_status=request.status,
            comment=f"Vermerk {i}",
        )
        for i in range(30)
    )
    Comment.objects.bulk_create(
        Comment(request=request, author=coordinator, body=f"Rückfrage {i}") for i in range(25)
    )
    shown = request.timeline.count() - 20

    portal.log_in(COORDINATOR, DEMO_PASSWORD)
    portal.goto(request.get_absolute_url(), "long-history")
    timeline = page.get_by_role("region", name="Verlauf")
    expect(timeline.get_by_role("listitem")).to_have_count(20)
    expect(page.get_by_text("Rückfrage 4", exact=True)).to_have_count(0)

    page.get_by_role("link", name="Ältere Einträge zeigen").click()
    portal.check("older-entries")
    expect(timeline.get_by_role("listitem")).to_have_count(20 + shown)
    expect(page.get_by_role("link", name="Ältere Einträge zeigen")).to_have_count(0)
    # The link leads to the timeline's heading: it has the focus, and the next Tab goes on from there.
    assert page.evaluate("document.activeElement.id") == "timeline-heading"

    page.get_by_role("link", name="Ältere Kommentare zeigen").click()
    portal.check("older-comments")
    expect(page.get_by_text("Rückfrage 4", exact=True)).to_have_count(1)
    expect(timeline.get_by_role("listitem")).to_have_count(20 + shown)  # still unfolded
    assert page.evaluate("document.activeElement.id") == "comments-heading"
