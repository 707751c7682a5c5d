"""Travel claims, finance decisions, budget and rate sets."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.directory.choices import CachedChoicesForm, city_filter_field
from cities.directory.models import User
from exchanges.travel.models import (
    ClaimItem,
    ClaimStatus,
    Decision,
    ExportBatch,
    RateSet,
    TravelClaim,
    TripRequest,
)
from exchanges.travel.services.claims import amount_error, car_km_error, trip_errors
from exchanges.travel.services.trips import TRIP_FIELDS
from koopstadt.form_widgets import (
    DATE_WIDGET,
    DATETIME_WIDGET,
    FastSelect,
    LocalizedDecimalField,
    localize_decimal,
)
from koopstadt.formfields import ModelChoiceField
from koopstadt.versioned_forms import VersionField


class ClaimForm(forms.ModelForm):
    """The trip of a claim; amounts are items, the status is never taken from input."""

    version = VersionField()

    class Meta:
        model = TravelClaim
        fields = [
            "trip_start",
            "trip_end",
            "origin",
            "destination",
            "purpose",
            "flat_nights",
            "car_km",
            "car_interest_recorded_on",
            "local_transport",
        ]
        widgets = {
            "trip_start": DATETIME_WIDGET,
            "trip_end": DATETIME_WIDGET,
            "car_interest_recorded_on": DATE_WIDGET,
        }
        help_texts = {
            "trip_start": _("Leaving home or office. Format: DD.MM.YYYY HH:MM"),
            "trip_end": _("Back home or at the office. Format: DD.MM.YYYY HH:MM"),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("car_km", "local_transport"):
            localize_decimal(self.fields[name])
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean(self) -> dict:
        cleaned = super().clean()
        for name, message in trip_errors(cleaned.get("trip_start"), cleaned.get("trip_end")).items():
            if name not in self.errors:
                self.add_error(name, message)
        message = car_km_error(cleaned.get("car_km"))
        if message and "car_km" not in self.errors:
            self.add_error("car_km", message)
        message = amount_error(cleaned.get("local_transport"), allow_zero=True)
        if message and "local_transport" not in self.errors:
            self.add_error("local_transport", message)
        return cleaned

    def _post_clean(self) -> None:
        pass  # the service validates the model


class ClaimItemForm(forms.ModelForm):
    receipt = forms.FileField(
        label=_("Receipt"), required=False, help_text=_("PDF, JPEG or PNG, at most 10 MB.")
    )

    class Meta:
        model = ClaimItem
        fields = [
            "kind",
            "amount",
            "night_of",
            "explanation",
            "higher_class",
            "scheduled_hours",
            "breakfast_included",
            "reason",
        ]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2}), "night_of": DATE_WIDGET}
        help_texts = {
            "amount": _(
                "Tickets and other costs are paid only against their receipt; attach it here or later."
            )
        }

    version = VersionField()

    def __init__(self, *args, claim: TravelClaim | None = None, **kwargs) -> None:
        super().__init__(*args, prefix="item", **kwargs)
        for name in ("amount", "scheduled_hours"):
            localize_decimal(self.fields[name])
        if claim is not None:
            self.fields["version"].initial = claim.version

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        message = amount_error(amount)
        if message:
            raise forms.ValidationError(message)
        return amount

    def _post_clean(self) -> None:
        pass


class MealsForm(forms.Form):
    """One checkbox per meal and day of the trip."""

    MEALS = (("breakfast", _("breakfast")), ("lunch", _("lunch")), ("dinner", _("dinner")))

    def __init__(self, *args, days, initial_meals: dict, **kwargs) -> None:
        super().__init__(*args, prefix="meals", **kwargs)
        self.days = days
        for day in days:
            for meal, label in self.MEALS:
                self.fields[f"{day.isoformat()}_{meal}"] = forms.BooleanField(
                    label=f"{label} ({day:%d.%m.%Y})",
                    required=False,
                    initial=meal in initial_meals.get(day.isoformat(), []),
                )

    def meals(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = {}
        for day in self.days:
            chosen = [
                meal for meal, _label in self.MEALS if self.cleaned_data.get(f"{day.isoformat()}_{meal}")
            ]
            if chosen:
                result[day.isoformat()] = chosen
        return result


class ClaimVersionForm(forms.Form):
    """A button on the claim page (remove an item) that carries the version the page showed."""

    version = VersionField()


class ReceiptForm(forms.Form):
    """A receipt for an item already on the claim."""

    receipt = forms.FileField(label=_("Receipt"), help_text=_("PDF, JPEG or PNG, at most 10 MB."))
    version = VersionField()


class ClaimSubmitForm(forms.Form):
    """Submitting: the version the traveller saw, and the reasons the claim's notes ask for."""

    version = VersionField()
    duplicate_reason = forms.CharField(
        label=_("Why this is not a duplicate"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    trip_fit_reason = forms.CharField(
        label=_("Why the trip does not fit the exchange"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    no_trip_reason = forms.CharField(
        label=_("How and when was the trip approved?"),
        help_text=_(
            "No trip was approved in the portal. E.g. “approved on paper by the head of department on 02.03.”"
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    approval = forms.FileField(
        label=_("The approval (scan or PDF)"),
        required=False,
        help_text=_("PDF, JPEG or PNG, at most 10 MB. Finance sees it with the claim."),
    )

    def __init__(self, *args, claim: TravelClaim | None = None, flags=None, **kwargs) -> None:
        super().__init__(*args, prefix="submit", **kwargs)
        if claim is not None:
            self.fields["version"].initial = claim.version
        if flags is not None:
            # Only the reasons the claim's notes ask for are offered (the service decides what it needs).
            if not flags.possible_duplicate:
                del self.fields["duplicate_reason"]
            if not flags.trip_misfit:
                del self.fields["trip_fit_reason"]
            if not flags.without_trip:
                del self.fields["no_trip_reason"]
                del self.fields["approval"]
            elif not flags.approval_missing:
                del self.fields["approval"]  # uploaded already
            elif claim is not None and claim.no_trip_reason:
                self.fields["no_trip_reason"].initial = claim.no_trip_reason


class FinanceDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("approve")), ("return", _("return for changes")), ("reject", _("reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (for returning or rejecting)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    confirm_over_budget = forms.BooleanField(label=_("I confirm approving beyond the budget"), required=False)
    version = VersionField()

    def __init__(self, *args, claim: TravelClaim | None = None, over_budget: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if claim is not None:
            self.fields["version"].initial = claim.version
        # The confirmation is offered only when approving would go beyond the budget (a posted form keeps
        # it: the approval itself checks again under the budget's lock and asks for it then).
        if not over_budget:
            del self.fields["confirm_over_budget"]


class ItemReductionForm(forms.Form):
    amount = LocalizedDecimalField(label=_("Reduce to (EUR)"), max_digits=9, decimal_places=2, min_value=0)
    reason = forms.CharField(label=_("Reason for the reduction"), max_length=300)
    version = VersionField()


class FinanceQueueFilterForm(CachedChoicesForm):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("submitted")), ("all", _("all")), *ClaimStatus.choices],
        widget=FastSelect,
    )
    city = city_filter_field(_("Traveller's city"), _("all"))
    reference = forms.CharField(label=_("Exchange (reference number)"), required=False, max_length=20)
    min_amount = LocalizedDecimalField(label=_("Amount at least (EUR)"), required=False, min_value=0)
    min_age = forms.IntegerField(
        label=_("Submitted at least … days ago"), required=False, min_value=0, max_value=3650
    )
    late = forms.BooleanField(label=_("Only claims filed after the deadline"), required=False)
    duplicates = forms.BooleanField(label=_("Only possible duplicates"), required=False)
    trip_unfit = forms.BooleanField(label=_("Only trips that do not fit their exchange"), required=False)


class BookingFilterForm(forms.Form):
    """Filters of the bookings list for the accounting system (REST API)."""

    budget_year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    batch = ModelChoiceField(label=_("export batch"), queryset=ExportBatch.objects.all(), required=False)
    unbatched = forms.BooleanField(label=_("not yet in an export batch"), required=False)


class BudgetForm(forms.Form):
    """The budget of the year the page shows (choose another year above the form)."""

    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, disabled=True)
    amount = LocalizedDecimalField(label=_("Budget (EUR)"), max_digits=11, decimal_places=2, min_value=0)
    # The version of the year's budget the page showed; 0: the page showed none.
    version = VersionField(min_value=0)

    def __init__(self, *args, year: int, budget=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = year
        self.fields["version"].initial = budget.version if budget is not None else 0
        if budget is not None:
            self.fields["amount"].initial = budget.amount


class BudgetYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class RateSetPeriodForm(forms.ModelForm):
    """A new validity period of a rate set, prefilled with the current figures."""

    class Meta:
        model = RateSet
        fields = [
            "valid_from",
            "legal_basis",
            "to_be_confirmed",
            "full_day",
            "partial_day",
            "min_hours_one_day",
            "breakfast_share",
            "lunch_share",
            "dinner_share",
            "km_rate",
            "km_rate_higher",
            "km_cap",
            "overnight_flat",
            "hotel_limit",
            "higher_class_min_hours",
            "breakfast_from_hotel",
            "filing_deadline_months",
        ]
        widgets = {"valid_from": DATE_WIDGET}

    version = VersionField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for _name, field in self.fields.items():
            if isinstance(field, forms.DecimalField):
                localize_decimal(field)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def _post_clean(self) -> None:
        pass  # the service validates the new row


# --- trip requests (Dienstreiseanträge) ----------------------------------------------------------------------


def _person_label(person: User) -> str:
    return f"{person.display_name} ({person.email})"


class TripTravellerForm(forms.Form):
    """The coordination entering a trip for someone first picks the traveller among the exchange's
    travellers (``exchanges.travel.rules.may_travel_for``); the trip form then follows for that person."""

    traveller = ModelChoiceField(label=_("Traveller"), queryset=User.objects.none())

    def __init__(self, *args, travellers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["traveller"].queryset = travellers
        self.fields["traveller"].label_from_instance = _person_label


class TripForm(forms.ModelForm):
    """What the traveller enters (``TRIP_FIELDS``); status, approvals and the estimate are never taken from
    input. The supervisor is a person of the traveller's city from the list, or a name and an address."""

    version = VersionField()

    class Meta:
        model = TripRequest
        fields = list(TRIP_FIELDS)
        widgets = {
            "starts_at": DATETIME_WIDGET,
            "ends_at": DATETIME_WIDGET,
            "higher_class_reason": forms.Textarea(attrs={"rows": 2}),
            "car_interest_reason": forms.Textarea(attrs={"rows": 2}),
            "hotel_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "starts_at": _("Leaving home or office. Format: DD.MM.YYYY HH:MM"),
            "ends_at": _("Back home or at the office. Format: DD.MM.YYYY HH:MM"),
            "means_note": _("Needed when you travel by other means."),
            "scheduled_hours": _("Needed for the first class: a long journey may justify it."),
            "higher_class_reason": _("Only when you ask for the first class."),
            "car_interest_reason": _("Only with the official interest in using the car."),
            "hotel_reason": _("Only when the hotel costs more than your travel-expenses law allows."),
            "other_costs_note": _("For example a conference fee."),
            "supervisor": _(
                "Your supervisor approves the trip as a business trip. Choose them from the people of your "
                "city, or enter their name and e-mail address below."
            ),
            "supervisor_name": _("Only when your supervisor is not in the list."),
            "supervisor_email": _(
                "Only when your supervisor is not in the list: the approval link is sent to this address."
            ),
        }

    def __init__(self, *args, traveller: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("fare", "scheduled_hours", "car_km", "hotel_price", "other_costs"):
            localize_decimal(self.fields[name])
        supervisor = self.fields["supervisor"]
        supervisor.queryset = (
            User.objects.filter(home_city_id=traveller.home_city_id, is_active=True)
            .exclude(pk=traveller.pk)
            .order_by("display_name", "pk")
            if traveller.home_city_id
            else User.objects.none()
        )
        supervisor.label_from_instance = _person_label
        supervisor.empty_label = _("– not in the list: enter name and address below –")
        for name in ("supervisor_name", "supervisor_email"):
            self.fields[name].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("supervisor") is not None:
            # A person from the list brings their own name and address (the service fills them in): what
            # was typed for an earlier supervisor must not stay with the new one.
            cleaned["supervisor_name"] = ""
            cleaned["supervisor_email"] = ""
        return cleaned

    def trip_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in TRIP_FIELDS if name in self.cleaned_data}

    def _post_clean(self) -> None:
        pass  # the service validates the model


class TripVersionForm(forms.Form):
    """A button on the trip page (submit) that carries the version the page showed."""

    version = VersionField()


class TripCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the trip is cancelled"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed once the trip has been submitted; the supervisor and the coordination read it."),
    )
    version = VersionField()

    def __init__(self, *args, trip: TripRequest | None = None, **kwargs) -> None:
        super().__init__(*args, prefix="cancel", **kwargs)
        if trip is not None:
            self.fields["version"].initial = trip.version


class TripDecisionForm(forms.Form):
    """The supervisor's decision (in the portal or through the e-mail link) and the coordination's on the
    costs: approve, return for changes, or refuse — with a reason the traveller reads."""

    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note (the reason, for returning or refusing)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = VersionField()

    def __init__(self, *args, trip: TripRequest | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if trip is not None:
            self.fields["version"].initial = trip.version


class TripCostDecisionForm(TripDecisionForm):
    confirm_over_budget = forms.BooleanField(
        label=_("I confirm covering the costs beyond the budget"), required=False
    )

    def __init__(self, *args, over_budget: bool = True, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Offered only when the costs go beyond what is left of the budget (as on the claim's decision);
        # the confirmation itself checks again under the budget's lock and asks for it then.
        if not over_budget:
            del self.fields["confirm_over_budget"]
