"""``commonweal audit``: check a deployment's public log over HTTP, trusting nothing it says.

An auditor needs only the log's verifier key. ``audit_log`` fetches the checkpoint, every entry
bundle and every tile (c2sp.org/tlog-tiles), verifies the signature, proves consistency with the
last checkpoint it kept in its state directory, re-hashes every entry up to the root, and checks
the money from the entries alone against the totals the platform publishes. No Django model is
used; HTTP goes through ``HttpFetcher`` (standard library ``urllib``). docs/ledger.md, "audit".
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import rfc8785

from commonweal.tlog import (
    EMPTY_ROOT,
    HASH_SIZE,
    MAX_ENTRY_SIZE,
    TILE_HEIGHT,
    TILE_WIDTH,
    BundleRef,
    Checkpoint,
    CheckpointError,
    Ed25519Verifier,
    ProofError,
    TileError,
    TileHashReader,
    TileRef,
    bundles_for_size,
    consistency_proof_from_reader,
    format_tile_path,
    leaf_hash,
    open_checkpoint,
    root_hash,
    tiles_for_size,
    verify_consistency,
)
from commonweal.tlog.note import MAX_NOTE_SIZE

__all__ = [
    "AuditFailure",
    "AuditFetchError",
    "AuditReport",
    "Fetch",
    "HttpFetcher",
    "ProjectTotal",
    "audit_log",
    "split_deployment_url",
]

Fetch = Callable[[str, int], "bytes | None"]
"""``fetch(url, limit)``: the body at ``url`` (at most ``limit`` bytes), None for 404."""

STATE_FILE = "checkpoint"
"""Name of the file in the state directory holding the last checkpoint that passed."""

_MAX_TILE = TILE_WIDTH * HASH_SIZE
_MAX_BUNDLE = TILE_WIDTH * (2 + MAX_ENTRY_SIZE)
_MAX_JSON = 1024 * 1024
_PUBLIC_ID = re.compile(r"[0-9a-z]{26}", re.ASCII)
_ENTRY_VERSION = 1
_MONEY_TYPES = ("donation", "refund")
_WORKERS = 8


class AuditFetchError(Exception):
    """The deployment could not be fetched (network error, unexpected HTTP status, oversized body)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditFailure:
    """One thing the audit found wrong."""

    where: str
    """``index <N>``, a tile path with its entries, ``project <id>``, ``checkpoint`` or ``state``."""
    reason: str
    """What is wrong, with the expected and actual values that differ."""

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(slots=True, kw_only=True)
class ProjectTotal:
    """The money of one project, computed from the log's entries alone."""

    donations_fen: int = 0
    """Sum of its donation entries."""
    refunds_fen: int = 0
    """Sum of its refund entries."""
    donation_count: int = 0
    """Number of donation entries."""
    published_net_fen: int | None = None
    """What the platform publishes as donations − refunds (None if it publishes nothing)."""

    @property
    def net_fen(self) -> int:
        """Donations − refunds."""
        return self.donations_fen - self.refunds_fen


@dataclass(slots=True, kw_only=True)
class AuditReport:
    """What an audit established and what it found wrong."""

    checkpoint: Checkpoint | None = None
    """The checkpoint audited (its signature verified)."""
    previous: Checkpoint | None = None
    """The checkpoint kept from the previous audit, if any."""
    entries: int = 0
    """Entries re-hashed."""
    tiles: int = 0
    """Tiles compared with the tree recomputed from the entries."""
    other_types: int = 0
    """Entries of types other than donation and refund (re-hashed, not money-checked)."""
    projects: dict[str, ProjectTotal] = field(default_factory=dict)
    """Per project public id, the money computed from the entries."""
    failures: list[AuditFailure] = field(default_factory=list)
    """Everything found wrong."""
    stored: bool = False
    """Whether the checkpoint was written to the state directory for the next audit."""

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong."""
        return not self.failures

    def fail(self, where: str, reason: str) -> None:
        """Record one failure."""
        self.failures.append(AuditFailure(where=where, reason=reason))


class HttpFetcher:
    """``Fetch`` over HTTP(S) with the standard library: 404 is None, other errors raise."""

    def __init__(self, *, timeout: float = 30.0) -> None:
        self.timeout = timeout

    def __call__(self, url: str, limit: int) -> bytes | None:
        """GET ``url``; at most ``limit`` bytes."""
        request = urllib.request.Request(url, headers={"User-Agent": "commonweal-audit", "Accept-Encoding": "identity"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (auditor's URL)
                body = response.read(limit + 1)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                return None
            raise AuditFetchError(f"GET {url}: HTTP {exc.code}") from None
        except (OSError, ValueError) as exc:
            raise AuditFetchError(f"GET {url}: {exc}") from None
        if len(body) > limit:
            raise AuditFetchError(f"GET {url}: larger than {limit} bytes")
        return body


def split_deployment_url(url: str) -> tuple[str, str]:
    """(site URL, log URL), both ending in '/': the log is ``<site>/log/``, or ``url`` itself if it ends in /log."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"expected an http(s) URL, got {url!r}")
    path = parts.path.rstrip("/")
    if path.endswith("/log") or path == "/log":
        site_path, log_path = path[: -len("log")], path + "/"
    else:
        site_path, log_path = path + "/", path + "/log/"
    base = f"{parts.scheme}://{parts.netloc}"
    return base + site_path, base + log_path


