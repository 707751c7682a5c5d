"""The requests issue's journey through the browser views, with the e-mails each step sends."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from exchanges.cycle.models import ExchangeRequest, Status, TimelineEntry
from exchanges.notifications.models import Notification
from tests.cities.factories import TopicFactory

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    today = timezone.localdate()
    data = {
        "title": "Werkstatt Wohnungspolitisches Konzept",
        "topics": [TopicFactory(name="Wohnen", slug="wohnen").pk],
        "need": "Wir suchen Erfahrung mit Akteurswerkstätten.",
        "occasion": "event",
        "occasion_date": (today + timedelta(days=40)).strftime("%d.%m.%Y"),
        "preferred_format": "workshop",
        "direction": "expert_travels",
        "earliest_date": (today + timedelta(days=20)).strftime("%d.%m.%Y"),
        "latest_date": (today + timedelta(days=60)).strftime("%d.%m.%Y"),
        "travellers": "2",
        "estimated_costs": "350,50",
    }
    data.update(overrides)
    return data


def test_draft_return_answer_accept_with_emails_and_timeline(
    client, people, django_capture_on_commit_callbacks
):
    requester, contact, coordinator = people["requester"], people["contact"], people["coordinator"]

    # given a requester who saves a draft with only a title and leaves
    client.force_login(requester)
    response = client.post(reverse("exchanges:request_create"), {"title": "Werkstatt", "save": "1"})
    draft = ExchangeRequest.objects.get()
    assert response["Location"] == draft.get_absolute_url()
    assert draft.status == Status.DRAFT and draft.reference is None

    # when they come back, complete it and submit
    assert "Werkstatt" in client.get(reverse("exchanges:request_list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchanges:request_edit", args=[draft.pk]), _form_data(submit="1"))
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert draft.reference.startswith("CR-")
    assert str(draft.estimated_costs) == "350.50"
    assert [m.to for m in mail.outbox] == [[contact.email]]
    assert draft.reference in mail.outbox[0].subject

    # then the city contact sees it in the inbox and returns it with a question
    client.force_login(contact)
    assert draft.reference in client.get(reverse("exchanges:contact_inbox")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchanges:request_action", args=[draft.pk, "return_for_changes"]),
            {
                "return_for_changes-comment": "Welche Akteure sind dabei?",
                "return_for_changes-expected_status": "submitted",
            },
        )
    draft.refresh_from_db()
    assert draft.status == Status.RETURNED
    assert mail.outbox[-1].to == [requester.email]
    assert "Welche Akteure sind dabei?" in mail.outbox[-1].body

    # the requester answers and resubmits
    client.force_login(requester)
    detail = client.get(draft.get_absolute_url()).content.decode()
    assert "Welche Akteure sind dabei?" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchanges:request_edit", args=[draft.pk]),
            _form_data(need="Wohnungsunternehmen, Mieterverein und Genossenschaften.", submit="1"),
        )
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    assert mail.outbox[-1].to == [contact.email]

    # the city contact accepts; the coordinators are told
    client.force_login(contact)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchanges:request_action", args=[draft.pk, "accept"]),
            {"accept-comment": "", "accept-expected_status": "submitted"},
        )
    draft.refresh_from_db()
    assert draft.status == Status.ROUTING
    assert mail.outbox[-1].to == [coordinator.email]

    # the coordinator finds it in the triage
    client.force_login(coordinator)
    triage = client.get(reverse("exchanges:triage")).content.decode()
    assert draft.reference in triage

    actions = list(
        TimelineEntry.objects.filter(request=draft, is_public=True).values_list("action", flat=True)
    )
    assert actions == ["submit", "return_for_changes", "submit", "accept"]
    # accepting started the routing (no department of these test cities fits: the coordination is told)
    assert TimelineEntry.objects.filter(request=draft, action="routing_failed", is_public=False).exists()
    assert len(mail.outbox) == 5  # the fifth tells the coordinator that no department was found
    assert Notification.objects.filter(recipient=contact).count() == 2


def test_validation_errors_keep_everything_typed(client, people):
    client.force_login(people["requester"])
    data = _form_data(latest_date="01.01.2020", travellers="0", submit="1")

    response = client.post(reverse("exchanges:request_create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert ExchangeRequest.objects.count() == 0
    assert "Bitte korrigieren Sie" in html
    assert "Das späteste Datum liegt in der Vergangenheit." in html
    assert "Bitte geben Sie eine Zahl zwischen 1 und 50 an." in html
    assert 'value="Werkstatt Wohnungspolitisches Konzept"' in html
    assert "Wir suchen Erfahrung mit Akteurswerkstätten." in html
    assert data["earliest_date"] in html


def test_submitting_an_incomplete_draft_saves_it_and_explains_what_is_missing(client, people):
    client.force_login(people["requester"])
    response = client.post(reverse("exchanges:request_create"), {"title": "Nur ein Titel", "submit": "1"})

    draft = ExchangeRequest.objects.get()
    assert draft.status == Status.DRAFT
    html = response.content.decode()
    assert "kann aber noch nicht eingereicht werden" in html
    assert "Bitte füllen Sie dieses Feld vor dem Einreichen aus." in html
    assert "Bitte wählen Sie mindestens ein Thema." in html


def test_the_form_ignores_fields_the_requester_may_not_set(client, people):
    client.force_login(people["requester"])
    client.post(
        reverse("exchanges:request_create"),
        _form_data(
            status="completed", reference="CR-1999-9999", requester=people["coordinator"].pk, save="1"
        ),
    )
    request = ExchangeRequest.objects.get()
    assert request.status == Status.DRAFT
    assert request.reference is None
    assert request.requester == people["requester"]


def test_a_refused_step_shows_a_clear_message_and_keeps_the_typed_reason(client, people, request_in):
    request = request_in(Status.SUBMITTED)
    client.force_login(people["requester"])

    response = client.post(
        reverse("exchanges:request_action", args=[request.pk, "withdraw"]),
        {"withdraw-comment": "", "withdraw-expected_status": "submitted"},
    )
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()

    client.force_login(people["contact"])
    client.post(
        reverse("exchanges:request_action", args=[request.pk, "accept"]),
        {"accept-expected_status": "submitted"},
    )
    response = client.post(
        reverse("exchanges:request_action", args=[request.pk, "accept"]),
        {"accept-expected_status": "submitted"},
        follow=True,
    )
    assert "in der Zwischenzeit geändert" in response.content.decode()
    assert TimelineEntry.objects.filter(request=request, action="accept").count() == 1


def test_comments_public_and_internal(client, people, request_in, django_capture_on_commit_callbacks):
    request = request_in(Status.SUBMITTED)
    mail.outbox.clear()
    client.force_login(people["contact"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("exchanges:comment_create", args=[request.pk]),
            {"body": "Nur für uns", "is_internal": "on"},
        )
        client.post(reverse("exchanges:comment_create", args=[request.pk]), {"body": "Gute Idee!"})

    assert [m.to for m in mail.outbox] == [[people["requester"].email]]
    assert "Gute Idee!" in mail.outbox[0].body

    client.force_login(people["requester"])
    html = client.get(request.get_absolute_url()).content.decode()
    assert "Gute Idee!" in html
    assert "Nur für uns" not in html
    assert 'name="is_internal"' not in html

    client.force_login(people["requester"])
    client.post(
        reverse("exchanges:comment_create", args=[request.pk]), {"body": "Heimlich", "is_internal": "on"}
    )
    assert request.comments.get(body="Heimlich").is_internal is False  # the field is not theirs to set


def test_an_empty_comment_is_explained(client, people, request_in):
    request = request_in(Status.SUBMITTED)
    client.force_login(people["requester"])
    response = client.post(reverse("exchanges:comment_create", args=[request.pk]), {"body": ""})
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()


def test_notification_centre_and_digest_mode(client, people, request_in, django_capture_on_commit_callbacks):
    contact = people["contact"]
    client.force_login(contact)
    client.post(reverse("exchanges:notifications"), {"notification_mode": "digest"})
    contact.refresh_from_db()
    assert contact.notification_mode == "digest"

    with django_capture_on_commit_callbacks(execute=True):
        request = request_in(Status.SUBMITTED)
    assert contact.email not in [address for m in mail.outbox for address in m.to]
    page = client.get(reverse("exchanges:notifications")).content.decode()
    assert request.reference in page

    from exchanges.notifications.services import send_digests

    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests(today=timezone.localdate()) == 1
        assert send_digests(today=timezone.localdate()) == 0
    digest = [m for m in mail.outbox if m.to == [contact.email]]
    assert len(digest) == 1
    assert request.reference in digest[0].body

    client.post(reverse("exchanges:notifications"), {"mark_read": "1"})
    assert not Notification.objects.filter(recipient=contact, read_at__isnull=True).exists()


def test_overdue_requests_are_flagged_and_reminded_once(
    client, people, request_in, django_capture_on_commit_callbacks
):
    request = request_in(Status.SUBMITTED)
    ExchangeRequest.objects.filter(pk=request.pk).update(
        contact_due_on=timezone.localdate() - timedelta(days=1)
    )
    mail.outbox.clear()

    from exchanges.cycle.tasks import remind_overdue_requests_task

    with django_capture_on_commit_callbacks(execute=True):
        remind_overdue_requests_task.delay()
        remind_overdue_requests_task.delay()

    assert [m.to for m in mail.outbox] == [[people["contact"].email]]
    assert "Erinnerung" in mail.outbox[0].subject
    client.force_login(people["contact"])
    assert "überfällig" in client.get(reverse("exchanges:contact_inbox")).content.decode()


def test_bulk_assignment_in_the_triage(client, people, request_in):
    first, second = request_in(Status.SUBMITTED), request_in(Status.ROUTING)
    coordinator = people["coordinator"]
    client.force_login(coordinator)

    response = client.post(
        reverse("exchanges:triage"),
        {"requests": [first.pk, second.pk], "assignee": coordinator.pk, "query": ""},
    )

    assert response.status_code == 302
    assert set(ExchangeRequest.objects.filter(assignee=coordinator).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    mine = client.get(reverse("exchanges:triage"), {"assignee": "me"})
    assert {r.pk for r in mine.context["page"].object_list} == {first.pk, second.pk}
    assert TimelineEntry.objects.filter(action="assign", is_public=False).count() == 2
    client.force_login(people["requester"])
    assert "zugewiesen" not in client.get(first.get_absolute_url()).content.decode()


def test_triage_filters(client, people, request_in, other_city):
    submitted = request_in(Status.SUBMITTED)
    routing = request_in(Status.ROUTING)
    closed = request_in(Status.WITHDRAWN)
    routing.preferred_partner_cities.add(other_city)
    client.force_login(people["coordinator"])

    def shown(**params):
        return {r.pk for r in client.get(reverse("exchanges:triage"), params).context["page"].object_list}

    assert shown() == {submitted.pk, routing.pk}
    assert shown(status="all") == {submitted.pk, routing.pk, closed.pk}
    assert shown(status="withdrawn") == {closed.pk}
    assert shown(partner_city=other_city.pk) == {routing.pk}
    assert shown(requester_city=other_city.pk) == set()
    assert shown(topic=submitted.topics.get().pk) == {submitted.pk}
    assert shown(min_age=3) == set()
    assert shown(assignee="none", sort="newest") == {submitted.pk, routing.pk}


def test_attachments_checked_by_content_and_downloaded_only_by_those_who_see_the_request(
    client, people, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(people["requester"])
    pdf = SimpleUploadedFile("konzept.pdf", b"%PDF-1.7\n1 0 obj\n", content_type="application/pdf")
    client.post(reverse("exchanges:request_create"), {**_form_data(), "new_attachment": pdf, "save": "1"})
    request = ExchangeRequest.objects.get()
    attachment = request.attachments.get()
    assert attachment.original_name == "konzept.pdf"
    assert "konzept" not in attachment.file.name  # stored under a random name

    fake = SimpleUploadedFile(
        "rechnung.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(
        reverse("exchanges:request_edit", args=[request.pk]),
        {**_form_data(), "new_attachment": fake, "save": "1"},
    )
    assert "passt nicht zu seinem Namen" in response.content.decode()
    assert request.attachments.count() == 1

    download = client.get(reverse("exchanges:attachment_download", args=[request.pk, attachment.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    client.force_login(people["foreign_contact"])
    assert (
        client.get(reverse("exchanges:attachment_download", args=[request.pk, attachment.pk])).status_code
        == 404
    )


def test_emails_are_written_in_the_recipients_language(
    people, request_in, django_capture_on_commit_callbacks
):
    contact = people["contact"]
    contact.preferred_language = "en"
    contact.save(update_fields=["preferred_language"])

    with django_capture_on_commit_callbacks(execute=True):
        request = request_in(Status.SUBMITTED)

    message = next(m for m in mail.outbox if m.to == [contact.email])
    assert message.subject == f"New C+R request {request.reference}: {request.title}"
    assert "Please accept it or return it with a question by" in message.body
    assert request.get_absolute_url() in message.body
