"""Test settings: the real settings with fast, isolated stand-ins."""

from portal.settings import *  # noqa: F403

# Plain storage: the live server serves from the finders, without a manifest.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_RATE_LIMITS = False
# Serve static files from the finders (no collectstatic in tests).
STATIC_ROOT = None
WHITENOISE_AUTOREFRESH = True
# Rate limits off like allauth's; tests/security/test_rate_limits.py turns them on.
RATELIMIT_ENABLE = False
