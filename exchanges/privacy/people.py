"""Data protection: a person's data export, anonymisation and the retention periods (DSGVO).

The account part lives here; the exchange part (requests, cycle, travel costs) in
``exchanges.privacy.exchanges``, which these services call. docs/data-protection.md describes the whole."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.directory.models import ExpertProfile, User
from cities.directory.roles import Role
from cities.mail.models import OutgoingEmail
from cities.operations.audit import audit_purge_before, audit_record
from cities.operations.models import AuditEvent
from exchanges.privacy.exchanges import (
    OPEN_CLAIM_STATUSES,
    closed_requests_expire,
    exchange_data_anonymise,
    exchange_sections,
    open_claims_count,
    receipts_expire,
)
from exchanges.privacy.tools import REDACTED, Section, columns, label, rows_scrub, values

# Reserved top-level domain (RFC 2606): mail to it can never be delivered.
ANONYMISED_DOMAIN = "anonymisiert.invalid"


# Names shorter than this are not searched for in other people's texts (too many false hits).
MIN_NAME_LENGTH = 4


class PrivacyError(Exception):
    """A data-protection action was refused; ``message`` is for the person who asked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _account_sections(person: User) -> list[Section]:

    account_fields = (
        "email",
        "display_name",
        "phone",
        "organisation",
        "preferred_language",
        "notification_mode",
        "is_active",
        "date_joined",
        "last_login",
    )
    row = values(person, *account_fields)
    row["home_city"] = str(person.home_city or "")
    row["department"] = person.department.name if person.department else ""
    row["roles"] = [str(role.label) for role in Role if role.value in person.roles]
    account = Section(
        "account",
        str(gettext_lazy("Account")),
        [
            *columns(User, *account_fields),
            ("home_city", label(User, "home_city")),
            ("department", label(User, "department")),
            ("roles", str(gettext_lazy("roles"))),
        ],
        [row],
        single=True,
    )
    sections = [account]
    profile = ExpertProfile.objects.filter(user=person).prefetch_related("expert_topics__topic").first()
    profile_fields = (
        "position",
        "experience",
        "languages",
        "is_available",
        "availability_note",
        "max_exchanges_per_year",
        "created_at",
        "updated_at",
    )
    sections.append(
        Section(
            "expert_profile",
            str(gettext_lazy("expert profile")),
            columns(ExpertProfile, *profile_fields),
            [values(profile, *profile_fields)] if profile else [],
            single=True,
        )
    )
    sections.append(
        Section(
            "expert_topics",
            str(gettext_lazy("topics")),
            [("topic", str(gettext_lazy("topic"))), ("level", str(gettext_lazy("level")))],
            [
                {"topic": entry.topic.name, "level": entry.get_level_display()}
                for entry in (profile.expert_topics.all() if profile else [])
            ],
        )
    )
    return sections


def _mail_and_audit_sections(person: User) -> list[Section]:
    emails = OutgoingEmail.objects.filter(Q(recipient=person) | Q(to_address__iexact=person.email)).order_by(
        "created_at", "pk"
    )
    email_fields = ("created_at", "to_address", "subject", "state", "sent_at")
    events = (
        AuditEvent.objects.filter(Q(actor=person) | Q(subject=person))
        .select_related("actor", "subject")
        .order_by("occurred_at", "pk")
    )
    audit_rows = []
    for event in events:
        row = values(event, "occurred_at", "kind", "target")
        row["role"] = str(
            gettext_lazy("acting person") if event.actor_id == person.pk else gettext_lazy("person concerned")
        )
        # The address is the person's own only where they acted themselves.
        row["ip_address"] = event.ip_address if event.actor_id == person.pk else None
        audit_rows.append(row)
    return [
        Section(
            "emails",
            str(gettext_lazy("E-mails sent to you")),
            columns(OutgoingEmail, *email_fields),
            [values(email, *email_fields) for email in emails],
        ),
        Section(
            "audit_events",
            str(gettext_lazy("Audit log entries about you")),
            [
                *columns(AuditEvent, "occurred_at", "kind", "target"),
                ("role", str(gettext_lazy("your part"))),
                ("ip_address", label(AuditEvent, "ip_address")),
            ],
            audit_rows,
        ),
    ]


def person_data(*, person: User) -> list[Section]:
    """Everything the portal holds about ``person``, section by section (a fixed number of queries)."""

    return [*_account_sections(person), *exchange_sections(person=person), *_mail_and_audit_sections(person)]


