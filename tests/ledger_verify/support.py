"""Helpers for the receipt, audit and witness tests: a tiny static log built with tlog alone.

``StaticLog`` writes a c2sp.org/tlog-tiles log (checkpoint, tiles, entry bundles) and the
project totals the platform would publish into a directory, and ``serve_directory`` serves it
with the standard library's HTTP server in a thread, the way static hosting would.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import rfc8785

from commonweal.core.privacy import donor_commitment
from commonweal.ledger.verify import CommonwealReceipt, format_commonweal_receipt
from commonweal.tlog import (
    Checkpoint,
    MemoryHashStore,
    Receipt,
    append_leaves,
    build_tiles,
    extend_bundles,
    format_tile_path,
    inclusion_proof_from_leaves,
    leaf_hash,
    parse_signer_key,
    root_hash,
    sign_checkpoint,
    generate_signer_key,
)

ORIGIN = "static.commonweal.example/log"
PROJECT_A = "01" + "a" * 24
PROJECT_B = "01" + "b" * 24
ORG = "01" + "c" * 24


def public_id(n: int, prefix: str = "0d") -> str:
    return f"{prefix}{n:024d}"


def donation_entry(n: int, *, amount_fen: int = 1000, project: str = PROJECT_A, salt: bytes | None = None,
                   donor: str | None = None) -> tuple[bytes, bytes, str]:
    """(entry bytes, salt, donor reference) of a donation entry, exactly as the platform writes it."""
    salt = salt if salt is not None else hashlib.sha256(b"salt %d" % n).digest()
    donor = donor or f"user:{n + 1}"
    entry = rfc8785.dumps({
        "v": 1, "type": "donation", "id": public_id(n), "amount_fen": amount_fen, "currency": "CNY",
        "org": ORG, "project": project, "time": "2026-11-23T12:00:00Z", "donor": donor_commitment(salt, donor),
    })
    return entry, salt, donor


def refund_entry(n: int, *, donation: int, amount_fen: int, project: str = PROJECT_A) -> bytes:
    return rfc8785.dumps({
        "v": 1, "type": "refund", "id": public_id(n, "0r"), "donation": public_id(donation), "amount_fen": amount_fen,
        "currency": "CNY", "org": ORG, "project": project, "time": "2026-11-24T12:00:00Z",
    })


@dataclass
class StaticLog:
    """A log of ``entries`` signed by ``skey``, written under ``root/log/`` (plus ``root/api/v1/projects/``)."""

    root: Path
    skey: str
    vkey: str
    entries: list[bytes] = field(default_factory=list)
    salts: dict[int, tuple[bytes, str]] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path, origin: str = ORIGIN) -> "StaticLog":
        skey, vkey = generate_signer_key(origin)
        return cls(root=root, skey=skey, vkey=vkey)

    @property
    def log_dir(self) -> Path:
        return self.root / "log"

    def add_donations(self, count: int, *, amount_fen: int = 1000, project: str = PROJECT_A) -> None:
        for _ in range(count):
            n = len(self.entries)
            entry, salt, donor = donation_entry(n, amount_fen=amount_fen + n, project=project)
            self.salts[n] = (salt, donor)
            self.entries.append(entry)

    def leaves(self, size: int | None = None) -> list[bytes]:
        return [leaf_hash(e) for e in self.entries[: size if size is not None else len(self.entries)]]

    def checkpoint_text(self, size: int | None = None, *, root: bytes | None = None) -> str:
        size = len(self.entries) if size is None else size
        root = root if root is not None else root_hash(self.leaves(size))
        return sign_checkpoint(Checkpoint(origin=parse_signer_key(self.skey).name, size=size, root_hash=root),
                               [parse_signer_key(self.skey)])

    def publish(self, *, totals: bool = True) -> str:
        """Write every tile, bundle, the checkpoint and (optionally) the project totals; return the checkpoint."""
        size = len(self.entries)
        leaves = self.leaves()
        store = MemoryHashStore()
        store.add(append_leaves(0, leaves, store))
        files = {format_tile_path(ref): data for ref, data in build_tiles(0, size, store).items()}
        bundles = extend_bundles(old_size=0, entries=self.entries, read_bundles=lambda refs: [])
        files.update({format_tile_path(ref): data for ref, data in bundles.items()})
        for path, data in files.items():
            target = self.log_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        text = self.checkpoint_text()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        (self.log_dir / "checkpoint").write_text(text, encoding="utf-8")
        (self.log_dir / "vkey").write_text(self.vkey, encoding="utf-8")
        if totals:
            self.publish_totals(self.net_by_project())
        return text

    def net_by_project(self) -> dict[str, int]:
        net: dict[str, int] = {}
        for raw in self.entries:
            entry = json.loads(raw)
            if entry["type"] not in ("donation", "refund"):
                continue
            sign = 1 if entry["type"] == "donation" else -1
            net[entry["project"]] = net.get(entry["project"], 0) + sign * entry["amount_fen"]
        return net

    def publish_totals(self, totals: dict[str, int]) -> None:
        for project, net in totals.items():
            path = self.root / "api" / "v1" / "projects" / project
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"public_id": project, "progress": {"net_raised_fen": net}}), encoding="utf-8")

    def tlog_proof(self, index: int, *, size: int | None = None, checkpoint: str | None = None) -> Receipt:
        size = len(self.entries) if size is None else size
        proof = inclusion_proof_from_leaves(index, self.leaves(size))
        return Receipt(index=index, proof=tuple(proof), checkpoint=checkpoint or self.checkpoint_text(size),
                       extra=self.entries[index])

    def receipt(self, index: int, **kwargs) -> str:
        salt, donor = self.salts[index]
        return format_commonweal_receipt(
            CommonwealReceipt(salt=salt, donor_reference=donor, proof=self.tlog_proof(index, **kwargs))
        )


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 in a thread; yields the base URL ending in '/'."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@contextmanager
def serve_in_thread(server) -> Iterator[str]:
    """Run an already-bound ``http.server`` server in a thread; yields its base URL (no trailing '/')."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
