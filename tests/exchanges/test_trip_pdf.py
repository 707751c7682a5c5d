"""The approval document of a trip (Dienstreisegenehmigung / Kostenübernahmeerklärung): what it says, in
the reader's language, as a tagged PDF; who downloads it — those who see the trip, and the supervisor
through the e-mail link even after the link decided — and that nothing but an approved trip has one."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from cities.directory.models import User
from cities.operations.models import AuditEvent
from exchanges.cycle.models import ExchangeRequest, Meeting
from exchanges.travel.models import TripMeans, TripRequest, TripStatus
from exchanges.travel.services.budget import budget_position, budget_set
from exchanges.travel.services.trip_pdf import APPROVAL_LEGAL_BASIS
from exchanges.travel.services.trips import (
    LINK_SALT,
    trip_cost_decide,
    trip_create,
    trip_link,
    trip_submit,
    trip_supervisor_decide,
)
from tests.pdf_checks import pdf_text, tagged_pdf

pytestmark = pytest.mark.django_db
SCHEDULED_TITLE = "Schulcampus und Ganztag"  # Petra Neumann (Leipzig) visits Nürnberg in 30 days


@pytest.fixture(autouse=True)
def _demo(demo_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person(email: str) -> User:
    return User.objects.get(email=email)


def _submitted(**data) -> TripRequest:
    """Petra's trip to Nürnberg with a first class, a hotel above the Saxon limit; submitted, so that her
    supervisor Dr. Ines Vogt (no account) got the link."""
    exchange = ExchangeRequest.objects.get(title=SCHEDULED_TITLE)
    petra = person("petra.neumann@example.org")
    meeting = Meeting.objects.get(request=exchange)
    values = {
        "starts_at": meeting.starts_at - timedelta(hours=4),
        "ends_at": meeting.ends_at + timedelta(days=1),
        "destination": "Nürnberg, Rathaus",
        "fare": D("239.60"),
        "higher_class": True,
        "scheduled_hours": D("3.5"),
        "higher_class_reason": "Arbeit an vertraulichen Unterlagen während der Fahrt",
        "hotel_nights": 1,
        "hotel_price": D("104.00"),
        "hotel_reason": "Tagungshotel; günstigere Zimmer ausgebucht",
        **data,
    }
    trip = trip_create(exchange=exchange, traveller=petra, actor=petra, data=values)
    return trip_submit(trip_id=trip.pk, actor=petra)


def _approved_by_link(**data) -> tuple[TripRequest, str]:
    """Approved through the supervisor's link, the costs confirmed by the coordination. Returns the trip
    and the link's token (the link of the e-mail)."""
    trip = _submitted(**data)
    token = trip_link(trip).rstrip("/").rsplit("/", 1)[1]
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=None, link_nonce=trip.link_nonce)
    trip = trip_cost_decide(trip_id=trip.pk, decision="approved", actor=person("koordination@example.org"))
    return trip, token


def _pdf(client, trip: TripRequest):
    return client.get(reverse("exchanges:trip_pdf", args=[trip.pk]))


# --- what it says -----------------------------------------------------------------------------------------


