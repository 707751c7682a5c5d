"""Property-based fuzzing (hypothesis) of every form and of the main POST views.

Forms: every form class of the domain packages' forms modules and every form the URL conf's auth views
use, 100 examples each (KOOPSTADT_FUZZ_EXAMPLES), with random unicode (NUL bytes, RTL marks, emoji), 100k-character strings,
negative and enormous numbers, malformed dates and money, and malformed, empty or oversized files:
``is_valid()`` never raises, and errors are bound to fields. A new form class without a builder here fails.

Views (fewer examples, through the test client): never a 500; invalid input re-renders the page with the
error message and what was typed.
"""

import inspect
import os
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cities.accounts.forms
import cities.directory.forms
import exchanges.cycle.forms
import exchanges.notifications.forms
import exchanges.travel.forms
from cities.directory.models import User
from exchanges.cycle.workflow import TRANSITIONS
from exchanges.travel.models import RateSet
from tests.security.attack_world import World, run, world_fixture  # noqa: F401

pytestmark = [pytest.mark.security, pytest.mark.django_db]

# Examples per form; the views get a fifth of it. KOOPSTADT_FUZZ_EXAMPLES=1000 searches deeper (a nightly
# or pre-release run); the everyday default keeps the whole suite within its eight minutes.
FORM_EXAMPLES = int(os.environ.get("KOOPSTADT_FUZZ_EXAMPLES", "100"))
FORM_SETTINGS = settings(
    max_examples=FORM_EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# The views render whole pages: fewer examples per view.
VIEW_SETTINGS = settings(
    max_examples=max(FORM_EXAMPLES // 5, 10),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HUGE = "x" * 100_000
SPECIAL = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "\u200f\u200e",
    "🙂👩‍👩‍👧‍👦",
    "ﷺ" * 50,
    HUGE,
    "9" * 100_000,
    "-1",
    "-0",
    "0",
    "1",
    "2",
    "-99999999999999999999",
    "99999999999999999999999999999",
    "1e999",
    "-1e999",
    "1E+5",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "1,2,3",
    "1.2.3",
    "1.000,00",
    "59,90",
    "5.000,00 €",
    "€",
    "0x1F",
    "31.02.2026",
    "29.02.2025",
    "00.00.0000",
    "01.01.0001 00:00",
    "31.12.9999 23:59",
    "2026-13-45",
    "99999-01-01",
    "12.12.2026 25:61",
    "12.12.2026 10:00",
    "2026-12-12T10:00:00+99:00",
    "on",
    "true",
    "accept",
    "approve",
    "reject",
    "submitted",
    "rail",
    "hotel",
    "immediately",
    "anna@example.org",
    "a@b",
    "https://example.org/" + "a" * 3000,
    "javascript:alert(1)",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
]
TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.integers().map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(lambda day: f"{day.day:02d}.{day.month:02d}.{day.year:04d}"),
    st.datetimes().map(lambda moment: moment.strftime("%d.%m.%Y %H:%M")),
)

PDF = b"%PDF-1.4 fuzz\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FILE_CONTENTS = {
    "empty": b"",
    "pdf": PDF,
    "png": PNG,
    "html named pdf": b"<html><script>alert(1)</script></html>",
    "garbage": bytes(range(256)) * 4,
    "zip": b"PK\x03\x04" + b"\x00" * 40,
    "oversized": b"%PDF-1.4" + b"0" * (10 * 1024 * 1024 + 1),
}
FILE_NAMES = [
    "beleg.pdf",
    "bild.png",
    "a",
    ".pdf",
    "x" * 300 + ".pdf",
    "\u202efdp.exe",
    "a\x00.pdf",
    "../../x.pdf",
]


def upload(content: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, FILE_CONTENTS[content], content_type="application/pdf")


FILES = st.builds(upload, st.sampled_from(sorted(FILE_CONTENTS)), st.sampled_from(FILE_NAMES))


# --- which forms exist --------------------------------------------------------------------------------------
def module_forms(module) -> set[type]:
    return {
        cls
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
    }


def url_conf_forms() -> set[type]:
    """The forms the class-based views of the URL conf use (the auth views)."""
    found: set[type] = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "view_class", None)
                if view_class is None or pattern.callback.__module__.startswith("django.contrib.admin"):
                    continue
                initkwargs = getattr(pattern.callback, "view_initkwargs", {})
                explicit = [
                    initkwargs[key] for key in ("authentication_form", "form_class") if initkwargs.get(key)
                ]
                for form_class in explicit or [getattr(view_class, "form_class", None)]:
                    if inspect.isclass(form_class) and issubclass(form_class, forms.BaseForm):
                        found.add(form_class)

    walk(get_resolver().url_patterns)
    return found


