"""The administration's "anonymise" action on people, with a confirmation page (superusers only)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exchanges.privacy.people import PrivacyError, person_anonymise


@admin.action(description=gettext_lazy("Anonymise the selected people"), permissions=["anonymise"])
def anonymise_persons(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> HttpResponse | None:
    """First show what will happen; anonymise only after the administrator confirms."""
    people = list(queryset.order_by("display_name"))
    if request.POST.get("confirm") != "yes":
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": _("Anonymise people"),
            "people": people,
            "opts": modeladmin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action_name": "anonymise_persons",
        }
        return TemplateResponse(request, "admin/cities/user/anonymise_confirmation.html", context)
    done = 0
    for person in people:
        try:
            person_anonymise(actor=request.user, person=person)
        except PrivacyError as error:
            modeladmin.message_user(request, error.message, messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, _("%(count)d person(s) anonymised.") % {"count": done}, messages.SUCCESS
        )
    return None


# The action belongs to data protection; the directory's person admin knows nothing of it.
admin.site.get_model_admin(get_user_model()).actions = [
    *admin.site.get_model_admin(get_user_model()).actions,
    anonymise_persons,
]
