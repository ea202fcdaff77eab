"""The three tile stores: same reads and writes, the exact directory layout, durability rules."""

import os
import stat

import pytest

from commonweal.ledger.storage import (
    DirectoryTileStore,
    MemoryTileStore,
    TileNotFound,
    log_entries,
    log_entry,
    store_from_spec,
    tile_in_tree,
)
from commonweal.tlog import BundleRef, TileRef, format_bundle

pytestmark = pytest.mark.django_db


def tile(n_hashes: int, seed: int = 1) -> bytes:
    return bytes((seed + i) % 251 for i in range(32 * n_hashes))


def test_write_then_read_at_every_width(any_store):
    # A tile grows from 3 to 200 hashes; every width up to the stored one is its prefix.
    any_store.write({TileRef(level=0, index=5, width=3): tile(3)}, {})
    any_store.write({TileRef(level=0, index=5, width=200): tile(200)}, {})
    for width in (1, 3, 100, 200):
        (data,) = any_store.read_tiles([TileRef(level=0, index=5, width=width)])
        assert data == tile(200)[: 32 * width]
    with pytest.raises(TileNotFound):
        any_store.read_tiles([TileRef(level=0, index=5, width=256)])
    with pytest.raises(TileNotFound):
        any_store.read_tiles([TileRef(level=1, index=5, width=1)])


def test_bundles_are_cut_at_entry_boundaries(any_store):
    entries = [b"x" * n for n in range(1, 11)]
    any_store.write({}, {BundleRef(index=0, width=4): format_bundle(entries[:4])})
    any_store.write({}, {BundleRef(index=0, width=10): format_bundle(entries)})
    for width in (1, 4, 7, 10):
        (data,) = any_store.read_bundles([BundleRef(index=0, width=width)])
        assert data == format_bundle(entries[:width])
    with pytest.raises(TileNotFound):
        any_store.read_bundles([BundleRef(index=0, width=11)])
    with pytest.raises(TileNotFound):
        any_store.read_bundles([BundleRef(index=1, width=1)])


def test_reads_keep_the_order_asked_for(any_store):
    refs = [TileRef(level=level, index=index, width=256) for level in (0, 1) for index in (0, 1, 2)]
    any_store.write({ref: tile(256, seed=k) for k, ref in enumerate(refs)}, {})
    assert any_store.read_tiles(list(reversed(refs))) == [tile(256, seed=k) for k in reversed(range(len(refs)))]


def test_directory_store_uses_the_exact_tlog_tiles_layout(tmp_path):
    store = DirectoryTileStore(tmp_path)
    store.write(
        {
            TileRef(level=0, index=1234067, width=256): tile(256),
            TileRef(level=0, index=1234068, width=7): tile(7),
            TileRef(level=2, index=0, width=1): tile(1),
        },
        {BundleRef(index=1234068, width=7): format_bundle([b"e"] * 7)},
    )
    store.write_checkpoint("checkpoint text\n", old_size=0, new_size=0)
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == [
        "checkpoint",
        "tile/0/x001/x234/067",
        "tile/0/x001/x234/068.p/7",
        "tile/2/000.p/1",
        "tile/entries/x001/x234/068.p/7",
    ]
    assert (tmp_path / "checkpoint").read_text() == "checkpoint text\n"
    assert not list(tmp_path.rglob(".*.tmp")), "temporary files are renamed, never left"
    assert stat.S_IMODE(os.stat(tmp_path / "tile/0/x001/x234/067").st_mode) == 0o644


def test_directory_store_prunes_partial_files_once_the_full_tile_is_published(tmp_path):
    store = DirectoryTileStore(tmp_path)
    store.write({TileRef(level=0, index=0, width=10): tile(10)}, {BundleRef(index=0, width=10): format_bundle([b"a"] * 10)})
    store.write({TileRef(level=0, index=0, width=20): tile(20)}, {BundleRef(index=0, width=20): format_bundle([b"a"] * 20)})
    store.write_checkpoint("c1\n", old_size=0, new_size=20)
    assert (tmp_path / "tile/0/000.p/10").exists() and (tmp_path / "tile/0/000.p/20").exists()
    store.write(
        {TileRef(level=0, index=0, width=256): tile(256), TileRef(level=1, index=0, width=1): tile(1)},
        {BundleRef(index=0, width=256): format_bundle([b"a"] * 256)},
    )
    store.write_checkpoint("c2\n", old_size=20, new_size=256)
    assert not (tmp_path / "tile/0/000.p").exists()
    assert not (tmp_path / "tile/entries/000.p").exists()
    assert (tmp_path / "tile/1/000.p/1").exists()
    # Old widths are still served, cut from the full tile.
    assert store.read_tiles([TileRef(level=0, index=0, width=10)]) == [tile(256)[:320]]


def test_memory_store_refuses_to_change_stored_bytes():
    store = MemoryTileStore()
    store.write({TileRef(level=0, index=0, width=2): tile(2)}, {})
    with pytest.raises(ValueError, match="would change"):
        store.write({TileRef(level=0, index=0, width=3): tile(3, seed=9)}, {})


def test_store_from_spec(tmp_path):
    assert type(store_from_spec("db")).__name__ == "DatabaseTileStore"
    directory = store_from_spec(f"dir:{tmp_path}")
    assert isinstance(directory, DirectoryTileStore) and directory.root == tmp_path
    assert store_from_spec(f"dir:{tmp_path}") is directory
    from django.core.exceptions import ImproperlyConfigured

    for bad in ("", "dir:", "s3://bucket", "DB"):
        with pytest.raises(ImproperlyConfigured):
            store_from_spec(bad)


@pytest.mark.parametrize(
    ("ref", "size", "inside"),
    [
        (TileRef(level=0, index=0, width=1), 0, False),
        (TileRef(level=0, index=0, width=1), 1, True),
        (TileRef(level=0, index=0, width=5), 4, False),
        (TileRef(level=0, index=0, width=4), 1000, True),  # an older width is still part of the tree
        (TileRef(level=0, index=0, width=256), 255, False),
        (TileRef(level=0, index=0, width=256), 256, True),
        (TileRef(level=1, index=0, width=1), 255, False),
        (TileRef(level=1, index=0, width=1), 256, True),
        (TileRef(level=1, index=0, width=2), 511, False),
        (BundleRef(index=3, width=256), 1024, True),
        (BundleRef(index=3, width=256), 1023, False),
    ],
)
def test_tile_in_tree(ref, size, inside):
    assert tile_in_tree(ref, size) is inside


def test_log_entries_across_bundles():
    store = MemoryTileStore()
    entries = [b"entry %d" % i for i in range(600)]
    store.write({}, {
        BundleRef(index=0, width=256): format_bundle(entries[:256]),
        BundleRef(index=1, width=256): format_bundle(entries[256:512]),
        BundleRef(index=2, width=88): format_bundle(entries[512:]),
    })
    assert log_entries(start=250, end=520, size=600, store=store) == entries[250:520]
    assert log_entry(index=599, size=600, store=store) == entries[599]
    assert log_entries(start=3, end=3, size=600, store=store) == []
    with pytest.raises(ValueError):
        log_entry(index=600, size=600, store=store)
