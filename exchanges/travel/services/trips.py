"""Business trips approved before they happen (Dienstreiseantrag, docs/travel-costs.md "Trip request").

A traveller of an agreed or scheduled exchange files the trip: purpose, route, dates, the means of
transport with the reasons the rate set asks for, and the costs estimated by the same calculator as the
claim. Two approvals follow, in either order and both recorded: the traveller's supervisor approves the
business trip (BRKG § 2 (1); SächsRKG § 2, BayRKG Art. 2 alike) — in the portal or, without an account,
through a signed, single-use, expiring e-mail link — and koopstadt's coordination confirms that koopstadt
covers the costs, checked against the budget under its lock; the estimate then becomes a commitment.
Nobody approves a trip they travel on or entered, and the two approvals are given by two people.
After the trip the claim is created from the approved trip (``claim_from_trip``).
"""

import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator
from cities.mail.services import email_queue
from cities.operations.audit import audit_record
from cities.operations.models import AuditEvent
from cities.records.versions import changed_fields, version_advance, version_check
from exchanges.cycle.facts import current_meeting
from exchanges.cycle.models import ExchangeRequest
from exchanges.notifications.services import notify
from exchanges.travel.models import (
    ClaimStatus,
    Commitment,
    Decision,
    DecisionChannel,
    RateSet,
    TravelClaim,
    TripEvent,
    TripMeans,
    TripRequest,
    TripStatus,
)
from exchanges.travel.rules import (
    TRIP_EXCHANGE_STATUSES,
    TRIP_OPEN_STATUSES,
    is_own_trip,
    is_trip_supervisor,
    may_cancel_trip,
    may_claim_from_trip,
    may_decide_as_supervisor,
    may_decide_trip_costs,
    may_edit_trip,
    may_file_trip,
    may_resend_trip_link,
    may_travel_for,
    supervisor_link_decision_possible,
    trip_has_begun,
)
from exchanges.travel.services.budget import budget_check_locked, commitment_make, commitment_release
from exchanges.travel.services.claims import (
    MAX_TRIP_DAYS,
    ShownCalculation,
    amount_error,
    car_km_error,
    claim_check_allowed,
    claim_event_record,
    filing_deadline,
)
from exchanges.travel.services.rates import rate_set_for
from exchanges.travel.services.travel_calculator import (
    Calculation,
    Line,
    Night,
    RailTicket,
    Trip,
    calculate,
)
from koopstadt.errors import DomainError, NotPermitted, TransitionNotAllowed
from koopstadt.plain_text import render_plain, render_subject

LINK_SALT = "exchanges.trip-approval"
LINK_MAX_AGE = timedelta(days=14)
# A submitted trip the supervisor has not decided on is reminded after this many days, once per link.
REMINDER_DAYS = 3

# What the traveller enters (the form's and the API's fields).
TRIP_FIELDS = (
    "purpose",
    "origin",
    "destination",
    "starts_at",
    "ends_at",
    "means",
    "means_note",
    "fare",
    "higher_class",
    "scheduled_hours",
    "higher_class_reason",
    "car_km",
    "car_interest",
    "car_interest_reason",
    "hotel_nights",
    "hotel_price",
    "hotel_reason",
    "other_costs",
    "other_costs_note",
    "cost_centre",
    "supervisor",
    "supervisor_name",
    "supervisor_email",
)


# --- the trip as entered ----------------------------------------------------------------------------------


def trip_defaults(*, exchange: ExchangeRequest, traveller: User) -> dict[str, Any]:
    """What the trip form starts with: purpose from the request, dates and place from the meeting when it
    is set, the traveller's home city as the origin, the cost centre and the traveller's supervisor."""
    meeting = current_meeting(exchange)
    defaults: dict[str, Any] = {
        "purpose": f"C+R {exchange.reference}: {exchange.title}"[:300],
        "origin": traveller.home_city.name if traveller.home_city_id else "",
        "means": TripMeans.RAIL,
        "cost_centre": settings.TRAVEL_COST_CENTRE,
    }
    if meeting is not None:
        place = ", ".join(
            part for part in (meeting.city.name if meeting.city_id else "", meeting.address) if part
        )
        defaults.update(
            destination=place[:200],
            starts_at=timezone.localtime(meeting.starts_at),
            ends_at=timezone.localtime(meeting.ends_at),
        )
    if traveller.supervisor_id:
        supervisor = traveller.supervisor
        defaults.update(
            supervisor=supervisor, supervisor_name=supervisor.display_name, supervisor_email=supervisor.email
        )
    return defaults


