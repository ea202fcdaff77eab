"""The production settings path: DEBUG off, secure cookies, HSTS, strict CSP, secrets required."""

import json
import os
import subprocess
import sys

import pytest

PROBE = (
    "import json, django; from django.conf import settings as s; django.setup();"
    "print(json.dumps({'debug': s.DEBUG, 'session_secure': s.SESSION_COOKIE_SECURE, 'csrf_secure': s.CSRF_COOKIE_SECURE,"
    "'hsts': s.SECURE_HSTS_SECONDS, 'ssl_redirect': s.SECURE_SSL_REDIRECT,"
    "'script_src': [str(x) for x in s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']]}))"
)


def _run(env_overrides: dict, code: str, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": "commonweal.settings", "COMMONWEAL_VAR_DIR": str(tmp_path)}, **env_overrides)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_production_settings_are_strict(tmp_path):
    result = _run({"COMMONWEAL_ENV": "production", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"}, PROBE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False, "session_secure": True, "csrf_secure": True, "hsts": 31536000, "ssl_redirect": True,
        "script_src": ["'self'"],
    }


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _run({"COMMONWEAL_ENV": "production"}, PROBE, tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("url, engine", [
    ("postgres://u:p@db.example:5432/cw", "django.db.backends.postgresql"),
    (None, "django.db.backends.sqlite3"),
])
def test_database_comes_from_database_url(tmp_path, url, engine):
    code = "import django; from django.conf import settings as s; django.setup(); print(s.DATABASES['default']['ENGINE'])"
    result = _run({"DATABASE_URL": url} if url else {}, code, tmp_path)
    assert result.stdout.strip() == engine, result.stderr


def test_sqlite_default_uses_wal(tmp_path):
    code = (
        "import django; django.setup(); from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = _run({}, code, tmp_path)
    assert result.stdout.strip() == "wal", result.stderr


def test_log_lines_are_stamped_in_utc():
    """Django set the process's zone to Asia/Shanghai; the configured formatter still writes UTC."""
    import datetime as dt
    import logging
    import time

    from django.conf import settings

    assert time.localtime(0).tm_hour == 8  # the process runs in Beijing time (TIME_ZONE)
    formatter = logging.getLogger("commonweal").handlers[0].formatter
    record = logging.LogRecord("commonweal", logging.INFO, __file__, 1, "hello", None, None)
    record.created, record.msecs = dt.datetime(2026, 12, 7, 1, 2, 3, tzinfo=dt.UTC).timestamp(), 45.0
    assert formatter.format(record) == "2026-12-07T01:02:03.045Z INFO commonweal hello"
    assert settings.LOGGING["formatters"]["line"]["()"].endswith("UTCFormatter")