def _entries_of(ref: BundleRef | TileRef) -> str:
    level = ref.level if isinstance(ref, TileRef) else 0
    span = 1 << (TILE_HEIGHT * (level + 1))
    first = ref.index * span
    last = first + (ref.width << (TILE_HEIGHT * level)) - 1
    return f"{format_tile_path(ref)} (entries {first}–{last})"


def _parse_bundle_leniently(data: bytes) -> tuple[list[bytes], str | None]:
    # Like tlog.parse_bundle, but keeps the entries read before a defect so that each index can
    # be checked and named.
    entries: list[bytes] = []
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            return entries, "truncated entry length at the end"
        length = int.from_bytes(data[pos : pos + 2], "big")
        if pos + 2 + length > len(data):
            return entries, f"entry {len(entries)} of the bundle is truncated"
        entries.append(bytes(data[pos + 2 : pos + 2 + length]))
        pos += 2 + length
    return entries, None


def _perfect_roots(hashes: list[bytes]) -> list[bytes]:
    # The roots of each complete run of 256 hashes: tree level +8.
    return [root_hash(hashes[i : i + TILE_WIDTH]) for i in range(0, len(hashes) - TILE_WIDTH + 1, TILE_WIDTH)]


def audit_log(
    *,
    site_url: str,
    log_url: str,
    vkey: Ed25519Verifier,
    state_dir: Path,
    origin: str | None = None,
    fetch: Fetch | None = None,
    check_totals: bool = True,
) -> AuditReport:
    """Audit the log at ``log_url`` (and the project totals of ``site_url``); see the module docstring.

    Raises ``AuditFetchError`` when the deployment cannot be fetched at all; everything wrong with
    what it serves is in the report.
    """
    fetch = fetch or HttpFetcher()
    origin = origin or vkey.name
    report = AuditReport()
    state_dir = Path(state_dir)

    # 1. The checkpoint, signed by the log's key for its origin.
    raw = fetch(log_url + "checkpoint", MAX_NOTE_SIZE)
    if raw is None:
        report.fail("checkpoint", f"{log_url}checkpoint is not found (HTTP 404)")
        return report
    try:
        checkpoint = open_checkpoint(raw, origin=origin, verifiers=[vkey]).checkpoint
    except CheckpointError as exc:
        report.fail("checkpoint", f"the checkpoint does not verify under the log key {vkey.name}: {exc}")
        return report
    report.checkpoint = checkpoint
    size = checkpoint.size

    # 2. Every entry bundle and every tile of the tree, fetched in parallel.
    bundle_refs = bundles_for_size(size)
    tile_refs = tiles_for_size(size)
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        bundles = list(pool.map(lambda ref: fetch(log_url + format_tile_path(ref), _MAX_BUNDLE), bundle_refs))
        tiles_raw = list(pool.map(lambda ref: fetch(log_url + format_tile_path(ref), _MAX_TILE), tile_refs))
    tiles: dict[TileRef, bytes] = {}
    for ref, data in zip(tile_refs, tiles_raw, strict=True):
        if data is None:
            report.fail(_entries_of(ref), "tile is missing (HTTP 404)")
        elif len(data) != ref.width * HASH_SIZE:
            report.fail(_entries_of(ref), f"tile must be {ref.width * HASH_SIZE} bytes, got {len(data)}")
        else:
            tiles[ref] = data
    report.tiles = len(tiles)

    # 3. Each entry's leaf hash against its level-0 tile; collect the leaves of the whole tree.
    leaves: list[bytes | None] = []
    entries: list[bytes | None] = []
    for ref, data in zip(bundle_refs, bundles, strict=True):
        first = ref.index * TILE_WIDTH
        got: list[bytes] = []
        if data is None:
            report.fail(_entries_of(ref), "entry bundle is missing (HTTP 404)")
        else:
            got, defect = _parse_bundle_leniently(data)
            if defect:
                report.fail(_entries_of(ref), f"malformed entry bundle: {defect}")
            if len(got) != ref.width:
                report.fail(_entries_of(ref), f"entry bundle holds {len(got)} entries, the tree has {ref.width}")
        tile = tiles.get(TileRef(level=0, index=ref.index, width=ref.width))
        for i in range(ref.width):
            entry = got[i] if i < len(got) else None
            h = leaf_hash(entry) if entry is not None else None
            if entry is None and data is not None:
                report.fail(f"index {first + i}", "entry is missing from its bundle")
            elif h is not None and tile is not None and tile[i * HASH_SIZE : (i + 1) * HASH_SIZE] != h:
                report.fail(
                    f"index {first + i}",
                    f"the entry's leaf hash differs from hash {i} of {format_tile_path(TileRef(level=0, index=ref.index, width=ref.width))}"
                    " (the entry or the tile was altered)",
                )
            entries.append(entry)
            leaves.append(h)
    report.entries = sum(1 for e in entries if e is not None)

    # 4. The tree recomputed from the entries: every higher tile, and the root.
    if all(h is not None for h in leaves):
        full: list[bytes] = leaves  # type: ignore[assignment]
        _check_tiles(report, tiles, full, size)
        computed = root_hash(full) if full else EMPTY_ROOT
        if computed != checkpoint.root_hash:
            report.fail(
                "checkpoint",
                f"the root recomputed from the {size} entries differs from the signed root "
                "(an entry was altered, added or removed)",
            )
    else:
        report.fail("checkpoint", "the root could not be recomputed: entries are missing")

    # 5. Consistency with the checkpoint kept by the previous audit.
    previous = _load_state(report, state_dir, origin, vkey)
    if previous is not None:
        report.previous = previous
        _check_consistency(report, previous, checkpoint, tiles)
    log_ok = not report.failures

    # 6. Money, from the entries alone, then against the platform's published totals.
    _check_money(report, entries)
    if check_totals:
        _check_totals(report, site_url, fetch)

    # 7. Keep the checkpoint for the next audit if the log itself (steps 1-5) checked out.
    if log_ok:
        _store_state(state_dir, raw)
        report.stored = True
    return report


