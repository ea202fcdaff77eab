import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
STANDARDS = REPO_ROOT.parent / "shared" / "standards"


@pytest.fixture
def standards_dir() -> Path:
    if not STANDARDS.exists():
        pytest.fail(f"reference data not found at {STANDARDS}")
    return STANDARDS


def on_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.fixture(autouse=True)
def _fast_and_local(request):
    """Local mail, tasks run immediately, cheap password hashing (only where Django is loaded)."""
    if not request.config.pluginmanager.has_plugin("django"):
        return
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Matching caches published campaigns per process; a test starts from its own database.
    from commonweal.matching.config import invalidate

    invalidate()


@pytest.fixture
def operator_client(client):
    """The test client signed in as a platform operator with TOTP (what the back office requires)."""
    from tests.factories import enable_totp, make_operator

    operator = make_operator()
    enable_totp(operator)
    client.force_login(operator)
    return client
