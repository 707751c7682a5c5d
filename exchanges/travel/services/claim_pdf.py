"""The "Reisekostenabrechnung" as a PDF for the files: traveller, trip, every line with its legal basis,
the decisions and the booking number. A tagged PDF (PDF/UA-1) a screen reader can read, rendered from
``templates/pdf/claim.html`` (koopstadt/pdf.py) in the active language: the language of the person who
downloads it (German, the portal's default, outside a request)."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from cities.directory.models import User
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from exchanges.travel.models import TravelClaim
from exchanges.travel.services.claims import claim_is_late, claim_shown_calculation
from koopstadt.money import eur
from koopstadt.pdf import render_pdf


def claim_pdf_export(*, claim: TravelClaim, actor: User, request: Any = None) -> bytes:
    """The claim as a PDF for ``actor`` (who may see it: the caller's selector decides), audited as an
    export wherever it is downloaded."""
    audit_record(kind=AuditEvent.Kind.EXPORT, actor=actor, target=claim, request=request, action="claim_pdf")
    return claim_pdf(claim)


def claim_pdf(claim: TravelClaim) -> bytes:
    # A decided claim as finance decided on it (its snapshot), never recalculated; others calculated now.
    calculation = claim_shown_calculation(claim)
    start, end = timezone.localtime(claim.trip_start), timezone.localtime(claim.trip_end)
    facts = [
        (_("Traveller"), f"{claim.traveller.display_name}, {claim.traveller.home_city or ''}"),
        (_("Trip"), f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"),
        (_("From – to"), f"{claim.origin} – {claim.destination}"),
        (_("Purpose"), claim.purpose),
        (_("Legal basis"), calculation.legal_basis),
        (_("Status"), claim.get_status_display()),
    ]
    unconfirmed = calculation.to_be_confirmed
    if unconfirmed:
        facts.append((_("Note"), _("Rates still to be confirmed by finance")))
    if claim_is_late(claim):
        facts.append((_("Note"), _("filed after the filing deadline")))
    if claim.trip_fit_reason:
        facts.append((_("Reason: trip and exchange"), claim.trip_fit_reason))
    if claim.duplicate_reason:
        facts.append((_("Reason: possible duplicate"), claim.duplicate_reason))
    if hasattr(claim, "booking"):
        facts.append(
            (
                _("Booking"),
                _("%(number)s, budget year %(year)s, cost centre %(cost_centre)s")
                % {
                    "number": claim.booking.number,
                    "year": claim.booking.budget_year,
                    "cost_centre": claim.booking.cost_centre,
                },
            )
        )
    if unconfirmed:
        basis = _("Calculated by %(basis)s; the rates are still to be confirmed by finance.")
    else:
        basis = _("Calculated by %(basis)s.")
    basis %= {"basis": calculation.legal_basis}
    if calculation.snapshot and calculation.taken_at:
        basis += " " + _("Amounts finance decided on, stored on %(when)s.") % {
            "when": f"{timezone.localtime(calculation.taken_at):%d.%m.%Y %H:%M}"
        }
    lines = [
        {
            "text": line.text + (f" ({line.note})" if line.note else ""),
            "legal_basis": line.legal_basis,
            "amount": eur(line.amount),
        }
        for line in calculation.lines
    ]
    events = [
        {
            "time": f"{timezone.localtime(e.created_at):%d.%m.%Y %H:%M}",
            "person": e.actor.display_name if e.actor else _("Portal"),
            "step": f"{e.action_label} {e.comment}".strip(),
        }
        for e in claim.events.select_related("actor")
    ]
    return render_pdf(
        "pdf/claim.html",
        {
            "document_title": _("Travel claim %(reference)s") % {"reference": claim.exchange.reference},
            "claim": claim,
            "facts": facts,
            "basis": basis,
            "lines": lines,
            "total": eur(calculation.total),
            "events": events,
            "created_at": timezone.localtime(),
        },
    )
