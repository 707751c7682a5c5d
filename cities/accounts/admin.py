"""API tokens in the administration: issued (the full token shown once), listed and revoked (superusers only)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime, AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cities.accounts.api_tokens import token_default_expiry, token_issue, token_revoke
from cities.accounts.models import ApiScope, ApiToken
from cities.directory.models import User


class TokenIssueForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("person the token acts as"),
        queryset=User.objects.active(),
        help_text=gettext_lazy(
            "The token has exactly this person's roles and city. For a system, create a person of its own."
        ),
    )
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"),
        choices=ApiScope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ApiScope.READ],
        help_text=gettext_lazy(
            "read: reading only; write: also changes; finance: the finance endpoints (with the finance role)."
        ),
    )
    expires_at = forms.SplitDateTimeField(label=gettext_lazy("expires"), widget=AdminSplitDateTime)

    def __init__(self, *args, admin_site: admin.AdminSite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        field.widget = AutocompleteSelect(ApiToken._meta.get_field("user"), admin_site)
        field.widget.choices = field.choices
        self.fields["expires_at"].initial = timezone.localtime(token_default_expiry()).replace(
            second=0, microsecond=0
        )


@admin.action(description=gettext_lazy("Revoke the selected tokens"), permissions=["change"])
def revoke_tokens(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    revoked = 0
    for token in queryset.filter(revoked_at__isnull=True):
        token_revoke(token=token, actor=request.user, request=request)
        revoked += 1
    modeladmin.message_user(request, _("%(count)d token(s) revoked.") % {"count": revoked}, messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "key_prefix",
        "scopes",
        "created_at",
        "expires_at",
        "state",
        "last_used_at",
    ]
    list_filter = ["scopes", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__email", "user__display_name"]
    list_select_related = ["user"]
    readonly_fields = [
        "user",
        "name",
        "key_prefix",
        "scopes",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    fields = readonly_fields
    actions = [revoke_tokens]

    # Tokens act as any person: only administrators issue, see and revoke them.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Needed for the revoke action; every field stays read-only.
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # revoked, never deleted: the audit log refers to them

    @admin.display(description=gettext_lazy("key prefix"), ordering="prefix")
    def key_prefix(self, obj: ApiToken) -> str:
        return f"kst_{obj.prefix}_…"

    @admin.display(description=gettext_lazy("state"))
    def state(self, obj: ApiToken) -> str:
        if obj.revoked_at:
            return _("revoked")
        if obj.expires_at <= timezone.now():
            return _("expired")
        return _("valid")

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Issue through the service and show the full token exactly once (it is not stored)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = TokenIssueForm(request.POST or None, admin_site=self.admin_site)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Issue an API token"),
            "opts": self.model._meta,
            "form": form,
            "media": self.media + form.media,
        }
        if request.method == "POST" and form.is_valid():
            try:
                token, plain = token_issue(
                    user=form.cleaned_data["user"],
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.cleaned_data["expires_at"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                response = TemplateResponse(
                    request,
                    "admin/cities/apitoken/issued.html",
                    {**context, "title": _("API token issued"), "token": token, "plain": plain},
                )
                response["Cache-Control"] = "no-store"
                return response
        return TemplateResponse(request, "admin/cities/apitoken/issue.html", context)
