"""Anonymisation on request: nothing shows the old name or address any more, and no figure changes."""

import io
from decimal import Decimal as D

import pytest
from django.contrib.sessions.models import Session
from django.db.models import Count, Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cities.directory.models import User
from cities.mail.models import OutgoingEmail
from cities.operations.models import AuditEvent
from exchanges.cycle.models import Attachment, Comment, ExchangeRequest
from exchanges.notifications.models import Notification
from exchanges.privacy.people import REDACTED, PrivacyError, person_anonymise
from exchanges.travel.models import Booking, ClaimItem, ClaimStatus, Receipt, TravelClaim
from exchanges.travel.services.budget import budget_overview_figures, budget_position
from koopstadt.development.demo_data import DEMO_PASSWORD
from tests.privacy.conftest import OLD_EMAIL, OLD_NAME

pytestmark = pytest.mark.django_db
OLD_VALUES = [OLD_NAME, OLD_EMAIL, OLD_EMAIL.split("@")[0]]


def _pages(world) -> list[tuple[User, str]]:
    """Every page on which the person's name or address could show, with someone allowed to see it."""
    coordinator, finance, contact, admin = world.coordinator, world.finance, world.contact, world.admin
    pages = [
        (coordinator, reverse("exchanges:request_list")),
        (coordinator, reverse("exchanges:request_detail", args=[world.exchange.pk])),
        (coordinator, reverse("exchanges:request_detail", args=[world.returned.pk])),
        (coordinator, reverse("exchanges:triage")),
        (coordinator, reverse("exchanges:knowledge_base")),
        (coordinator, reverse("cities:expert_list")),
        (coordinator, reverse("cities:expert_detail", args=[world.expert.expert_profile.pk])),
        (contact, reverse("exchanges:contact_inbox")),
        (contact, reverse("exchanges:notifications")),
        (world.expert, reverse("exchanges:my_invitations")),
        (finance, reverse("exchanges:finance_queue") + "?status=all"),
        (finance, reverse("exchanges:batch_list")),
        (finance, reverse("exchanges:batch_detail", args=[world.batch.pk])),
        (finance, reverse("exchanges:batch_download", args=[world.batch.pk, "csv"])),
        (finance, reverse("exchanges:budget")),
        (admin, reverse("admin:cities_user_changelist")),
        (admin, reverse("admin:cities_user_changelist") + "?q=Neumann"),
        (admin, reverse("admin:index")),
        (admin, reverse("admin:cities_outgoingemail_changelist")),
        (admin, reverse("admin:exchanges_exchangerequest_changelist")),
    ]
    for claim in world.claims:
        pages.append((finance, reverse("exchanges:claim_detail", args=[claim.pk])))
    return pages


def _fetch(user: User, url: str) -> str:
    client = Client()
    client.force_login(user)
    # export files are downloaded with POST (the first download freezes the batch)
    response = client.post(url) if url.endswith(("/csv/", "/xlsx/")) else client.get(url)
    assert response.status_code == 200, url
    return response.content.decode("utf-8-sig")


def _xlsx_text(world) -> str:
    client = Client()
    client.force_login(world.finance)
    raw = client.post(reverse("exchanges:batch_download", args=[world.batch.pk, "xlsx"])).content
    sheet = load_workbook(io.BytesIO(raw)).active
    return " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)


def _export_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    return (
        client.post(reverse("profile_data_json")).content.decode()
        + client.post(reverse("profile_data_html")).content.decode()
    )


def _finance_figures() -> dict:
    year = timezone.localdate().year
    return {
        "claims": TravelClaim.objects.aggregate(n=Count("pk"), total=Sum("calculated_total")),
        "items": ClaimItem.objects.aggregate(total=Sum("amount")),
        "bookings": list(Booking.objects.order_by("number").values_list("number", "amount", "budget_year")),
        "statuses": sorted(TravelClaim.objects.values_list("pk", "status")),
        "overview": budget_overview_figures(year=year),
        "position": budget_position(year=year),
        "references": sorted(ExchangeRequest.objects.values_list("pk", "reference", "status")),
    }


