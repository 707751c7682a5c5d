"""Data protection, exchange part: what the requests, the cycle and the travel costs hold about a person.

Called by ``exchanges.privacy.people`` (export, anonymisation, retention); see docs/data-protection.md.
"""

from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cities.directory.models import User
from exchanges.cycle.models import (
    CLOSED_STATUSES,
    Attachment,
    Comment,
    ExchangeRequest,
    Invitation,
    Meeting,
    Reflection,
    RoutingDecision,
    TimelineEntry,
)
from exchanges.cycle.services.requests import DRAFT_FIELDS
from exchanges.notifications.models import Notification
from exchanges.privacy.tools import (
    Section,
    columns,
    files_delete_after_commit,
    label,
    rows_scrub,
    texts_redact,
    values,
)
from exchanges.travel.models import (
    Booking,
    ClaimEvent,
    ClaimItem,
    ClaimStatus,
    Receipt,
    TravelClaim,
    TripEvent,
    TripRequest,
)

REFLECTION_TEXTS = ["takeaway", "question", "learnt", "worked", "did_not_work", "follow_ups"]
CLAIM_TEXTS = ["origin", "destination", "purpose"]
# What a trip request's traveller wrote: the route, the purpose and the reasons.
TRIP_TEXTS = [
    "origin",
    "destination",
    "purpose",
    "means_note",
    "higher_class_reason",
    "car_interest_reason",
    "hotel_reason",
    "other_costs_note",
    "no_trip_reason",
]
ITEM_TEXTS = ["explanation", "reason"]
# Claims finance still has to decide, book or pay: the payment needs the traveller's name.
OPEN_CLAIM_STATUSES = [ClaimStatus.SUBMITTED, ClaimStatus.APPROVED, ClaimStatus.BOOKED]

# Free-text fields of the exchange part in which another person's name may appear.
MENTION_FIELDS: list[tuple[type, list[str]]] = [
    (ExchangeRequest, ["title", "need"]),
    (Comment, ["body"]),
    (TimelineEntry, ["comment"]),
    (Notification, ["subject", "body"]),
    (Invitation, ["message", "answer_note"]),
    (RoutingDecision, ["note"]),
    (Reflection, REFLECTION_TEXTS),
    (Meeting, ["address"]),
    (TravelClaim, [*CLAIM_TEXTS, "no_trip_reason"]),
    (TripRequest, [*TRIP_TEXTS[:-1], "supervisor_note", "cost_note"]),
    (TripEvent, ["comment", "actor_name"]),
    (ClaimItem, ["explanation", "reason", "reduction_reason"]),
    (ClaimEvent, ["comment"]),
    (Booking, ["payee"]),
    (Attachment, ["original_name"]),
    (Receipt, ["original_name"]),
]


def _ref(request: ExchangeRequest) -> str:
    return request.reference or str(_("Draft"))


def _claim_label(claim: TravelClaim) -> str:
    return f"{_ref(claim.exchange)} / {claim.pk}"


# --- export ----------------------------------------------------------------------------------------


