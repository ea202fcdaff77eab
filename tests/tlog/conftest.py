"""tests/tlog holds pure tests: commonweal.tlog has no Django, and these tests need no database.

As in tests/core, ``settings`` is a plain namespace here, so the repository-wide autouse fixtures
work and these tests run with ``-p no:django`` as well as in the full suite.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest


@pytest.fixture
def settings():
    """A throwaway namespace: writes from the root conftest land here and go nowhere."""
    return SimpleNamespace()
