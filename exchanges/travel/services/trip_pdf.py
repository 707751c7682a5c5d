"""The "Dienstreisegenehmigung / Kostenübernahmeerklärung" of an approved trip as a PDF for the files.

It records both approvals of the trip request (docs/travel-costs.md, "Trip request"): the traveller's
supervisor approved the business trip (section 1, with the travel-expenses law's provision on approval)
and koopstadt's coordination confirmed that koopstadt covers the estimated costs (section 2, with the
amount committed on the budget). Above them the trip as it was approved: traveller, route, dates, the
means of transport with the reasons decided in advance, and the estimate the approvals were given on,
line by line with its legal basis.

A tagged PDF (PDF/UA-1) rendered from ``templates/pdf/trip_approval.html`` like the claim PDF
(``claim_pdf.py``, koopstadt/pdf.py), in the active language: that of the person who downloads it.
"""

from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from cities.directory.models import User
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from exchanges.travel.models import DecisionChannel, TripMeans, TripRequest, TripStatus
from exchanges.travel.services.trips import trip_estimate, trip_rate_set
from koopstadt.errors import TransitionNotAllowed
from koopstadt.money import eur
from koopstadt.pdf import render_pdf

# The provision under which the supervisor approves a business trip, by the travel-expenses law of the
# traveller's city (``City.rate_code``); the federal law where a city names none of these.
APPROVAL_LEGAL_BASIS = {
    "BRKG": "§ 2 Abs. 1 BRKG",
    "SN": "§ 2 Abs. 1 SächsRKG",
    "BY": "Art. 2 Abs. 1 BayRKG",
    "HB": "§ 2 BremRKG",
}


def approval_legal_basis(trip: TripRequest) -> str:
    """The provision the supervisor's approval rests on, for the traveller's city."""
    city = trip.traveller.home_city
    return APPROVAL_LEGAL_BASIS.get(city.rate_code if city else "", APPROVAL_LEGAL_BASIS["BRKG"])


def _moment(value) -> str:
    return f"{timezone.localtime(value):%d.%m.%Y %H:%M}" if value else "–"


def trip_pdf_export(
    *, trip: TripRequest, actor: User | None, request: Any = None, via_link: bool = False
) -> bytes:
    """The approval document for ``actor`` (who may see the trip: the caller's selector decides) or, with
    ``via_link``, for the holder of the supervisor's signed e-mail link; audited as an export either way.
    Refused for a trip that is not approved: there is nothing approved to document."""
    if trip.status != TripStatus.APPROVED:
        raise TransitionNotAllowed(_("The approval document exists once the trip is approved."))
    details: dict[str, Any] = {"action": "trip_pdf"}
    if via_link:
        details.update(channel="link", supervisor=trip.supervisor_email)
    audit_record(kind=AuditEvent.Kind.EXPORT, actor=actor, target=trip, request=request, **details)
    return trip_pdf(trip)


def _means(trip: TripRequest) -> str:
    text = {
        TripMeans.RAIL: _("by train or bus"),
        TripMeans.CAR: _("by private car"),
        TripMeans.OFFICIAL_CAR: _("by official car"),
        TripMeans.OTHER: _("other means of transport"),
    }.get(trip.means, trip.means)
    if trip.means_note:
        text += f" ({trip.means_note})"
    if trip.means == TripMeans.CAR and trip.car_km:
        text += ", " + _("%(km)s km return journey") % {"km": number_format(trip.car_km, 1, use_l10n=True)}
    return text


def _decided_in_advance(trip: TripRequest) -> list[tuple[str, str]]:
    """What the approvals accepted before the trip, with the traveller's reasons and the provision of the
    rate set that asks for them (the car's higher rate, the first class, a hotel above the limit)."""
    rates = trip_rate_set(trip).to_rates()
    rows = []
    if trip.means == TripMeans.CAR and trip.car_interest:
        rows.append(
            (
                _("Significant official interest in the car"),
                _("recorded before the trip (%(basis)s): %(reason)s")
                % {"basis": rates.basis("car_higher", "car"), "reason": trip.car_interest_reason},
            )
        )
    if trip.higher_class:
        text = _("scheduled one-way journey %(hours)s h (%(basis)s)") % {
            "hours": number_format(trip.scheduled_hours, 1, use_l10n=True),
            "basis": rates.basis("rail"),
        }
        if trip.higher_class_reason:
            text += "; " + _("reason: %(reason)s") % {"reason": trip.higher_class_reason}
        rows.append((_("First class approved"), text))
    if trip.hotel_nights:
        text = _("%(nights)s night(s), estimated %(price)s a night without breakfast") % {
            "nights": trip.hotel_nights,
            "price": eur(trip.hotel_price),
        }
        if trip.hotel_reason:
            text += "; " + _("above the limit (%(basis)s), reason: %(reason)s") % {
                "basis": rates.basis("overnight_receipt"),
                "reason": trip.hotel_reason,
            }
        rows.append((_("Accommodation"), text))
    if trip.other_costs:
        rows.append((_("Further costs"), f"{trip.other_costs_note}: {eur(trip.other_costs)}"))
    return rows


