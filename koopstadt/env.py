"""Read typed settings from the process environment.

Every variable read here is documented in docs/settings.md.
"""

import json
import os
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value


def env_required(name: str, reason: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set: {reason}")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {value!r}") from exc


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number such as 0.05; got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def _env_json_object(name: str) -> dict[str, Any]:
    value = os.environ.get(name, "").strip()
    if not value:
        return {}
    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a JSON object; it is not valid JSON ({exc})") from exc
    if not isinstance(parsed, dict):
        raise ImproperlyConfigured(f'{name} must be a JSON object such as {{"a": "b"}}; got {value!r}')
    return parsed


def env_name_map(name: str) -> dict[str, str]:
    """A JSON object of names to names, e.g. ``{"Stadt Leipzig": "leipzig"}``; unset or empty: ``{}``."""
    mapping = _env_json_object(name)
    for key, target in mapping.items():
        if not isinstance(target, str) or not target.strip():
            raise ImproperlyConfigured(f"{name}: the value of {key!r} must be a non-empty string")
    return mapping


def env_names_map(name: str, allowed: Iterable[str]) -> dict[str, list[str]]:
    """A JSON object of names to one allowed name or a list of them, e.g. ``{"cr-admins": ["coordinator"]}``.

    Every value becomes a list; unset or empty: ``{}``.
    """
    allowed = set(allowed)
    mapping: dict[str, list[str]] = {}
    for key, target in _env_json_object(name).items():
        targets = [target] if isinstance(target, str) else target
        if not isinstance(targets, list) or not all(isinstance(item, str) for item in targets):
            raise ImproperlyConfigured(f"{name}: the value of {key!r} must be a name or a list of names")
        unknown = [item for item in targets if item not in allowed]
        if unknown:
            raise ImproperlyConfigured(
                f"{name}: {key!r} maps to unknown {', '.join(map(repr, unknown))}; "
                f"allowed are {', '.join(sorted(allowed))}"
            )
        mapping[key] = targets
    return mapping