def trip_rate_set(trip: TripRequest) -> RateSet:
    """The rate set of the traveller's home city valid on the trip's first day, as for the claim."""
    return rate_set_for(city=trip.traveller.home_city, day=timezone.localtime(trip.starts_at).date())


def trip_planned(trip: TripRequest) -> Trip:
    """The planned trip as calculator input. The estimate assumes that the reasons given on the trip are
    accepted: approving the trip accepts them (a first class, a hotel above the limit, the car's interest)."""
    nights = tuple(
        Night(hotel_cost=trip.hotel_price, excess_reason_accepted=bool(trip.hotel_reason.strip()))
        for _night in range(trip.hotel_nights)
    )
    rail = ()
    if trip.fare:
        rail = (
            RailTicket(
                price=trip.fare,
                higher_class=trip.higher_class,
                scheduled_hours=trip.scheduled_hours,
                reason_accepted=bool(trip.higher_class_reason.strip()),
            ),
        )
    other = ((trip.other_costs_note or _("other costs"), trip.other_costs),) if trip.other_costs else ()
    return Trip(
        start=timezone.localtime(trip.starts_at),
        end=timezone.localtime(trip.ends_at),
        nights=nights,
        rail=rail,
        car_km=trip.car_km if trip.means == TripMeans.CAR else Decimal("0"),
        car_interest_recorded=trip.car_interest,
        other=other,
    )


def trip_estimate(trip: TripRequest) -> Calculation:
    return calculate(trip_planned(trip), trip_rate_set(trip).to_rates())


# A trip whose estimate was submitted is shown as the approvals saw it (its snapshot); a draft or a returned
# trip as it is calculated now.
SNAPSHOT_STATUSES = frozenset(
    {TripStatus.SUBMITTED, TripStatus.APPROVED, TripStatus.REFUSED, TripStatus.CANCELLED}
)


def trip_shown_estimate(trip: TripRequest) -> ShownCalculation:
    """What the trip page shows: the estimate the supervisor and the coordination decide (decided) on, as
    stored on submission; a draft or returned trip calculated now. Raises DomainError/ValueError when the
    trip cannot be calculated (no rate set for the traveller's city, say)."""
    stored = trip.estimate_snapshot
    if trip.status in SNAPSHOT_STATUSES and stored:
        return ShownCalculation(
            lines=tuple(
                Line(line["kind"], line["text"], line["legal_basis"], Decimal(line["amount"]))
                for line in stored["lines"]
            ),
            total=Decimal(stored["total"]),
            legal_basis=stored["legal_basis"],
            to_be_confirmed=bool(stored.get("to_be_confirmed")),
            snapshot=True,
            taken_at=datetime.fromisoformat(stored["taken_at"]),
        )
    calculation, rate_set = trip_estimate(trip), trip_rate_set(trip)
    return ShownCalculation(
        lines=calculation.lines,
        total=calculation.total,
        legal_basis=rate_set.legal_basis,
        to_be_confirmed=rate_set.to_be_confirmed,
        snapshot=False,
    )


def _estimate_snapshot(trip: TripRequest, calculation: Calculation) -> dict[str, Any]:
    rate_set = trip_rate_set(trip)
    return {
        "taken_at": timezone.now().isoformat(),
        "legal_basis": rate_set.legal_basis,
        "total": str(calculation.total),
        "lines": [
            {
                "kind": line.kind,
                "text": line.text,
                "legal_basis": line.legal_basis,
                "amount": str(line.amount),
            }
            for line in calculation.lines
        ],
    }


def _field_errors(data: dict[str, Any], trip: TripRequest | None = None) -> dict[str, list[str]]:
    """What is wrong with the values themselves (checked on every save; a draft may still be incomplete)."""

    def value(name: str) -> Any:
        return data[name] if name in data else getattr(trip, name, None)

    errors: dict[str, list[str]] = {}
    start, end = value("starts_at"), value("ends_at")
    if start and end:
        if end <= start:
            errors["ends_at"] = [_("The trip must end after it begins.")]
        elif end - start > timedelta(days=MAX_TRIP_DAYS):
            errors["ends_at"] = [
                _("A trip of more than %(days)d days cannot be requested here; please ask the coordination.")
                % {"days": MAX_TRIP_DAYS}
            ]
    for name in ("fare", "hotel_price", "other_costs"):
        message = amount_error(value(name), allow_zero=True)
        if message:
            errors[name] = [message]
    message = car_km_error(value("car_km"))
    if message:
        errors["car_km"] = [message]
    nights = value("hotel_nights") or 0
    if start and end and end > start and nights > max((end.date() - start.date()).days, 0):
        errors["hotel_nights"] = [_("The trip has fewer nights than that.")]
    return errors