def _estimate(trip: TripRequest) -> dict[str, Any]:
    """The estimate the approvals were given on (stored at submission); calculated now only for a trip
    approved before estimates were stored."""
    snapshot = trip.estimate_snapshot
    if snapshot:
        taken_at = parse_datetime(snapshot.get("taken_at") or "")
        return {
            "legal_basis": snapshot.get("legal_basis", ""),
            "lines": [
                {"text": line["text"], "legal_basis": line["legal_basis"], "amount": eur(line["amount"])}
                for line in snapshot.get("lines", [])
            ],
            "total": eur(snapshot.get("total", trip.estimated_total)),
            "taken_at": _moment(taken_at) if taken_at else "",
        }
    calculation = trip_estimate(trip)
    return {
        "legal_basis": trip_rate_set(trip).legal_basis,
        "lines": [
            {"text": line.text, "legal_basis": line.legal_basis, "amount": eur(line.amount)}
            for line in calculation.lines
        ],
        "total": eur(calculation.total),
        "taken_at": "",
    }


def _supervisor_section(trip: TripRequest) -> list[tuple[str, str]]:
    person = trip.supervisor_decided_by
    name = person.display_name if person is not None else trip.supervisor_name
    email = person.email if person is not None else trip.supervisor_email
    channel = (
        _("in the portal")
        if trip.supervisor_channel == DecisionChannel.PORTAL
        else _("through the personal e-mail link")
    )
    rows = [
        (_("Approved by"), name),
        (_("E-mail address"), email),
        (_("Approved on"), _moment(trip.supervisor_decided_at)),
        (_("How"), channel),
        (_("Legal basis"), approval_legal_basis(trip)),
    ]
    if trip.supervisor_note:
        rows.append((_("Note"), trip.supervisor_note))
    return rows


def _cost_section(trip: TripRequest) -> list[tuple[str, str]]:
    commitment = trip.commitments.order_by("-created_at", "-pk").first()
    amount = commitment.amount if commitment is not None else trip.estimated_total
    year = commitment.year if commitment is not None else timezone.localtime(trip.starts_at).year
    rows = [
        (_("Confirmed by"), trip.cost_decided_by.display_name if trip.cost_decided_by else "–"),
        (_("Confirmed on"), _moment(trip.cost_decided_at)),
        (_("Amount committed"), eur(amount)),
        (_("Budget year"), str(year)),
        (_("Cost centre"), trip.cost_centre),
    ]
    if trip.budget_override:
        rows.append((_("Budget"), _("Confirmed beyond the budget")))
    if trip.cost_note:
        rows.append((_("Note"), trip.cost_note))
    return rows


def trip_pdf(trip: TripRequest) -> bytes:
    traveller = trip.traveller
    place = ", ".join(
        part
        for part in (
            traveller.department.name if traveller.department_id else "",
            traveller.home_city.name if traveller.home_city_id else "",
        )
        if part
    )
    facts = [
        (_("Traveller"), traveller.display_name),
        (_("Department and city"), place or "–"),
        (_("Exchange"), f"{trip.exchange.reference}: {trip.exchange.title}"),
        (_("Purpose"), trip.purpose),
        (_("From – to"), f"{trip.origin} – {trip.destination}"),
        (_("Trip"), f"{_moment(trip.starts_at)} – {_moment(trip.ends_at)}"),
        (_("Means of transport"), _means(trip)),
        *_decided_in_advance(trip),
        (_("Cost centre"), trip.cost_centre),
    ]
    title = _("Business trip approval / cost commitment")
    return render_pdf(
        "pdf/trip_approval.html",
        {
            "document_title": f"{title} {trip.exchange.reference}",
            "title": title,
            "trip": trip,
            "facts": facts,
            "estimate": _estimate(trip),
            "supervisor": _supervisor_section(trip),
            "costs": _cost_section(trip),
            "approved_at": _moment(trip.approved_at),
            "created_at": timezone.localtime(),
        },
    )
