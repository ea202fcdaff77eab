"""tests/core holds pure tests: no database and no Django settings.

The repository-wide autouse fixture that adjusts ``settings`` needs pytest-django; overriding
it here by name keeps these tests runnable with ``-p no:django`` as well as in the full suite.
"""

import pytest


@pytest.fixture(autouse=True)
def _english_free_mail():
    """Nothing to configure: core code sends no mail and runs no tasks."""
