"""c2sp.org/tlog-tiles: tile and entry-bundle maths, paths and encodings.

Tiles have height 8 (256 hashes). Tile ``(L, N)`` holds stored hashes ``(8·L, N·256 + i)`` for
``i < W``; level-0 tiles hold leaf hashes. Entry bundle ``N`` holds the entries of level-0 tile
``N``, each prefixed by its big-endian uint16 length. The wire formats are in docs/ledger.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .merkle import HASH_SIZE, node_hash
from .stored import (
    HashReader,
    OverlayHashReader,
    StoredHashID,
    append_leaves,
    root_from_reader,
    stored_hash_exists,
)

__all__ = [
    "MAX_ENTRY_SIZE",
    "MAX_TILE_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "BundleRef",
    "TileError",
    "TileHashReader",
    "TileRef",
    "TileUpdate",
    "build_tiles",
    "bundles_for_size",
    "extend_bundles",
    "extend_tiles",
    "format_bundle",
    "format_tile_path",
    "new_bundles",
    "new_tiles",
    "parse_bundle",
    "parse_tile_path",
    "tile_hashes",
    "tiles_for_size",
]

TILE_HEIGHT = 8
"""Tile height: a tile spans 8 levels of the tree."""

TILE_WIDTH = 1 << TILE_HEIGHT
"""Hashes (or entries) in a full tile (or bundle): 256."""

MAX_TILE_LEVEL = 63
"""Largest tile level allowed in a path."""

MAX_ENTRY_SIZE = 0xFFFF
"""Largest entry an entry bundle can hold (uint16 length prefix)."""

_MAX_PATH = 128
_LIMIT = 1 << 64
_DECIMAL = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_GROUP = re.compile(r"[0-9]{3}", re.ASCII)


class TileError(ValueError):
    """A tile path, tile, or entry bundle is malformed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TileRef:
    """A Merkle tree tile: ``tile/<level>/<index>[.p/<width>]``."""

    level: int
    """Tile level L: the tile holds stored hashes of tree level 8·L."""
    index: int
    """Tile index N within its level."""
    width: int
    """Number of hashes, 1 … 256; 256 is a full tile, anything less a partial one."""

    def __post_init__(self) -> None:
        if not 0 <= self.level <= MAX_TILE_LEVEL:
            raise TileError(f"tile level must be in [0, {MAX_TILE_LEVEL}], got {self.level}")
        _check_index_width(self.index, self.width, self.level)

    @property
    def is_partial(self) -> bool:
        """Whether the tile has fewer than 256 hashes."""
        return self.width < TILE_WIDTH


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleRef:
    """An entry bundle: ``tile/entries/<index>[.p/<width>]``."""

    index: int
    """Bundle index N: entries N·256 … N·256 + width - 1."""
    width: int
    """Number of entries, 1 … 256; 256 is a full bundle."""

    def __post_init__(self) -> None:
        _check_index_width(self.index, self.width, 0)

    @property
    def is_partial(self) -> bool:
        """Whether the bundle has fewer than 256 entries."""
        return self.width < TILE_WIDTH


def _check_index_width(index: int, width: int, level: int) -> None:
    if not 0 <= index or index << (TILE_HEIGHT * (level + 1)) >= _LIMIT:
        raise TileError(f"tile index out of range: {index} at level {level}")
    if not 1 <= width <= TILE_WIDTH:
        raise TileError(f"tile width must be in [1, {TILE_WIDTH}], got {width}")


def _format_index(n: int) -> str:
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def format_tile_path(ref: TileRef | BundleRef) -> str:
    """c2sp.org/tlog-tiles: the path of a tile or entry bundle, relative to the log prefix."""
    level = "entries" if isinstance(ref, BundleRef) else str(ref.level)
    suffix = f".p/{ref.width}" if ref.is_partial else ""
    return f"tile/{level}/{_format_index(ref.index)}{suffix}"


