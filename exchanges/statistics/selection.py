"""Which figures a person asked for and may see: the period, and the city (the coordination may pick one,
city contacts always see their own). The statistics pages and the REST API both start here."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cities.directory.models import City
from cities.directory.rules import is_coordinator
from exchanges.statistics import figures
from exchanges.statistics.forms import StatisticsFilterForm
from exchanges.statistics.tables import Period

FILTER_FIELDS = ("year", "start", "end", "city")


def network_wide(user) -> bool:
    """The coordination sees the whole network and may pick a city; city contacts see their own city."""
    return bool(is_coordinator(user))


@dataclass
class Selection:
    form: StatisticsFilterForm
    period: Period
    city: City | None  # the city whose figures are shown; None for the whole network

    @property
    def city_id(self) -> int | None:
        return self.city.pk if self.city else None

    def query(self) -> str:
        """The query string that selects exactly these figures (for exports and the annual report)."""
        values = {"start": f"{self.period.start:%d.%m.%Y}", "end": f"{self.period.end:%d.%m.%Y}"}
        if self.city and "city" in self.form.fields:
            values["city"] = str(self.city.pk)
        return urlencode(values)


def statistics_selection(*, user, params: Any) -> Selection:
    """The selection from the filter parameters (a QueryDict); PermissionDenied for those who may not see any."""
    if not figures.may_see_statistics(user):
        raise PermissionDenied
    today = timezone.localdate()
    wide = network_wide(user)
    bound = any(name in params for name in FILTER_FIELDS)
    form = StatisticsFilterForm(
        params if bound else None,
        today=today,
        with_city=wide,
        initial={"year": today.year},
    )
    period = form.period(figures.default_period(today))
    if wide:
        city = form.cleaned_data.get("city") if form.is_bound and form.is_valid() else None
    else:
        city = user.home_city
    return Selection(form=form, period=period, city=city)
