"""Script in any free text stays text: every page that shows it escapes it, e-mails are plain text, the
PDF is built, and CSV/XLSX exports neutralise formulas (= + - @) against spreadsheet injection."""

import csv
import io

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from cities.directory.models import Topic
from exchanges.cycle.models import TimelineEntry
from exchanges.cycle.services.requests import comment_add
from exchanges.travel.models import Booking, RateSet
from exchanges.travel.services.exports import batch_csv, batch_xlsx
from tests.security.attack_world import build_world, run

pytestmark = [pytest.mark.security, pytest.mark.django_db]

PAYLOADS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']


@pytest.fixture(params=PAYLOADS, ids=["script", "attribute"])
def payload(request) -> str:
    return request.param


@pytest.fixture
def xss_world(db, settings, tmp_path, payload):
    settings.MEDIA_ROOT = tmp_path
    world = build_world(text=payload)
    for topic in Topic.objects.all():
        topic.name = f"{payload}{topic.name}"
        topic.save(update_fields=["name"])
    RateSet.objects.filter(pk=world.rate_set.pk).update(legal_basis=f"{payload}BRKG")
    for side in world.sides.values():
        TimelineEntry.objects.create(
            request=side.requests["submitted"],
            actor=side.contact,
            action="return_for_changes",
            from_status="submitted",
            to_status="returned",
            comment=f"{payload}Rückfrage",
        )
    return world


def pages(world) -> list[tuple[str, str]]:
    """(role, URL) of every page that shows what people typed."""
    own = world["own"]
    requests = own.requests
    result = []
    for exchange in requests.values():
        for role in ("staff", "coordinator"):
            result.append((role, reverse("exchanges:request_detail", args=[exchange.pk])))
    result += [
        ("contact", reverse("exchanges:request_detail", args=[requests["submitted"].pk])),
        ("liaison", reverse("exchanges:request_detail", args=[requests["matching"].pk])),
        ("expert", reverse("exchanges:request_detail", args=[requests["scheduled"].pk])),
        ("staff", reverse("exchanges:request_edit", args=[requests["draft"].pk])),
        ("staff", reverse("exchanges:request_list")),
        ("coordinator", reverse("exchanges:triage")),
        ("contact", reverse("exchanges:contact_inbox")),
        ("staff", reverse("exchanges:knowledge_base")),
        ("staff", reverse("exchanges:notifications")),
        ("staff", reverse("cities:expert_list")),
        ("staff", reverse("cities:expert_detail", args=[own.expert.pk])),
        ("expert", reverse("exchanges:my_invitations")),
        ("expert", reverse("exchanges:invitation_answer", args=[own.invitation_open.pk])),
        ("anonymous", reverse("exchanges:invitation_answer_link", args=[own.token()])),
        ("staff", reverse("exchanges:meeting_edit", args=[requests["scheduled"].pk])),
        ("expert", reverse("exchanges:reflection_create", args=[requests["completed"].pk])),
        ("staff", reverse("exchanges:claim_create", args=[requests["scheduled"].pk])),
        ("staff", reverse("exchanges:my_claims")),
        ("staff", reverse("exchanges:claim_detail", args=[own.claims["draft"].pk])),
        ("finance", reverse("exchanges:claim_detail", args=[own.claims["submitted"].pk])),
        ("finance", reverse("exchanges:finance_queue")),
        ("staff", reverse("exchanges:trip_detail", args=[own.trips["draft"].pk])),
        ("staff", reverse("exchanges:trip_edit", args=[own.trips["draft"].pk])),
        ("contact", reverse("exchanges:trip_detail", args=[own.trips["submitted"].pk])),
        ("coordinator", reverse("exchanges:trip_detail", args=[own.trips["submitted"].pk])),
        ("staff", reverse("exchanges:my_trips")),
        ("contact", reverse("exchanges:trips_to_approve")),
        ("anonymous", reverse("exchanges:trip_approval_link", args=[own.trip_token()])),
        ("finance", reverse("exchanges:batch_list")),
        ("finance", reverse("exchanges:batch_detail", args=[world.batch.pk])),
        ("finance", reverse("exchanges:rate_sets")),
        ("finance", reverse("exchanges:rate_set_new_period", args=[world.rate_set.pk])),
        ("coordinator", reverse("exchanges:statistics")),  # city names in tables and charts
        ("coordinator", reverse("exchanges:statistics_cities")),
        ("staff", reverse("home")),
        ("contact", reverse("home")),
        ("staff", reverse("profile")),
        ("superuser", reverse("admin:exchanges_exchangerequest_changelist")),
        ("superuser", reverse("admin:cities_user_changelist")),
        ("superuser", reverse("admin:cities_expertprofile_changelist")),
    ]
    return result