def parse_tile_path(path: str) -> TileRef | BundleRef:
    """c2sp.org/tlog-tiles: parse ``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]`` strictly.

    Only the canonical form is accepted: no leading zeros, 3-digit groups with ``x`` prefixes and
    no leading all-zero group, ``W`` in 1 … 255.
    """
    # 1. Size limit first, then the fixed "tile/" prefix.
    if not isinstance(path, str) or len(path) > _MAX_PATH or not path.startswith("tile/"):
        raise TileError("not a tile path")
    parts = path[len("tile/") :].split("/")
    if len(parts) < 2:
        raise TileError("not a tile path")
    # 2. The level: "entries" or a decimal in [0, 63].
    first, rest = parts[0], parts[1:]
    level: int | None = None
    if first != "entries":
        level = _parse_small_decimal(first, MAX_TILE_LEVEL, "tile level")
    # 3. The optional ".p/<W>" suffix on the last index group.
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width = _parse_small_decimal(rest[-1], TILE_WIDTH - 1, "tile width")
        if width == 0:
            raise TileError("partial tile width must be at least 1")
        rest = rest[:-2] + [rest[-2][: -len(".p")]]
    # 4. The index: "xDDD/" groups then a final "DDD" group.
    if len(rest) > 7:
        raise TileError("tile index too large")
    for group in rest[:-1]:
        if not group.startswith("x") or not _GROUP.fullmatch(group[1:]):
            raise TileError("malformed tile index")
    if not _GROUP.fullmatch(rest[-1]):
        raise TileError("malformed tile index")
    index = int("".join(g.removeprefix("x") for g in rest))
    # 5. Build the reference (range checks), then require the canonical spelling.
    ref: TileRef | BundleRef
    if level is None:
        ref = BundleRef(index=index, width=width)
    else:
        ref = TileRef(level=level, index=index, width=width)
    if format_tile_path(ref) != path:
        raise TileError("non-canonical tile path")
    return ref


def _parse_small_decimal(text: str, maximum: int, what: str) -> int:
    if len(text) > 3 or not _DECIMAL.fullmatch(text) or int(text) > maximum:
        raise TileError(f"malformed {what}")
    return int(text)


def tiles_for_size(size: int) -> list[TileRef]:
    """c2sp.org/tlog-tiles: every tile of a tree of ``size`` leaves, full ones and the partial right edge."""
    return new_tiles(0, size)


