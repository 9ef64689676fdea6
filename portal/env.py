"""Typed, loud readers for environment variables used by the settings."""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_MISSING = object()


def env_str(name, default=_MISSING, *, required=False):
    value = os.environ.get(name)
    if value is None or (required and not value.strip()):
        if required or default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name, default=_MISSING, *, required=False):
    value = env_str(name, default=None if not required else _MISSING, required=required)
    if value is None:
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return list(default)
    items = [item.strip() for item in value.split(",") if item.strip()]
    if required and not items:
        raise ImproperlyConfigured(f"The environment variable {name} must list at least one value.")
    return items