# Pages that show nothing typed by people (only batch numbers and sums): checked for raw markup only.
NOTHING_TYPED = {"exchanges:batch_list"}


def test_every_page_escapes_what_people_typed(xss_world, payload):
    problems = []
    nothing_typed = {reverse(name) for name in NOTHING_TYPED}
    for role, url in pages(xss_world):
        answer, content = run(xss_world, role, "get", url, {})
        page = content.decode()
        if answer != 200:
            problems.append(f"{role} {url}: {answer}")
            continue
        if payload in page or "<img src=x" in page or "<script>alert" in page:
            problems.append(f"{role} {url}: the payload is in the page unescaped")
        if escape(payload) not in page and url not in nothing_typed:
            problems.append(f"{role} {url}: the escaped payload is missing (is the text shown at all?)")
    assert not problems, "\n".join(problems)


def test_e_mails_are_plain_text(xss_world, payload, django_capture_on_commit_callbacks):
    own = xss_world["own"]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(request=own.requests["submitted"], author=own.contact, body=f"{payload} Frage")
    assert mail.outbox, "the comment should be mailed to the requester"
    for message in mail.outbox:
        assert not [kind for _content, kind in getattr(message, "alternatives", []) if "html" in kind]
        assert message.content_subtype == "plain"
        assert payload in message.body  # plain text: shown as typed, never interpreted


def test_the_claim_pdf_is_built_with_markup_in_every_text(xss_world):
    claim = xss_world["own"].claims["submitted"]
    for role in ("expert", "finance"):
        answer, content = run(xss_world, role, "get", reverse("exchanges:claim_pdf", args=[claim.pk]), {})
        assert answer == 200
        assert content.startswith(b"%PDF")


# --- spreadsheet exports: formula injection ----------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_exports_neutralise_formulas(db, settings, tmp_path, formula):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    Booking.objects.filter(batch=world.batch).update(payee=formula, cost_centre=formula)

    rows = list(csv.reader(io.StringIO(batch_csv(world.batch).decode("utf-8-sig")), delimiter=";"))
    cells = [cell for row in rows[1:] for cell in (row[2], row[3])]
    assert cells and all(cell == "'" + formula for cell in cells), cells
    assert all(row[4] == "42,00" for row in rows[1:])  # amounts stay numbers in German notation

    sheet = load_workbook(io.BytesIO(batch_xlsx(world.batch))).active
    values = [sheet.cell(row=row, column=column) for row in range(2, sheet.max_row + 1) for column in (3, 4)]
    assert values and all(cell.data_type == "s" and cell.value == "'" + formula for cell in values)
    assert all(sheet.cell(row=row, column=5).data_type == "n" for row in range(2, sheet.max_row + 1))


def test_exports_keep_ordinary_text(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    Booking.objects.filter(batch=world.batch).update(payee="Anna Schmidt")
    rows = list(csv.reader(io.StringIO(batch_csv(world.batch).decode("utf-8-sig")), delimiter=";"))
    assert {row[3] for row in rows[1:]} == {"Anna Schmidt"}