def all_forms() -> set[type]:
    modules = [
        cities.accounts.forms,
        cities.directory.forms,
        exchanges.cycle.forms,
        exchanges.notifications.forms,
        exchanges.travel.forms,
    ]
    return set().union(*(module_forms(module) for module in modules)) | url_conf_forms()


def builders(world: World) -> dict[type, object]:
    """How each form is made in its view. Every builder takes (data, files)."""
    own, foreign = world["own"], world["foreign"]
    staff = own.staff
    today = timezone.localdate()
    request_factory = RequestFactory()
    ef = SimpleNamespace(
        **{
            **vars(exchanges.cycle.forms),
            **vars(exchanges.notifications.forms),
            **vars(exchanges.travel.forms),
        }
    )
    return {
        ef.RequestForm: lambda data, files: ef.RequestForm(
            data, files, instance=own.requests["draft"], requester=staff
        ),
        ef.TransitionForm: lambda data, files: ef.TransitionForm(data, transition=TRANSITIONS["reject"]),
        ef.CommentForm: lambda data, files: ef.CommentForm(data),
        ef.TriageFilterForm: lambda data, files: ef.TriageFilterForm(data),
        ef.AssignForm: lambda data, files: ef.AssignForm(data),
        ef.NotificationSettingsForm: lambda data, files: ef.NotificationSettingsForm(data),
        ef.RoutingCorrectionForm: lambda data, files: ef.RoutingCorrectionForm(data),
        ef.ProposeExpertsForm: lambda data, files: ef.ProposeExpertsForm(
            data, experts=[own.expert, foreign.expert]
        ),
        ef.InvitationAnswerForm: lambda data, files: ef.InvitationAnswerForm(data),
        ef.MeetingForm: lambda data, files: ef.MeetingForm(data, people=[staff, own.expert.user]),
        ef.PastExchangeForm: lambda data, files: ef.PastExchangeForm(
            data, people=[staff, own.expert.user], experts=[own.expert]
        ),
        ef.RecordAnswerForm: lambda data, files: ef.RecordAnswerForm(data, invitation=own.invitation_open),
        ef.ReflectionForm: lambda data, files: ef.ReflectionForm(data),
        ef.KnowledgeFilterForm: lambda data, files: ef.KnowledgeFilterForm(data),
        ef.ClaimForm: lambda data, files: ef.ClaimForm(data, instance=own.claims["draft"]),
        ef.ClaimItemForm: lambda data, files: ef.ClaimItemForm(data, files),
        ef.MealsForm: lambda data, files: ef.MealsForm(
            data, days=[today - timedelta(days=2), today - timedelta(days=1)], initial_meals={}
        ),
        ef.FinanceDecisionForm: lambda data, files: ef.FinanceDecisionForm(data),
        ef.ItemReductionForm: lambda data, files: ef.ItemReductionForm(
            data, prefix=f"reduce-{own.items['submitted'].pk}"
        ),
        ef.FinanceQueueFilterForm: lambda data, files: ef.FinanceQueueFilterForm(data),
        ef.BookingFilterForm: lambda data, files: ef.BookingFilterForm(data),
        ef.BudgetForm: lambda data, files: ef.BudgetForm(data, year=2026),
        ef.BudgetYearForm: lambda data, files: ef.BudgetYearForm(data),
        ef.ClaimVersionForm: lambda data, files: ef.ClaimVersionForm(data),
        ef.ReceiptForm: lambda data, files: ef.ReceiptForm(
            data, files, prefix=f"receipt-{own.items['draft'].pk}"
        ),
        ef.ClaimSubmitForm: lambda data, files: ef.ClaimSubmitForm(data),
        ef.TripForm: lambda data, files: ef.TripForm(data, instance=own.trips["draft"], traveller=staff),
        ef.TripTravellerForm: lambda data, files: ef.TripTravellerForm(
            data, travellers=User.objects.filter(pk__in=[staff.pk, own.expert.user.pk])
        ),
        ef.TripVersionForm: lambda data, files: ef.TripVersionForm(data),
        ef.TripCancelForm: lambda data, files: ef.TripCancelForm(data),
        ef.TripDecisionForm: lambda data, files: ef.TripDecisionForm(data, prefix="supervisor"),
        ef.TripCostDecisionForm: lambda data, files: ef.TripCostDecisionForm(data, prefix="cost"),
        ef.RateSetPeriodForm: lambda data, files: ef.RateSetPeriodForm(
            data, instance=RateSet.objects.get(pk=world.rate_set.pk)
        ),
        cities.accounts.forms.EmailAuthenticationForm: lambda data, files: (
            cities.accounts.forms.EmailAuthenticationForm(request_factory.post("/konto/anmelden/"), data=data)
        ),
        cities.accounts.forms.OutboxPasswordResetForm: lambda data, files: (
            cities.accounts.forms.OutboxPasswordResetForm(data)
        ),
        cities.directory.forms.ExpertFilterForm: lambda data, files: cities.directory.forms.ExpertFilterForm(
            data
        ),
        auth_forms.PasswordChangeForm: lambda data, files: auth_forms.PasswordChangeForm(staff, data),
        auth_forms.SetPasswordForm: lambda data, files: auth_forms.SetPasswordForm(staff, data),
    }


