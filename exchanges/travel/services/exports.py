"""Export batches of bookings for the accounting system: CSV as German spreadsheets expect, and XLSX."""

import csv
import io
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from cities.directory.models import User
from cities.directory.rules import is_finance
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from cities.records.versions import version_advance
from exchanges.travel.models import Booking, ClaimStatus, ExportBatch, TravelClaim
from exchanges.travel.services.claims import claim_event_record
from koopstadt.errors import DomainError, NotPermitted

COLUMNS = [
    "Buchungsnummer",
    "Haushaltsjahr",
    "Kostenstelle",
    "Zahlungsempfänger",
    "Betrag (EUR)",
    "Aktenzeichen",
    "Reisebeginn",
]


def _finance_only(actor: User) -> None:
    if not is_finance(actor):
        raise NotPermitted(_("Only finance handles export batches."))


@transaction.atomic
def batch_create(*, actor: User) -> ExportBatch:
    """Gather every booking not yet in a batch."""
    _finance_only(actor)
    bookings = list(Booking.objects.select_for_update().filter(batch__isnull=True))
    if not bookings:
        raise DomainError(_("There is no new booking to export."))
    year = timezone.localdate().year
    count = ExportBatch.objects.filter(number__startswith=f"EX-{year}-").count()
    batch = ExportBatch.objects.create(number=f"EX-{year}-{count + 1:04d}", created_by=actor)
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(batch=batch)
    audit_record(
        kind=AuditEvent.Kind.EXPORT, actor=actor, target=batch, action="batch_create", bookings=len(bookings)
    )
    return batch


def batch_rows(batch: ExportBatch) -> list[list]:
    bookings = batch.bookings.select_related("claim__exchange").order_by("number")
    return [
        [
            b.number,
            b.budget_year,
            b.cost_centre,
            b.payee,
            b.amount,
            b.claim.exchange.reference,
            timezone.localtime(b.claim.trip_start).strftime("%d.%m.%Y"),
        ]
        for b in bookings
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula (a payee named "=HYPERLINK(...)") gets a leading
    apostrophe, so it is shown as typed (OWASP "CSV injection"). Numbers and dates stay as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _german_decimal(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


def batch_csv(batch: ExportBatch) -> bytes:
    """Semicolon separated, decimal comma, UTF-8 with BOM: opens correctly in German spreadsheet programs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in batch_rows(batch):
        writer.writerow(
            [_german_decimal(cell) if isinstance(cell, Decimal) else spreadsheet_safe(cell) for cell in row]
        )
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def batch_xlsx(batch: ExportBatch) -> bytes:

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = batch.number
    sheet.append(COLUMNS)
    for row in batch_rows(batch):
        sheet.append([spreadsheet_safe(cell) for cell in row])
    for cell in sheet["E"][1:]:
        cell.number_format = "#,##0.00"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bookings_export_record(
    *, actor: User, request: Any = None, batch: ExportBatch | None = None, **details: Any
) -> None:
    """Bookings read by a machine (the REST API: what a finance system pulls) leave the portal as an
    export does; finance only, audited like a batch's download."""
    _finance_only(actor)
    audit_record(
        kind=AuditEvent.Kind.EXPORT,
        actor=actor,
        target=batch if batch is not None else "bookings",
        request=request,
        action="batch_read" if batch is not None else "bookings_read",
        **details,
    )


@transaction.atomic
def batch_mark_exported(*, batch: ExportBatch, actor: User, file_format: str = "") -> ExportBatch:
    """Freeze the batch: from now on its content never changes. Every download is audited."""
    _finance_only(actor)
    batch = ExportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.exported_at is None:
        batch.exported_at, batch.exported_by = timezone.now(), actor
        batch.save(update_fields=["exported_at", "exported_by"])
    audit_record(
        kind=AuditEvent.Kind.EXPORT, actor=actor, target=batch, action="batch_download", format=file_format
    )
    return batch


@transaction.atomic
def batch_mark_paid(*, batch: ExportBatch, actor: User) -> int:
    _finance_only(actor)
    batch = ExportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.exported_at is None:
        raise DomainError(_("Export the batch before marking it paid."))
    if batch.paid_at is not None:
        raise DomainError(_("This batch is already marked paid."))
    batch.paid_at, batch.paid_by = timezone.now(), actor
    batch.save(update_fields=["paid_at", "paid_by"])
    claims = list(
        TravelClaim.objects.select_for_update().filter(booking__batch=batch, status=ClaimStatus.BOOKED)
    )

    for claim in claims:
        claim.status = ClaimStatus.PAID
        version_advance(claim, actor=actor, fields=["status"])
        claim.save(update_fields=["status", "version"])
        claim_event_record(claim, actor, "paid", ClaimStatus.BOOKED, batch.number)
    return len(claims)
