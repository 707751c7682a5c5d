"""The request page with a long history shows the newest 20 timeline entries and comments; the rest on demand.

"Ältere Einträge zeigen" and "Ältere Kommentare zeigen" are plain links (no script): they load the page
again with ``?timeline=all`` / ``?comments=all`` and jump to the list's heading. The page costs the
same number of queries for 5 and for 60 entries, folded or unfolded.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from exchanges.cycle.models import Comment, Status, TimelineEntry

pytestmark = pytest.mark.django_db


def _notes(request, people, count: int, *, start: int = 1):
    """``count`` notes on the timeline, a minute apart (the order the page shows them in)."""
    base = timezone.now() - timedelta(days=1)
    for i in range(start, start + count):
        entry = TimelineEntry.objects.create(
            request=request,
            actor=people["coordinator"],
            action="note",
            from_status=request.status,
            to_status=request.status,
            comment=f"Vermerk Nummer {i:02d}",
        )
        TimelineEntry.objects.filter(pk=entry.pk).update(created_at=base + timedelta(minutes=i))


def _comments(request, people, count: int, *, start: int = 1):
    base = timezone.now() - timedelta(days=1)
    for i in range(start, start + count):
        comment = Comment.objects.create(
            request=request, author=people["requester"], body=f"Frage Nummer {i:02d}"
        )
        Comment.objects.filter(pk=comment.pk).update(created_at=base + timedelta(minutes=i))


def _shown(html: str, word: str) -> list[int]:
    return [int(n) for n in re.findall(rf"{word} Nummer (\d+)", html)]


def _link(html: str, text: str) -> str | None:
    found = re.search(rf'<a [^>]*href="([^"]+)"[^>]*>{text}</a>', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.fixture
def long_history(client, people, request_in):
    request = request_in(Status.SUBMITTED)
    request.timeline.all().delete()
    _notes(request, people, 60)
    client.force_login(people["coordinator"])
    return request


def test_a_timeline_of_60_entries_shows_the_newest_20_and_a_link_to_the_others(client, long_history):
    html = client.get(long_history.get_absolute_url()).content.decode()

    assert _shown(html, "Vermerk") == list(range(41, 61))  # the newest 20, oldest of them first
    assert "Die neuesten 20 Einträge sind zu sehen." in html
    link = _link(html, "Ältere Einträge zeigen")
    assert link == "?timeline=all#timeline-heading"
    assert 'id="timeline-heading" tabindex="-1"' in html  # the link's target takes the focus

    unfolded = client.get(long_history.get_absolute_url() + link.split("#")[0]).content.decode()
    assert _shown(unfolded, "Vermerk") == list(range(1, 61))
    assert _link(unfolded, "Ältere Einträge zeigen") is None


def test_a_short_timeline_has_no_link(client, people, request_in):
    request = request_in(Status.SUBMITTED)
    request.timeline.all().delete()
    _notes(request, people, 20)
    client.force_login(people["coordinator"])

    html = client.get(request.get_absolute_url()).content.decode()

    assert _shown(html, "Vermerk") == list(range(1, 21))
    assert _link(html, "Ältere Einträge zeigen") is None


def test_older_comments_are_shown_on_demand_and_each_link_keeps_the_other_list_unfolded(
    client, people, long_history
):
    _comments(long_history, people, 25)
    html = client.get(long_history.get_absolute_url()).content.decode()
    assert _shown(html, "Frage") == list(range(6, 26))
    assert _link(html, "Ältere Kommentare zeigen") == "?comments=all#comments-heading"

    comments = client.get(long_history.get_absolute_url() + "?comments=all").content.decode()
    assert _shown(comments, "Frage") == list(range(1, 26))
    assert _shown(comments, "Vermerk") == list(range(41, 61))  # the timeline stays folded
    assert _link(comments, "Ältere Einträge zeigen") == "?comments=all&timeline=all#timeline-heading"

    both = client.get(long_history.get_absolute_url() + "?comments=all&timeline=all").content.decode()
    assert _shown(both, "Vermerk") == list(range(1, 61))
    assert _shown(both, "Frage") == list(range(1, 26))


def test_the_requester_still_never_sees_internal_entries(client, people, long_history):
    TimelineEntry.objects.filter(request=long_history, comment__endswith="9").update(is_public=False)
    client.force_login(people["requester"])

    html = client.get(long_history.get_absolute_url()).content.decode()
    everything = client.get(long_history.get_absolute_url() + "?timeline=all").content.decode()

    public = [n for n in range(1, 61) if n % 10 != 9]
    assert _shown(html, "Vermerk") == public[-20:]
    assert _shown(everything, "Vermerk") == public


def test_the_page_costs_the_same_queries_for_5_and_60_entries_folded_or_not(client, people, request_in):
    request = request_in(Status.SUBMITTED)
    client.force_login(people["coordinator"])

    def queries(query: str = "") -> int:
        url = request.get_absolute_url() + query
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    _notes(request, people, 5)
    _comments(request, people, 5)
    few = queries()
    _notes(request, people, 55, start=6)
    _comments(request, people, 55, start=6)

    assert queries() == few
    assert queries("?timeline=all&comments=all") == few