def test_the_document_names_the_trip_both_approvals_and_their_legal_basis(client):
    trip, _token = _approved_by_link()
    petra = trip.traveller
    client.force_login(petra)
    response = _pdf(client, trip)

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        f"Dienstreisegenehmigung-{trip.exchange.reference}-{trip.pk}.pdf" in response["Content-Disposition"]
    )
    text = pdf_text(response.content)
    start, end = timezone.localtime(trip.starts_at), timezone.localtime(trip.ends_at)
    for expected in (
        "Dienstreisegenehmigung / Kostenübernahmeerklärung",
        f"C+R-Austausch {trip.exchange.reference}: {SCHEDULED_TITLE}",
        "Petra Neumann",
        "Amt für Schule, Leipzig",
        "Leipzig – Nürnberg, Rathaus",
        f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}",
        "mit Bahn oder Bus",
        # the reasons decided in advance, each with the provision that asks for it
        "Erste Klasse genehmigt",
        "Arbeit an vertraulichen Unterlagen",
        "§ 4 SächsRKG",
        "über der Grenze (§ 7 Abs. 1 SächsRKG), Begründung: Tagungshotel",
        # the estimate the approvals were given on, line by line
        "Kostenschätzung",
        "Sächsisches Reisekostengesetz (SächsRKG)",
        f"{trip.estimated_total:.2f}".replace(".", ",") + " €",
        "Kostenstelle KOOPSTADT-CR",
        # section 1: the supervisor, through the link, and the law's provision on approval
        "1. Genehmigung als Dienstreise",
        "Dr. Ines Vogt",
        "amtsleitung.leipzig@example.org",
        f"{timezone.localtime(trip.supervisor_decided_at):%d.%m.%Y %H:%M}",
        "Weg über den persönlichen E-Mail-Link",
        "Rechtsgrundlage § 2 Abs. 1 SächsRKG",
        # section 2: koopstadt's commitment
        "2. Kostenübernahme durch koopstadt",
        "Sabine Lorenz",
        "Zugesagter Betrag",
        f"Haushaltsjahr {timezone.localtime(trip.starts_at).year}",
        "Seite 1 von",
    ):
        assert expected in text, expected
    assert "über das Budget hinaus bestätigt" not in text
    assert "Weg im Portal" not in text


def test_a_decision_in_the_portal_and_beyond_the_budget_are_said_so(client):
    trip = _submitted(higher_class=False, higher_class_reason="", hotel_nights=0, hotel_price=D("0"))
    year = timezone.localtime(trip.starts_at).year
    finance = person("finanzen@example.org")
    budget_set(year=year, amount=budget_position(year=year)["used"] + D("1.00"), actor=finance)
    # Anna Schmidt works in Leipzig too; named as the supervisor, she approves in the portal.
    anna = person("anna.schmidt@example.org")
    TripRequest.objects.filter(pk=trip.pk).update(
        supervisor=anna, supervisor_name=anna.display_name, supervisor_email=anna.email
    )
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=anna)
    trip_cost_decide(
        trip_id=trip.pk,
        decision="approved",
        actor=person("koordination@example.org"),
        confirm_over_budget=True,
    )
    client.force_login(finance)
    text = pdf_text(_pdf(client, trip).content)
    assert "Anna Schmidt" in text and "anna.schmidt@example.org" in text
    assert "Weg im Portal" in text and "E-Mail-Link" not in text
    assert "über das Budget hinaus bestätigt" in text
    assert "Erste Klasse" not in text and "Unterkunft" not in text


def test_the_car_interest_approved_in_advance_is_in_the_document(client):
    trip, _token = _approved_by_link(
        means=TripMeans.CAR,
        fare=D("0"),
        higher_class=False,
        higher_class_reason="",
        hotel_nights=0,
        hotel_price=D("0"),
        car_km=D("560"),
        car_interest=True,
        car_interest_reason="Transport der Ausstellungstafeln",
    )
    client.force_login(trip.traveller)
    text = pdf_text(_pdf(client, trip).content)
    assert "mit dem privaten Pkw, 560,0 km Hin- und Rückfahrt" in text
    assert "Erhebliches dienstliches Interesse am Pkw" in text
    assert "vor der Reise festgestellt (§ 5 Abs. 2 SächsRKG): Transport der Ausstellungstafeln" in text


def test_each_law_has_its_provision_on_approval():
    assert APPROVAL_LEGAL_BASIS == {
        "BRKG": "§ 2 Abs. 1 BRKG",
        "SN": "§ 2 Abs. 1 SächsRKG",
        "BY": "Art. 2 Abs. 1 BayRKG",
        "HB": "§ 2 BremRKG",
    }


