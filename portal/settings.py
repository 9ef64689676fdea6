"""Settings for Mötesplatser, read from environment variables.

Defaults are safe for a laptop: an SQLite file, console e-mail, DEBUG off unless
asked for. ``PORTAL_ENV=production`` makes the secrets and hosts mandatory and
switches on the transport-security settings.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from portal.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

PORTAL_ENV = env_str("PORTAL_ENV", "development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("PORTAL_ENV must be 'development' or 'production'.")
PRODUCTION = PORTAL_ENV == "production"

DEBUG = env_bool("DEBUG", False)


def _required_in_production(name, example):
    """The variable's value; a clear error naming it when production runs without it."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"The environment variable {name} is required when PORTAL_ENV=production "
            f"(for example {name}={example}; see .env.example and docs/deployment.md)."
        )
    return value


if PRODUCTION:
    SECRET_KEY = _required_in_production("SECRET_KEY", "<50+ random characters>")
    _required_in_production("ALLOWED_HOSTS", "motesplatser.example.org")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", required=True)
    _required_in_production("DATABASE_URL", "postgres://motesplatser:<password>@db.internal:5432/motesplatser")
else:
    # A fixed key is fine for a local demo; production refuses to start without one.
    SECRET_KEY = env_str("SECRET_KEY", "insecure-local-development-key-do-not-use-in-production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])

# The portal's public address: links in e-mails and feeds, and the host part of calendar UIDs
# (so it must not change once calendars subscribe).
SITE_URL = (
    _required_in_production("SITE_URL", "https://motesplatser.example.org")
    if PRODUCTION
    else env_str("SITE_URL", "http://127.0.0.1:8000")
)
SITE_URL = SITE_URL.rstrip("/")
if PRODUCTION and not SITE_URL.startswith("https://"):
    raise ImproperlyConfigured("SITE_URL must be an https:// address in production.")
# Where visitors report accessibility problems (named in the accessibility statement).
ACCESSIBILITY_CONTACT_EMAIL = env_str("ACCESSIBILITY_CONTACT_EMAIL", "tillganglighet@example.org")
PRIVACY_CONTACT_EMAIL = env_str("PRIVACY_CONTACT_EMAIL", "dataskydd@example.org")
# Retention (registrations.privacy, `manage.py apply_retention`), counted in days from the day
# an event ends (Stockholm time): dietary and accessibility needs go the day after the event
# (1), a registration's other answers and the link to the person after RETENTION_PERSONAL_DAYS.
RETENTION_SENSITIVE_DAYS = env_int("RETENTION_SENSITIVE_DAYS", 1)
RETENTION_PERSONAL_DAYS = env_int("RETENTION_PERSONAL_DAYS", 90)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "django_tasks_db",
    "portal",
    "events",
    "registrations",
]