def _supervisor_fields(data: dict[str, Any], traveller: User) -> dict[str, Any]:
    """A supervisor chosen from the directory brings their name and address; a typed address of a person
    in the directory is linked to that person."""
    data = dict(data)
    supervisor = data.get("supervisor")
    if supervisor is None and data.get("supervisor_email"):
        supervisor = User.objects.filter(email__iexact=data["supervisor_email"].strip()).first()
        data["supervisor"] = supervisor
    if supervisor is not None:
        if supervisor.pk == traveller.pk:
            raise ValidationError(
                {"supervisor": [_("Nobody approves their own trip: please name your supervisor.")]}
            )
        if supervisor.home_city_id != traveller.home_city_id:
            city = traveller.home_city.name if traveller.home_city_id else "–"
            raise ValidationError(
                {
                    "supervisor": [
                        _("The supervisor must be a person of your city (%(city)s).") % {"city": city}
                    ]
                }
            )
        data["supervisor_name"] = supervisor.display_name
        data["supervisor_email"] = supervisor.email
    return data


def trip_event_record(
    trip: TripRequest,
    actor: User | None,
    action: str,
    from_status: str,
    comment: str = "",
    actor_name: str = "",
) -> TripEvent:
    return TripEvent.objects.create(
        trip=trip,
        actor=actor,
        actor_name=actor_name,
        action=action,
        from_status=from_status,
        to_status=trip.status,
        comment=comment,
    )


def trip_file_check(*, actor: User, exchange: ExchangeRequest) -> None:
    """Raise the reason why ``actor`` files no trip for ``exchange`` (``rules.may_file_trip``) — the
    request page's link and the trip form ask it before showing the form."""
    if not may_file_trip(actor, exchange):
        if exchange.status not in TRIP_EXCHANGE_STATUSES:
            raise TransitionNotAllowed(
                _(
                    "A business trip is requested once an expert has agreed and before the exchange takes place."
                )
            )
        raise NotPermitted(_("Only the travellers of the exchange request their trips."))


@transaction.atomic
def trip_create(
    *, exchange: ExchangeRequest, traveller: User, actor: User, data: dict[str, Any]
) -> TripRequest:
    """A new draft trip request of ``traveller`` (entered by ``actor``: the traveller or the coordination)."""
    trip_file_check(actor=actor, exchange=exchange)
    if actor.pk != traveller.pk and not is_coordinator(actor):
        raise NotPermitted(_("You can only request your own trip."))
    if not may_travel_for(traveller, exchange):
        raise DomainError(
            _("%(name)s does not take part in this exchange.") % {"name": traveller.display_name},
            field="traveller",
        )
    existing = TripRequest.objects.filter(
        exchange=exchange, traveller=traveller, status__in=TRIP_OPEN_STATUSES | {TripStatus.APPROVED}
    ).first()
    if existing is not None:
        raise DomainError(
            _("%(name)s already has a trip request for this exchange (%(status)s).")
            % {"name": traveller.display_name, "status": existing.get_status_display()}
        )
    data = _supervisor_fields({**trip_defaults(exchange=exchange, traveller=traveller), **data}, traveller)
    errors = _field_errors(data)
    if errors:
        raise ValidationError(errors)
    trip = TripRequest(exchange=exchange, traveller=traveller, filed_by=actor, **data)
    trip.estimated_total = trip_estimate(trip).total
    trip.full_clean()
    trip.save()
    trip_event_record(trip, actor, "create", "")
    return trip


def _locked(trip_id: int) -> TripRequest:
    return (
        TripRequest.objects.select_for_update(of=("self",))
        .select_related("traveller__home_city")
        .get(pk=trip_id)
    )


def trip_edit_check(*, actor: User, trip: TripRequest) -> None:
    """Raise the reason why ``actor`` does not change ``trip`` (``rules.may_edit_trip``)."""
    _editable(trip, actor)


