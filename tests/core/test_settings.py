"""Production mode fails loudly without its secrets and passes ``check --deploy`` with them.

Each case starts a fresh interpreter: settings are read once per process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "x" * 20 + "-not-a-real-key-but-long-and-random-enough-0123456789",
    "DJANGO_ALLOWED_HOSTS": "ceus.example.org",
    "DATABASE_URL": "postgres://ceus@127.0.0.1:5432/ceus",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CHANNEL_REDIS_URL": "redis://127.0.0.1:6379/2",
    "CINE_DEID_SECRET": "not-a-real-de-identification-secret-0123456789",
    "PLATFORM_BASE_URL": "https://ceus.example.org",
    "CERT_SIGNING_SECRET": "not-a-real-badge-signing-secret-0123456789abcdef",
}
_INHERITED = ("PATH", "HOME", "LANG", "SYSTEMROOT", "TMPDIR")


def run_django(code_or_args: list[str], env: dict[str, str], tmp_path: Path):
    base = {k: os.environ[k] for k in _INHERITED if k in os.environ}
    base |= {"DJANGO_SETTINGS_MODULE": "training.settings", "DJANGO_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, *code_or_args],
        cwd=REPO,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = ["-c", "import django; django.setup()"]


@pytest.mark.parametrize(
    "missing",
    [
        "DJANGO_SECRET_KEY",
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "CHANNEL_REDIS_URL",
        "CINE_DEID_SECRET",
        "PLATFORM_BASE_URL",
        "CERT_SIGNING_SECRET",
    ],
)
def test_production_refuses_to_start_without(missing, tmp_path):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}

    result = run_django(SETUP, env, tmp_path)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The environment variable {missing} must be set" in result.stderr


def test_production_never_writes_a_secret_key_file(tmp_path):
    result = run_django(SETUP, PRODUCTION_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "secret_key").exists()
    assert not (tmp_path / "cert_signing_secret").exists()


def test_production_passes_check_deploy(tmp_path):
    result = run_django(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_development_defaults_need_no_environment(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)"
    )

    result = run_django(["-c", code], {}, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.db.backends.sqlite3",
        "filesystem://localhost/",
    ]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # readable by its owner only


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8111"}, "http://127.0.0.1:8111"),  # make run PORT=8111
        ({"PORT": "8111", "PLATFORM_BASE_URL": "https://ceus.test/"}, "https://ceus.test"),
    ],
)
def test_development_base_url_follows_the_port_when_unset(env, expected, tmp_path):
    code = "import django; django.setup(); from django.conf import settings as s; "
    result = run_django(["-c", code + "print(s.PLATFORM_BASE_URL)"], env, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_unknown_django_env_is_refused(tmp_path):
    result = run_django(SETUP, {"DJANGO_ENV": "staging"}, tmp_path)

    assert result.returncode != 0
    assert "DJANGO_ENV must be 'development' or 'production'" in result.stderr


def test_production_healthz_answers_plain_http(tmp_path):
    # Load balancers probe over HTTP: /healthz must not be redirected to HTTPS.
    code = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "from unittest import mock\n"
        "with mock.patch('core.views.health_report', return_value={'database': True}):\n"
        "    r = Client().get('/healthz', HTTP_HOST='ceus.example.org')\n"
        "    home = Client().get('/', HTTP_HOST='ceus.example.org')\n"
        "print(r.status_code, home.status_code)\n"
    )

    result = run_django(["-c", code], PRODUCTION_ENV, tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "301"]
