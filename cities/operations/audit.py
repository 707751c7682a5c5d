"""Writing the security audit log. Every security-relevant action calls ``audit_record``."""

from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.http import HttpRequest

from cities.directory.models import User
from cities.operations.models import AuditEvent
from koopstadt.client_address import client_address

Kind = AuditEvent.Kind


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address; behind a trusted reverse proxy the one it forwards (TRUSTED_PROXIES)."""
    return client_address(request)


def target_label(obj: Model | None) -> str:
    if obj is None:
        return ""
    return f"{obj._meta.label_lower}:{obj.pk}"


def audit_record(
    *,
    kind: str,
    actor: User | None,
    subject: User | None = None,
    target: Model | str | None = None,
    request: HttpRequest | None = None,
    **details: Any,
) -> AuditEvent:
    """Append one event. ``actor`` is the person who acted; pass None only where no person did."""
    if actor is not None and not getattr(actor, "is_authenticated", True):
        actor = None
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        subject=subject,
        target=target if isinstance(target, str) else target_label(target),
        ip_address=client_ip(request),
        details=details,
    )


@transaction.atomic
def audit_purge_before(*, cutoff: datetime) -> int:
    """Delete events older than ``cutoff`` (retention). The only deletion the log allows."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL koopstadt.audit_purge = 'on'")
    # Bypasses the append-only queryset on purpose: raw delete of the expired rows only.
    expired = AuditEvent.objects.filter(occurred_at__lt=cutoff)
    return expired._raw_delete(expired.db)