def test_a_bavarian_traveller_approved_in_the_portal_gets_the_bayrkg(client):
    """The demo's Andreas Roth (Nürnberg): his returned trip, submitted again, approved by Dr. Klaus
    Hofmann in the portal and confirmed by the coordination."""
    trip = TripRequest.objects.get(traveller__email="andreas.roth@example.org", status=TripStatus.RETURNED)
    trip_submit(trip_id=trip.pk, actor=trip.traveller)
    hofmann = person("amtsleitung.schulen-nuernberg@example.org")
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=hofmann)
    trip_cost_decide(trip_id=trip.pk, decision="approved", actor=person("koordination@example.org"))
    client.force_login(hofmann)  # the supervisor with an account downloads it too
    text = pdf_text(_pdf(client, trip).content)
    assert "Art. 2 Abs. 1 BayRKG" in text and "Dr. Klaus Hofmann" in text and "Weg im Portal" in text
    assert "Amt für Allgemeinbildende Schulen, Nürnberg" in text


def test_the_document_is_a_tagged_pdf_in_the_readers_language(client):
    trip, _token = _approved_by_link()
    client.force_login(trip.traveller)
    german = tagged_pdf(_pdf(client, trip).content)
    assert german.marked and german.pdfua_part == "1" and german.display_title
    assert german.language == "de"
    assert german.title == f"Dienstreisegenehmigung / Kostenübernahmeerklärung {trip.exchange.reference}"
    assert german.tags["H1"] == 1 and german.tags["H2"] == 3  # costs, section 1, section 2
    assert german.tags["Table"] == 4 and german.cell_headers and all(n >= 1 for n in german.cell_headers)
    assert not german.tags["Figure"]

    User.objects.filter(pk=trip.traveller.pk).update(preferred_language="en")
    client.force_login(User.objects.get(pk=trip.traveller.pk))
    content = _pdf(client, trip).content
    english = tagged_pdf(content)
    assert english.language == "en"
    assert english.title == f"Business trip approval / cost commitment {trip.exchange.reference}"
    text = pdf_text(content)
    for expected in (
        "Business trip approval / cost commitment",
        "1. Approval as a business trip",
        "2. Cost commitment by koopstadt",
        "through the personal e-mail link",
        "§ 2 Abs. 1 SächsRKG",
        "Amount committed",
        "Page 1 of",
    ):
        assert expected in text, expected
    for german_word in ("Dienstreisegenehmigung", "Genehmigung als Dienstreise", "Seite", "Haushaltsjahr"):
        assert german_word not in text, german_word


# --- who downloads it -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("petra.neumann@example.org", 200),  # the traveller
        ("koordination@example.org", 200),  # coordination
        ("finanzen@example.org", 200),  # finance
        ("anna.schmidt@example.org", 404),  # a colleague of the same city
        ("andreas.roth@example.org", 404),  # a participant of the same exchange
        ("amtsleitung.schulen-nuernberg@example.org", 404),  # another traveller's supervisor
    ],
)
def test_those_who_see_the_trip_download_it(client, email, status):
    trip, _token = _approved_by_link()
    client.force_login(person(email))
    response = _pdf(client, trip)
    assert response.status_code == status
    if status == 200:
        assert response.content.startswith(b"%PDF")


