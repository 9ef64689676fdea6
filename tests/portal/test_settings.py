import os
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR


def run_check(extra_env, *args):
    ignored = {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in ignored}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", **extra_env})
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_defaults_are_safe():
    assert settings.TIME_ZONE == "Europe/Stockholm" and settings.USE_TZ
    assert settings.LANGUAGE_CODE == "sv"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "SITE_URL"])
def test_production_requires_its_secrets(missing):
    env = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "motesplatser.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "SITE_URL": "https://motesplatser.example.org",
    }
    del env[missing]
    result = run_check(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_bad_boolean_fails_loudly():
    result = run_check({"DEBUG": "kanske"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_check(
        {
            "PORTAL_ENV": "production",
            "SECRET_KEY": "k3y-" + "x7Q9" * 15,
            "ALLOWED_HOSTS": "motesplatser.example.org",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
            "SITE_URL": "https://motesplatser.example.org",
        },
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
