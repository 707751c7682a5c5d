"""A person's notification settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cities.directory.models import User


class NotificationSettingsForm(forms.Form):
    notification_mode = forms.ChoiceField(
        label=_("E-mails about notifications"),
        choices=User.NotificationMode.choices,
        widget=forms.RadioSelect,
    )
