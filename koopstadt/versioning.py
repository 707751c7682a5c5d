"""Optimistic versions: every editable object carries a number that each save raises.

A form or an API client sends back the version it started from; the service compares it inside the
locked transaction (``cities.records.versions.version_advance``) and refuses a save on top of a newer
version instead of overwriting somebody else's change unseen (docs/workflow.md, "Versions").
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    version = models.PositiveIntegerField(
        _("version"), default=1, editable=False, help_text="Raised by one with every save."
    )

    class Meta:
        abstract = True
