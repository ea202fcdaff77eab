"""/log/* over HTTP (c2sp.org/tlog-tiles): a client that trusts nothing but /log/vkey can rebuild
and check the tree from what is served."""

import pytest
from django.urls import reverse

from commonweal.ledger.storage import DatabaseTileStore, DirectoryTileStore
from commonweal.tlog import (
    TILE_WIDTH,
    BundleRef,
    TileHashReader,
    TileRef,
    format_tile_path,
    leaf_hash,
    open_checkpoint,
    parse_bundle,
    parse_verifier_key,
    root_from_reader,
    tile_hashes,
    tiles_for_size,
)
from tests.ledger.support import ORIGIN, add_outbox, indexed_entries

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["db", "dir"])
def served_store(request, settings, tmp_path, log_key):
    if request.param == "db":
        settings.LOG_STORE = "db"
        return DatabaseTileStore()
    settings.LOG_STORE = f"dir:{tmp_path / 'served'}"
    return DirectoryTileStore(tmp_path / "served")


def run(seq, clock, n):
    add_outbox(n)
    while seq.integrate():
        pass
    clock.advance(1)
    seq.sign_if_due()


def fetch_checkpoint(client):
    vkey = client.get(reverse("log-vkey")).content.decode()
    response = client.get(reverse("log-checkpoint"))
    assert response.status_code == 200
    return open_checkpoint(response.content, origin=ORIGIN, verifiers=[parse_verifier_key(vkey)]).checkpoint


def http_tiles(client):
    def read_tiles(refs):
        out = []
        for ref in refs:
            response = client.get("/log/" + format_tile_path(ref))
            assert response.status_code == 200, format_tile_path(ref)
            out.append(response.content)
        return out

    return read_tiles


def test_before_the_first_checkpoint(client, log_key):
    assert client.get("/log/checkpoint").status_code == 404
    assert client.get("/log/vkey").status_code == 404
    assert client.get("/log/tile/0/000.p/1").status_code == 404


def test_served_tiles_reproduce_the_signed_root(client, served_store, make_sequencer, clock):
    seq = make_sequencer(served_store, batch_size=1000)
    seq.recover()
    run(seq, clock, 70_000 // 100)  # 700 entries: full and partial tiles at levels 0 and 1
    checkpoint = fetch_checkpoint(client)
    assert checkpoint.size == 700
    # The root, recomputed only from tiles fetched over HTTP.
    reader = TileHashReader(size=checkpoint.size, read_tiles=http_tiles(client))
    assert root_from_reader(checkpoint.size, reader) == checkpoint.root_hash
    # Every tile of the tree is served, and every entry bundle hashes to its level-0 tile.
    for ref in tiles_for_size(checkpoint.size):
        assert client.get("/log/" + format_tile_path(ref)).status_code == 200
    entries = []
    for n in range(0, (checkpoint.size + TILE_WIDTH - 1) // TILE_WIDTH):
        width = min(TILE_WIDTH, checkpoint.size - n * TILE_WIDTH)
        bundle = client.get("/log/" + format_tile_path(BundleRef(index=n, width=width))).content
        tile = client.get("/log/" + format_tile_path(TileRef(level=0, index=n, width=width))).content
        batch = parse_bundle(bundle, width=width)
        assert [leaf_hash(e) for e in batch] == tile_hashes(TileRef(level=0, index=n, width=width), tile)
        entries += batch
    assert entries == indexed_entries()


def test_headers(client, served_store, make_sequencer, clock):
    seq = make_sequencer(served_store)
    seq.recover()
    run(seq, clock, 300)
    checkpoint = client.get("/log/checkpoint")
    assert checkpoint["Content-Type"] == "text/plain; charset=utf-8"
    assert checkpoint["Cache-Control"] == "no-store"
    full = client.get("/log/tile/0/000")
    assert full["Content-Type"] == "application/octet-stream"
    assert full["Cache-Control"] == "public, max-age=31536000, immutable"
    assert len(full.content) == 8192
    partial = client.get("/log/tile/0/001.p/44")
    assert partial["Cache-Control"] == "public, max-age=60"
    assert len(partial.content) == 44 * 32
    assert client.get("/log/tile/entries/000")["Cache-Control"] == "public, max-age=31536000, immutable"
    vkey = client.get("/log/vkey")
    assert vkey["Content-Type"] == "text/plain; charset=utf-8"
    assert vkey.content.decode() == seq.verifier_key
    assert reverse("log-tile", kwargs={"tile_path": "0/x001/234.p/7"}) == "/log/tile/0/x001/234.p/7"


def test_nothing_beyond_the_signed_tree_is_served(client, served_store, make_sequencer, clock):
    seq = make_sequencer(served_store)
    seq.recover()
    run(seq, clock, 256)
    # Integrated and stored, but not signed yet.
    add_outbox(300)
    seq.integrate()
    assert client.get("/log/tile/0/000").status_code == 200
    assert client.get("/log/tile/1/000.p/1").status_code == 200
    for path in ("tile/0/001", "tile/0/001.p/1", "tile/0/002.p/44", "tile/entries/001.p/1", "tile/1/000.p/2"):
        assert client.get("/log/" + path).status_code == 404, path
    clock.advance(1)
    seq.sign_if_due()
    for path in ("tile/0/001", "tile/0/002.p/44", "tile/entries/001", "tile/1/000.p/2"):
        assert client.get("/log/" + path).status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "tile/0/0", "tile/0/00", "tile/0/0000", "tile/00/000", "tile/0/000/", "tile/0/x000/001", "tile/0/000.p/0",
        "tile/0/000.p/256", "tile/0/000.p/01", "tile/64/000", "tile/-1/000", "tile/0/+01", "tile/entries/000.p",
        "tile/entries", "tile/0/x1/000", "tile/0/000.p/1/", "tile/e/000", "tile/0/000.p/1.0",
    ],
)
def test_malformed_tile_paths_are_not_found(client, served_store, make_sequencer, clock, path):
    seq = make_sequencer(served_store)
    seq.recover()
    run(seq, clock, 300)
    response = client.get("/log/" + path)
    assert response.status_code == 404
    assert not response.has_header("Location")


def test_an_older_checkpoints_partial_tiles_stay_served(client, served_store, make_sequencer, clock):
    seq = make_sequencer(served_store)
    seq.recover()
    run(seq, clock, 10)
    old = client.get("/log/tile/0/000.p/10").content
    run(seq, clock, 5)
    assert client.get("/log/tile/0/000.p/10").content == old
    run(seq, clock, 300)  # now full: the partial file may be pruned, the bytes are still served
    assert client.get("/log/tile/0/000.p/10").content == old
    assert client.get("/log/tile/0/000").content[: len(old)] == old


def test_tile_requests_take_two_queries(client, settings, log_key, make_sequencer, clock, django_assert_num_queries):
    settings.LOG_STORE = "db"
    seq = make_sequencer(DatabaseTileStore())
    seq.recover()
    run(seq, clock, 300)
    with django_assert_num_queries(2):
        assert client.get("/log/tile/0/000").status_code == 200
    with django_assert_num_queries(1):
        assert client.get("/log/checkpoint").status_code == 200
