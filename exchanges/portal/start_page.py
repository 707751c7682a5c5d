"""The start page: for each of the person's roles, what waits for them now, with counts and the oldest items
first, each item a link to the page where it is done; an empty section says what the person can do instead.

The reads are in ``exchanges.portal.selectors``; this module only words them and links them.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cities.directory.models import User
from cities.directory.roles import Role
from cities.directory.rules import is_coordinator
from exchanges.cycle.models import ExchangeRequest, Status
from exchanges.cycle.rules import is_city_contact, may_request
from exchanges.portal import selectors
from exchanges.portal.selectors import Bucket
from exchanges.travel.models import ClaimStatus
from exchanges.travel.rules import decides_claims


@dataclass(frozen=True)
class WorkItem:
    label: str
    url: str
    detail: str = ""
    flag: str = ""  # a short warning next to the item ("overdue"), said in words


@dataclass(frozen=True)
class WorkGroup:
    key: str
    title: str
    count: int
    items: list[WorkItem]
    more_url: str = ""
    more_label: str = ""

    @property
    def shown_fewer(self) -> bool:
        return self.count > len(self.items)


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    url: str = ""
    note: str = ""


@dataclass
class WorkSection:
    key: str
    title: str
    groups: list[WorkGroup]
    empty_text: str
    action_label: str = ""
    action_url: str = ""
    figures: list[Figure] = field(default_factory=list)
    figures_caption: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url): further ways in
    is_primary: bool = False  # its action is the page's one primary button

    @property
    def has_work(self) -> bool:
        return bool(self.groups)


def _day(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = timezone.localtime(value)
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _moment(value: datetime | None) -> str:
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT") if value else "–"


def _request_label(request: ExchangeRequest) -> str:
    title = request.title or _("(no title yet)")
    return f"{request.reference}: {title}" if request.reference else title


def _group(
    key: str, title: str, bucket: Bucket, item, *, more_url: str = "", more_label: str = ""
) -> list[WorkGroup]:
    """A group for the page, or none when nothing waits (an empty kind of work is not listed)."""
    if not bucket.count:
        return []
    return [WorkGroup(key, title, bucket.count, [item(row) for row in bucket.items], more_url, more_label)]


def _triage(**params: str) -> str:
    return f"{reverse('exchanges:triage')}?{urlencode(params)}"


# --- the sections, one per role ----------------------------------------------------------------------------
def staff_section(user: User, *, with_meetings: bool) -> WorkSection:
    detail = "exchanges:request_detail"
    mine = reverse("exchanges:request_list")
    all_mine = _("All my requests")
    groups = [
        *_group(
            "returned",
            _("Returned requests to answer"),
            selectors.own_requests_in(user, Status.RETURNED),
            lambda r: WorkItem(
                _request_label(r),
                reverse(detail, args=[r.pk]),
                _("returned on %(date)s") % {"date": _day(r.status_changed_at)},
            ),
            more_url=mine,
            more_label=all_mine,
        ),
        *_group(
            "drafts",
            _("Drafts to complete and submit"),
            selectors.drafts(user),
            lambda r: WorkItem(
                _request_label(r),
                reverse("exchanges:request_edit", args=[r.pk]),
                _("started on %(date)s") % {"date": _day(r.created_at)},
            ),
            more_url=mine,
            more_label=all_mine,
        ),
        *_group(
            "to_schedule",
            _("Date and place to set"),
            selectors.own_requests_in(user, Status.AGREED),
            lambda r: WorkItem(
                _request_label(r),
                reverse("exchanges:meeting_edit", args=[r.pk]),
                _("an expert agreed on %(date)s") % {"date": _day(r.status_changed_at)},
            ),
        ),
        *_group(
            "to_confirm",
            _("Exchanges to confirm as held"),
            selectors.to_confirm(user),
            lambda r: WorkItem(
                _request_label(r),
                reverse(detail, args=[r.pk]),
                _("the meeting began on %(date)s") % {"date": _moment(r.meeting_starts_at)},
            ),
        ),
        *_group(
            "reflections",
            _("Reflections to write"),
            selectors.own_requests_in(user, Status.HELD),
            lambda r: WorkItem(
                _request_label(r),
                reverse("exchanges:reflection_create", args=[r.pk]),
                _("took place; confirmed on %(date)s") % {"date": _day(r.status_changed_at)},
            ),
        ),
        *_group(
            "claims_to_file",
            _("Travel costs to claim"),
            selectors.claims_to_file(user),
            lambda r: WorkItem(
                _request_label(r),
                reverse("exchanges:claim_create", args=[r.pk]),
                _("you travelled; the exchange ended on %(date)s") % {"date": _day(r.meeting_ends_at)},
            ),
        ),
        *_group(
            "claims_to_finish",
            _("Travel claims to finish"),
            selectors.claims_to_finish(user),
            lambda c: WorkItem(
                f"{c.exchange.reference}: {c.exchange.title}",
                reverse("exchanges:claim_detail", args=[c.pk]),
                _("returned by finance on %(date)s") % {"date": _day(c.decided_at)}
                if c.status == ClaimStatus.RETURNED
                else _("draft since %(date)s") % {"date": _day(c.created_at)},
                flag=_("returned") if c.status == ClaimStatus.RETURNED else "",
            ),
            more_url=reverse("exchanges:my_claims"),
            more_label=_("All my travel claims"),
        ),
        *_group(
            "trips_to_approve",
            _("Business trips waiting for your approval"),
            selectors.trips_waiting(user),
            lambda t: WorkItem(
                f"{t.traveller.display_name}: {t.exchange.reference}",
                reverse("exchanges:trip_detail", args=[t.pk]),
                _("submitted on %(date)s") % {"date": _day(t.submitted_at)},
            ),
            more_url=reverse("exchanges:trips_to_approve"),
            more_label=_("Trips to approve"),
        ),
    ]
    if with_meetings:
        groups += _meetings_group(user)
    return WorkSection(
        "staff",
        _("Your requests and exchanges"),
        groups,
        _(
            "None of your own requests is waiting for you. Ask colleagues in a partner city for advice on a "
            "live project — or read what others learnt in their exchanges."
        ),
        action_label=_("New C+R request"),
        action_url=reverse("exchanges:request_create"),
        links=[
            (_("My requests"), mine),
            (_("Knowledge base"), reverse("exchanges:knowledge_base")),
            (_("Browse the expert pool"), reverse("cities:expert_list")),
        ],
    )


def _meetings_group(user: User) -> list[WorkGroup]:
    return _group(
        "meetings",
        _("Upcoming meetings"),
        selectors.upcoming_meetings(user),
        lambda r: WorkItem(
            _request_label(r), reverse("exchanges:request_detail", args=[r.pk]), _moment(r.meeting_starts_at)
        ),
    )


def expert_section(user: User) -> WorkSection:
    groups = [
        *_group(
            "invitations",
            _("Invitations waiting for your answer"),
            selectors.open_invitations(user),
            lambda i: WorkItem(
                f"{i.request.reference}: {i.request.title}",
                reverse("exchanges:invitation_answer", args=[i.pk]),
                _("from %(city)s, asked on %(date)s")
                % {"city": i.request.requester_city.name, "date": _day(i.created_at)},
            ),
            more_url=reverse("exchanges:my_invitations"),
            more_label=_("All my invitations"),
        ),
        *_meetings_group(user),
    ]
    return WorkSection(
        "expert",
        _("Your invitations as an expert"),
        groups,
        _("No invitation is waiting for your answer. Keep your profile current so that colleagues find you."),
        action_label=_("My invitations"),
        action_url=reverse("exchanges:my_invitations"),
        links=[
            (_("View your profile"), user.expert_profile.get_absolute_url())
            if hasattr(user, "expert_profile")
            else (_("Experts of the pool"), reverse("cities:expert_list"))
        ],
    )


def city_contact_section(user: User) -> WorkSection:
    city = user.home_city.name if user.home_city else "–"
    today = timezone.localdate()
    inbox = reverse("exchanges:contact_inbox")
    waiting = selectors.city_waiting(user, Status.SUBMITTED)
    overdue = selectors.city_overdue_count(user)
    title = _("Requests waiting for you")
    if overdue:
        title = ngettext(
            "Requests waiting for you (%(count)d overdue)",
            "Requests waiting for you (%(count)d overdue)",
            overdue,
        ) % {"count": overdue}
    groups = [
        *_group(
            "inbox",
            title,
            waiting,
            lambda r: WorkItem(
                _request_label(r),
                reverse("exchanges:request_detail", args=[r.pk]),
                _("from %(name)s, answer by %(date)s")
                % {"name": r.requester.display_name, "date": _day(r.contact_due_on)},
                flag=_("overdue") if r.contact_due_on and r.contact_due_on < today else "",
            ),
            more_url=inbox,
            more_label=_("Inbox of my city"),
        ),
        *_group(
            "returned",
            _("Returned, waiting for the requester"),
            selectors.city_waiting(user, Status.RETURNED),
            lambda r: WorkItem(
                _request_label(r),
                reverse("exchanges:request_detail", args=[r.pk]),
                _("%(name)s, returned on %(date)s")
                % {"name": r.requester.display_name, "date": _day(r.status_changed_at)},
            ),
            more_url=inbox,
            more_label=_("Inbox of my city"),
        ),
    ]
    return WorkSection(
        "city_contact",
        _("Requests of %(city)s") % {"city": city},
        groups,
        _(
            "No request from %(city)s is waiting for you. The inbox lists the accepted requests of your city, "
            "to follow them up."
        )
        % {"city": city},
        action_label=_("Open the inbox"),
        action_url=inbox,
    )


def liaison_section(user: User) -> WorkSection:
    detail = "exchanges:request_detail"
    groups = [
        *_group(
            "nominate",
            _("Experts to nominate"),
            selectors.experts_to_nominate(user),
            lambda r: WorkItem(
                _request_label(r),
                reverse(detail, args=[r.pk]) + "#suggestions-heading",
                _("from %(city)s, routed to your department on %(date)s")
                % {"city": r.requester_city.name, "date": _day(r.status_changed_at)},
            ),
        ),
        *_group(
            "routed",
            _("Other open requests routed to your department"),
            selectors.routed_in_progress(user),
            lambda r: WorkItem(
                _request_label(r),
                reverse(detail, args=[r.pk]),
                _("%(status)s since %(date)s")
                % {"status": r.get_status_display(), "date": _day(r.status_changed_at)},
            ),
        ),
    ]
    pool = reverse("cities:expert_list")
    if user.department_id:
        pool += "?" + urlencode({"city": user.department.city_id, "department": user.department_id})
    return WorkSection(
        "liaison",
        _("Requests routed to %(department)s")
        % {"department": user.department.name if user.department else "–"},
        groups,
        _(
            "No request is routed to your department right now. Check that the experts of your department "
            "are in the pool with their current topics."
        ),
        action_label=_("Experts of your department"),
        action_url=pool,
    )


def coordinator_section(user: User) -> WorkSection:
    counts = selectors.triage_counts()
    labels = dict(Status.choices)
    figures = [
        Figure(str(labels[status]), str(count), _triage(status=status))
        for status, count in counts.items()
        if count
    ]
    detail = "exchanges:request_detail"

    def request_item(r: ExchangeRequest) -> WorkItem:
        return WorkItem(
            _request_label(r),
            reverse(detail, args=[r.pk]),
            _("%(city)s, %(status)s, submitted on %(date)s")
            % {"city": r.requester_city.name, "status": r.get_status_display(), "date": _day(r.submitted_at)},
        )

    groups = [
        *_group(
            "overdue",
            _("Overdue: the city contact has not answered"),
            selectors.overdue_requests(user),
            lambda r: WorkItem(
                _request_label(r),
                reverse(detail, args=[r.pk]),
                _("%(city)s, answer was due on %(date)s")
                % {"city": r.requester_city.name, "date": _day(r.contact_due_on)},
                flag=_("overdue"),
            ),
            more_url=_triage(status=Status.SUBMITTED, sort="due"),
            more_label=_("All in the triage"),
        ),
        *_group(
            "routing",
            _("Routing to complete by hand"),
            selectors.routing_to_complete(user),
            lambda r: WorkItem(
                _request_label(r),
                reverse(detail, args=[r.pk]) + "#routing-heading",
                _("%(city)s, accepted on %(date)s")
                % {"city": r.requester_city.name, "date": _day(r.status_changed_at)},
            ),
        ),
        *_group(
            "unassigned",
            _("Not assigned to anybody"),
            selectors.unassigned_requests(user),
            request_item,
            more_url=_triage(assignee="none"),
            more_label=_("All in the triage"),
        ),
        *_group(
            "assigned",
            _("Assigned to you"),
            selectors.assigned_requests(user),
            request_item,
            more_url=_triage(assignee="me"),
            more_label=_("All in the triage"),
        ),
    ]
    failed = selectors.failed_tasks()
    if failed:
        groups.append(
            WorkGroup(
                "failed_tasks",
                _("Failed background tasks"),
                failed,
                [
                    WorkItem(
                        ngettext(
                            "%(count)d task failed and waits for a person",
                            "%(count)d tasks failed and wait for a person",
                            failed,
                        )
                        % {"count": failed},
                        reverse("failed_tasks"),
                        flag=_("needs a person"),
                    )
                ],
            )
        )
    return WorkSection(
        "coordinator",
        _("Coordination"),
        groups,
        _("Nothing is overdue, unassigned or waiting for a manual routing."),
        action_label=_("Open the triage"),
        action_url=reverse("exchanges:triage"),
        figures=figures,
        figures_caption=_("Open requests by state"),
        links=[(_("Open the administration"), reverse("admin:index"))] if user.is_staff else [],
    )


def _euro(value: Decimal | None) -> str:
    return (
        "–" if value is None else f"{formats.number_format(value, 2, use_l10n=True, force_grouping=True)} €"
    )


def finance_section(user: User) -> WorkSection:
    queue = selectors.claims_to_decide(user)
    money = selectors.finance_figures()
    oldest = queue.items[0].submitted_at if queue.items else None
    figures = [
        Figure(_("Claims waiting for you"), str(queue.count), reverse("exchanges:finance_queue")),
        Figure(_("Waiting since"), _day(oldest) if oldest else "–"),
        Figure(
            _("Budget %(year)d used") % {"year": money["year"]},
            f"{money['share']} %" if money["share"] is not None else _euro(money["used"]),
            reverse("exchanges:budget"),
            _("%(used)s of %(budget)s") % {"used": _euro(money["used"]), "budget": _euro(money["budget"])}
            if money["budget"] is not None
            else _("no budget set"),
        ),
        Figure(_("Remaining"), _euro(money["remaining"])),
    ]
    groups = [
        *_group(
            "claims",
            _("Claims to decide, the longest waiting first"),
            queue,
            lambda c: WorkItem(
                f"{c.exchange.reference}: {c.traveller.display_name}",
                reverse("exchanges:claim_detail", args=[c.pk]),
                _("%(amount)s, submitted on %(date)s")
                % {"amount": _euro(c.calculated_total), "date": _day(c.submitted_at)}
                + (" · " + _("filed after the deadline") if c.filed_late else ""),
            ),
            more_url=reverse("exchanges:finance_queue"),
            more_label=_("The whole approval queue"),
        ),
    ]
    if money["unbatched"]:
        groups.append(
            WorkGroup(
                "export",
                _("Bookings not yet exported"),
                money["unbatched"],
                [
                    WorkItem(
                        ngettext(
                            "%(count)d booking waits for an export batch",
                            "%(count)d bookings wait for an export batch",
                            money["unbatched"],
                        )
                        % {"count": money["unbatched"]},
                        reverse("exchanges:batch_list"),
                    )
                ],
            )
        )
    return WorkSection(
        "finance",
        _("Travel costs"),
        groups,
        _("No claim is waiting for your decision."),
        action_label=_("Open the approval queue"),
        action_url=reverse("exchanges:finance_queue"),
        figures=figures,
        figures_caption=_("Travel costs at a glance"),
        links=[(_("Budget"), reverse("exchanges:budget"))],
    )


def start_sections(user: User) -> list[WorkSection]:
    """The person's sections, the role with the most pressing work for others first; the first section's
    action is the page's primary button."""
    is_expert = user.has_role(Role.EXPERT) or hasattr(user, "expert_profile")
    sections = []
    if is_coordinator(user):
        sections.append(coordinator_section(user))
    if is_city_contact(user):
        sections.append(city_contact_section(user))
    if decides_claims(user):
        sections.append(finance_section(user))
    if user.has_role(Role.DEPARTMENT_LIAISON) and user.department_id:
        sections.append(liaison_section(user))
    if is_expert:
        sections.append(expert_section(user))
    if may_request(user):
        sections.append(staff_section(user, with_meetings=not is_expert))
    if sections:
        # One primary button: the action of the first section with work waiting; when nothing waits, a new
        # request (for those who may ask), else the first section's action.
        waiting = [section for section in sections if section.has_work]
        fallback = [section for section in sections if section.key == "staff"] or sections
        (waiting or fallback)[0].is_primary = True
    return sections
