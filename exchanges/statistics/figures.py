"""The network's figures for a period, each a ``StatTable`` computed by aggregate queries.

Definitions (what "held" means, which dates count, how people and costs are counted, how a city
contact's view is scoped) are written down in ``docs/statistics.md``. ``statistics_for`` costs a
constant number of queries whatever the size of the data (see ``tests/statistics``): every figure is
a ``COUNT``/``SUM``/percentile in the database; Python only arranges the grouped rows into tables.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DecimalField,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from cities.directory.models import User
from cities.directory.models.places import FederalState
from cities.directory.models.topics import localized_name
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator
from exchanges.cycle.models import (
    ExchangeRequest,
    Format,
    Invitation,
    InvitationStatus,
    Meeting,
    Reflection,
    RoutingDecision,
    Status,
    TimelineEntry,
)
from exchanges.cycle.services.deadlines import add_working_days
from exchanges.cycle.services.invitations import REMINDER_WORKING_DAYS
from exchanges.statistics.tables import Cell, Period, StatTable
from exchanges.travel.models import Budget, ClaimStatus, Commitment, TravelClaim

# The exchange took place: the meeting happened (``held``) and possibly the reflection is in (``completed``).
HELD_STATUSES = (Status.HELD, Status.COMPLETED)
# Claims whose amount counts as a cost: approved by finance, and everything after that.
COSTED_CLAIM_STATUSES = (ClaimStatus.APPROVED, ClaimStatus.BOOKED, ClaimStatus.PAID)
MONEY = DecimalField(max_digits=12, decimal_places=2)
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

TABLE_KEYS = (
    "key_figures",
    "requests_by_state",
    "requests_by_topic",
    "requests_by_format",
    "requests_by_city",
    "held_per_year",
    "city_matrix_held",
    "city_matrix_requests",
    "city_balance",
    "costs_by_year",
    "costs_by_month",
    "costs_by_city",
    "costs_by_topic",
    "budget_use",
    "cost_per_exchange",
)


# --- access ---------------------------------------------------------------------------------------


def default_period(today: date) -> Period:
    """The current calendar year (01.01. to 31.12.)."""
    return Period(date(today.year, 1, 1), date(today.year, 12, 31))


def may_see_statistics(user) -> bool:
    """Coordinators and administrators see the network; city contacts see their city."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(is_coordinator(user) or user.has_role(Role.CITY_CONTACT))


def _scoped_city_id(user, city_id: int | None) -> int | None:
    """The city the figures are limited to: a city contact's own city, whatever they asked for."""
    if not may_see_statistics(user):
        raise PermissionDenied
    if is_coordinator(user):
        return city_id
    if not user.home_city_id:
        raise PermissionDenied
    return int(user.home_city_id)


# --- database helpers -------------------------------------------------------------------------------