def _editable(trip: TripRequest, actor: User) -> None:
    if may_edit_trip(actor, trip):
        return
    if not is_own_trip(actor, trip):
        raise NotPermitted(_("Only the traveller changes the trip request."))
    raise TransitionNotAllowed(
        _("The trip request is '%(status)s' and can no longer be changed.")
        % {"status": trip.get_status_display()}
    )


@transaction.atomic
def trip_update(
    *, trip: TripRequest, actor: User, data: dict[str, Any], expected_version: int | None = None
) -> TripRequest:
    trip = _locked(trip.pk)
    _editable(trip, actor)
    version_check(trip, expected_version)
    data = _supervisor_fields(data, trip.traveller)
    errors = _field_errors(data, trip)
    if errors:
        raise ValidationError(errors)
    changed = changed_fields(trip, data)
    for name, new in data.items():
        setattr(trip, name, new)
    trip.estimated_total = trip_estimate(trip).total
    trip.full_clean()
    if changed:
        version_advance(trip, actor=actor, fields=changed)
    trip.save()
    return trip


def trip_preview(
    *, trip: TripRequest | None, exchange: ExchangeRequest, traveller: User, data: dict[str, Any]
) -> Calculation:
    """The estimate of the trip as typed, nothing saved (the form recalculates while it is filled in)."""
    values = {**(trip_defaults(exchange=exchange, traveller=traveller) if trip is None else {}), **data}
    errors = _field_errors(values, trip)
    if errors:
        raise ValidationError(errors)
    planned = TripRequest(exchange=exchange, traveller=traveller, filed_by=traveller)
    if trip is not None:
        for name in TRIP_FIELDS:
            setattr(planned, name, getattr(trip, name))
    for name, new in values.items():
        if name in TRIP_FIELDS and name != "supervisor":
            setattr(planned, name, new)
    return trip_estimate(planned)


def trip_submission_errors(trip: TripRequest, *, now=None) -> dict[str, list[str]]:
    """What must be there before the supervisor and the coordination decide. Each message stands next to
    its field; the reasons are those the rate set asks for."""
    now = now or timezone.now()
    errors = _field_errors({}, trip)
    rates = trip_rate_set(trip)
    if trip.starts_at <= now:
        errors.setdefault("starts_at", []).append(
            _(
                "A business trip is approved before it begins. For a trip already made, claim the costs and "
                "give the reason why it was not requested here."
            )
        )
    for name, label in (
        ("purpose", _("Please give the purpose of the trip.")),
        ("origin", _("Please say where the trip starts.")),
        ("destination", _("Please give the destination.")),
        ("cost_centre", _("Please give the cost centre.")),
        ("supervisor_name", _("Please name your supervisor, who approves the trip.")),
        (
            "supervisor_email",
            _("Please give your supervisor's e-mail address: the approval link is sent there."),
        ),
    ):
        if not str(getattr(trip, name) or "").strip():
            errors.setdefault(name, []).append(label)
    own_addresses = {trip.traveller.email.lower(), trip.filed_by.email.lower()}
    if trip.supervisor_email and trip.supervisor_email.lower() in own_addresses:
        errors.setdefault("supervisor_email", []).append(
            _("Nobody approves their own trip: please name your supervisor.")
        )
    if trip.means == TripMeans.OTHER and not trip.means_note.strip():
        errors.setdefault("means_note", []).append(_("Please explain how you travel."))
    if trip.means == TripMeans.CAR:
        if not trip.car_km:
            errors.setdefault("car_km", []).append(_("Please give the kilometres of the return journey."))
        if trip.car_interest and not trip.car_interest_reason.strip():
            errors.setdefault("car_interest_reason", []).append(
                _(
                    "Please give the official reason for using the car (BRKG § 5 (2)); the supervisor decides on it."
                )
            )
    elif trip.car_interest:
        errors.setdefault("car_interest", []).append(
            _("The official interest concerns travelling by private car only.")
        )
    if trip.higher_class and not trip.higher_class_reason.strip():
        minimum = rates.higher_class_min_hours
        if minimum is None or trip.scheduled_hours < minimum:
            errors.setdefault("higher_class_reason", []).append(
                _("First class needs a reason here (the scheduled journey is shorter than %(hours)s hours).")
                % {"hours": formats.number_format(minimum, 1) if minimum is not None else "–"}
                if minimum is not None
                else _("First class needs a reason under this travel-expenses law.")
            )
    if (
        trip.hotel_nights
        and rates.hotel_limit is not None
        and trip.hotel_price > rates.hotel_limit
        and not trip.hotel_reason.strip()
    ):
        errors.setdefault("hotel_reason", []).append(
            _("The hotel costs more than %(limit)s € a night: please give the reason.")
            % {"limit": formats.number_format(rates.hotel_limit, 2)}
        )
    if trip.other_costs and not trip.other_costs_note.strip():
        errors.setdefault("other_costs_note", []).append(_("Please say what the other costs are."))
    return errors


