"""The period (and, for the coordination, city) chooser of the statistics pages: a GET form."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.directory.models import City
from exchanges.statistics.tables import Period
from koopstadt.form_widgets import FastSelect
from koopstadt.formfields import ModelChoiceField

DATE_INPUT_FORMATS = ["%d.%m.%Y", "%d.%m.%y", "%Y-%m-%d"]
YEARS_BACK = 10  # the seeds look back on nine years of the network


class StatisticsFilterForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"), coerce=int, required=False, empty_value=None, widget=FastSelect
    )
    start = forms.DateField(
        label=_("From (DD.MM.YYYY)"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"autocomplete": "off"}),
    )
    end = forms.DateField(
        label=_("To (DD.MM.YYYY)"),
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(format="%d.%m.%Y", attrs={"autocomplete": "off"}),
        help_text=_("A period given by dates takes precedence over the year."),
    )
    city = ModelChoiceField(
        label=_("City"),
        queryset=City.objects.order_by("name"),
        required=False,
        empty_label=_("whole network"),
    )

    def __init__(self, *args, today: date, with_city: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["year"].choices = [
            ("", _("– choose dates –")),
            *[(year, str(year)) for year in range(today.year, today.year - YEARS_BACK, -1)],
        ]
        if not with_city:
            del self.fields["city"]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if "start" in self.errors or "end" in self.errors:
            return data
        if start and not end:
            self.add_error("end", _("Please give the end of the period too, or choose a year."))
        elif end and not start:
            self.add_error("start", _("Please give the start of the period too, or choose a year."))
        elif start and end:
            if start > end:
                self.add_error("end", _("The end of the period must not be before its start."))
            elif not (date(2000, 1, 1) <= start and end <= date(2100, 12, 31)):
                self.add_error("start", _("Please choose a period between the years 2000 and 2100."))
        return data

    def period(self, default: Period) -> Period:
        """The chosen period; ``default`` when nothing (valid) was chosen."""
        if not self.is_bound or not self.is_valid():
            return default
        start, end, year = (self.cleaned_data.get(name) for name in ("start", "end", "year"))
        if start and end:
            return Period(start, end)
        if year:
            return Period(date(year, 1, 1), date(year, 12, 31))
        return default

    def city_id(self) -> int | None:
        if "city" not in self.fields or not self.is_bound or not self.is_valid():
            return None
        city = self.cleaned_data.get("city")
        return city.pk if city else None
