"""tests/core holds pure tests: no database and no Django settings.

The repository-wide autouse fixtures adjust pytest-django's ``settings`` fixture. Here
``settings`` is a plain namespace instead, so these tests run with ``-p no:django`` as well as
in the full suite, and a core test that starts to depend on Django settings fails loudly.
"""

from types import SimpleNamespace

import pytest


@pytest.fixture
def settings():
    """A throwaway namespace: writes from the root conftest land here and go nowhere."""
    return SimpleNamespace()