def test_after_anonymisation_no_page_shows_the_old_name_or_address_and_no_figure_changes(world):
    # given: the name shows on the pages (so the check below can fail)
    before_pages = {url: _fetch(user, url) for user, url in _pages(world)}
    showing = [url for url, html in before_pages.items() if OLD_NAME in html or OLD_EMAIL in html]
    assert reverse("exchanges:request_detail", args=[world.exchange.pk]) in showing
    assert reverse("exchanges:batch_download", args=[world.batch.pk, "csv"]) in showing
    assert reverse("admin:cities_user_changelist") in showing
    assert OLD_NAME in _xlsx_text(world)
    assert OLD_NAME in _export_of(world.coordinator)  # the coordinator's comment names her
    figures = _finance_figures()

    # when
    person_anonymise(actor=world.admin, person=world.person)

    # then: no page, download or export names her
    for user, url in _pages(world):
        html = _fetch(user, url)
        for old in OLD_VALUES:
            assert old not in html, f"{old!r} still on {url}"
    assert OLD_NAME not in _xlsx_text(world)
    export = _export_of(world.coordinator)
    assert OLD_NAME not in export and OLD_EMAIL not in export
    assert "Anonymisierte Person" in _fetch(
        world.finance, reverse("exchanges:batch_download", args=[world.batch.pk, "csv"])
    )

    # and the finance figures and statistics are exactly the same
    assert _finance_figures() == figures
    assert figures["claims"]["total"] > D("100") and len(figures["bookings"]) == 2


def test_the_person_is_anonymised_field_by_field(world):
    person = world.person
    person.phone, person.organisation = "0341 123", "Verein"
    person.save(update_fields=["phone", "organisation"])
    own_comment = Comment.objects.get(author=person)

    person_anonymise(actor=world.admin, person=person)

    person.refresh_from_db()
    assert person.display_name == f"Anonymisierte Person {person.pk}"
    assert person.email == f"anonymisiert-{person.pk}@anonymisiert.invalid"
    assert (person.phone, person.organisation) == ("", "")
    assert not person.has_usable_password() and not person.is_active and person.anonymised_at
    own_comment.refresh_from_db()
    assert own_comment.body == REDACTED
    exchange = ExchangeRequest.objects.get(pk=world.exchange.pk)
    assert (exchange.title, exchange.need) == (REDACTED, REDACTED)
    assert exchange.reference == world.exchange.reference and exchange.status == world.exchange.status
    assert not Attachment.objects.filter(request__requester=person).exists()
    assert not Notification.objects.filter(recipient=person).exists()
    claim = TravelClaim.objects.get(traveller=person)
    assert (claim.origin, claim.purpose) == (REDACTED, REDACTED)
    assert claim.items.get().explanation == REDACTED
    assert claim.booking.payee == person.display_name
    receipt = Receipt.objects.get(claim=claim)
    assert receipt.original_name == f"Beleg {receipt.pk}.pdf" and receipt.file.read().startswith(
        b"%PDF-1.4 ticket"
    )
    emails = OutgoingEmail.objects.filter(recipient=person)
    assert emails.exists()
    assert set(emails.values_list("to_address", "body")) == {(person.email, REDACTED)}
    # the other traveller's claim keeps its texts
    other = TravelClaim.objects.get(traveller=world.expert)
    assert other.origin.startswith("Leipzig") and other.booking.payee == "Andreas Roth"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.ANONYMISATION)
    assert (event.actor, event.subject) == (world.admin, person)


def test_the_person_can_no_longer_log_in_and_open_sessions_end(world):
    old_session = Client()
    old_session.force_login(world.person)
    assert old_session.get(reverse("home")).status_code == 200

    person_anonymise(actor=world.admin, person=world.person)

    assert old_session.get(reverse("home")).status_code == 302
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(world.person.pk)
    ]
    for address in [OLD_EMAIL, f"anonymisiert-{world.person.pk}@anonymisiert.invalid"]:
        client = Client()
        client.post(reverse("login"), {"username": address, "password": DEMO_PASSWORD})
        assert "_auth_user_id" not in client.session