MIDDLEWARE = [
    # Outermost, so that it sees the final status of every response.
    *(["portal.middleware.RequestLogMiddleware"] if env_bool("LOG_REQUESTS", True) else []),
    "portal.middleware.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]

# Database: an SQLite file unless DATABASE_URL says otherwise.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env_str("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {
                # SQLite ignores SELECT ... FOR UPDATE; IMMEDIATE transactions take the write
                # lock up front so that concurrent writers queue instead of failing mid-way.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every app server); otherwise files on
# disk, shared by the worker processes of one machine so that invalidation reaches all.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # A Redis that stops answering must not hold every request for long.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env_str("CACHE_DIR", str(BASE_DIR / "var" / "cache")),
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
# The rate limits (allauth's and django-ratelimit's, RATELIMIT_USE_CACHE) count in this default
# cache: with REDIS_URL every app server shares the counters; the file cache shares them between
# the workers of one machine only.
# Seconds a rendered public page fragment may be served from the cache. Changes to the
# catalogue invalidate it at once; the timeout bounds staleness from the passing of time.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 60)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For allauth may trust for the
# client's address; without it every visitor shares the proxy's address in the rate limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Mötesplatser: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
ACCOUNT_CHANGE_EMAIL = True
# allauth's rate limits (login failures, sign-up, password reset) stay at their defaults.
# Two-factor authentication (TOTP with recovery codes) for everyone who wants it; organisers
# must have it before they open the organiser workspace whenever production settings are on.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Mötesplatser"
ORGANISER_MFA_REQUIRED = env_bool("ORGANISER_MFA_REQUIRED", PRODUCTION)
AUTH_USER_MODEL = "portal.User"

# Internationalisation: Swedish first, English second.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (local runs), WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files from collectstatic in production; locally plain files, so
        # that the portal also runs before (or without) collectstatic.
        "BACKEND": env_str(
            "STATICFILES_BACKEND",
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}

# E-mail: printed to the console locally; SMTP in production (EMAIL_HOST etc.).
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "portal.mail.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH}}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 587),
        "username": env_str("EMAIL_HOST_USER", ""),
        "password": env_str("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
        "timeout": env_int("EMAIL_TIMEOUT", 20),
    }
DEFAULT_FROM_ADDRESS = env_str("DEFAULT_FROM_ADDRESS", "motesplatser@example.org")
DEFAULT_FROM_EMAIL = f"Mötesplatser <{DEFAULT_FROM_ADDRESS}>"

# Background tasks (e-mail): run at once in the request's process by default; in
# production TASKS_BACKEND=database queues them in the database for `manage.py db_worker`.
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {TASKS_BACKEND!r}.")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True  # every response: pages, feeds, exports
# same-origin: links to other sites (online meeting links, municipalities) get no Referer, so
# the address of an event or a search never leaves the portal; inside it, full referrers.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# portal.middleware.SecurityHeadersMiddleware: no powerful browser features for anyone.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)

# Content Security Policy (Django's ContentSecurityPolicyMiddleware), enforced everywhere, in
# development and in the tests too, so that the browser tests prove every page works under it.
# Scripts are external files from our own origin; CSP.NONCE puts a nonce in the header only
# when a template asks for {{ csp_nonce }}, and cached public pages must never do so (a cached
# body would carry a stale nonce). No inline styles: htmx is told not to inject its own
# (htmx-config in templates/base.html), and the SVG charts use classes.
# CSP_REPORT_ONLY=true sends it as Content-Security-Policy-Report-Only instead (for trying
# a change of policy on a live site; violations then show in the browser console only).
_CSP_POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if env_bool("CSP_REPORT_ONLY", False):
    SECURE_CSP, SECURE_CSP_REPORT_ONLY = {}, _CSP_POLICY
else:
    SECURE_CSP, SECURE_CSP_REPORT_ONLY = _CSP_POLICY, {}

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # Browsers keep the session cookie only for the portal's own https:// host.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers probe the health check over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Trust X-Forwarded-Proto only when a proxy in front of us is known to set it.
    if env_bool("TRUST_X_FORWARDED_PROTO", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Logging to stderr: JSON lines in production (LOG_FORMAT=json), readable lines locally. No
# personal data: portal.logging masks feed tokens, account keys and e-mail addresses, and the
# request log (portal.middleware.RequestLogMiddleware, LOG_REQUESTS) writes method, path,
# status and duration only; gunicorn's own access log is off (gunicorn.conf.py).
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be 'json' or 'plain', not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "portal.logging.PlainFormatter"},
        "json": {"()": "portal.logging.JsonFormatter"},
    },
    "filters": {"redact_personal_data": {"()": "portal.logging.RedactPersonalData"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact_personal_data"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # The development server's own request lines duplicate portal.request.
        "django.server": {"level": "WARNING"},
    },
}

EVENTS_PER_PAGE = 20

# Rate limits (portal/ratelimits.py; django-ratelimit counters in the default cache, which is
# Redis when REDIS_URL is set, so that every app server counts together). A client over a limit
# gets a 429 with Retry-After. The client address honours ALLAUTH_TRUSTED_PROXY_COUNT.
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)
# Registering (POST): a person registers a handful of times a day; 10 a minute is already a
# script. Per address a little more, for an office behind one NAT address.
RATELIMIT_REGISTER_PER_USER = env_str("RATELIMIT_REGISTER_PER_USER", "10/m")
RATELIMIT_REGISTER_PER_IP = env_str("RATELIMIT_REGISTER_PER_IP", "30/m")
# Feeds: calendar clients poll every 15 minutes to a few hours, but a large office or a campus
# shares one address and their clients tend to start together in the morning. 300 a minute
# (5 a second) lets a few hundred subscribers through while stopping scrapers and
# cache-busting floods of made-up filters.
RATELIMIT_FEEDS_PER_IP = env_str("RATELIMIT_FEEDS_PER_IP", "300/m")
# Attendee exports and printed lists: whole lists of personal data, built from the database.
RATELIMIT_EXPORTS_PER_USER = env_str("RATELIMIT_EXPORTS_PER_USER", "20/m")
# Password checks outside the login form (deleting the account): as strict as allauth's login.
RATELIMIT_PASSWORD_CHECKS_PER_USER = env_str("RATELIMIT_PASSWORD_CHECKS_PER_USER", "5/5m")
RATELIMIT_VIEW = "portal.ratelimits.too_many_requests"
MIDDLEWARE += ["django_ratelimit.middleware.RatelimitMiddleware"]
