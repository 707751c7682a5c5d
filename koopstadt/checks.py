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


SHARED_CACHES = ("koopstadt.cache.ForgivingRedisCache", "django.core.cache.backends.redis.RedisCache")


@register(Tags.caches, Tags.security, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """API throttling and the log-in delay count in the cache: per process unless it is Redis."""
    if settings.CACHES["default"]["BACKEND"] not in SHARED_CACHES:
        return [
            Warning(
                "The cache is not shared (CACHE_URL is empty): every web process keeps its own, so API "
                "throttling and the log-in delay per account count per process, and an attacker gets "
                "their allowance once per process.",
                hint="Set CACHE_URL to a Redis database, e.g. redis://127.0.0.1:6379/1 (docs/settings.md).",
                id="koopstadt.W002",
            )
        ]
    return []
