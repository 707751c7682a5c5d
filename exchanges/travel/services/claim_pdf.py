"""The "Reisekostenabrechnung" as a PDF for the files: traveller, trip, every line with its legal basis,
the decisions and the booking number. A tagged PDF (PDF/UA-1) a screen reader can read, rendered from
``templates/pdf/claim.html`` (koopstadt/pdf.py); German, like the files it belongs to."""

from typing import Any

from django.utils import timezone

from cities.directory.models import User
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from exchanges.travel.models import TravelClaim
from exchanges.travel.services.claims import claim_is_late, claim_shown_calculation
from koopstadt.pdf import render_pdf


def _euro(value) -> str:
    return f"{value:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


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
        ("Reisende Person", f"{claim.traveller.display_name}, {claim.traveller.home_city or ''}"),
        ("Reise", f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"),
        ("Von – nach", f"{claim.origin} – {claim.destination}"),
        ("Zweck", claim.purpose),
        ("Rechtsgrundlage", calculation.legal_basis),
        ("Status", claim.get_status_display()),
    ]
    unconfirmed = calculation.to_be_confirmed
    if unconfirmed:
        facts.append(("Hinweis", "Sätze von den Finanzen noch zu bestätigen"))
    if claim_is_late(claim):
        facts.append(("Hinweis", "nach Ablauf der Ausschlussfrist eingereicht"))
    if claim.trip_fit_reason:
        facts.append(("Begründung: Reise und Austausch", claim.trip_fit_reason))
    if claim.duplicate_reason:
        facts.append(("Begründung: mögliche Doppelabrechnung", claim.duplicate_reason))
    if hasattr(claim, "booking"):
        facts.append(
            (
                "Buchung",
                f"{claim.booking.number}, Haushaltsjahr {claim.booking.budget_year}, "
                f"Kostenstelle {claim.booking.cost_centre}",
            )
        )
    basis = f"Berechnet nach {calculation.legal_basis}" + (
        "; die Sätze sind von den Finanzen noch zu bestätigen." if unconfirmed else "."
    )
    if calculation.snapshot and calculation.taken_at:
        basis += (
            " Beträge, über die die Finanzen entschieden haben, gespeichert am "
            f"{timezone.localtime(calculation.taken_at):%d.%m.%Y %H:%M}."
        )
    lines = [
        {
            "text": line.text + (f" ({line.note})" if line.note else ""),
            "legal_basis": line.legal_basis,
            "amount": _euro(line.amount),
        }
        for line in calculation.lines
    ]
    events = [
        {
            "time": f"{timezone.localtime(e.created_at):%d.%m.%Y %H:%M}",
            "person": e.actor.display_name if e.actor else "Portal",
            "step": f"{e.action_label} {e.comment}".strip(),
        }
        for e in claim.events.select_related("actor")
    ]
    return render_pdf(
        "pdf/claim.html",
        {
            "document_language": "de",
            "document_title": f"Reisekostenabrechnung {claim.exchange.reference}",
            "claim": claim,
            "facts": facts,
            "basis": basis,
            "lines": lines,
            "total": _euro(calculation.total),
            "events": events,
            "created_at": timezone.localtime(),
        },
    )
