"""The expert pool's filter form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.directory.choices import CachedChoicesForm, city_filter_field, topic_filter_field
from cities.directory.models import Department
from koopstadt.formfields import ModelChoiceField


class ExpertFilterForm(CachedChoicesForm):
    q = forms.CharField(
        label=_("Search term"),
        required=False,
        max_length=200,
        help_text=_("Name, experience, position or department"),
    )
    topic = topic_filter_field(_("Topic"), _("All topics"))
    city = city_filter_field(_("City"), _("All cities"))
    department = ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.active().select_related("city"),
        required=False,
        empty_label=_("All departments"),
        help_text=_("Lists the departments of the chosen city."),
    )
    available = forms.BooleanField(label=_("Only experts available now"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A national network has thousands of departments: the list offers those of the chosen city
        # (or the one already chosen), never all of them (docs/performance.md).
        field = self.fields["department"]
        city_id = _id_or_none(self.data.get("city")) if self.is_bound else None
        department_id = _id_or_none(self.data.get("department")) if self.is_bound else None
        if city_id is not None:
            field.queryset = field.queryset.filter(city_id=city_id)
        elif department_id is not None:
            field.queryset = field.queryset.filter(pk=department_id)
        else:
            field.queryset = field.queryset.none()
            field.help_text = _("Choose a city first: then its departments are listed here.")


def _id_or_none(value: object) -> int | None:
    text = str(value or "").strip()
    # ASCII digits only: "¹".isdigit() is true but int("¹") fails.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None
