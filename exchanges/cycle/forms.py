"""Requests and the C+R cycle: the forms of the request pages."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cities.directory.choices import (
    COORDINATORS,
    CachedChoicesForm,
    CachedModelChoiceField,
    city_filter_field,
    coordinators,
    topic_filter_field,
)
from cities.directory.models import City, Department, ExpertProfile, Topic, User
from exchanges.cycle.facts import (
    REQUIRED_FOR_SUBMISSION,
    estimated_costs_error,
    request_period_errors,
    travellers_error,
)
from exchanges.cycle.models import ExchangeRequest, Format, Reflection, Status
from exchanges.cycle.services.requests import DRAFT_FIELDS
from exchanges.cycle.workflow import TRANSITIONS, Transition
from koopstadt.form_widgets import (
    DATE_WIDGET,
    DATETIME_WIDGET,
    FastSelect,
    localize_decimal,
    mark_required_for,
)
from koopstadt.formfields import ModelChoiceField, ModelMultipleChoiceField
from koopstadt.versioned_forms import VersionField


def comment_label_for(request: ExchangeRequest | None, transition: Transition) -> str:
    """The label of a step's comment field. Submitting a returned request again answers the question the
    contact person returned it with: the comment is the answer (the request page and the edit page)."""
    if transition.action == "submit" and request is not None and request.status == Status.RETURNED:
        return _("Your answer to the question")
    return transition.comment_label


class RequestForm(forms.ModelForm):
    """What a requester fills in. Only these fields: status, reference or requester are never taken from input.

    An existing request also has ``note``: the comment of the step "submit" (the answer to the contact
    person's question when the request was returned), sent with "Save and submit" into the timeline.
    """

    topics = ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose every topic your question touches. They help us find the right department."),
    )
    preferred_partner_cities = ModelMultipleChoiceField(
        label=_("Preferred partner cities"),
        queryset=City.objects.network_members(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Leave empty if any partner city is fine."),
    )
    new_attachment = forms.FileField(
        label=_("Add a file"),
        required=False,
        help_text=_("PDF, office document or image, at most %(size)s. Add further files by saving again.")
        % {"size": filesizeformat(settings.UPLOAD_MAX_BYTES)},
    )
    remove_attachments = forms.MultipleChoiceField(
        label=_("Remove files"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    version = VersionField()

    PAGE_ORDER = (
        "title",
        "need",
        "topics",
        "occasion",
        "occasion_date",
        "preferred_format",
        "direction",
        "preferred_partner_cities",
        "include_own_city",
        "earliest_date",
        "latest_date",
        "travellers",
        "estimated_costs",
        "remove_attachments",
        "new_attachment",
    )

    class Meta:
        model = ExchangeRequest
        fields = [*DRAFT_FIELDS, "topics", "preferred_partner_cities"]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 6}),
            "occasion": forms.RadioSelect,
            "direction": forms.RadioSelect,
            "occasion_date": DATE_WIDGET,
            "earliest_date": DATE_WIDGET,
            "latest_date": DATE_WIDGET,
        }
        help_texts = {
            "title": _("A short title, e.g. 'Stakeholder workshop on our housing-policy concept'."),
            "need": _(
                "What is coming up, what do you want to discuss, and what kind of experience would help you?"
            ),
            "occasion_date": _("Only for a dated event. Format: DD.MM.YYYY"),
            "earliest_date": _("From when could the exchange take place? Format: DD.MM.YYYY"),
            "latest_date": _("Until when at the latest? Format: DD.MM.YYYY"),
            "travellers": _("How many people would travel, on both sides together?"),
            "estimated_costs": _("A rough estimate in euros, e.g. 250,00. koopstadt pays the travel costs."),
        }

    def __init__(self, *args, requester: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.requester = requester
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        self.fields["topics"].queryset = Topic.objects.active().in_display_order()  # in this language
        self.fields["preferred_partner_cities"].queryset = City.objects.network_members().exclude(
            pk=requester.home_city_id
        )
        localize_decimal(self.fields["estimated_costs"])
        self.fields["travellers"].min_value = 1
        self.fields["travellers"].widget.attrs["min"] = 1
        for name in ("occasion", "preferred_format", "direction"):
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0] != ""]
            self.fields[name].required = False
        self.fields["preferred_format"].choices = [
            ("", _("please choose")),
            *self.fields["preferred_format"].choices,
        ]
        attachments = (
            [(str(a.pk), a.original_name) for a in self.instance.attachments.all()]
            if self.instance.pk
            else []
        )
        if attachments:
            self.fields["remove_attachments"].choices = attachments
        else:
            del self.fields["remove_attachments"]
        mark_required_for(self, REQUIRED_FOR_SUBMISSION, _("required for submission"))
        # The order of the page (templates/exchanges/request_form.html), which the error summary follows: the
        # answer to a returned request's question comes first, a note to the contact person last.
        returned = self.instance.status == Status.RETURNED
        self.order_fields(("note", *self.PAGE_ORDER) if returned else (*self.PAGE_ORDER, "note"))
        if self.instance.pk:
            note = self.fields["note"]
            note.label = comment_label_for(self.instance, TRANSITIONS["submit"])
            note.help_text = (
                _(
                    "Answer the question, or say what you changed. It is sent with the request when you "
                    "submit it again and appears in the request's timeline."
                )
                if self.instance.status == Status.RETURNED
                else _("Sent with the request when you submit it, and shown in the request's timeline.")
            )
        else:
            del self.fields["note"]

    def clean_travellers(self) -> int | None:
        travellers = self.cleaned_data.get("travellers")
        message = travellers_error(travellers)  # exchanges.cycle.facts: the API's and the service's check
        if message:
            raise forms.ValidationError(message)
        return travellers

    def clean_estimated_costs(self):
        costs = self.cleaned_data.get("estimated_costs")
        message = estimated_costs_error(costs)
        if message:
            raise forms.ValidationError(message)
        return costs

    def clean(self) -> dict:
        cleaned = super().clean()
        for field, message in request_period_errors(cleaned, today=timezone.localdate()).items():
            if field not in self.errors:
                self.add_error(field, message)
        if self.errors and self.files.get("new_attachment"):
            # Browsers cannot keep a chosen file when the page comes back with errors.
            self.add_error(
                "new_attachment",
                _("Please choose the file %(name)s again: it was not saved because of the errors above.")
                % {"name": self.files["new_attachment"].name},
            )
        return cleaned

    def _post_clean(self) -> None:
        # The service validates the model; a draft may still be incomplete here.
        pass


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    expected_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)

    def __init__(
        self,
        *args,
        transition,
        comment_required: bool | None = None,
        request: ExchangeRequest | None = None,
        **kwargs,
    ) -> None:
        super().__init__(*args, prefix=transition.action, **kwargs)
        self.transition = transition
        required = transition.comment_required if comment_required is None else comment_required
        if transition.comment_label or required:
            self.fields["comment"].label = comment_label_for(request, transition) or _("Comment")
            self.fields["comment"].required = required
        else:
            del self.fields["comment"]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    is_internal = forms.BooleanField(
        label=_("Internal: only for the coordination, not visible to the requester"), required=False
    )


class TriageFilterForm(CachedChoicesForm):
    SORTS = [
        ("oldest", _("oldest first")),
        ("newest", _("newest first")),
        ("reference", _("reference number")),
        ("due", _("deadline of the city contact")),
    ]
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("all open")), ("all", _("all")), *Status.choices],
        widget=FastSelect,
    )
    requester_city = city_filter_field(_("Requester's city"), _("all"))
    partner_city = city_filter_field(_("Partner city"), _("all"))
    topic = topic_filter_field(_("Topic"), _("all"))
    min_age = forms.IntegerField(
        label=_("Submitted at least … days ago"), required=False, min_value=0, max_value=3650
    )
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("", _("anyone or nobody")), ("me", _("me")), ("none", _("nobody"))],
        widget=FastSelect,
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS, widget=FastSelect)


class AssignForm(CachedChoicesForm):
    requests = ModelMultipleChoiceField(
        queryset=ExchangeRequest.objects.all(), widget=forms.MultipleHiddenInput
    )
    assignee = CachedModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        choice_list=COORDINATORS,
        required=False,
        empty_label=_("nobody"),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Whoever counts as the coordination (cities.directory.rules.is_coordinator). The page shows the
        # cached list; the lazy queryset is read only to check a choice.
        self.fields["assignee"].queryset = coordinators()


class RoutingCorrectionForm(forms.Form):
    department = ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.active().select_related("city"),
        empty_label=_("please choose"),
    )
    routed = forms.TypedChoiceField(
        label=_("Correction"),
        choices=[("1", _("route the request to this department")), ("0", _("remove this department"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    note = forms.CharField(label=_("Why?"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    term = forms.CharField(
        label=_("Term"),
        required=False,
        max_length=100,
        help_text=_(
            "Optional, when adding a department: a word of this request that routing should count for "
            "this department from now on."
        ),
    )


class ProposeExpertsForm(forms.Form):
    experts = ModelMultipleChoiceField(
        label=_("Experts to ask"), queryset=ExpertProfile.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Message to the experts"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def __init__(self, *args, experts, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["experts"].queryset = ExpertProfile.objects.filter(pk__in=[e.pk for e in experts])
        labels = {e.pk: f"{e.user.display_name} ({e.user.home_city})" for e in experts}
        self.fields["experts"].label_from_instance = lambda obj: labels.get(obj.pk, str(obj))


class InvitationAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Yes, I take part")), ("decline", _("No, I cannot take part"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("When accepting: when you are available. When declining: a short reason."),
    )


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Begins"), widget=DATETIME_WIDGET, help_text=_("Format: DD.MM.YYYY HH:MM")
    )
    ends_at = forms.DateTimeField(
        label=_("Ends"), widget=DATETIME_WIDGET, help_text=_("Format: DD.MM.YYYY HH:MM")
    )
    format = forms.ChoiceField(label=_("Format"), choices=Format.choices)
    city = ModelChoiceField(
        label=_("City"), queryset=City.objects.active(), required=False, empty_label=_("none (video)")
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    video_link = forms.URLField(label=_("Video link"), required=False, max_length=200, assume_scheme="https")
    participants = ModelMultipleChoiceField(
        label=_("Who takes part"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    travellers = ModelMultipleChoiceField(
        label=_("Who travels"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    version = VersionField()

    def __init__(self, *args, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        queryset = User.objects.filter(pk__in=[p.pk for p in people])
        self.fields["participants"].queryset = queryset
        self.fields["travellers"].queryset = queryset

    def clean(self) -> dict:
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The end must be after the beginning."))
        self.check_start(starts)
        if not (cleaned.get("video_link") or cleaned.get("address") or cleaned.get("city")):
            self.add_error("address", _("Please give a place or a video link."))
        return cleaned

    def check_start(self, starts) -> None:
        if starts and starts < timezone.now():
            self.add_error(
                "starts_at",
                _(
                    "The beginning lies in the past. If the exchange has already taken place, the coordination "
                    "records it as a past exchange."
                ),
            )


class PastExchangeForm(MeetingForm):
    """The coordination records an exchange that took place before it was entered in the portal."""

    experts = ModelMultipleChoiceField(
        label=_("Experts who took part"),
        queryset=ExpertProfile.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their acceptance is recorded on their behalf, with your name and the note below."),
    )
    note = forms.CharField(
        label=_("How do you know that it took place?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("E.g. 'Visit confirmed by Ms Brandt by phone on 03.03.; minutes attached by e-mail'."),
    )
    field_order = ["experts", "starts_at", "ends_at", "format", "city", "address", "video_link", "travellers"]

    def __init__(self, *args, experts, people, **kwargs) -> None:
        super().__init__(*args, people=people, **kwargs)
        del self.fields["participants"], self.fields["version"]
        self.fields["experts"].queryset = ExpertProfile.objects.filter(
            pk__in=[expert.pk for expert in experts]
        ).select_related("user__home_city")
        self.fields["experts"].label_from_instance = lambda expert: (
            f"{expert.user.display_name} ({expert.user.home_city})"
        )
        self.fields["travellers"].help_text = _("Only people who take part can be chosen.")

    def check_start(self, starts) -> None:
        if starts and starts > timezone.now():
            self.add_error(
                "starts_at", _("The beginning lies in the future: set date and place as usual instead.")
            )


class RecordAnswerForm(forms.Form):
    """The coordination records the answer an expert gave elsewhere (by phone), on the expert's behalf."""

    answer = forms.ChoiceField(
        label=_("The expert's answer"),
        choices=[("accept", _("accepted")), ("decline", _("declined"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("How and when did the expert answer?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )

    def __init__(self, *args, invitation, **kwargs) -> None:
        super().__init__(*args, prefix=f"answer-{invitation.pk}", **kwargs)
        self.invitation = invitation


class ReflectionForm(forms.ModelForm):
    class Meta:
        model = Reflection
        fields = [
            "takeaway",
            "question",
            "learnt",
            "worked",
            "did_not_work",
            "follow_ups",
            "would_recommend",
            "is_internal",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ["question", "learnt", "worked", "did_not_work", "follow_ups"]
        }
        help_texts = {
            "takeaway": _(
                "One sentence others can find in the knowledge base, e.g. 'Start the mobility station with the housing company'."
            ),
        }


class KnowledgeFilterForm(CachedChoicesForm):
    q = forms.CharField(label=_("Search term"), required=False, max_length=200)
    topic = topic_filter_field(_("Topic"), _("All topics"))
    city = city_filter_field(_("City"), _("All cities"))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
