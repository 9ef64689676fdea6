"""PORTAL_ENV=production, loaded in a fresh process with a minimal environment.

tests/portal/test_settings.py covers the deploy checks and that each required variable is
named; here: the wording of those errors, what the production settings turn on, the proxy
switch, the caches, logging and the gunicorn configuration.
"""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR

PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "k3y-" + "x7Q9" * 15,
    "ALLOWED_HOSTS": "motesplatser.example.org",
    "DATABASE_URL": "postgres://motesplatser@db.internal:5432/motesplatser",
    "SITE_URL": "https://motesplatser.example.org",
}


def minimal_env(**extra):
    """Only what a process needs to start: no variable of the developer's shell leaks in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(extra)
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=minimal_env(**env), capture_output=True, text=True, timeout=120
    )


def production_settings(*names, **env):
    """The values of ``names`` in portal.settings under PRODUCTION plus ``env``."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {list(names)!r}}}, default=repr))"
    )
    result = run(["-c", code], {"DJANGO_SETTINGS_MODULE": "portal.settings", **PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL"])
@pytest.mark.parametrize("value", [None, "  "])
def test_missing_variable_is_named_in_a_clear_message(missing, value):
    env = dict(PRODUCTION)
    if value is None:
        del env[missing]
    else:
        env[missing] = value
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} is required when PORTAL_ENV=production" in result.stderr


def test_development_needs_no_variables():
    result = run(["manage.py", "check"], {})
    assert result.returncode == 0, result.stderr


def test_plain_http_site_url_is_refused():
    result = run(["manage.py", "check"], {**PRODUCTION, "SITE_URL": "http://motesplatser.example.org"})
    assert result.returncode != 0 and "SITE_URL must be an https:// address" in result.stderr


def test_production_turns_on_transport_security():
    values = production_settings(
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "SESSION_COOKIE_NAME",
        "CSRF_COOKIE_NAME",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS",
        "SECURE_HSTS_PRELOAD",
        "SECURE_PROXY_SSL_HEADER",
        "ORGANISER_MFA_REQUIRED",
        "ACCOUNT_DEFAULT_HTTP_PROTOCOL",
        "SECURE_CSP",
        "LOG_FORMAT",
    )
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"]
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert values["SESSION_COOKIE_NAME"].startswith("__Host-") and values["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"]
    # The forwarded protocol is not trusted unless the operator says a proxy sets it.
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["ORGANISER_MFA_REQUIRED"] is True
    assert values["ACCOUNT_DEFAULT_HTTP_PROTOCOL"] == "https"
    assert values["SECURE_CSP"]["script-src"] == ["'self'", "<CSP_NONCE_SENTINEL>"]
    assert values["LOG_FORMAT"] == "json"


def test_forwarded_protocol_trusted_only_when_configured():
    values = production_settings("SECURE_PROXY_SSL_HEADER", TRUST_X_FORWARDED_PROTO="true")
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_deploy_checks_clean_behind_a_proxy_with_redis():
    env = {**PRODUCTION, "TRUST_X_FORWARDED_PROTO": "true", "REDIS_URL": "redis://cache.internal:6379/0"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_cache_is_redis_when_redis_url_is_set_and_shared_files_otherwise():
    redis = production_settings("CACHES", "RATELIMIT_USE_CACHE", REDIS_URL="redis://cache.internal:6379/0")
    assert redis["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["CACHES"]["default"]["LOCATION"] == "redis://cache.internal:6379/0"
    # The rate limits count in the default cache, so every app server shares them.
    assert redis["RATELIMIT_USE_CACHE"] in (None, "default")
    files = production_settings("CACHES", CACHE_DIR="/var/cache/motesplatser")
    assert files["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert files["CACHES"]["default"]["LOCATION"] == "/var/cache/motesplatser"


def test_csp_report_only_switch():
    values = production_settings("SECURE_CSP", "SECURE_CSP_REPORT_ONLY", CSP_REPORT_ONLY="true")
    assert values["SECURE_CSP"] == {}
    assert values["SECURE_CSP_REPORT_ONLY"]["default-src"] == ["'self'"]


def test_log_format_can_be_chosen_and_is_checked():
    assert production_settings("LOG_FORMAT", LOG_FORMAT="plain")["LOG_FORMAT"] == "plain"
    result = run(["manage.py", "check"], {"LOG_FORMAT": "xml"})
    assert result.returncode != 0 and "LOG_FORMAT must be 'json' or 'plain'" in result.stderr


def test_production_logs_are_json_lines_without_personal_data():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('portal.test').warning('Mail to anna.aberg@example.org failed for %s', "
        "'/feeds/personal/AbCdEfGhIjKlMnOpQrStUv.ics')"
    )
    result = run(["-c", code], {"DJANGO_SETTINGS_MODULE": "portal.settings", **PRODUCTION})
    assert result.returncode == 0, result.stderr
    (line,) = result.stderr.strip().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "portal.test"
    assert entry["message"] == "Mail to [email] failed for /feeds/personal/[token].ics"


def gunicorn_config(**env):
    code = (
        "import json, runpy; c = runpy.run_path('gunicorn.conf.py'); "
        "print(json.dumps({k: v for k, v in c.items() if not k.startswith('_') and "
        "isinstance(v, (str, int, float, bool, type(None)))}))"
    )
    result = run(["-c", code], env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_gunicorn_configuration_from_the_environment():
    defaults = gunicorn_config()
    assert defaults["bind"] == "127.0.0.1:8000"
    assert 3 <= defaults["workers"] <= 8
    assert defaults["accesslog"] is None  # portal.request logs requests, with tokens masked
    assert defaults["forwarded_allow_ips"] == ""
    assert defaults["max_requests"] == 0  # workers are recycled in production only
    configured = gunicorn_config(
        PORT="8055", WEB_CONCURRENCY="3", GUNICORN_THREADS="4", FORWARDED_ALLOW_IPS="10.0.0.2", PORTAL_ENV="production"
    )
    assert configured["bind"] == "127.0.0.1:8055"
    assert configured["workers"] == 3 and configured["threads"] == 4
    assert configured["worker_class"] == "gthread"
    assert configured["forwarded_allow_ips"] == "10.0.0.2"
    assert configured["max_requests"] > 0 and configured["max_requests_jitter"] > 0
    assert gunicorn_config(BIND="unix:/run/motesplatser.sock", PORT="9000")["bind"] == "unix:/run/motesplatser.sock"