def test_signed_out_people_are_sent_to_log_in(client):
    trip, _token = _approved_by_link()
    response = _pdf(client, trip)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_there_is_no_document_before_both_approvals_nor_after_a_refusal_or_cancellation(client):
    trip = _submitted()
    token = trip_link(trip).rstrip("/").rsplit("/", 1)[1]
    client.force_login(trip.traveller)
    assert _pdf(client, trip).status_code == 404
    trip_supervisor_decide(trip_id=trip.pk, decision="approved", actor=None, link_nonce=trip.link_nonce)
    assert _pdf(client, trip).status_code == 404  # the costs are not confirmed yet
    link_pdf = reverse("exchanges:trip_approval_link_pdf", args=[token])
    client.logout()
    assert client.get(link_pdf).status_code == 404
    trip_cost_decide(
        trip_id=trip.pk,
        decision="refused",
        note="Kein Budget mehr.",
        actor=person("koordination@example.org"),
    )
    assert client.get(link_pdf).status_code == 404
    client.force_login(person("koordination@example.org"))
    assert _pdf(client, trip).status_code == 404
    assert not AuditEvent.objects.filter(
        kind=AuditEvent.Kind.EXPORT, target=f"exchanges.triprequest:{trip.pk}"
    )


def test_the_download_is_recorded_as_an_export(client):
    trip, token = _approved_by_link()
    client.force_login(trip.traveller)
    _pdf(client, trip)
    client.logout()
    client.get(reverse("exchanges:trip_approval_link_pdf", args=[token]))
    portal, link = AuditEvent.objects.filter(
        kind=AuditEvent.Kind.EXPORT, target=f"exchanges.triprequest:{trip.pk}"
    ).order_by("pk")
    assert portal.actor == trip.traveller and portal.details == {"action": "trip_pdf"}
    assert link.actor is None
    assert link.details == {
        "action": "trip_pdf",
        "channel": "link",
        "supervisor": "amtsleitung.leipzig@example.org",
    }


# --- through the supervisor's e-mail link -----------------------------------------------------------------


def test_the_supervisors_link_fetches_the_document_after_it_decided(client):
    trip, token = _approved_by_link()
    trip.refresh_from_db()
    assert trip.link_nonce == ""  # the link has decided: it no longer decides anything
    response = client.get(reverse("exchanges:trip_approval_link_pdf", args=[token]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "no-store" in response.get("Cache-Control", "") or "no-cache" in response.get("Cache-Control", "")
    text = pdf_text(response.content)
    assert "Dr. Ines Vogt" in text and "über den persönlichen E-Mail-Link" in text


def test_an_altered_or_expired_link_fetches_nothing(client):
    trip, token = _approved_by_link()
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(reverse("exchanges:trip_approval_link_pdf", args=[altered])).status_code == 404
    # a link signed with another salt (e.g. an expert's invitation link) names no trip of ours
    other = signing.dumps({"trip": trip.pk, "nonce": ""}, salt="exchanges.other")
    assert client.get(reverse("exchanges:trip_approval_link_pdf", args=[other])).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert client.get(reverse("exchanges:trip_approval_link_pdf", args=[token])).status_code == 404
    # a link of the right kind for a trip that does not exist
    missing = signing.dumps({"trip": 999_999, "nonce": "x"}, salt=LINK_SALT)
    assert client.get(reverse("exchanges:trip_approval_link_pdf", args=[missing])).status_code == 404


# --- the demo's approved trips ----------------------------------------------------------------------------


def test_the_demos_held_exchange_trip_was_approved_before_it_began_and_has_its_document(client):
    trip = TripRequest.objects.get(
        exchange__title="Bildungs- und Quartierszentren in Bremen besichtigen",
        traveller__email="petra.neumann@example.org",
    )
    assert trip.status == TripStatus.APPROVED
    assert trip.submitted_at < trip.approved_at <= trip.starts_at < trip.ends_at < timezone.now()
    meeting = Meeting.objects.get(request=trip.exchange)
    assert trip.starts_at < meeting.starts_at and meeting.ends_at < trip.ends_at
    commitment = trip.commitments.get()
    assert commitment.is_open and commitment.year == timezone.localtime(trip.starts_at).year
    assert commitment.created_at < trip.starts_at
    client.force_login(trip.traveller)
    text = pdf_text(_pdf(client, trip).content)
    assert "Leipzig – Bremen, Rathaus, Raum 101" in text and "163,80 €" in text
