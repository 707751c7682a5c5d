"""The "Reisekostenabrechnung" as a PDF for the files: traveller, trip, every line with its legal basis,
the decisions and the booking number."""

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cities.directory.models import User
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from exchanges.travel.models import TravelClaim
from exchanges.travel.services.claims import claim_is_late, claim_shown_calculation


def _euro(value) -> str:
    return f"{value:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


def claim_pdf_export(*, claim: TravelClaim, actor: User, request: Any = None) -> bytes:
    """The claim as a PDF for ``actor`` (who may see it: the caller's selector decides), audited as an
    export wherever it is downloaded."""
    audit_record(kind=AuditEvent.Kind.EXPORT, actor=actor, target=claim, request=request, action="claim_pdf")
    return claim_pdf(claim)


def claim_pdf(claim: TravelClaim) -> bytes:
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Reisekostenabrechnung {claim.exchange.reference}",
        author="koopstadt C+R",
    )
    # A decided claim as finance decided on it (its snapshot), never recalculated; others calculated now.
    calculation = claim_shown_calculation(claim)
    start, end = timezone.localtime(claim.trip_start), timezone.localtime(claim.trip_end)
    story = [
        Paragraph("Reisekostenabrechnung", styles["Title"]),
        # Paragraph reads markup: everything people typed is escaped, or "<b" in a title breaks the PDF.
        Paragraph(
            escape(f"C+R-Austausch {claim.exchange.reference}: {claim.exchange.title}"), styles["Heading3"]
        ),
        Spacer(1, 4 * mm),
    ]
    facts = [
        ["Reisende Person", f"{claim.traveller.display_name}, {claim.traveller.home_city or ''}"],
        ["Reise", f"{start:%d.%m.%Y %H:%M} – {end:%d.%m.%Y %H:%M}"],
        ["Von – nach", f"{claim.origin} – {claim.destination}"],
        ["Zweck", claim.purpose],
        ["Rechtsgrundlage", calculation.legal_basis],
        ["Status", claim.get_status_display()],
    ]
    unconfirmed = calculation.to_be_confirmed
    if unconfirmed:
        facts.append(["Hinweis", "Sätze von den Finanzen noch zu bestätigen"])
    if claim_is_late(claim):
        facts.append(["Hinweis", "nach Ablauf der Ausschlussfrist eingereicht"])
    if claim.trip_fit_reason:
        facts.append(
            ["Begründung: Reise und Austausch", Paragraph(escape(claim.trip_fit_reason), styles["BodyText"])]
        )
    if claim.duplicate_reason:
        facts.append(
            [
                "Begründung: mögliche Doppelabrechnung",
                Paragraph(escape(claim.duplicate_reason), styles["BodyText"]),
            ]
        )
    if hasattr(claim, "booking"):
        facts.append(
            [
                "Buchung",
                f"{claim.booking.number}, Haushaltsjahr {claim.booking.budget_year}, "
                f"Kostenstelle {claim.booking.cost_centre}",
            ]
        )
    story.append(_table(facts, widths=[45 * mm, 125 * mm]))
    story += [Spacer(1, 6 * mm), Paragraph("Berechnung", styles["Heading2"])]
    basis = f"Berechnet nach {calculation.legal_basis}" + (
        "; die Sätze sind von den Finanzen noch zu bestätigen." if unconfirmed else "."
    )
    if calculation.snapshot and calculation.taken_at:
        basis += (
            " Beträge, über die die Finanzen entschieden haben, gespeichert am "
            f"{timezone.localtime(calculation.taken_at):%d.%m.%Y %H:%M}."
        )
    story.append(Paragraph(escape(basis), styles["BodyText"]))
    lines = [["Position", "Rechtsgrundlage", "Betrag"]]
    for line in calculation.lines:
        text = line.text + (f" ({line.note})" if line.note else "")
        lines.append(
            [
                Paragraph(escape(text), styles["BodyText"]),
                # A citation such as "§ 6 Abs. 1 BRKG i. V. m. § 9 Abs. 4a Satz 3 EStG" wraps in its cell.
                Paragraph(escape(line.legal_basis), styles["BodyText"]),
                _euro(line.amount),
            ]
        )
    lines.append(["Summe", "", _euro(calculation.total)])
    story.append(_table(lines, widths=[95 * mm, 50 * mm, 25 * mm], header=True, total=True))
    events = [
        [
            f"{timezone.localtime(e.created_at):%d.%m.%Y %H:%M}",
            e.actor.display_name if e.actor else "Portal",
            Paragraph(escape(f"{e.action_label} {e.comment}".strip()), styles["BodyText"]),
        ]
        for e in claim.events.select_related("actor")
    ]
    if events:
        story += [
            Spacer(1, 6 * mm),
            Paragraph("Verlauf und Entscheidungen", styles["Heading2"]),
            _table([["Zeit", "Person", "Schritt"], *events], widths=[35 * mm, 45 * mm, 90 * mm], header=True),
        ]
    story += [
        Spacer(1, 8 * mm),
        Paragraph(
            f"Erstellt am {timezone.localtime():%d.%m.%Y %H:%M} mit dem koopstadt-C+R-Portal.",
            styles["Italic"],
        ),
    ]
    document.build(story)
    return buffer.getvalue()


def _table(rows: list, *, widths: list, header: bool = False, total: bool = False) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    style = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e7eef7")),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ]
    if total:
        style += [("ALIGN", (-1, 0), (-1, -1), "RIGHT"), ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold")]
    table.setStyle(TableStyle(style))
    return table
