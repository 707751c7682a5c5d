"""Checks of ``manage.py check --deploy`` for what the portal's own security needs (registered by
``cities.apps.CitiesConfig.ready``)."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """Behind the reverse proxy every client has the proxy's address unless the proxy is trusted."""
    if getattr(settings, "BEHIND_TLS_PROXY", False) and not settings.TRUSTED_PROXIES:
        return [
            Warning(
                "TRUSTED_PROXIES is empty although the portal runs behind a reverse proxy "
                "(BEHIND_TLS_PROXY): every client then has the proxy's address, so the log-in lock "
                "per e-mail address and IP address locks a person out for everyone, and the audit log "
                "records the proxy for everybody.",
                hint="Set TRUSTED_PROXIES to the proxy's address, e.g. 127.0.0.1,::1 for nginx on the "
                "same host (docs/handbook.md, section 2).",
                id="koopstadt.W001",
            )
        ]
    return []