def person_data_json(*, person: User) -> dict[str, Any]:
    return {
        "exported_at": timezone.now(),
        "portal": settings.PORTAL_NAME,
        **{section.key: section.as_json() for section in person_data(person=person)},
    }


def display_value(value: Any) -> str:
    """A value as the HTML export shows it: German dates (TT.MM.JJJJ), decimal commas, Ja/Nein."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if isinstance(value, list | tuple):
        return ", ".join(display_value(item) for item in value) or "–"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {display_value(item)}" for key, item in value.items()) or "–"
    return str(value)


def person_data_tables(*, person: User) -> list[dict[str, Any]]:
    """The sections prepared for the HTML export: headings, column labels and display strings."""
    tables = []
    for section in person_data(person=person):
        tables.append(
            {
                "key": section.key,
                "title": section.title,
                "single": section.single,
                "labels": [name for _key, name in section.columns],
                "pairs": [(name, display_value(section.rows[0].get(key))) for key, name in section.columns]
                if section.single and section.rows
                else [],
                "rows": [
                    [display_value(row.get(key)) for key, _name in section.columns] for row in section.rows
                ],
            }
        )
    return tables


def person_data_exported(*, person: User, export_format: str, request: Any = None) -> AuditEvent:
    """Record that a person downloaded their data (audit)."""
    return audit_record(
        kind=AuditEvent.Kind.DATA_EXPORT,
        actor=person,
        subject=person,
        target=person,
        request=request,
        format=export_format,
    )


def anonymised_name(person: User) -> str:
    return f"Anonymisierte Person {person.pk}"


def anonymised_email(person: User) -> str:
    return f"anonymisiert-{person.pk}@{ANONYMISED_DOMAIN}"


def _sessions_delete(person: User) -> int:
    """End every log-in of the person (database sessions; other engines fail the session hash check)."""
    stale = []
    for session in Session.objects.all().only("session_key", "session_data"):
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            stale.append(session.session_key)
    if stale:
        Session.objects.filter(session_key__in=stale).delete()
    return len(stale)


def _login_records_delete(email: str) -> None:
    """Remove the person's address from the log-in lock-out records (django-axes), if installed."""
    if not apps.is_installed("axes"):
        return
    for model_name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
        try:
            model = apps.get_model("axes", model_name)
        except LookupError:
            continue
        model.objects.filter(username__iexact=email).delete()


def person_open_claims(person: User) -> int:
    """Travel claims of the person that finance still has to decide, book or pay."""

    return open_claims_count(person=person)


def _anonymise(person: User) -> dict[str, int]:
    """The anonymisation itself, inside the caller's transaction. Returns counts of what changed."""

    person = User.objects.select_for_update().get(pk=person.pk)
    old_name, old_email = person.display_name, person.email
    new_name, new_email = anonymised_name(person), anonymised_email(person)
    replacements = [(old_email, new_email)]
    if len(old_name.strip()) >= MIN_NAME_LENGTH:
        replacements.append((old_name.strip(), new_name))

    counts: dict[str, int] = {}
    counts.update(
        exchange_data_anonymise(
            person=person, replacements=replacements, new_name=new_name, new_email=new_email
        )
    )

    profile = ExpertProfile.objects.filter(user=person).first()
    if profile is not None:
        ExpertProfile.objects.filter(pk=profile.pk).update(
            position="", experience=REDACTED, availability_note="", is_available=False
        )

    # E-mails to the person: address and text go; the subject stays as a record of what was sent.
    to_person = OutgoingEmail.objects.filter(Q(recipient=person) | Q(to_address__iexact=old_email))
    to_person.filter(state=OutgoingEmail.State.PENDING).update(
        state=OutgoingEmail.State.FAILED, last_error="Not sent: the recipient was anonymised."
    )
    counts["emails"] = to_person.update(
        to_address=new_email, body=REDACTED, attachment_content="", attachment_name=""
    )
    # E-mails to others that name the person.
    counts["emails_mentioning"] = rows_scrub(
        OutgoingEmail.objects.all(), ["subject", "body", "to_address"], replacements
    )
    counts["admin_log"] = rows_scrub(LogEntry.objects.all(), ["object_repr", "change_message"], replacements)
    counts["sessions"] = _sessions_delete(person)
    _login_records_delete(old_email)

    person.display_name = new_name
    person.email = new_email
    person.phone = ""
    person.organisation = ""
    person.set_unusable_password()
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.anonymised_at = timezone.now()
    person.full_clean(exclude=["password"])
    person.save(
        update_fields=[
            "display_name",
            "email",
            "phone",
            "organisation",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "anonymised_at",
        ]
    )
    return counts


