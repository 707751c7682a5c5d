from django.conf import settings
from django.db import models


class Profile(models.Model):
    """What the provider tells about a person beyond Django's user: city, groups, a verified address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    name = models.CharField(max_length=150, blank=True)
    city = models.CharField(max_length=100, blank=True)
    groups = models.JSONField(default=list, blank=True)
    email_verified = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.city})"
