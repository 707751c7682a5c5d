"""Which rate set applies, and new validity periods instead of overwriting old figures."""

from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from cities.directory.models import City, User
from cities.records.versions import version_advance, version_check
from exchanges.travel.models import RateSet
from koopstadt.errors import DomainError

DEFAULT_CODE = "BRKG"


def rate_set_for(*, city: City | None, day: date) -> RateSet:
    """The rate set of the traveller's home city valid on the trip's first day (BRKG if the city has none)."""
    for code in ([city.rate_code] if city else []) + [DEFAULT_CODE]:
        rate_set = RateSet.objects.valid_on(day).filter(code=code).order_by("-valid_from").first()
        if rate_set is not None:
            return rate_set
    raise DomainError(
        _("No rate set is valid on %(day)s. Finance must add one.") % {"day": f"{day:%d.%m.%Y}"}
    )


@transaction.atomic
def rate_set_new_period(
    *,
    current: RateSet,
    valid_from: date,
    changes: dict,
    actor: User | None = None,
    expected_version: int | None = None,
) -> RateSet:
    """Start a new validity period with changed figures; the current one ends the day before.

    ``expected_version`` is the current set's version the person's form started from: a period started
    by somebody else meanwhile (which ended the current set) is refused as stale, the input kept.
    """
    current = RateSet.objects.select_for_update().get(pk=current.pk)
    version_check(current, expected_version)
    if valid_from <= current.valid_from:
        raise DomainError(
            _("The new period must start after %(day)s.") % {"day": f"{current.valid_from:%d.%m.%Y}"},
            field="valid_from",
        )
    later = RateSet.objects.filter(code=current.code, valid_from__gt=current.valid_from).exists()
    if current.valid_to is not None or later:
        raise DomainError(_("Only the latest, still open period can be continued."), field="valid_from")
    current.valid_to = valid_from - timedelta(days=1)
    version_advance(current, actor=actor, fields=["valid_to"])
    current.full_clean()
    current.save(update_fields=["valid_to", "version"])
    new = RateSet.objects.get(pk=current.pk)
    new.pk = None
    new.valid_from = valid_from
    new.valid_to = None
    new.version = 1
    for name, value in changes.items():
        setattr(new, name, value)
    new.full_clean()
    new.save()
    return new