def exchange_sections(*, person: User) -> list[Section]:
    """The exchange part of a person's data export: one query per section, none per row."""
    request_col = ("request", str(_("request")))
    claim_col = ("claim", str(_("travel claim")))
    sections: list[Section] = []

    request_fields = (
        "reference",
        "status",
        *DRAFT_FIELDS,
        "created_at",
        "submitted_at",
    )
    requests = (
        ExchangeRequest.objects.filter(requester=person)
        .select_related("requester_city", "requester_department")
        .prefetch_related("topics", "preferred_partner_cities")
        .order_by("created_at", "pk")
    )
    rows = []
    for request in requests:
        row = values(request, *request_fields)
        row["topics"] = [topic.name for topic in request.topics.all()]
        row["preferred_partner_cities"] = [city.name for city in request.preferred_partner_cities.all()]
        rows.append(row)
    sections.append(
        Section(
            "requests",
            str(_("Your C+R requests")),
            [
                *columns(ExchangeRequest, *request_fields),
                ("topics", label(ExchangeRequest, "topics")),
                ("preferred_partner_cities", label(ExchangeRequest, "preferred_partner_cities")),
            ],
            rows,
        )
    )

    attachment_fields = ("original_name", "content_type", "size", "uploaded_at")
    attachments = (
        Attachment.objects.filter(Q(request__requester=person) | Q(uploaded_by=person))
        .select_related("request")
        .order_by("uploaded_at", "pk")
    )
    sections.append(
        Section(
            "attachments",
            str(_("Attachments (file details only)")),
            [request_col, *columns(Attachment, *attachment_fields)],
            [{"request": _ref(a.request), **values(a, *attachment_fields)} for a in attachments],
        )
    )

    comments = Comment.objects.filter(author=person).select_related("request").order_by("created_at", "pk")
    sections.append(
        Section(
            "comments",
            str(_("Your comments")),
            [request_col, *columns(Comment, "body", "is_internal", "created_at")],
            [
                {"request": _ref(c.request), **values(c, "body", "is_internal", "created_at")}
                for c in comments
            ],
        )
    )

    entries = (
        TimelineEntry.objects.filter(actor=person).select_related("request").order_by("created_at", "pk")
    )
    sections.append(
        Section(
            "timeline",
            str(_("Steps you took")),
            [
                request_col,
                *columns(TimelineEntry, "action", "from_status", "to_status", "comment", "created_at"),
            ],
            [
                {
                    "request": _ref(e.request),
                    **values(e, "from_status", "to_status", "comment", "created_at"),
                    "action": e.action_label,
                }
                for e in entries
            ],
        )
    )

    invitations = (
        Invitation.objects.filter(Q(expert__user=person) | Q(proposed_by=person))
        .select_related("request", "expert")
        .order_by("created_at", "pk")
    )
    invitation_fields = ("status", "message", "answer_note", "created_at", "answered_at")
    sections.append(
        Section(
            "invitations",
            str(_("Invitations")),
            [request_col, ("part", str(_("your part"))), *columns(Invitation, *invitation_fields)],
            [
                {
                    "request": _ref(i.request),
                    "part": str(
                        _("invited expert") if i.expert.user_id == person.pk else _("proposed by you")
                    ),
                    **values(i, *invitation_fields),
                }
                for i in invitations
            ],
        )
    )

    meetings = (
        Meeting.objects.filter(Q(participants=person) | Q(travellers=person))
        .distinct()
        .select_related("request", "city")
        .prefetch_related("travellers")
        .order_by("starts_at", "pk")
    )
    meeting_fields = ("starts_at", "ends_at", "address", "video_link", "format", "is_cancelled")
    sections.append(
        Section(
            "meetings",
            str(_("Meetings")),
            [
                request_col,
                *columns(Meeting, *meeting_fields),
                ("city", label(Meeting, "city")),
                ("travels", str(_("you travel"))),
            ],
            [
                {
                    "request": _ref(m.request),
                    **values(m, *meeting_fields),
                    "city": str(m.city or ""),
                    "travels": any(t.pk == person.pk for t in m.travellers.all()),
                }
                for m in meetings
            ],
        )
    )

    reflection_fields = (*REFLECTION_TEXTS, "would_recommend", "is_internal", "created_at")
    reflections = Reflection.objects.filter(author=person).select_related("request").order_by("created_at")
    sections.append(
        Section(
            "reflections",
            str(_("Your reflections")),
            [request_col, *columns(Reflection, *reflection_fields)],
            [{"request": _ref(r.request), **values(r, *reflection_fields)} for r in reflections],
        )
    )

    notifications = Notification.objects.filter(recipient=person).order_by("created_at", "pk")
    notification_fields = ("subject", "body", "created_at", "read_at")
    sections.append(
        Section(
            "notifications",
            str(_("Notifications")),
            columns(Notification, *notification_fields),
            [values(n, *notification_fields) for n in notifications],
        )
    )

    claims = list(
        TravelClaim.objects.filter(Q(traveller=person) | Q(submitted_by=person))
        .select_related("exchange", "traveller")
        .order_by("created_at", "pk")
    )
    claim_fields = (
        "status",
        "trip_start",
        "trip_end",
        "origin",
        "destination",
        "purpose",
        "meals",
        "flat_nights",
        "car_km",
        "local_transport",
        "calculated_total",
        "filed_late",
        "submitted_at",
        "decided_at",
    )
    sections.append(
        Section(
            "travel_claims",
            str(_("Travel claims")),
            [claim_col, ("traveller", label(TravelClaim, "traveller")), *columns(TravelClaim, *claim_fields)],
            [
                {"claim": _claim_label(c), "traveller": c.traveller.display_name, **values(c, *claim_fields)}
                for c in claims
            ],
        )
    )
    trips = list(
        TripRequest.objects.filter(
            Q(traveller=person)
            | Q(filed_by=person)
            | Q(supervisor=person)
            | Q(supervisor_email__iexact=person.email)
        )
        .select_related("exchange", "traveller")
        .order_by("created_at", "pk")
    )
    trip_fields = (
        "status",
        "purpose",
        "origin",
        "destination",
        "starts_at",
        "ends_at",
        "means",
        "car_km",
        "car_interest_reason",
        "higher_class_reason",
        "hotel_reason",
        "estimated_total",
        "supervisor_name",
        "supervisor_email",
        "supervisor_decision",
        "supervisor_decided_at",
        "supervisor_note",
        "cost_decision",
        "cost_decided_at",
        "cost_note",
        "submitted_at",
        "approved_at",
    )
    sections.append(
        Section(
            "trip_requests",
            str(_("Trip requests")),
            [claim_col, ("traveller", label(TripRequest, "traveller")), *columns(TripRequest, *trip_fields)],
            [
                {
                    "claim": f"{_ref(t.exchange)} / {t.pk}",
                    "traveller": t.traveller.display_name,
                    **values(t, *trip_fields),
                }
                for t in trips
            ],
        )
    )
    claim_ids = [c.pk for c in claims]
    item_fields = (
        "kind",
        "amount",
        "night_of",
        "explanation",
        "higher_class",
        "scheduled_hours",
        "breakfast_included",
        "reason",
        "reduced_to",
        "reduction_reason",
    )
    items = ClaimItem.objects.filter(claim_id__in=claim_ids).select_related("claim__exchange").order_by("pk")
    sections.append(
        Section(
            "claim_items",
            str(_("Items of the travel claims")),
            [claim_col, *columns(ClaimItem, *item_fields)],
            [{"claim": _claim_label(i.claim), **values(i, *item_fields)} for i in items],
        )
    )
    receipt_fields = ("original_name", "content_type", "size", "uploaded_at")
    receipts = Receipt.objects.filter(claim_id__in=claim_ids).select_related("claim__exchange").order_by("pk")
    sections.append(
        Section(
            "receipts",
            str(_("Receipts (file details only)")),
            [claim_col, *columns(Receipt, *receipt_fields)],
            [{"claim": _claim_label(r.claim), **values(r, *receipt_fields)} for r in receipts],
        )
    )
    booking_fields = ("number", "budget_year", "cost_centre", "payee", "amount", "created_at")
    bookings = Booking.objects.filter(claim_id__in=claim_ids).select_related("claim__exchange").order_by("pk")
    sections.append(
        Section(
            "bookings",
            str(_("Bookings")),
            [claim_col, *columns(Booking, *booking_fields)],
            [{"claim": _claim_label(b.claim), **values(b, *booking_fields)} for b in bookings],
        )
    )
    return sections