def _check_tiles(report: AuditReport, tiles: dict[TileRef, bytes], leaves: list[bytes], size: int) -> None:
    levels = [leaves]
    for ref in tiles_for_size(size):
        while len(levels) <= ref.level:
            levels.append(_perfect_roots(levels[-1]))
        if ref.level == 0 or ref not in tiles:
            continue  # level 0 was compared entry by entry
        expected = levels[ref.level][ref.index * TILE_WIDTH : ref.index * TILE_WIDTH + ref.width]
        data = tiles[ref]
        for i, h in enumerate(expected):
            if data[i * HASH_SIZE : (i + 1) * HASH_SIZE] != h:
                span = 1 << (TILE_HEIGHT * ref.level)
                first = (ref.index * TILE_WIDTH + i) * span
                report.fail(
                    f"{format_tile_path(ref)} (entries {first}–{first + span - 1})",
                    f"hash {i} differs from the root of those entries (the tile was altered)",
                )


def _load_state(report: AuditReport, state_dir: Path, origin: str, vkey: Ed25519Verifier) -> Checkpoint | None:
    path = state_dir / STATE_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        report.fail("state", f"cannot read {path}: {exc.strerror}")
        return None
    try:
        return open_checkpoint(raw, origin=origin, verifiers=[vkey]).checkpoint
    except CheckpointError as exc:
        report.fail("state", f"{path} does not hold a checkpoint of this log signed by its key: {exc}")
        return None


def _check_consistency(report: AuditReport, old: Checkpoint, new: Checkpoint, tiles: dict[TileRef, bytes]) -> None:
    if new.size < old.size:
        report.fail(
            "checkpoint",
            f"the log shrank from {old.size} entries (previous audit) to {new.size}: history was rolled back",
        )
        return
    if new.size == old.size:
        if new.root_hash != old.root_hash:
            report.fail("checkpoint", f"two different trees of size {new.size}: the log forked")
        return
    if old.size == 0:
        return  # every tree extends the empty one
    # RFC 9162 §2.1.4: the proof a light client would get, computed from the served tiles.
    def read_tiles(refs: Sequence[TileRef]) -> list[bytes]:
        missing = [format_tile_path(r) for r in refs if r not in tiles]
        if missing:
            raise TileError(f"missing tiles {', '.join(missing)}")
        return [tiles[r] for r in refs]

    try:
        proof = consistency_proof_from_reader(old.size, new.size, TileHashReader(size=new.size, read_tiles=read_tiles))
        verify_consistency(size1=old.size, size2=new.size, proof=proof, root1=old.root_hash, root2=new.root_hash)
    except (ProofError, TileError, ValueError) as exc:
        report.fail(
            "checkpoint",
            f"the tree of {new.size} entries does not extend the tree of {old.size} entries kept by the "
            f"previous audit: {exc}",
        )