@transaction.atomic
def person_anonymise(*, actor: User, person: User) -> User:
    """Anonymise a person on request (Art. 17 DSGVO) in one transaction; amounts, dates and numbers stay."""
    if not (actor.is_superuser and actor.is_active):
        raise PrivacyError(_("Only administrators can anonymise a person."))
    if actor.pk == person.pk:
        raise PrivacyError(_("You cannot anonymise yourself."))
    person = User.objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        raise PrivacyError(_("%(name)s has already been anonymised.") % {"name": person.display_name})
    open_claims = person_open_claims(person)
    if open_claims:
        raise PrivacyError(
            _(
                "%(name)s still has %(count)d travel-cost claim(s) that finance has to decide, book or pay. "
                "Finish them first: the payment needs the name."
            )
            % {"name": person.display_name, "count": open_claims}
        )
    counts = _anonymise(person)
    person.refresh_from_db()
    audit_record(
        kind=AuditEvent.Kind.ANONYMISATION,
        actor=actor,
        subject=person,
        target=person,
        **{key: value for key, value in counts.items() if value},
    )
    return person


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class RetentionResult:
    request_texts: int = 0  # rows of closed requests anonymised
    receipts: int = 0
    claims: int = 0
    emails: int = 0
    audit_events: int = 0
    login_records: int = 0
    accounts: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.request_texts or self.receipts or self.claims or self.emails or self.accounts)


def inactive_accounts(*, today: date) -> models.QuerySet:
    """Accounts without a log-in (or, never logged in, created) before the inactivity cutoff.

    Administrators are left alone, and so is anyone with a claim finance still has to decide, book or
    pay (the payment needs the name; a later run anonymises them).
    """

    cutoff = start_of(years_before(today, settings.RETENTION_INACTIVE_ACCOUNT_YEARS))
    return (
        User.objects.filter(anonymised_at__isnull=True, is_superuser=False)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .exclude(travel_claims__status__in=OPEN_CLAIM_STATUSES)
        .order_by("pk")
    )


def retention_apply(*, today: date) -> RetentionResult:
    """Anonymise or delete everything past its retention period (docs/data-protection.md).

    Idempotent: every step selects only what is still there to anonymise or delete, so a second run
    on the same day changes nothing. No person acts, so audit events have no actor.
    """

    result = RetentionResult()
    with transaction.atomic():
        result.request_texts = closed_requests_expire(
            before=start_of(years_before(today, settings.RETENTION_CLOSED_REQUEST_YEARS))
        )
        result.receipts, result.claims = receipts_expire(today=today)
        email_cutoff = start_of(today - timedelta(days=settings.RETENTION_EMAIL_DAYS))
        old_emails = OutgoingEmail.objects.filter(
            Q(state=OutgoingEmail.State.SENT, sent_at__lt=email_cutoff)
            | Q(state=OutgoingEmail.State.FAILED, created_at__lt=email_cutoff)
        )
        result.emails = old_emails.exclude(body="", attachment_content="").update(
            body="", attachment_content=""
        )
        for person in inactive_accounts(today=today):
            counts = _anonymise(person)
            audit_record(
                kind=AuditEvent.Kind.RETENTION,
                actor=None,
                subject=person,
                target=person,
                reason="inactive account",
                **{key: value for key, value in counts.items() if value},
            )
            result.accounts.append(person.pk)
        if result.request_texts or result.receipts or result.claims or result.emails:
            audit_record(
                kind=AuditEvent.Kind.RETENTION,
                actor=None,
                target="retention",
                request_texts=result.request_texts,
                receipts=result.receipts,
                claims=result.claims,
                emails=result.emails,
            )
    audit_cutoff = start_of(years_before(today, settings.RETENTION_AUDIT_YEARS))
    result.audit_events = audit_purge_before(cutoff=audit_cutoff)
    result.login_records = _login_records_purge(before=audit_cutoff)
    # Expired log-ins (what ``manage.py clearsessions`` does).
    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return result


def _login_records_purge(*, before: datetime) -> int:
    """Log-in records of django-axes (addresses, IP addresses) follow the audit log's period."""
    if not apps.is_installed("axes"):
        return 0
    deleted = 0
    for model_name in ("AccessLog", "AccessFailureLog", "AccessAttempt"):
        try:
            model = apps.get_model("axes", model_name)
        except LookupError:
            continue
        deleted += model.objects.filter(attempt_time__lt=before).delete()[0]
    return deleted