# --- anonymisation ---------------------------------------------------------------------------------


def open_claims_count(*, person: User) -> int:
    return TravelClaim.objects.filter(traveller=person, status__in=OPEN_CLAIM_STATUSES).count()


def _attachments_delete(attachments: Any) -> int:
    stored = [(a.file.storage, a.file.name) for a in attachments.only("pk", "file")]
    count = attachments.delete()[0] if stored else 0
    files_delete_after_commit(stored)
    return count


def exchange_data_anonymise(
    *, person: User, replacements: list[tuple[str, str]], new_name: str, new_email: str
) -> dict[str, int]:
    """Replace what the person wrote by ``REDACTED`` and their name elsewhere; amounts and numbers stay."""
    counts: dict[str, int] = {}
    own_requests = ExchangeRequest.objects.filter(requester=person)
    counts["requests"] = texts_redact(own_requests, ["title", "need"])
    counts["attachments"] = _attachments_delete(Attachment.objects.filter(request__requester=person))
    counts["comments"] = texts_redact(Comment.objects.filter(author=person), ["body"])
    counts["timeline"] = texts_redact(TimelineEntry.objects.filter(actor=person), ["comment"])
    counts["invitations"] = texts_redact(
        Invitation.objects.filter(expert__user=person), ["answer_note"]
    ) + texts_redact(Invitation.objects.filter(proposed_by=person), ["message"])
    counts["reflections"] = texts_redact(Reflection.objects.filter(author=person), REFLECTION_TEXTS)
    claims = TravelClaim.objects.filter(traveller=person)
    counts["claims"] = texts_redact(claims, [*CLAIM_TEXTS, "no_trip_reason"])
    counts["trips"] = texts_redact(TripRequest.objects.filter(traveller=person), TRIP_TEXTS[:-1])
    # As the supervisor without an account: their name and address on the trips they decided go.
    counts["trips"] += TripRequest.objects.filter(supervisor_email__iexact=person.email).update(
        supervisor_name=new_name, supervisor_email=new_email
    )
    counts["trip_events"] = texts_redact(TripEvent.objects.filter(actor=person), ["comment"])
    counts["claim_items"] = texts_redact(ClaimItem.objects.filter(claim__traveller=person), ITEM_TEXTS)
    counts["claim_events"] = texts_redact(ClaimEvent.objects.filter(actor=person), ["comment"])
    # Receipts stay (accounting retention, RETENTION_RECEIPT_YEARS); only their file names go.
    receipts = list(Receipt.objects.filter(claim__traveller=person).only("pk", "original_name"))
    for receipt in receipts:
        receipt.original_name = f"Beleg {receipt.pk}{PurePath(receipt.original_name).suffix.lower()[:10]}"
    Receipt.objects.bulk_update(receipts, ["original_name"])
    counts["receipts"] = len(receipts)
    counts["bookings"] = Booking.objects.filter(claim__traveller=person).update(payee=new_name)
    counts["notifications"] = Notification.objects.filter(recipient=person).delete()[0]
    mentions = 0
    for model, fields in MENTION_FIELDS:
        mentions += rows_scrub(model._base_manager.all(), fields, replacements)
    counts["mentions"] = mentions
    return counts