def new_tiles(old_size: int, new_size: int) -> list[TileRef]:
    """c2sp.org/tlog-tiles: the tiles that appear or grow when the tree grows from old_size to new_size.

    Like golang.org/x/mod/sumdb/tlog NewTiles: for each level, the tiles from the old partial one on.
    """
    if not 0 <= old_size <= new_size < _LIMIT:
        raise TileError(f"need 0 <= old_size <= new_size < 2^64, got {old_size}, {new_size}")
    refs: list[TileRef] = []
    level = 0
    # 1. At level L there are size >> 8·L hashes; stop when the new tree has none.
    while new_size >> (TILE_HEIGHT * level):
        old_count = old_size >> (TILE_HEIGHT * level)
        new_count = new_size >> (TILE_HEIGHT * level)
        # 2. Tiles from the one holding hash old_count (possibly partial) to the last one.
        if new_count > old_count:
            for n in range(old_count // TILE_WIDTH, (new_count - 1) // TILE_WIDTH + 1):
                refs.append(TileRef(level=level, index=n, width=min(TILE_WIDTH, new_count - n * TILE_WIDTH)))
        level += 1
    return refs


def bundles_for_size(size: int) -> list[BundleRef]:
    """c2sp.org/tlog-tiles: every entry bundle of a log of ``size`` entries."""
    return new_bundles(0, size)


def new_bundles(old_size: int, new_size: int) -> list[BundleRef]:
    """c2sp.org/tlog-tiles: the entry bundles that appear or grow when the log grows."""
    return [BundleRef(index=t.index, width=t.width) for t in new_tiles(old_size, new_size) if t.level == 0]


def tile_hashes(ref: TileRef, data: bytes) -> list[bytes]:
    """c2sp.org/tlog-tiles: split tile bytes into its hashes, checking the length against the width."""
    if len(data) != ref.width * HASH_SIZE:
        raise TileError(f"tile {format_tile_path(ref)} must be {ref.width * HASH_SIZE} bytes, got {len(data)}")
    return [bytes(data[i : i + HASH_SIZE]) for i in range(0, len(data), HASH_SIZE)]


def _tile_of(stored_id: StoredHashID, size: int) -> tuple[TileRef, int, int]:
    # The tile of level level // 8 whose hashes span the subtree, and the span's position in it.
    level, index = stored_id
    tile_level, rest = divmod(level, TILE_HEIGHT)
    first = index << rest
    n = first >> TILE_HEIGHT
    count = size >> (TILE_HEIGHT * tile_level)
    ref = TileRef(level=tile_level, index=n, width=min(TILE_WIDTH, count - n * TILE_WIDTH))
    start = first - n * TILE_WIDTH
    return ref, start, start + (1 << rest)


@dataclass(frozen=True, slots=True, kw_only=True)
class TileHashReader:
    """A ``HashReader`` over the tiles of a tree of a given size (each tile read at that size's width)."""

    size: int
    """Tree size the tiles are read for."""
    read_tiles: Callable[[Sequence[TileRef]], Sequence[bytes]]
    """Returns the bytes of each tile, in order (one batch per ``read_hashes``)."""

    def read_hashes(self, ids: Sequence[StoredHashID]) -> list[bytes]:
        """c2sp.org/tlog-tiles: stored hashes from tiles, recomputing levels inside a tile."""
        # 1. Locate every hash: its tile and the span of tile hashes under it.
        spans = []
        for stored_id in ids:
            if not stored_hash_exists(stored_id, self.size):
                raise TileError(f"a tree of size {self.size} has no stored hash {stored_id}")
            spans.append(_tile_of(stored_id, self.size))
        # 2. Read each tile once.
        refs = list(dict.fromkeys(ref for ref, _, _ in spans))
        datas = list(self.read_tiles(refs)) if refs else []
        if len(datas) != len(refs):
            raise TileError(f"read_tiles returned {len(datas)} tiles for {len(refs)}")
        tiles = {ref: tile_hashes(ref, data) for ref, data in zip(refs, datas, strict=True)}
        # 3. Hash each span of 2**k tile hashes up to the stored hash.
        return [_perfect_root(tiles[ref][start:end]) for ref, start, end in spans]


def _perfect_root(hashes: list[bytes]) -> bytes:
    while len(hashes) > 1:
        hashes = [node_hash(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
    return hashes[0]


def build_tiles(old_size: int, new_size: int, reader: HashReader) -> dict[TileRef, bytes]:
    """c2sp.org/tlog-tiles: the bytes of the tiles that appear or grow from old_size to new_size.

    ``reader`` must serve every stored hash of the tree of ``new_size`` (one batch is read).
    """
    refs = new_tiles(old_size, new_size)
    ids = {
        ref: [(TILE_HEIGHT * ref.level, ref.index * TILE_WIDTH + i) for i in range(ref.width)] for ref in refs
    }
    flat = [i for ref in refs for i in ids[ref]]
    hashes = dict(zip(flat, reader.read_hashes(flat), strict=True)) if flat else {}
    return {ref: b"".join(hashes[i] for i in ids[ref]) for ref in refs}


@dataclass(frozen=True, slots=True, kw_only=True)
class TileUpdate:
    """What a sequencer writes after appending leaves: new tiles and the new root."""

    size: int
    """New tree size."""
    root_hash: bytes
    """RFC 9162 root hash of the tree at ``size``."""
    stored_hashes: Mapping[StoredHashID, bytes]
    """Stored hashes added by the new leaves."""
    tiles: Mapping[TileRef, bytes]
    """Tiles that appeared or grew, with their bytes (old partial tiles stay valid for old sizes)."""


def extend_tiles(
    *,
    old_size: int,
    leaf_hashes: Sequence[bytes],
    read_tiles: Callable[[Sequence[TileRef]], Sequence[bytes]],
) -> TileUpdate:
    """c2sp.org/tlog-tiles: append leaf hashes to a tiled tree of ``old_size`` leaves.

    ``read_tiles`` serves the tiles of the old tree (at most one batch of the old right edge).
    """
    old_reader = TileHashReader(size=old_size, read_tiles=read_tiles)
    # 1. Hash the new leaves into stored hashes, reading completed left siblings from old tiles.
    added = append_leaves(old_size, leaf_hashes, old_reader)
    reader = OverlayHashReader(added, old_reader)
    new_size = old_size + len(leaf_hashes)
    # 2. Cut the new and grown tiles, then 3. compute the new root.
    return TileUpdate(
        size=new_size,
        root_hash=root_from_reader(new_size, reader),
        stored_hashes=added,
        tiles=build_tiles(old_size, new_size, reader),
    )


def format_bundle(entries: Sequence[bytes]) -> bytes:
    """c2sp.org/tlog-tiles: an entry bundle, each entry prefixed by its big-endian uint16 length."""
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise TileError(f"a bundle holds 1 to {TILE_WIDTH} entries, got {len(entries)}")
    out = bytearray()
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise TileError(f"entries are at most {MAX_ENTRY_SIZE} bytes, got {len(entry)}")
        out += len(entry).to_bytes(2, "big") + entry
    return bytes(out)


def parse_bundle(data: bytes, *, width: int | None = None) -> list[bytes]:
    """c2sp.org/tlog-tiles: split an entry bundle into entries, strictly.

    Rejects truncated entries, more than 256 entries, an empty bundle, and (if ``width`` is given)
    a different number of entries.
    """
    # 1. Size limit first: 256 entries of at most 65,535 bytes plus their prefixes.
    if len(data) > TILE_WIDTH * (2 + MAX_ENTRY_SIZE):
        raise TileError("entry bundle too large")
    entries: list[bytes] = []
    pos = 0
    # 2. Read length-prefixed entries until the data ends exactly.
    while pos < len(data):
        if len(entries) == TILE_WIDTH:
            raise TileError(f"entry bundle has more than {TILE_WIDTH} entries")
        if pos + 2 > len(data):
            raise TileError("truncated entry length")
        length = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + length > len(data):
            raise TileError("truncated entry")
        entries.append(bytes(data[pos : pos + length]))
        pos += length
    # 3. Check the count.
    if not entries:
        raise TileError("empty entry bundle")
    if width is not None and len(entries) != width:
        raise TileError(f"entry bundle must have {width} entries, got {len(entries)}")
    return entries


def extend_bundles(
    *,
    old_size: int,
    entries: Sequence[bytes],
    read_bundles: Callable[[Sequence[BundleRef]], Sequence[bytes]],
) -> dict[BundleRef, bytes]:
    """c2sp.org/tlog-tiles: the entry bundles that appear or grow when ``entries`` are appended.

    ``read_bundles`` is called at most once, for the old partial bundle at the right edge.
    """
    new_size = old_size + len(entries)
    refs = new_bundles(old_size, new_size)
    # 1. The old partial bundle's entries start the first new bundle.
    head: list[bytes] = []
    if old_size % TILE_WIDTH and refs:
        old_ref = BundleRef(index=old_size // TILE_WIDTH, width=old_size % TILE_WIDTH)
        (data,) = read_bundles([old_ref])
        head = parse_bundle(data, width=old_ref.width)
    pending = head + list(entries)
    # 2. Cut the entries into bundles at their tree positions.
    out: dict[BundleRef, bytes] = {}
    first = refs[0].index * TILE_WIDTH if refs else 0
    for ref in refs:
        start = ref.index * TILE_WIDTH - first
        out[ref] = format_bundle(pending[start : start + ref.width])
    return out