# --- the approval link for a supervisor without an account ------------------------------------------------


def trip_link(trip: TripRequest) -> str:
    token = signing.dumps({"trip": trip.pk, "nonce": trip.link_nonce}, salt=LINK_SALT)
    return settings.SITE_URL + reverse("exchanges:trip_approval_link", kwargs={"token": token})


INVALID_LINK = _(
    "This link is not valid. Please use the link from the e-mail; the traveller can have a new one sent."
)


def trip_from_token(token: str) -> tuple[TripRequest, str]:
    """The trip a link is for and the link's nonce. Raises DomainError for a tampered or expired link."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    except signing.SignatureExpired as error:
        raise DomainError(
            _("This link has expired (links are valid for 14 days). The traveller can have a new one sent.")
        ) from error
    except signing.BadSignature as error:
        raise DomainError(str(INVALID_LINK)) from error
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("trip"), int)
        or not isinstance(data.get("nonce"), str)
    ):
        raise DomainError(str(INVALID_LINK))
    trip = (
        TripRequest.objects.select_related("traveller__home_city", "exchange", "filed_by")
        .filter(pk=data["trip"])
        .first()
    )
    if trip is None:
        raise DomainError(_("This trip request no longer exists."))
    return trip, data["nonce"]


def link_still_usable(trip: TripRequest, nonce: str) -> bool:
    """A link works once: after a decision, a new submission or a new link its nonce no longer matches."""
    return (
        bool(nonce)
        and secrets.compare_digest(nonce, trip.link_nonce or "")
        and supervisor_link_decision_possible(trip)
    )


def _mail_supervisor(trip: TripRequest, template: str, key: str) -> None:
    """The supervisor's e-mail with the approval link: a notification when they are in the directory,
    otherwise a plain e-mail to the address given (in German, the portal's language)."""
    context = {"trip": trip, "link": trip_link(trip), "link_days": LINK_MAX_AGE.days}
    if trip.supervisor_id is not None and trip.supervisor.is_active:
        notify(
            key=key,
            recipients=[trip.supervisor],
            template=template,
            request=trip.exchange,
            context=context,
            immediate=True,
        )
        return
    base = {"request": trip.exchange, "site_url": settings.SITE_URL, "recipient": None, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_subject(f"exchanges/email/{template}_subject.txt", base)
        body = render_plain(f"exchanges/email/{template}_body.txt", base)
    email_queue(key=f"{key}:address", to_address=trip.supervisor_email, subject=subject, body=body)


def _tell_traveller(trip: TripRequest, event: TripEvent) -> None:
    people = {trip.traveller_id: trip.traveller, trip.filed_by_id: trip.filed_by}
    notify(
        key=f"trip-event:{event.pk}",
        recipients=[person for pk, person in people.items() if pk != event.actor_id],
        template="trip_decision",
        request=trip.exchange,
        context={"trip": trip, "event": event},
    )


# --- submission and the two approvals ---------------------------------------------------------------------


def trip_submit(*, trip_id: int, actor: User, expected_version: int | None = None) -> TripRequest:
    """Submit (or resubmit a returned trip): complete, estimated, both approvals asked for anew."""
    with transaction.atomic():
        trip = _locked(trip_id)
        _editable(trip, actor)
        version_check(trip, expected_version)
        errors = trip_submission_errors(trip)
        if errors:
            raise ValidationError(errors)
        from_status = trip.status
        calculation = trip_estimate(trip)
        trip.estimated_total = calculation.total
        trip.estimate_snapshot = _estimate_snapshot(trip, calculation)
        trip.status = TripStatus.SUBMITTED
        trip.submitted_at = timezone.now()
        trip.link_nonce = secrets.token_hex(16)
        for prefix in ("supervisor", "cost"):
            setattr(trip, f"{prefix}_decision", "")
            setattr(trip, f"{prefix}_decided_at", None)
            setattr(trip, f"{prefix}_decided_by", None)
            setattr(trip, f"{prefix}_note", "")
        trip.supervisor_channel = ""
        trip.budget_override = False
        version_advance(trip, actor=actor, fields=["status"])
        trip.full_clean()
        trip.save()
        event = trip_event_record(trip, actor, "submit", from_status)
        _mail_supervisor(trip, "trip_approval", f"trip-approval:{trip.pk}:{trip.link_nonce}")
        notify(
            key=f"trip-submitted:{event.pk}",
            recipients=[
                person
                for person in User.objects.active().with_role(Role.COORDINATOR)
                if person.pk not in {trip.traveller_id, trip.filed_by_id}
            ],
            template="trip_submitted",
            request=trip.exchange,
            context={"trip": trip},
        )
    return trip


def _decision_reason(decision: str, note: str) -> str:
    note = (note or "").strip()
    if decision not in Decision.values:
        raise DomainError(_("Please choose a decision."), field="decision")
    if decision != Decision.APPROVED and not note:
        raise DomainError(_("Please give the reason; the traveller reads it."), field="note")
    return note


def _after_decision(trip: TripRequest, decision: str, actor: User | None) -> None:
    """A refusal closes the trip, a return sends it back to the traveller (both release a commitment made
    already); two approvals approve it."""
    if decision == Decision.REFUSED:
        trip.status = TripStatus.REFUSED
        commitment_release(trip_id=trip.pk, reason=Commitment.Release.REFUSED)
    elif decision == Decision.RETURNED:
        trip.status = TripStatus.RETURNED
        commitment_release(trip_id=trip.pk, reason=Commitment.Release.RETURNED)
    if trip.status != TripStatus.SUBMITTED:
        trip.link_nonce = ""  # no link decides on a trip that is not awaiting decisions
    elif trip.supervisor_decision == Decision.APPROVED and trip.cost_decision == Decision.APPROVED:
        trip.status = TripStatus.APPROVED
        trip.approved_at = timezone.now()


def _audit(trip: TripRequest, actor: User | None, decision: str, who: str, **details: Any) -> None:
    audit_record(
        kind=AuditEvent.Kind.TRIP_DECISION,
        actor=actor,
        subject=trip.traveller,
        target=trip,
        decision=f"{who}:{decision}",
        **details,
    )


def trip_supervisor_decide(
    *,
    trip_id: int,
    decision: str,
    note: str = "",
    actor: User | None,
    link_nonce: str = "",
    expected_version: int | None = None,
) -> TripRequest:
    """The supervisor approves the business trip, returns it for changes or refuses it — once.

    ``actor`` is the supervisor signed in to the portal; None means the decision came through the e-mail
    link (``link_nonce`` from the link): the link is the key, used once, and the decision records the name
    and address it was sent to.
    """
    note = _decision_reason(decision, note)
    with transaction.atomic():
        trip = _locked(trip_id)
        if actor is None:
            if not link_still_usable(trip, link_nonce):
                raise TransitionNotAllowed(
                    _(
                        "This link has already been used or replaced, or the trip no longer awaits your decision."
                    )
                )
            channel = DecisionChannel.LINK
        else:
            if not may_decide_as_supervisor(actor, trip):
                if is_own_trip(actor, trip):
                    raise NotPermitted(_("Four-eyes principle: nobody approves their own trip."))
                if not is_trip_supervisor(actor, trip):
                    raise NotPermitted(_("Only the supervisor named on the trip request approves the trip."))
                raise TransitionNotAllowed(_("The trip does not await the supervisor's decision."))
            channel = DecisionChannel.PORTAL
        version_check(trip, expected_version)
        from_status = trip.status
        trip.supervisor_decision = decision
        trip.supervisor_decided_at = timezone.now()
        trip.supervisor_decided_by = actor
        trip.supervisor_channel = channel
        trip.supervisor_note = note
        trip.link_nonce = ""  # used: the link decides once
        _after_decision(trip, decision, actor)
        version_advance(trip, actor=actor, fields=["decision"])
        trip.save()
        actor_name = "" if actor is not None else f"{trip.supervisor_name} <{trip.supervisor_email}>"
        event = trip_event_record(
            trip, actor, f"supervisor_{decision}", from_status, note, actor_name=actor_name
        )
        if trip.status == TripStatus.APPROVED:
            trip_event_record(trip, None, "approved", from_status)
        _audit(trip, actor, decision, "supervisor", channel=channel, supervisor=trip.supervisor_email)
        _tell_traveller(trip, event)
    return trip


def trip_cost_decide(
    *,
    trip_id: int,
    decision: str,
    actor: User,
    note: str = "",
    confirm_over_budget: bool = False,
    expected_version: int | None = None,
) -> TripRequest:
    """koopstadt's coordination confirms that koopstadt covers the estimated costs (Kostenübernahme), returns
    the trip or refuses — once. Confirming commits the estimate on the budget of the trip's year, checked
    under the budget's lock: beyond the free budget only with ``confirm_over_budget``, which is recorded."""
    note = _decision_reason(decision, note)
    with transaction.atomic():
        trip = _locked(trip_id)
        if not may_decide_trip_costs(actor, trip):
            if not is_coordinator(actor):
                raise NotPermitted(_("Only koopstadt's coordination confirms the costs of a trip."))
            if is_own_trip(actor, trip):
                raise NotPermitted(_("Four-eyes principle: nobody approves their own trip."))
            if trip.supervisor_decided_by_id == actor.pk:
                raise NotPermitted(
                    _(
                        "Four-eyes principle: you approved the trip as the supervisor; another coordinator confirms the costs."
                    )
                )
            raise TransitionNotAllowed(_("The trip does not await a decision on its costs."))
        version_check(trip, expected_version)
        from_status = trip.status
        over = False
        if decision == Decision.APPROVED:
            over = budget_check_locked(
                year=timezone.localtime(trip.starts_at).year,
                amount=trip.estimated_total,
                confirmed=confirm_over_budget,
            )
            commitment_make(trip=trip)
        trip.cost_decision = decision
        trip.cost_decided_at = timezone.now()
        trip.cost_decided_by = actor
        trip.cost_note = note
        trip.budget_override = over
        _after_decision(trip, decision, actor)
        version_advance(trip, actor=actor, fields=["decision"])
        trip.save()
        comment = "; ".join(
            part for part in (note, _("beyond the budget, confirmed") if over else "") if part
        )
        event = trip_event_record(trip, actor, f"cost_{decision}", from_status, comment)
        if trip.status == TripStatus.APPROVED:
            trip_event_record(trip, None, "approved", from_status)
        _audit(trip, actor, decision, "cost", amount=str(trip.estimated_total), over_budget=over)
        _tell_traveller(trip, event)
    return trip


@transaction.atomic
def trip_cancel(
    *, trip_id: int, actor: User, reason: str = "", expected_version: int | None = None
) -> TripRequest:
    """The traveller (or the coordination) withdraws a trip not yet claimed; its commitment is released."""
    trip = _locked(trip_id)
    if not may_cancel_trip(actor, trip):
        if trip.claims.exclude(status=ClaimStatus.DRAFT).exists():
            raise TransitionNotAllowed(
                _("The trip's costs have been claimed; it can no longer be cancelled.")
            )
        if trip.status not in TRIP_OPEN_STATUSES | {TripStatus.APPROVED}:
            raise TransitionNotAllowed(_("The trip request is closed already."))
        raise NotPermitted(_("Only the traveller or the coordination cancels the trip request."))
    version_check(trip, expected_version)
    reason = (reason or "").strip()
    if trip.status != TripStatus.DRAFT and not reason:
        raise DomainError(
            _("Please give a reason; the supervisor and the coordination read it."), field="reason"
        )
    _cancel(trip, actor, reason)
    return trip


def _cancel(trip: TripRequest, actor: User | None, reason: str) -> None:
    from_status = trip.status
    trip.status = TripStatus.CANCELLED
    trip.link_nonce = ""
    version_advance(trip, actor=actor, fields=["status"])
    trip.save()
    commitment_release(trip_id=trip.pk, reason=Commitment.Release.CANCELLED)
    event = trip_event_record(trip, actor, "cancel", from_status, reason)
    if from_status != TripStatus.DRAFT:
        _tell_traveller(trip, event)


def trips_close_for_request(*, request: ExchangeRequest, actor: User | None) -> None:
    """The exchange was withdrawn, rejected or cancelled: its trips not yet claimed are cancelled and their
    commitments released (registered with the cycle's closing hooks)."""
    trips = TripRequest.objects.select_for_update().filter(
        exchange=request, status__in=TRIP_OPEN_STATUSES | {TripStatus.APPROVED}
    )
    for trip in trips:
        if trip.claims.exclude(status=ClaimStatus.DRAFT).exists():
            continue  # the claim settles what the cancelled trip cost
        _cancel(trip, actor, _("The exchange was closed."))


@transaction.atomic
def trip_link_resend(*, trip_id: int, actor: User) -> TripRequest:
    """Send the supervisor a new approval link; the old one stops working (a new nonce)."""
    trip = _locked(trip_id)
    if not may_resend_trip_link(actor, trip):
        if not (is_own_trip(actor, trip) or is_coordinator(actor)):
            raise NotPermitted(_("Only the traveller or the coordination has the link sent again."))
        raise TransitionNotAllowed(_("The trip does not await the supervisor's decision."))
    trip.link_nonce = secrets.token_hex(16)
    trip.save(update_fields=["link_nonce"])
    trip_event_record(trip, actor, "link_sent", trip.status)
    _mail_supervisor(trip, "trip_approval", f"trip-approval:{trip.pk}:{trip.link_nonce}")
    return trip


def commitments_expire(*, today: date) -> int:
    """Release the commitments of approved trips not claimed by the filing deadline (the rate set's months
    after the trip's end, BRKG § 3 (1)): the budget no longer holds money nobody claims. A late claim can
    still be filed and is counted when finance approves it. Returns how many were released."""
    released = 0
    waiting = (
        TripRequest.objects.filter(status=TripStatus.APPROVED, commitments__released_at__isnull=True)
        .exclude(claims__status__in=[s for s in ClaimStatus.values if s != ClaimStatus.REJECTED])
        .select_related("traveller__home_city")
        .distinct()
    )
    for trip in waiting:
        deadline = filing_deadline(
            timezone.localtime(trip.ends_at).date(), trip_rate_set(trip).filing_deadline_months
        )
        if deadline < today and commitment_release(trip_id=trip.pk, reason=Commitment.Release.EXPIRED):
            released += 1
    return released


# --- reminders --------------------------------------------------------------------------------------------


def remind_pending_trips(*, today: date) -> int:
    """Remind the supervisors of trips submitted ``REMINDER_DAYS`` ago or earlier and not decided yet, once
    per submission (the e-mail's key names the link), with the same link. Returns how many were reminded."""
    due = timezone.make_aware(datetime.combine(today - timedelta(days=REMINDER_DAYS), time.min))
    reminded = 0
    pending = TripRequest.objects.filter(
        status=TripStatus.SUBMITTED, supervisor_decision="", submitted_at__lt=due
    ).select_related("exchange", "supervisor", "traveller")
    for trip in pending:
        with transaction.atomic():
            _mail_supervisor(trip, "trip_approval_reminder", f"trip-reminder:{trip.pk}:{trip.link_nonce}")
        reminded += 1
    return reminded


# --- the claim that follows -------------------------------------------------------------------------------


@transaction.atomic
def claim_from_trip(*, trip_id: int, actor: User) -> TravelClaim:
    """Create the traveller's claim from the approved trip: dates, route, purpose, the car's kilometres
    and what was decided in advance; the traveller then enters what actually happened and the receipts."""
    trip = _locked(trip_id)
    if not may_claim_from_trip(actor, trip):
        if not is_own_trip(actor, trip):
            raise NotPermitted(_("Only the traveller claims the costs of the trip."))
        if trip.status != TripStatus.APPROVED:
            raise TransitionNotAllowed(_("Costs are claimed from an approved trip."))
        if trip.claims.exclude(status=ClaimStatus.REJECTED).exists():
            raise TransitionNotAllowed(_("The costs of this trip have been claimed already."))
        if not trip_has_begun(trip):
            raise TransitionNotAllowed(_("The costs of a trip are claimed once it has taken place."))
        raise TransitionNotAllowed(_("Travel costs can be claimed once the exchange is scheduled."))
    claim_check_allowed(traveller=trip.traveller, exchange=trip.exchange)
    claim = TravelClaim(
        exchange=trip.exchange,
        traveller=trip.traveller,
        submitted_by=actor,
        trip=trip,
        trip_start=trip.starts_at,
        trip_end=trip.ends_at,
        origin=trip.origin,
        destination=trip.destination,
        purpose=trip.purpose,
        car_km=trip.car_km if trip.means == TripMeans.CAR else Decimal("0"),
        car_interest_recorded_on=(
            timezone.localtime(trip.approved_at).date() if trip.car_interest_before_start else None
        ),
    )
    claim.full_clean()
    claim.save()
    claim_event_record(claim, actor, "create", "", _("created from the approved trip"))
    return claim