def builder_for(world: World, form_class: type):
    """The builder of ``form_class``, or of the nearest base class that has one (a subclass in a view)."""
    known = builders(world)
    for cls in form_class.__mro__:
        if cls in known:
            return lambda data, files: _subclassed(known[cls], cls, form_class, data, files)
    return None


def _subclassed(build, base: type, form_class: type, data, files):
    form = build(data, files)
    if form_class is not base:
        form.__class__ = form_class
    return form


FORM_CLASSES = sorted(all_forms(), key=lambda cls: f"{cls.__module__}.{cls.__name__}")


def test_the_forms_in_scope_are_found():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"RequestForm", "ClaimItemForm", "EmailAuthenticationForm", "ExpertFilterForm"} <= names
    assert any(issubclass(cls, auth_forms.SetPasswordForm) for cls in FORM_CLASSES)


def test_every_form_has_a_builder(world):
    missing = [f"{cls.__module__}.{cls.__name__}" for cls in FORM_CLASSES if builder_for(world, cls) is None]
    assert not missing, f"Forms not covered by the fuzzing (add a builder): {missing}"


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=[cls.__name__ for cls in FORM_CLASSES])
def test_fuzzed_form_never_raises_and_binds_errors_to_fields(world, form_class):
    build = builder_for(world, form_class)
    assert build is not None, f"{form_class.__name__} has no builder"
    template = build(None, None)
    file_fields = {name for name, field in template.fields.items() if isinstance(field, forms.FileField)}
    names = list(template.fields)

    @FORM_SETTINGS
    @given(draw=st.data())
    def check(draw) -> None:
        data, files = MultiValueDict(), MultiValueDict()
        for name in names:
            key = template.add_prefix(name)
            if name in file_fields:
                if draw.draw(st.booleans(), label=f"{name} sent"):
                    files.setlist(key, [draw.draw(FILES, label=name)])
                continue
            values = draw.draw(st.lists(TEXT, max_size=3), label=name)
            if values:
                data.setlist(key, values)
        with transaction.atomic():
            form = build(data, files)
            try:
                valid = form.is_valid()
                str(form.errors)
            except Exception as error:  # the property is: is_valid() never raises
                raise AssertionError(f"{form_class.__name__}.is_valid() raised {error!r}") from error
            finally:
                transaction.set_rollback(True)
        if not valid:
            assert form.errors
            stray = [key for key in form.errors if key != NON_FIELD_ERRORS and key not in form.fields]
            assert not stray, f"errors bound to no field: {stray}"

    check()


# --- the main POST views through the test client --------------------------------------------------------
MARK = "Meine Eingabe 4711"