def _check_money(report: AuditReport, entries: list[bytes | None]) -> None:
    seen: set[tuple[str, str]] = set()
    donations: dict[str, dict] = {}
    for index, raw in enumerate(entries):
        if raw is None:
            continue
        where = f"index {index}"
        try:
            entry = json.loads(raw.decode("utf-8"))
            canonical = isinstance(entry, dict) and rfc8785.dumps(entry) == raw
        except (UnicodeDecodeError, ValueError, TypeError, rfc8785.CanonicalizationError):
            entry, canonical = None, False
        if not canonical:
            report.fail(where, "the entry is not canonical RFC 8785 JSON of an object")
            continue
        kind, subject = entry.get("type"), entry.get("id")
        if entry.get("v") != _ENTRY_VERSION or isinstance(entry.get("v"), bool):
            report.fail(where, f"entry version must be {_ENTRY_VERSION}, got {entry.get('v')!r}")
            continue
        if not isinstance(kind, str) or not isinstance(subject, str) or not _PUBLIC_ID.fullmatch(subject):
            report.fail(where, "the entry needs a type and a public id")
            continue
        if (kind, subject) in seen:
            report.fail(where, f"{kind} {subject} is logged twice")
            continue
        seen.add((kind, subject))
        if kind not in _MONEY_TYPES:
            report.other_types += 1
            continue
        amount, currency = entry.get("amount_fen"), entry.get("currency")
        project, org = entry.get("project"), entry.get("org")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            report.fail(where, f"amount_fen must be a positive integer, got {amount!r}")
            continue
        if currency != "CNY":
            report.fail(where, f"currency must be CNY, got {currency!r}")
            continue
        if not isinstance(project, str) or not _PUBLIC_ID.fullmatch(project) or not isinstance(org, str):
            report.fail(where, "the entry names no valid project and organization")
            continue
        totals = report.projects.setdefault(project, ProjectTotal())
        if kind == "donation":
            if not isinstance(entry.get("donor"), str) or not re.fullmatch(r"[0-9a-f]{64}", entry["donor"]):
                report.fail(where, "the donation has no 64-hex-digit donor commitment")
            donations[subject] = {"project": project, "org": org, "amount": amount, "refunded": 0}
            totals.donations_fen += amount
            totals.donation_count += 1
            continue
        # A refund: of a donation logged before it, same project and organization, within its amount.
        donation = donations.get(entry.get("donation"))
        if donation is None:
            report.fail(where, f"refund {subject} names donation {entry.get('donation')!r}, not logged before it")
            continue
        if (donation["project"], donation["org"]) != (project, org):
            report.fail(where, f"refund {subject} is for project {project}, its donation for {donation['project']}")
            continue
        if donation["refunded"] + amount > donation["amount"]:
            report.fail(
                where,
                f"refunds of donation {entry['donation']} reach {donation['refunded'] + amount} fen, "
                f"more than its {donation['amount']} fen",
            )
            continue
        donation["refunded"] += amount
        totals.refunds_fen += amount


def _check_totals(report: AuditReport, site_url: str, fetch: Fetch) -> None:
    ids = sorted(report.projects)

    def published(project: str) -> tuple[int | None, str | None]:
        url = f"{site_url}api/v1/projects/{project}"
        body = fetch(url, _MAX_JSON)
        if body is None:
            return None, f"the platform publishes no project {project} (GET {url}: HTTP 404)"
        try:
            data = json.loads(body)
            value = data.get("net_raised_fen", (data.get("progress") or {}).get("net_raised_fen"))
        except (ValueError, AttributeError):
            return None, f"GET {url} did not answer JSON with net_raised_fen"
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"GET {url} has no integer net_raised_fen"
        return value, None

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        answers = list(pool.map(published, ids))
    for project, (value, problem) in zip(ids, answers, strict=True):
        totals = report.projects[project]
        totals.published_net_fen = value
        if problem:
            report.fail(f"project {project}", problem)
        elif value != totals.net_fen:
            report.fail(
                f"project {project}",
                f"the log gives donations − refunds = {totals.donations_fen} − {totals.refunds_fen} = "
                f"{totals.net_fen} fen, the platform publishes {value} fen",
            )


def _store_state(state_dir: Path, raw: bytes) -> None:
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / STATE_FILE
    tmp = state_dir / f".{STATE_FILE}.{os.getpid()}.tmp"
    with tmp.open("wb") as fh:
        fh.write(raw)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