# --- retention -------------------------------------------------------------------------------------


def closed_requests_expire(*, before: datetime) -> int:
    """Anonymise the case texts of requests closed before ``before``; returns rows changed.

    Title, topics, dates and the reflections stay: they are the network's knowledge base and its
    statistics. The need, comments, step comments, messages, routing notes, the meeting address and
    notifications go; attachments are deleted.
    """
    expired = ExchangeRequest.objects.filter(status__in=CLOSED_STATUSES).filter(
        Q(status_changed_at__lt=before) | Q(status_changed_at__isnull=True, updated_at__lt=before)
    )
    ids = list(expired.values_list("pk", flat=True))
    if not ids:
        return 0
    changed = texts_redact(ExchangeRequest.objects.filter(pk__in=ids), ["need"])
    changed += texts_redact(Comment.objects.filter(request_id__in=ids), ["body"])
    changed += texts_redact(TimelineEntry.objects.filter(request_id__in=ids), ["comment"])
    changed += texts_redact(Invitation.objects.filter(request_id__in=ids), ["message", "answer_note"])
    changed += texts_redact(RoutingDecision.objects.filter(request_id__in=ids), ["note"])
    meetings = Meeting.objects.filter(request_id__in=ids)
    changed += texts_redact(meetings, ["address"])
    changed += meetings.exclude(video_link="").update(video_link="")
    changed += _attachments_delete(Attachment.objects.filter(request_id__in=ids))
    changed += Notification.objects.filter(request_id__in=ids).delete()[0]
    return changed


def receipts_expire(*, today: date) -> tuple[int, int]:
    """Delete receipt files whose accounting retention has ended; anonymise those claims' texts.

    The period runs RETENTION_RECEIPT_YEARS full years after the end of the year of booking (claims
    never booked: the year they were created). Returns (receipts deleted, claim rows anonymised).
    """
    last_year = today.year - settings.RETENTION_RECEIPT_YEARS - 1
    expired = TravelClaim.objects.filter(
        Q(booking__budget_year__lte=last_year) | Q(booking__isnull=True, created_at__year__lte=last_year)
    ).exclude(status__in=[ClaimStatus.SUBMITTED, ClaimStatus.APPROVED])
    ids = list(expired.values_list("pk", flat=True))
    if not ids:
        return 0, 0
    receipts = Receipt.objects.filter(claim_id__in=ids)
    stored = [(r.file.storage, r.file.name) for r in receipts.only("pk", "file")]
    deleted = receipts.delete()[0] if stored else 0
    files_delete_after_commit(stored)
    claims = texts_redact(TravelClaim.objects.filter(pk__in=ids), CLAIM_TEXTS)
    claims += texts_redact(ClaimItem.objects.filter(claim_id__in=ids), [*ITEM_TEXTS, "reduction_reason"])
    claims += texts_redact(ClaimEvent.objects.filter(claim_id__in=ids), ["comment"])
    return deleted, claims