# view: (role, URL name, kwargs, field names to fuzz, the text field that must come back when re-rendered)
VIEWS = {
    "request_create": ("staff", "exchanges:request_create", lambda w: {}, None, "need"),
    "request_edit": (
        "staff",
        "exchanges:request_edit",
        lambda w: {"pk": w["own"].requests["draft"].pk},
        None,
        "need",
    ),
    "comment": (
        "contact",
        "exchanges:comment_create",
        lambda w: {"pk": w["own"].requests["submitted"].pk},
        ["body", "is_internal"],
        None,
    ),
    "claim_create": (
        "staff",
        "exchanges:claim_create",
        lambda w: {"pk": w["own"].requests["scheduled"].pk},
        None,
        "origin",
    ),
    "claim_item_add": (
        "staff",
        "exchanges:claim_item_add",
        lambda w: {"pk": w["own"].claims["draft"].pk},
        None,
        "item-explanation",
    ),
    "claim_decide": (
        "finance",
        "exchanges:claim_decide",
        lambda w: {"pk": w["own"].claims["submitted"].pk},
        ["decision", "reason", "confirm_over_budget", "version"],
        None,
    ),
    "claim_item_reduce": (
        "finance",
        "exchanges:claim_item_reduce",
        lambda w: {"pk": w["own"].claims["submitted"].pk, "item_pk": w["own"].items["submitted"].pk},
        None,
        None,
    ),
    "claim_submit": (
        "staff",
        "exchanges:claim_submit",
        lambda w: {"pk": w["own"].claims["draft"].pk},
        ["submit-version", "submit-duplicate_reason", "submit-trip_fit_reason"],
        None,
    ),
    "claim_receipt_add": (
        "staff",
        "exchanges:claim_receipt_add",
        lambda w: {"pk": w["own"].claims["draft"].pk, "item_pk": w["own"].items["draft"].pk},
        None,
        None,
    ),
    "trip_edit": (
        "staff",
        "exchanges:trip_edit",
        lambda w: {"pk": w["own"].trips["draft"].pk},
        None,
        "purpose",
    ),
    "trip_supervisor_decide": (
        "contact",
        "exchanges:trip_supervisor_decide",
        lambda w: {"pk": w["own"].trips["submitted"].pk},
        ["supervisor-decision", "supervisor-note", "supervisor-version"],
        None,
    ),
    "trip_cost_decide": (
        "coordinator",
        "exchanges:trip_cost_decide",
        lambda w: {"pk": w["own"].trips["submitted"].pk},
        ["cost-decision", "cost-note", "cost-confirm_over_budget", "cost-version"],
        None,
    ),
    "trip_cancel": (
        "staff",
        "exchanges:trip_cancel",
        lambda w: {"pk": w["own"].trips["draft"].pk},
        ["cancel-reason", "cancel-version"],
        None,
    ),
    "trip_approval_link": (
        "anonymous",
        "exchanges:trip_approval_link",
        lambda w: {"token": w["own"].trip_token()},
        ["decision", "note", "version"],
        None,
    ),
    "budget": ("finance", "exchanges:budget", lambda w: {}, ["amount", "version", "year"], None),
    "meeting": (
        "staff",
        "exchanges:meeting_edit",
        lambda w: {"pk": w["own"].requests["scheduled"].pk},
        None,
        "address",
    ),
    "reflection": (
        "expert",
        "exchanges:reflection_create",
        lambda w: {"pk": w["own"].requests["completed"].pk},
        None,
        "learnt",
    ),
    "request_action": (
        "contact",
        "exchanges:request_action",
        lambda w: {"pk": w["own"].requests["submitted"].pk, "action": "return_for_changes"},
        ["return_for_changes-comment", "return_for_changes-expected_status"],
        None,
    ),
}
VIEW_FORMS = {
    "claim_item_reduce": exchanges.travel.forms.ItemReductionForm,
    "claim_receipt_add": exchanges.travel.forms.ReceiptForm,
    "request_create": exchanges.cycle.forms.RequestForm,
    "request_edit": exchanges.cycle.forms.RequestForm,
    "claim_create": exchanges.travel.forms.ClaimForm,
    "claim_item_add": exchanges.travel.forms.ClaimItemForm,
    "trip_edit": exchanges.travel.forms.TripForm,
    "meeting": exchanges.cycle.forms.MeetingForm,
    "reflection": exchanges.cycle.forms.ReflectionForm,
}


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_fuzzed_post_views_never_answer_500(world, view):
    role, name, kwargs, fields, echo = VIEWS[view]
    url = reverse(name, kwargs=kwargs(world))
    if fields is None:
        template = builder_for(world, VIEW_FORMS[view])(None, None)
        fields = [template.add_prefix(field) for field in template.fields]
    file_fields = [field for field in fields if field.endswith(("receipt", "new_attachment"))]
    plain_fields = [field for field in fields if field != echo and field not in file_fields]

    @VIEW_SETTINGS
    @given(draw=st.data())
    def check(draw) -> None:
        data: dict = {}
        for field in plain_fields:
            values = draw.draw(
                st.lists(TEXT.filter(lambda value: len(value) < 20_000), max_size=2), label=field
            )
            if values:
                data[field] = values if len(values) > 1 else values[0]
        for field in file_fields:
            chosen = draw.draw(st.none() | FILES, label=field)
            if chosen is not None:
                data[field] = chosen
        if echo:
            data[echo] = MARK
        answer, content = run(world, role, "post", url, data)
        assert answer != 500, f"{view}: 500 for {data!r}"
        # 409: a version that is not the one stored (a stale save), refused with the form as typed
        assert answer in {200, 302, 400, 409}, f"{view}: {answer}"
        if answer in {200, 409}:
            page = content.decode()
            assert "error-summary" in page or 'class="alert' in page, f"{view}: re-rendered without a message"
            if echo:
                assert escape(MARK) in page, f"{view}: what was typed into {echo} is lost"

    check()


def test_an_id_beyond_any_database_integer_is_an_unknown_choice_not_a_crash(db):
    """SQLite (the embedded default) raises OverflowError for such ids inside the query."""
    from exchanges.cycle.forms import AssignForm

    form = AssignForm(data={"requests": ["9223372036854775808"], "assignee": "-99999999999999999999"})
    assert not form.is_valid()
    assert set(form.errors) == {"requests", "assignee"}