def test_refuses_oneself_an_anonymised_person_non_administrators_and_open_claims(world):
    with pytest.raises(PrivacyError, match=r"yourself|selbst"):
        person_anonymise(actor=world.admin, person=world.admin)
    with pytest.raises(PrivacyError, match=r"administrator|Administrator"):
        person_anonymise(actor=world.coordinator, person=world.person)

    person_anonymise(actor=world.admin, person=world.person)
    with pytest.raises(PrivacyError, match=r"already|bereits"):
        person_anonymise(actor=world.admin, person=world.person)
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ANONYMISATION).count() == 1

    # finance still has to pay this one: the name is needed
    TravelClaim.objects.filter(traveller=world.expert).update(status=ClaimStatus.BOOKED)
    with pytest.raises(PrivacyError, match=r"claim|Reisekosten"):
        person_anonymise(actor=world.admin, person=world.expert)
    assert User.objects.get(pk=world.expert.pk).display_name == "Andreas Roth"


def test_admin_action_asks_for_confirmation_and_is_for_superusers_only(client, world):
    changelist = reverse("admin:cities_user_changelist")
    payload = {"action": "anonymise_persons", "_selected_action": [world.person.pk]}

    # a coordinator may use the administration but neither sees nor runs the action
    client.force_login(world.coordinator)
    assert "anonymise_persons" not in client.get(changelist).content.decode()
    client.post(changelist, {**payload, "confirm": "yes"})
    assert User.objects.get(pk=world.person.pk).anonymised_at is None

    client.force_login(world.admin)
    assert "anonymise_persons" in client.get(changelist).content.decode()
    confirmation = client.post(changelist, payload)
    assert confirmation.status_code == 200
    assert OLD_NAME in confirmation.content.decode()
    assert User.objects.get(pk=world.person.pk).anonymised_at is None

    done = client.post(changelist, {**payload, "confirm": "yes"}, follow=True)
    assert done.status_code == 200
    assert User.objects.get(pk=world.person.pk).anonymised_at is not None
    assert OLD_NAME not in done.content.decode()

    # trying oneself gives a clear message and changes nothing
    client.post(
        changelist, {"action": "anonymise_persons", "_selected_action": [world.admin.pk], "confirm": "yes"}
    )
    assert User.objects.get(pk=world.admin.pk).anonymised_at is None


def test_an_expert_leaves_the_pool_but_the_exchange_keeps_its_shape(world):
    expert = world.expert
    profile = expert.expert_profile
    topics = profile.expert_topics.count()
    meeting = world.exchange.meeting
    participants = meeting.participants.count()
    assert "Andreas Roth" in _fetch(world.coordinator, reverse("cities:expert_list"))

    person_anonymise(actor=world.admin, person=expert)

    viewer = Client()
    viewer.force_login(world.coordinator)
    assert viewer.get(reverse("cities:expert_detail", args=[profile.pk])).status_code == 404  # inactive
    for url in (reverse("cities:expert_list"), reverse("exchanges:request_detail", args=[world.exchange.pk])):
        html = _fetch(world.coordinator, url)
        assert "Andreas Roth" not in html and "andreas.roth@example.org" not in html
    profile.refresh_from_db()
    assert (profile.experience, profile.position, profile.is_available) == (REDACTED, "", False)
    assert profile.expert_topics.count() == topics
    invitation = world.exchange.invitations.get(expert=profile)
    assert invitation.answer_note == REDACTED and invitation.status == "accepted"
    assert meeting.participants.count() == participants
    # the requester's texts are not hers to lose
    assert ExchangeRequest.objects.get(pk=world.exchange.pk).title == world.exchange.title
