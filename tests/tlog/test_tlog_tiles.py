"""Stored hashes (golang.org/x/mod/sumdb/tlog numbering) and c2sp.org/tlog-tiles maths."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.tlog import (
    TILE_WIDTH,
    BundleRef,
    MemoryHashStore,
    TileError,
    TileHashReader,
    TileRef,
    append_leaves,
    build_tiles,
    bundles_for_size,
    consistency_proof,
    consistency_proof_from_reader,
    extend_bundles,
    extend_tiles,
    format_bundle,
    format_tile_path,
    inclusion_proof,
    inclusion_proof_from_reader,
    leaf_hash,
    new_tiles,
    node_hash,
    parse_bundle,
    parse_tile_path,
    root_from_reader,
    root_hash,
    stored_hash_exists,
    stored_hashes_for_leaf,
    subtree_hash_from_leaves,
    subtree_stored_hashes,
    tile_hashes,
    tiles_for_size,
    verify_consistency,
    verify_inclusion,
)
from tests.tlog.tlog_support import MemoryTiles, SyntheticTree, entry, leaves

N = 300
LEAVES = leaves(N)
SUBTREE = subtree_hash_from_leaves(LEAVES)


def _store(n: int) -> MemoryHashStore:
    store = MemoryHashStore()
    for i in range(n):
        store.add(stored_hashes_for_leaf(i, LEAVES[i], store))
    return store


STORE = _store(N)


class TestStoredHashes:
    def test_appending_one_leaf_adds_one_hash_per_trailing_one(self):
        store = MemoryHashStore()
        for i in range(64):
            added = stored_hashes_for_leaf(i, LEAVES[i], store)
            trailing_ones = len(bin(i)) - len(bin(i).rstrip("1")) if i else 0
            assert sorted(added) == [(level, i >> level) for level in range(trailing_ones + 1)]
            store.add(added)

    def test_stored_hash_is_the_perfect_subtree_root(self):
        for level in range(9):
            for index in range(N >> level):
                assert STORE.read_hashes([(level, index)]) == [root_hash(LEAVES[index << level : (index + 1) << level])]

    def test_batched_append_equals_one_by_one(self):
        rng = random.Random(7)
        store = MemoryHashStore()
        size = 0
        while size < N:
            batch = rng.randint(1, 40)
            added = append_leaves(size, LEAVES[size : size + batch], store)
            store.add(added)
            size += len(LEAVES[size : size + batch])
        ids = [(level, i) for level in range(9) for i in range(N) if stored_hash_exists((level, i), N)]
        assert store.read_hashes(ids) == STORE.read_hashes(ids)
        with pytest.raises(KeyError):
            store.read_hashes([(0, N)])

    def test_exists(self):
        assert stored_hash_exists((0, 4), 5)
        assert not stored_hash_exists((0, 5), 5)
        assert stored_hash_exists((2, 0), 4)
        assert not stored_hash_exists((2, 1), 7)
        assert stored_hash_exists((2, 1), 8)

    def test_subtree_decomposition(self):
        assert subtree_stored_hashes(0, 13) == [(3, 0), (2, 2), (0, 12)]
        assert subtree_stored_hashes(8, 13) == [(2, 2), (0, 12)]
        with pytest.raises(ValueError):
            subtree_stored_hashes(3, 7)  # not an RFC 9162 subtree

    def test_roots_and_proofs_from_stored_hashes_every_size(self):
        for n in range(1, N + 1):
            assert root_from_reader(n, STORE) == SUBTREE(0, n)
        for n in range(1, N + 1, 7):
            for m in range(n):
                assert inclusion_proof_from_reader(m, n, STORE) == inclusion_proof(m, n, SUBTREE)
            for m in range(1, n + 1):
                assert consistency_proof_from_reader(m, n, STORE) == consistency_proof(m, n, SUBTREE)

    def test_one_batch_per_proof(self):
        tree = SyntheticTree([123456789])
        n = 2**40 - 3
        proof = inclusion_proof_from_reader(123456789, n, tree)
        assert tree.reads == 1
        verify_inclusion(index=123456789, size=n, leaf_hash=tree.perfect(0, 123456789), proof=proof, root=tree.root(n))
        tree = SyntheticTree([2**33 - 1])
        proof = consistency_proof_from_reader(2**33, n, tree)
        assert tree.reads == 1
        verify_consistency(size1=2**33, size2=n, proof=proof, root1=tree.root(2**33), root2=tree.root(n))


class TestTilePaths:
    @pytest.mark.parametrize(
        ("ref", "path"),
        [
            (TileRef(level=0, index=0, width=256), "tile/0/000"),
            (TileRef(level=0, index=1234067, width=256), "tile/0/x001/x234/067"),
            (TileRef(level=1, index=1000, width=17), "tile/1/x001/000.p/17"),
            (TileRef(level=2, index=0, width=1), "tile/2/000.p/1"),
            (TileRef(level=0, index=999, width=255), "tile/0/999.p/255"),
            (TileRef(level=63, index=0, width=256), "tile/63/000"),
            (BundleRef(index=0, width=112), "tile/entries/000.p/112"),
            (BundleRef(index=1234067, width=256), "tile/entries/x001/x234/067"),
            (BundleRef(index=2**56 - 1, width=256), "tile/entries/x072/x057/x594/x037/x927/935"),
        ],
    )
    def test_round_trip(self, ref, path):
        assert format_tile_path(ref) == path
        assert parse_tile_path(path) == ref

    @settings(deadline=None)
    @given(data=st.data(), level=st.integers(0, 7), width=st.integers(1, 256), entries=st.booleans())
    def test_any_tile_round_trips(self, data, level, width, entries):
        # Tiles of trees below 2^64 leaves: index · 256^(level+1) < 2^64.
        index = data.draw(st.integers(0, (2**64 >> (8 * (level + 1))) - 1), label="index")
        ref = BundleRef(index=index, width=width) if entries else TileRef(level=level, index=index, width=width)
        assert parse_tile_path(format_tile_path(ref)) == ref

    def test_index_limit(self):
        assert TileRef(level=7, index=0, width=1)
        with pytest.raises(TileError):
            TileRef(level=7, index=1, width=1)
        assert BundleRef(index=2**56 - 1, width=256)
        with pytest.raises(TileError):
            BundleRef(index=2**56, width=256)

    @pytest.mark.parametrize(
        "path",
        [
            "",
            "tile/",
            "tile/0",
            "tile/0/",
            "/tile/0/000",
            "tile/0/000/",
            "tile/0/0",
            "tile/0/00",
            "tile/0/0000",
            "tile/0/1",
            "tile/0/x000/001",  # leading all-zero group
            "tile/0/x001",  # the last group has no x
            "tile/0/001/002",  # non-final group without x
            "tile/0/X001/002",
            "tile/0/x01/002",
            "tile/00/000",
            "tile/01/000",
            "tile/64/000",
            "tile/-1/000",
            "tile/+1/000",
            "tile/ 1/000",
            "tile/1_0/000",
            "tile/0/\u0661\u0662\u0663",  # Arabic-Indic digits
            "tile/0/+12",
            "tile/0/ 12",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/0/000.p/01",
            "tile/0/000.p/",
            "tile/0/000.p",
            "tile/0/000.p/5/",
            "tile/0/000.p/+5",
            "tile/0/000.P/5",
            "tile/0/000.p.p/5",
            "tile/entries/000.p/0",
            "tile/entries/x000/000",
            "tile/data/000",
            "tile/entries",
            "tile/8/x001/000",  # start index 256^9 is beyond 2^64
            "tile/0/x018/x446/x744/x073/x709/x551/616",  # index >= 2^64 / 256
            "tile/0/" + "x001/" * 40 + "000",
        ],
    )
    def test_non_canonical_paths_are_rejected(self, path):
        with pytest.raises(TileError):
            parse_tile_path(path)

    @pytest.mark.parametrize(
        "kwargs", [{"level": 64, "index": 0, "width": 1}, {"level": 0, "index": -1, "width": 1}, {"level": 0, "index": 0, "width": 0}, {"level": 0, "index": 0, "width": 257}]
    )
    def test_invalid_refs(self, kwargs):
        with pytest.raises(TileError):
            TileRef(**kwargs)


class TestTileGeometry:
    def test_spec_example_70000(self):
        # c2sp.org/tlog-tiles: 273 full level-0 tiles, a partial of 112, one full level-1 tile,
        # a partial level-1 tile of 17, and a partial level-2 tile of 1.
        tiles = tiles_for_size(70000)
        level0 = [t for t in tiles if t.level == 0]
        assert len(level0) == 274 and all(not t.is_partial for t in level0[:273])
        assert level0[-1] == TileRef(level=0, index=273, width=112)
        assert [t for t in tiles if t.level == 1] == [
            TileRef(level=1, index=0, width=256),
            TileRef(level=1, index=1, width=17),
        ]
        assert [t for t in tiles if t.level == 2] == [TileRef(level=2, index=0, width=1)]
        assert len(tiles) == 277

    def test_spec_example_256(self):
        assert tiles_for_size(256) == [TileRef(level=0, index=0, width=256), TileRef(level=1, index=0, width=1)]

    def test_empty_tree_has_no_tiles(self):
        assert tiles_for_size(0) == []
        assert bundles_for_size(0) == []

    def test_new_tiles(self):
        assert new_tiles(5, 5) == []
        assert new_tiles(5, 6) == [TileRef(level=0, index=0, width=6)]
        assert new_tiles(250, 260) == [
            TileRef(level=0, index=0, width=256),
            TileRef(level=0, index=1, width=4),
            TileRef(level=1, index=0, width=1),
        ]
        assert new_tiles(256, 300) == [TileRef(level=0, index=1, width=44)]
        with pytest.raises(TileError):
            new_tiles(6, 5)

    @settings(deadline=None)
    @given(old=st.integers(0, 2**20), grow=st.integers(0, 2**12))
    def test_new_tiles_are_the_tiles_that_differ(self, old, grow):
        new = old + grow
        assert set(new_tiles(old, new)) == set(tiles_for_size(new)) - set(tiles_for_size(old))

    def test_tile_hashes_checks_length(self):
        ref = TileRef(level=0, index=0, width=2)
        assert tile_hashes(ref, bytes(64)) == [bytes(32), bytes(32)]
        for size in (0, 32, 63, 65, 96):
            with pytest.raises(TileError):
                tile_hashes(ref, bytes(size))


def _grow_log(total: int, seed: int):
    """Append entries in random batches through extend_tiles/extend_bundles; yield each size."""
    rng = random.Random(seed)
    store = MemoryTiles()
    all_leaves: list[bytes] = []
    size = 0
    sizes = []
    while size < total:
        batch = [entry(i) for i in range(size, min(total, size + rng.choice([1, 2, 3, 17, 255, 256, 257, 1000, 3000])))]
        hashes = [leaf_hash(e) for e in batch]
        update = extend_tiles(old_size=size, leaf_hashes=hashes, read_tiles=store.read_tiles)
        store.tiles.update(update.tiles)
        store.bundles.update(extend_bundles(old_size=size, entries=batch, read_bundles=store.read_bundles))
        all_leaves += hashes
        size = update.size
        assert update.root_hash == root_hash(all_leaves)
        sizes.append((size, update.root_hash))
    return store, all_leaves, sizes


@pytest.fixture(scope="class")
def grown(request):
    request.cls.store, request.cls.all_leaves, request.cls.sizes = _grow_log(66_000, seed=1)


@pytest.mark.usefixtures("grown")
class TestTiledLog:
    """A log grown through tiles alone (past 65,536 leaves: three tile levels) gives the same
    roots and proofs as the plain tree."""

    def test_every_tile_of_every_checkpoint_exists(self):
        for size, _ in self.sizes:
            assert set(tiles_for_size(size)) <= set(self.store.tiles)

    def test_tiles_hold_the_stored_hashes(self):
        subtree = subtree_hash_from_leaves(self.all_leaves)
        previous = 0
        for size, _ in self.sizes:
            for ref in new_tiles(previous, size):
                data = self.store.tiles[ref]
                level_size = 1 << (8 * ref.level)
                start = ref.index * TILE_WIDTH
                expected = [subtree((start + i) * level_size, (start + i + 1) * level_size) for i in range(ref.width)]
                assert tile_hashes(ref, data) == expected
            previous = size

    def test_bundles_hold_the_entries(self):
        final = self.sizes[-1][0]
        for ref in bundles_for_size(final):
            got = parse_bundle(self.store.bundles[ref], width=ref.width)
            assert got == [entry(ref.index * TILE_WIDTH + i) for i in range(ref.width)]
            tile = tile_hashes(TileRef(level=0, index=ref.index, width=ref.width), self.store.tiles[TileRef(level=0, index=ref.index, width=ref.width)])
            assert [leaf_hash(e) for e in got] == tile

    def test_proofs_from_tiles(self):
        rng = random.Random(3)
        subtree = subtree_hash_from_leaves(self.all_leaves)
        for size, root in rng.sample(self.sizes, 20) + self.sizes[-1:]:
            reader = TileHashReader(size=size, read_tiles=self.store.read_tiles)
            assert root_from_reader(size, reader) == root
            for index in [0, size - 1] + [rng.randrange(size) for _ in range(10)]:
                proof = inclusion_proof_from_reader(index, size, reader)
                assert proof == inclusion_proof(index, size, subtree)
                verify_inclusion(index=index, size=size, leaf_hash=self.all_leaves[index], proof=proof, root=root)
            old, old_root = rng.choice([s for s in self.sizes if s[0] <= size])
            proof = consistency_proof_from_reader(old, size, reader)
            verify_consistency(size1=old, size2=size, proof=proof, root1=old_root, root2=root)

    def test_one_tile_batch_per_proof(self):
        size, root = self.sizes[-1]
        before = self.store.tile_reads
        reader = TileHashReader(size=size, read_tiles=self.store.read_tiles)
        inclusion_proof_from_reader(12345, size, reader)
        assert self.store.tile_reads == before + 1

    def test_hashes_absent_from_the_tree_are_refused(self):
        reader = TileHashReader(size=300, read_tiles=self.store.read_tiles)
        with pytest.raises(TileError):
            reader.read_hashes([(0, 300)])
        with pytest.raises(TileError):
            reader.read_hashes([(9, 0)])

    def test_build_tiles_from_stored_hashes(self):
        tiles = build_tiles(0, N, STORE)
        assert set(tiles) == set(tiles_for_size(N))
        assert tiles[TileRef(level=0, index=1, width=44)] == b"".join(LEAVES[256:300])
        assert tiles[TileRef(level=1, index=0, width=1)] == root_hash(LEAVES[:256])

    def test_appending_nothing(self):
        store = MemoryTiles()
        empty = extend_tiles(old_size=0, leaf_hashes=[], read_tiles=store.read_tiles)
        assert (empty.size, empty.root_hash, dict(empty.tiles)) == (0, root_hash([]), {})
        assert extend_bundles(old_size=0, entries=[], read_bundles=store.read_bundles) == {}
        size, root = self.sizes[-1]
        same = extend_tiles(old_size=size, leaf_hashes=[], read_tiles=self.store.read_tiles)
        assert (same.size, same.root_hash, dict(same.tiles)) == (size, root, {})

    def test_extend_reads_only_the_right_edge(self):
        size, _ = self.sizes[-1]
        asked = []

        def read_tiles(refs):
            asked.extend(refs)
            return self.store.read_tiles(refs)

        extend_tiles(old_size=size, leaf_hashes=[leaf_hash(b"next")], read_tiles=read_tiles)
        assert set(asked) <= {t for t in tiles_for_size(size) if t.is_partial}

    def test_wrong_sized_tile_is_refused(self):
        reader = TileHashReader(size=300, read_tiles=lambda refs: [b"\x00" * 31 for _ in refs])
        with pytest.raises(TileError):
            reader.read_hashes([(0, 1)])

    def test_level_inside_a_tile_is_recomputed(self):
        tiles = build_tiles(0, N, STORE)
        reader = TileHashReader(size=N, read_tiles=lambda refs: [tiles[r] for r in refs])
        assert reader.read_hashes([(3, 5), (8, 0), (1, 149), (5, 8)]) == [
            root_hash(LEAVES[40:48]),
            root_hash(LEAVES[:256]),
            node_hash(LEAVES[298], LEAVES[299]),
            root_hash(LEAVES[256:288]),
        ]


class TestBundles:
    @settings(deadline=None)
    @given(st.lists(st.binary(max_size=300), min_size=1, max_size=256))
    def test_round_trip(self, entries):
        data = format_bundle(entries)
        assert parse_bundle(data) == entries
        assert parse_bundle(data, width=len(entries)) == entries

    def test_largest_entry(self):
        big = b"\xff" * 0xFFFF
        assert parse_bundle(format_bundle([big, b""])) == [big, b""]
        with pytest.raises(TileError):
            format_bundle([big + b"\x00"])

    @pytest.mark.parametrize(
        ("data", "width"),
        [
            (b"", None),  # empty bundle
            (b"\x00", None),  # truncated length
            (b"\x00\x03ab", None),  # truncated entry
            (b"\x00\x01a\x00", None),  # trailing byte
            (b"\x00\x01a", 2),  # fewer entries than the width
            (b"\x00\x01a\x00\x01b", 1),  # more entries than the width
            (b"\x00\x00" * 257, None),  # more than 256 entries
        ],
    )
    def test_malformed(self, data, width):
        with pytest.raises(TileError):
            parse_bundle(data, width=width)

    def test_format_limits(self):
        with pytest.raises(TileError):
            format_bundle([])
        with pytest.raises(TileError):
            format_bundle([b""] * 257)