class DaysBetween(Func):
    """Days (with fractions) from ``earlier`` to ``later``; NULL if either is NULL."""

    output_field = FloatField()

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler, connection, template="(julianday(%(expressions)s))", arg_joiner=") - julianday("
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
            arg_joiner=" - ",
        )


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5)``; NULLs are left out as by every aggregate."""

    function = "percentile_cont"
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


@dataclass(frozen=True)
class _Window:
    """A period as the half-open interval of aware datetimes [start, end) in the portal's time zone."""

    start: datetime
    end: datetime

    @classmethod
    def of(cls, period: Period) -> "_Window":
        zone = timezone.get_default_timezone()
        return cls(
            datetime.combine(period.start, time.min, tzinfo=zone),
            datetime.combine(period.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lt": self.end})


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _days(value: float | None) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _money(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT, ROUND_HALF_UP)


def _eur(value: Decimal) -> str:
    """Money in a sentence, in the active language's format: "1.234,56 €" in German."""
    return f"{number_format(_money(value), 2, force_grouping=True)} €"


def _month_label(year: int, month: int) -> str:
    return date_format(date(year, month, 1), "F Y")


def _months(period: Period) -> list[tuple[int, int]]:
    months, year, month = [], period.start.year, period.start.month
    while (year, month) <= (period.end.year, period.end.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _city_label(name: str | None) -> str:
    return name if name else _("no city")


# --- the base sets ----------------------------------------------------------------------------------


class _Sets:
    """The querysets every figure starts from, for one period and (optionally) one city."""

    def __init__(self, period: Period, city_id: int | None) -> None:
        self.period = period
        self.window = _Window.of(period)
        self.city_id = city_id

    # Requests: submitted in the period (drafts never), of the city's requesters when scoped.
    def requests(self) -> QuerySet[ExchangeRequest]:
        requests = ExchangeRequest.objects.exclude(status=Status.DRAFT).filter(self.window.q("submitted_at"))
        if self.city_id is not None:
            requests = requests.filter(requester_city_id=self.city_id)
        return requests

    def _took_part(self, prefix: str = "") -> Q:
        """The exchange (at ``prefix``) was requested by the city or one of its experts took part."""
        experts = Invitation.objects.filter(
            request=OuterRef(f"{prefix}pk"),
            status=InvitationStatus.ACCEPTED,
            expert__user__home_city_id=self.city_id,
        )
        return Q(**{f"{prefix}requester_city_id": self.city_id}) | Q(Exists(experts))

    def all_held(self) -> QuerySet[ExchangeRequest]:
        """Exchanges that took place, in any year (the city's exchanges when scoped)."""
        held = ExchangeRequest.objects.filter(status__in=HELD_STATUSES, meeting__isnull=False)
        if self.city_id is not None:
            held = held.filter(self._took_part())
        return held

    def held(self) -> QuerySet[ExchangeRequest]:
        """Exchanges that took place with a meeting beginning in the period."""
        return self.all_held().filter(self.window.q("meeting__starts_at"))

    def expert_pairs(self) -> QuerySet[Invitation]:
        """Accepted invitations of the held exchanges: one row per (exchange, expert)."""
        pairs = Invitation.objects.filter(
            status=InvitationStatus.ACCEPTED, request__in=self.held().values("pk")
        )
        if self.city_id is not None:
            pairs = pairs.filter(
                Q(request__requester_city_id=self.city_id) | Q(expert__user__home_city_id=self.city_id)
            )
        return pairs

    def routed_pairs(self) -> QuerySet[RoutingDecision]:
        """Departments the requests of the period were routed to (requests of all cities, then scoped)."""
        pairs = RoutingDecision.objects.filter(
            is_routed=True,
            request__in=ExchangeRequest.objects.exclude(status=Status.DRAFT)
            .filter(self.window.q("submitted_at"))
            .values("pk"),
        )
        if self.city_id is not None:
            pairs = pairs.filter(
                Q(request__requester_city_id=self.city_id) | Q(department__city_id=self.city_id)
            )
        return pairs

    def requests_for_matrix(self) -> QuerySet[ExchangeRequest]:
        """The period's requests; when scoped, those of the city and those routed to its departments."""
        requests = ExchangeRequest.objects.exclude(status=Status.DRAFT).filter(self.window.q("submitted_at"))
        if self.city_id is not None:
            routed_here = RoutingDecision.objects.filter(
                request=OuterRef("pk"), is_routed=True, department__city_id=self.city_id
            )
            requests = requests.filter(Q(requester_city_id=self.city_id) | Q(Exists(routed_here)))
        return requests

    def costed_claims(self) -> QuerySet[TravelClaim]:
        """Approved, booked and paid claims (of the city's exchanges when scoped)."""
        claims = TravelClaim.objects.filter(status__in=COSTED_CLAIM_STATUSES)
        if self.city_id is not None:
            claims = claims.filter(self._took_part("exchange__"))
        return claims


def _cost(prefix: str = "") -> Coalesce:
    """A claim's cost: the booked amount where booked, else the calculated total of the approval."""
    return Coalesce(
        F(f"{prefix}booking__amount"), F(f"{prefix}calculated_total"), Value(ZERO), output_field=MONEY
    )


def _median_days(requests: QuerySet[ExchangeRequest], measures: dict[str, Any]) -> dict[str, Decimal | None]:
    """Median of each measure over ``requests``: one query on PostgreSQL, 1 + len(measures) elsewhere."""
    if connection.vendor == "postgresql":
        result = requests.aggregate(**{name: Median(expression) for name, expression in measures.items()})
        return {name: _days(result[name]) for name in measures}
    # SQLite has no percentile: count the values, then read the one or two middle ones (ORDER BY + OFFSET).
    counts = requests.aggregate(**{name: Count(expression) for name, expression in measures.items()})
    medians: dict[str, Decimal | None] = {}
    for name, expression in measures.items():
        n = counts[name]
        if not n:
            medians[name] = None
            continue
        middle = list(
            requests.annotate(days=expression)
            .filter(days__isnull=False)
            .order_by("days")
            .values_list("days", flat=True)[(n - 1) // 2 : n // 2 + 1]
        )
        medians[name] = _days(sum(middle) / len(middle))
    return medians


def _invitation_overdue_q(today: date) -> Q:
    """Open invitations past the reminder period (working days of the expert's federal state)."""

    def cutoff(state: str) -> date:
        # The latest day an invitation may have been made on and still be overdue today.
        day = today - timedelta(days=REMINDER_WORKING_DAYS)
        while add_working_days(day, REMINDER_WORKING_DAYS, state) > today:
            day -= timedelta(days=1)
        return day

    zone = timezone.get_default_timezone()

    def before(day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)

    overdue = Q(expert__user__home_city__isnull=True, created_at__lt=before(cutoff("")))
    for state in FederalState.values:
        overdue |= Q(expert__user__home_city__federal_state=state, created_at__lt=before(cutoff(state)))
    return Q(status=InvitationStatus.OPEN) & overdue


# --- the tables -------------------------------------------------------------------------------------


def _count_table(
    key: str, title: str, label: str, rows: list[list[Cell]], summary: str, note: str = ""
) -> StatTable:
    total = sum(int(row[1] or 0) for row in rows)
    return StatTable(
        key=key,
        title=title,
        columns=[label, _("Requests")],
        rows=rows,
        summary=summary,
        chart="bar",
        totals=[_("Total"), total] if rows else None,
        note=note,
    )


def _matrix(
    key: str,
    title: str,
    corner: str,
    cells: list[dict[str, Any]],
    row_totals: dict[tuple[int | None, str | None], int],
    column_totals: dict[tuple[int | None, str | None], int],
    summary: str,
    note: str,
    fold: bool,
) -> StatTable:
    """Rows are requester cities, columns the other side's cities; totals count every exchange once.

    A national network has hundreds of cities; a matrix of all of them is neither readable nor cheap
    (5 MB of HTML at 300 cities). For reading (``fold``), beyond ``STATISTICS_MATRIX_CITIES`` rows or
    columns, the cities with the most exchanges keep their own row or column and the rest are added up
    in "Other cities (n)"; downloads and the API get every city.
    """
    limit = settings.STATISTICS_MATRIX_CITIES

    def ordered(totals: dict) -> tuple[list, set]:
        keys = sorted(totals, key=lambda k: (_city_label(k[1]), k[0] or 0))
        if not fold or len(keys) <= limit:
            return keys, set()
        top = set(sorted(keys, key=lambda k: (-totals[k], _city_label(k[1]), k[0] or 0))[:limit])
        return [k for k in keys if k in top], {k[0] for k in keys if k not in top}

    rows_keys, other_rows = ordered(row_totals)
    column_keys, other_columns = ordered(column_totals)
    other = "__other__"
    grid: dict[tuple[Any, Any], int] = {}
    for cell in cells:
        row = other if cell["row_id"] in other_rows else cell["row_id"]
        column = other if cell["column_id"] in other_columns else cell["column_id"]
        grid[(row, column)] = grid.get((row, column), 0) + cell["n"]
    column_ids = [column_id for column_id, _name in column_keys] + ([other] if other_columns else [])

    def other_label(count: int) -> str:
        return _("Other cities (%(count)d)") % {"count": count}

    rows: list[list[Cell]] = [
        [_city_label(name)]
        + [grid.get((row_id, column_id), 0) for column_id in column_ids]
        + [row_totals[(row_id, name)]]
        for row_id, name in rows_keys
    ]
    if other_rows:
        rows.append(
            [other_label(len(other_rows))]
            + [grid.get((other, column_id), 0) for column_id in column_ids]
            + [sum(total for (row_id, _name), total in row_totals.items() if row_id in other_rows)]
        )
    grand = sum(row_totals.values())
    column_sums = [column_totals[k] for k in column_keys]
    if other_columns:
        column_sums.append(
            sum(total for (column_id, _n), total in column_totals.items() if column_id in other_columns)
        )
    if other_rows or other_columns:
        note = f"{note} " + _(
            "The %(limit)d cities with the most exchanges have their own row and column; "
            "the others are added up."
        ) % {"limit": limit}
    return StatTable(
        key=key,
        title=title,
        columns=[corner]
        + [_city_label(name) for _id, name in column_keys]
        + ([other_label(len(other_columns))] if other_columns else [])
        + [_("Total")],
        rows=rows,
        summary=summary,
        chart="matrix",
        totals=[_("Total"), *column_sums, grand],
        note=note.strip(),
    )


def statistics_for(
    *, user, period: Period, city_id: int | None = None, fold: bool = True
) -> dict[str, StatTable]:
    """All tables for ``period``; city contacts always get their home city's figures only. ``fold``: city
    matrices for reading, large ones folded (``_matrix``); off for downloads and the API."""
    city_id = _scoped_city_id(user, city_id)
    sets = _Sets(period, city_id)
    today = timezone.localdate()
    tables: dict[str, StatTable] = {}

    # --- requests ---------------------------------------------------------------------------------
    requests = sets.requests()
    by_state = dict(requests.order_by().values_list("status").annotate(n=Count("pk")))
    state_rows: list[list[Cell]] = [
        [str(status.label), by_state.get(status.value, 0)] for status in Status if status != Status.DRAFT
    ]
    submitted = sum(by_state.values())
    tables["requests_by_state"] = _count_table(
        "requests_by_state",
        _("Requests by state"),
        _("State"),
        state_rows,
        _("Requests submitted in the period: %(count)d; the table shows the state each is in now.")
        % {"count": submitted},
    )

    by_topic = (
        requests.order_by()
        .values("topics__pk", "topics__name", "topics__name_en")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "topics__name")
    )
    topic_rows: list[list[Cell]] = [
        [localized_name(row["topics__name"], row["topics__name_en"]) or _("no topic"), row["n"]]
        for row in by_topic
    ]
    tables["requests_by_topic"] = StatTable(
        key="requests_by_topic",
        title=_("Requests by topic"),
        columns=[_("Topic"), _("Requests")],
        rows=topic_rows,
        summary=(
            _("Most requests were about %(topic)s (%(count)d).")
            % {"topic": topic_rows[0][0], "count": topic_rows[0][1]}
            if topic_rows
            else _("No requests were submitted in the period.")
        ),
        note=_("A request with several topics is counted once for each of its topics."),
    )

    by_format = dict(requests.order_by().values_list("preferred_format").annotate(n=Count("pk")))
    format_rows: list[list[Cell]] = [[str(f.label), by_format.get(f.value, 0)] for f in Format]
    if by_format.get(""):
        format_rows.append([_("not given"), by_format[""]])
    tables["requests_by_format"] = _count_table(
        "requests_by_format",
        _("Requests by format"),
        _("Format"),
        format_rows,
        _("The format the requesters preferred (requests submitted in the period: %(count)d).")
        % {"count": submitted},
    )

    by_city = (
        requests.order_by()
        .values("requester_city__name")
        .annotate(n=Count("pk"))
        .order_by("requester_city__name")
    )
    city_rows: list[list[Cell]] = [[row["requester_city__name"], row["n"]] for row in by_city]
    tables["requests_by_city"] = _count_table(
        "requests_by_city",
        _("Requests by requester city"),
        _("City"),
        city_rows,
        _("Requests submitted in the period, by the city of the requester."),
    )

    # --- exchanges held -----------------------------------------------------------------------------
    requester_reflection = Reflection.objects.filter(request=OuterRef("pk"), side=Reflection.Side.REQUESTER)
    held_by_city = list(
        sets.held()
        .order_by()
        .values("requester_city_id", "requester_city__name")
        .annotate(
            n=Count("pk", distinct=True),
            reflected=Count(
                "pk", distinct=True, filter=Q(status=Status.COMPLETED) & Q(Exists(requester_reflection))
            ),
        )
    )
    received = {(r["requester_city_id"], r["requester_city__name"]): r["n"] for r in held_by_city}
    held_total = sum(received.values())
    reflected_total = sum(r["reflected"] for r in held_by_city)

    pairs = sets.expert_pairs().order_by()
    held_cells = list(
        pairs.values(
            row_id=F("request__requester_city_id"), column_id=F("expert__user__home_city_id")
        ).annotate(n=Count("request", distinct=True))
    )
    given = {
        (r["expert__user__home_city_id"], r["expert__user__home_city__name"]): r["n"]
        for r in pairs.values("expert__user__home_city_id", "expert__user__home_city__name").annotate(
            n=Count("request", distinct=True)
        )
    }
    tables["city_matrix_held"] = _matrix(
        "city_matrix_held",
        _("Who coached whom: exchanges held"),
        _("Requester city (rows) / expert city (columns)"),
        held_cells,
        received,
        given,
        _(
            "Exchanges held in the period: %(count)d. Each row is a city that asked, each column a city whose "
            "experts took part."
        )
        % {"count": held_total},
        _(
            "An exchange with experts from two cities appears in both columns; the totals count every "
            "exchange once. Cancelled and withdrawn requests are never counted as held."
        ),
        fold=fold,
    )

    balance_keys = sorted(set(received) | set(given), key=lambda k: (_city_label(k[1]), k[0] or 0))
    if city_id is not None:
        balance_keys = [k for k in balance_keys if k[0] == city_id]
    tables["city_balance"] = StatTable(
        key="city_balance",
        title=_("Give and take per city"),
        columns=[_("City"), _("Given"), _("Received")],
        rows=[[_city_label(k[1]), given.get(k, 0), received.get(k, 0)] for k in balance_keys],
        summary=_(
            "Per city, the exchanges held in the period in which its experts took part (given) and those "
            "its staff asked for (received)."
        ),
        chart="stacked",
        note=_("Cancelled and withdrawn requests are never counted as held."),
    )

    per_year = dict(
        sets.all_held()
        .order_by()
        .annotate(year=ExtractYear("meeting__starts_at"))
        .values_list("year")
        .annotate(n=Count("pk"))
    )
    year_rows: list[list[Cell]] = (
        [[year, per_year.get(year, 0)] for year in range(min(per_year), max(per_year) + 1)]
        if per_year
        else []
    )
    tables["held_per_year"] = StatTable(
        key="held_per_year",
        title=_("Exchanges held per year"),
        columns=[_("Year"), _("Exchanges held")],
        rows=year_rows,
        summary=(
            _("Exchanges held since %(year)d: %(count)d.")
            % {"count": sum(per_year.values()), "year": min(per_year)}
            if per_year
            else _("No exchange has been held yet.")
        ),
        chart="line",
        totals=[_("Total"), sum(per_year.values())] if per_year else None,
        note=_("All years, by the year of the meeting, whatever period is chosen."),
    )

    # --- requests × routed cities ---------------------------------------------------------------------
    routed = sets.routed_pairs().order_by()
    request_cells = list(
        routed.values(row_id=F("request__requester_city_id"), column_id=F("department__city_id")).annotate(
            n=Count("request", distinct=True)
        )
    )
    routed_to = {
        (r["department__city_id"], r["department__city__name"]): r["n"]
        for r in routed.values("department__city_id", "department__city__name").annotate(
            n=Count("request", distinct=True)
        )
    }
    asked_by = {
        (r["requester_city_id"], r["requester_city__name"]): r["n"]
        for r in sets.requests_for_matrix()
        .order_by()
        .values("requester_city_id", "requester_city__name")
        .annotate(n=Count("pk"))
    }
    tables["city_matrix_requests"] = _matrix(
        "city_matrix_requests",
        _("Who asked whom: requests"),
        _("Requester city (rows) / routed to city (columns)"),
        request_cells,
        asked_by,
        routed_to,
        _(
            "Requests submitted in the period: %(count)d. Each row is a city that asked, each column a city "
            "whose departments the request was routed to."
        )
        % {"count": sum(asked_by.values())},
        _("A request routed to two cities appears in both columns; the totals count every request once."),
        fold=fold,
    )

    # --- key figures ----------------------------------------------------------------------------------
    invitations = Invitation.objects.filter(sets.window.q("answered_at"))
    if city_id is not None:
        invitations = invitations.filter(
            Q(request__requester_city_id=city_id) | Q(expert__user__home_city_id=city_id)
        )
    answers = invitations.aggregate(
        answered=Count("pk", filter=Q(status__in=[InvitationStatus.ACCEPTED, InvitationStatus.DECLINED])),
        accepted=Count("pk", filter=Q(status=InvitationStatus.ACCEPTED)),
    )
    # Everyone of the exchanges (of the city's exchanges when scoped), anonymised or not, once.
    experts_of_held = Invitation.objects.filter(
        status=InvitationStatus.ACCEPTED, request__in=sets.held().values("pk")
    ).values("expert__user_id")
    people = User.objects.filter(
        Q(pk__in=sets.held().values("requester_id")) | Q(pk__in=experts_of_held)
    ).count()

    routed_at = TimelineEntry.objects.filter(request=OuterRef("pk"), to_status=Status.MATCHING).order_by(
        "created_at"
    )
    agreed_at = Invitation.objects.filter(
        request=OuterRef("pk"), status=InvitationStatus.ACCEPTED, answered_at__isnull=False
    ).order_by("answered_at")
    met_at = Meeting.objects.filter(request=OuterRef("pk"), request__status__in=HELD_STATUSES)
    medians = _median_days(
        requests,
        {
            "routing": DaysBetween(Subquery(routed_at.values("created_at")[:1]), F("submitted_at")),
            "agreement": DaysBetween(Subquery(agreed_at.values("answered_at")[:1]), F("submitted_at")),
            "exchange": DaysBetween(Subquery(met_at.values("starts_at")[:1]), F("submitted_at")),
        },
    )
    overdue_requests = ExchangeRequest.objects.filter(status=Status.SUBMITTED, contact_due_on__lt=today)
    if city_id is not None:
        overdue_requests = overdue_requests.filter(requester_city_id=city_id)
    overdue_invitations = Invitation.objects.filter(_invitation_overdue_q(today))
    if city_id is not None:
        overdue_invitations = overdue_invitations.filter(
            Q(request__requester_city_id=city_id) | Q(expert__user__home_city_id=city_id)
        )
    overdue = overdue_requests.aggregate(n=Count("pk"))["n"]
    overdue_open = overdue_invitations.aggregate(n=Count("pk"))["n"]

    key_rows: list[list[Cell]] = [
        [_("Requests submitted"), submitted],
        [_("Exchanges held"), held_total],
        [_("Held exchanges completed with a reflection (%)"), _percent(reflected_total, held_total)],
        [_("Answered invitations accepted (%)"), _percent(answers["accepted"], answers["answered"])],
        [_("People taking part (requesters and experts)"), people],
        [_("Median days from submission to routing"), medians["routing"]],
        [_("Median days from submission to agreement"), medians["agreement"]],
        [_("Median days from submission to the exchange"), medians["exchange"]],
        [_("Overdue requests (city contact's deadline passed)"), overdue],
        [_("Overdue invitations (no answer within the reminder period)"), overdue_open],
        [_("Requests withdrawn"), by_state.get(Status.WITHDRAWN.value, 0)],
        [_("Requests cancelled"), by_state.get(Status.CANCELLED.value, 0)],
    ]
    tables["key_figures"] = StatTable(
        key="key_figures",
        title=_("Key figures"),
        columns=[_("Figure"), _("Value")],
        rows=key_rows,
        summary=_(
            "From %(start)s to %(end)s – requests submitted: %(requests)d; exchanges held: %(held)d; people "
            "taking part: %(people)d."
        )
        % {
            "start": date_format(period.start, "d.m.Y"),
            "end": date_format(period.end, "d.m.Y"),
            "requests": submitted,
            "held": held_total,
            "people": people,
        },
        chart="none",
        note=_(
            "Shares in per cent; an empty value means there is nothing to count yet. Overdue items are "
            "counted today, whatever the period. Cancelled and withdrawn requests are never counted as held."
        ),
    )

    # --- costs ------------------------------------------------------------------------------------------
    tables.update(_cost_tables(sets, period))
    return {key: tables[key] for key in TABLE_KEYS}


@dataclass(frozen=True)
class CachedFigures:
    tables: dict[str, StatTable]
    computed_at: datetime


def cached_statistics_for(
    *, user, period: Period, city_id: int | None = None, fold: bool = True
) -> CachedFigures:
    """``statistics_for``, computed once and shared for ``STATISTICS_CACHE_SECONDS``.

    The aggregates read every request and claim of the period, so their cost grows with the network
    (about a second for 100,000 requests). Everyone asking for the same figures – same scope (network
    or one city, never wider than the person may see), period, language and day – gets the same
    stored result; the pages say when it was computed. With ``STATISTICS_CACHE_SECONDS = 0`` every
    call computes afresh (the test settings do that unless a test asks for the cache).
    """
    city_id = _scoped_city_id(user, city_id)
    return shared(
        ["figures", timezone.localdate().isoformat(), city_id, period.start, period.end, fold],
        lambda: CachedFigures(
            statistics_for(user=user, period=period, city_id=city_id, fold=fold), timezone.now()
        ),
    )


def shared(key_parts: list, compute):
    """``compute()``, kept in the cache for ``STATISTICS_CACHE_SECONDS`` under the key parts and the
    language (``0`` computes every time). The statistics pages share figures and rendered HTML with it."""
    seconds = settings.STATISTICS_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = ":".join(["statistics", "v2", language, *(str(part or "network") for part in key_parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def _cost_tables(sets: _Sets, period: Period) -> dict[str, StatTable]:
    cost_definition = _(
        "Cost: the booked amount of a booked or paid claim, else the calculated total of an approved claim."
    )
    note = cost_definition + " " + _("Costs count by the day the trip began.")
    money = frozenset({1})
    claims = sets.costed_claims().order_by()
    tables: dict[str, StatTable] = {}

    per_year = dict(
        claims.annotate(year=ExtractYear("trip_start")).values_list("year").annotate(total=Sum(_cost()))
    )
    tables["costs_by_year"] = StatTable(
        key="costs_by_year",
        title=_("Travel costs per year"),
        columns=[_("Year"), _("Travel costs")],
        rows=[[year, _money(per_year.get(year))] for year in range(min(per_year), max(per_year) + 1)]
        if per_year
        else [],
        summary=_("Travel costs of all years: %(total)s in total.")
        % {"total": _eur(sum(per_year.values(), ZERO))},
        chart="line",
        money_columns=money,
        totals=[_("Total"), _money(sum(per_year.values(), ZERO))] if per_year else None,
        note=note,
    )

    in_period = claims.filter(sets.window.q("trip_start"))
    per_month = {
        (r["year"], r["month"]): r["total"]
        for r in in_period.annotate(year=ExtractYear("trip_start"), month=ExtractMonth("trip_start"))
        .values("year", "month")
        .annotate(total=Sum(_cost()))
    }
    period_total = _money(sum(per_month.values(), ZERO))
    tables["costs_by_month"] = StatTable(
        key="costs_by_month",
        title=_("Travel costs per month"),
        columns=[_("Month"), _("Travel costs")],
        rows=[[_month_label(y, m), _money(per_month.get((y, m)))] for y, m in _months(period)],
        summary=_("Travel costs in the period: %(total)s.") % {"total": _eur(period_total)},
        chart="line",
        money_columns=money,
        totals=[_("Total"), period_total],
        note=note,
    )

    per_city = (
        in_period.values("exchange__requester_city__name")
        .annotate(total=Sum(_cost()))
        .order_by("exchange__requester_city__name")
    )
    tables["costs_by_city"] = StatTable(
        key="costs_by_city",
        title=_("Travel costs by requester city"),
        columns=[_("City"), _("Travel costs")],
        rows=[[r["exchange__requester_city__name"], _money(r["total"])] for r in per_city],
        summary=_("Travel costs in the period by the city that asked for the exchange."),
        money_columns=money,
        totals=[_("Total"), period_total],
        note=note,
    )

    per_topic = (
        in_period.values("exchange__topics__name", "exchange__topics__name_en")
        .annotate(total=Sum(_cost()))
        .order_by("-total", "exchange__topics__name")
    )
    tables["costs_by_topic"] = StatTable(
        key="costs_by_topic",
        title=_("Travel costs by topic"),
        columns=[_("Topic"), _("Travel costs")],
        rows=[
            [
                localized_name(r["exchange__topics__name"], r["exchange__topics__name_en"]) or _("no topic"),
                _money(r["total"]),
            ]
            for r in per_topic
        ],
        summary=_("Travel costs in the period by the topics of the exchange."),
        money_columns=money,
        note=note + " " + _("An exchange with several topics counts fully for each of its topics."),
    )

    tables["budget_use"] = _budget_use(sets, period.start.year)

    per_format = {
        r["meeting__format"]: r
        for r in sets.held()
        .order_by()
        .values("meeting__format")
        .annotate(
            n=Count("pk", distinct=True),
            cost=Sum(_cost("claims__"), filter=Q(claims__status__in=COSTED_CLAIM_STATUSES)),
        )
    }
    known = [f.value for f in Format]
    labels = {f.value: str(f.label) for f in Format}
    rows: list[list[Cell]] = []
    for value in known + sorted(set(per_format) - set(known)):
        data = per_format.get(value, {"n": 0, "cost": None})
        if value not in known and not data["n"]:
            continue
        cost = _money(data["cost"])
        average = (cost / data["n"]).quantize(CENT, ROUND_HALF_UP) if data["n"] else None
        rows.append([labels.get(value, value or _("not given")), data["n"], cost, average])
    held_n = sum(r["n"] for r in per_format.values())
    held_cost = _money(sum((r["cost"] or ZERO for r in per_format.values()), ZERO))
    tables["cost_per_exchange"] = StatTable(
        key="cost_per_exchange",
        title=_("Cost per exchange"),
        columns=[_("Format"), _("Exchanges held"), _("Travel costs"), _("Average per exchange")],
        rows=rows,
        summary=_("Exchanges held in the period: %(count)d; their travel costs: %(total)s.")
        % {"count": held_n, "total": _eur(held_cost)},
        chart="bar",
        money_columns=frozenset({2, 3}),
        totals=[
            _("All formats"),
            held_n,
            held_cost,
            (held_cost / held_n).quantize(CENT, ROUND_HALF_UP) if held_n else None,
        ],
        note=_("The format of the meeting; all approved claims of the exchanges held in the period.")
        + " "
        + cost_definition,
    )
    return tables


def _budget_use(sets: _Sets, year: int) -> StatTable:
    """Cumulative approved, booked and paid amounts per month of ``year`` against the year's budget."""
    zone = timezone.get_default_timezone()

    def month(m: int) -> tuple[datetime, datetime]:
        start = datetime(year, m, 1, tzinfo=zone)
        end = datetime(year + (m == 12), m % 12 + 1, 1, tzinfo=zone)
        return start, end

    sums: dict[str, Any] = {}
    for m in range(1, 13):
        start, end = month(m)
        sums[f"approved_{m}"] = Sum(_cost(), filter=Q(decided_at__gte=start, decided_at__lt=end))
        sums[f"booked_{m}"] = Sum(
            "booking__amount", filter=Q(booking__created_at__gte=start, booking__created_at__lt=end)
        )
        sums[f"paid_{m}"] = Sum(
            "booking__amount",
            filter=Q(booking__batch__paid_at__gte=start, booking__batch__paid_at__lt=end),
        )
    result = sets.costed_claims().order_by().aggregate(**sums)
    budgets = Budget.objects.filter(year=year)
    budgets = (
        budgets.filter(city_id=sets.city_id)
        if sets.city_id is not None
        else budgets.filter(city__isnull=True)
    )
    budget = budgets.values_list("amount", flat=True).first()
    budget_cell = _money(budget) if budget is not None else None
    # The commitments of approved trips of the year open at each month's end (made by then, released later
    # or not yet): what the year's budget still owes to trips whose claims have not been approved.
    commitments = Commitment.objects.filter(year=year)
    if sets.city_id is not None:
        commitments = commitments.filter(trip__traveller__home_city_id=sets.city_id)
    committed_at = commitments.order_by().aggregate(
        **{
            f"committed_{m}": Sum(
                "amount",
                filter=Q(created_at__lt=month(m)[1])
                & (Q(released_at__isnull=True) | Q(released_at__gte=month(m)[1])),
            )
            for m in range(1, 13)
        }
    )

    rows: list[list[Cell]] = []
    approved = booked = paid = ZERO
    committed = ZERO
    for m in range(1, 13):
        approved += result[f"approved_{m}"] or ZERO
        booked += result[f"booked_{m}"] or ZERO
        paid += result[f"paid_{m}"] or ZERO
        committed = committed_at[f"committed_{m}"] or ZERO
        free = _money(budget - approved - committed) if budget is not None else None
        rows.append(
            [
                _month_label(year, m),
                _money(approved),
                _money(booked),
                _money(paid),
                budget_cell,
                _money(committed),
                free,
            ]
        )
    if budget is None:
        summary = _(
            "By the end of %(year)d: %(approved)s approved, %(booked)s booked, %(paid)s paid; no budget is set."
        )
    else:
        summary = _(
            "By the end of %(year)d: %(approved)s approved, %(booked)s booked, %(paid)s paid of a budget of "
            "%(budget)s."
        )
    return StatTable(
        key="budget_use",
        title=_("Budget use %(year)d") % {"year": year},
        columns=[
            _("Month"),
            _("Approved"),
            _("Booked"),
            _("Paid"),
            _("Budget"),
            _("Committed"),
            _("Free"),
        ],
        rows=rows,
        summary=summary
        % {
            "year": year,
            "approved": _eur(approved),
            "booked": _eur(booked),
            "paid": _eur(paid),
            "budget": _eur(budget_cell) if budget_cell is not None else "",
        },
        chart="line",
        money_columns=frozenset({1, 2, 3, 4, 5, 6}),
        note=_(
            "Running totals: approved by the day of approval (the booked amount once booked), booked by the day "
            "of booking, paid by the day the export batch was paid. The budget is the network's budget of the "
            "year (a city's own budget when the figures are limited to one city)."
        )
        + " "
        + _(
            "Committed: the estimated costs of approved business trips of the year whose claims are not yet "
            "booked, at the month's end. Free: the budget less approved and committed."
        ),
    )


def completed_exchanges(*, user, period: Period, city_id: int | None = None) -> list[dict]:
    """Completed exchanges held in ``period`` for the annual report, oldest meeting first.

    Each: reference, title, requester_city, expert_cities (list of names), meeting_date (date),
    takeaways (the one-line takeaways of the reflections not marked internal).
    """

    city_id = _scoped_city_id(user, city_id)
    sets = _Sets(period, city_id)
    exchanges = (
        sets.held()
        .filter(status=Status.COMPLETED)
        .select_related("requester_city", "meeting")
        .prefetch_related(
            Prefetch(
                "invitations",
                queryset=Invitation.objects.filter(status=InvitationStatus.ACCEPTED).select_related(
                    "expert__user__home_city"
                ),
                to_attr="accepted_invitations",
            ),
            Prefetch(
                "reflections",
                queryset=Reflection.objects.filter(is_internal=False).order_by("side", "created_at", "pk"),
                to_attr="public_reflections",
            ),
        )
        .order_by("meeting__starts_at", "pk")
    )
    result = []
    for exchange in exchanges:
        cities = sorted(
            {
                _city_label(i.expert.user.home_city.name if i.expert.user.home_city else None)
                for i in exchange.accepted_invitations
            }
        )
        result.append(
            {
                "reference": exchange.reference or "",
                "title": exchange.title,
                "requester_city": exchange.requester_city.name,
                "expert_cities": cities,
                "meeting_date": timezone.localtime(exchange.meeting.starts_at).date(),
                "takeaways": [r.takeaway for r in exchange.public_reflections],
            }
        )
    return result
