import pytest

from commonweal.ledger.keys import log_key_generate, log_signer_load
from commonweal.ledger.sequencer import Sequencer
from commonweal.ledger.storage import DatabaseTileStore, DirectoryTileStore, MemoryTileStore
from tests.ledger.support import ORIGIN, FakeClock


@pytest.fixture
def log_key(settings, tmp_path):
    """A fresh signing key for the test origin, configured in settings."""
    path = tmp_path / "keys" / "log.key"
    log_key_generate(path=path, origin=ORIGIN)
    settings.LOG_SIGNING_KEY_PATH = str(path)
    settings.LOG_ORIGIN = ORIGIN
    settings.LOG_STORE = "db"
    return path


@pytest.fixture
def signer(log_key):
    return log_signer_load(path=log_key, origin=ORIGIN)[0]


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture(params=["db", "dir", "memory"])
def any_store(request, tmp_path):
    """Each tile store in turn."""
    if request.param == "db":
        return DatabaseTileStore()
    if request.param == "dir":
        return DirectoryTileStore(tmp_path / "log")
    return MemoryTileStore()


@pytest.fixture
def make_sequencer(signer, clock):
    def make(store, **kwargs):
        kwargs.setdefault("clock", clock)
        return Sequencer(signer=signer, origin=ORIGIN, store=store, **kwargs)

    return make
