"""Tokens with which the cities' own systems use the REST API (docs/api.md).

A token acts as its person, with that person's roles and city; its scopes can only narrow what the
person may do. Only a SHA-256 hash of the secret is stored: the full token is shown once, when an
administrator issues it (``cities.accounts.api_tokens.token_issue``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    READ = "read", _("read")  # safe methods (GET, HEAD, OPTIONS)
    WRITE = "write", _("write")  # also changes; implies read
    FINANCE = "finance", _("finance")  # the finance endpoints, on top of the person's finance role


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("person the token acts as"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. 'Intranet Leipzig'.")
    )
    # Space-separated, in the order of ApiScope; "read" is always there (write implies read).
    scopes = models.CharField(_("scopes"), max_length=40, default=ApiScope.READ)
    prefix = models.CharField(_("key prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} (kst_{self.prefix}_…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scope_list)
