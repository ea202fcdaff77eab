"""c2sp.org/tlog-witness: a minimal witness that cosigns checkpoints consistent with what it saw.

``Witness.add_checkpoint`` implements the ``add-checkpoint`` call on a request body and returns
the HTTP status, content type and body to answer; ``serve_witness`` puts it behind the standard
library's threading HTTP server. State (the last cosigned checkpoint per origin) lives in a
directory, checked and replaced atomically under a lock. No Django model is used.
See docs/ledger.md ("Witnesses").
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import threading
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from commonweal.tlog import (
    EMPTY_ROOT,
    HASH_SIZE,
    Checkpoint,
    CheckpointError,
    CosignatureSigner,
    Ed25519Verifier,
    NoteError,
    ProofError,
    Signature,
    decode_base64,
    open_note,
    parse_checkpoint,
    parse_note,
    verify_consistency,
)
from commonweal.tlog.note import MAX_NOTE_SIZE

__all__ = [
    "MAX_ADD_CHECKPOINT_BODY",
    "TLOG_SIZE_CONTENT_TYPE",
    "Witness",
    "WitnessResponse",
    "serve_witness",
]

logger = logging.getLogger("commonweal.ledger.witness")

TLOG_SIZE_CONTENT_TYPE = "text/x.tlog.size"
"""c2sp.org/tlog-witness: content type of a 409 answer carrying the latest cosigned size."""

MAX_PROOF_LINES = 63
"""c2sp.org/tlog-witness: clients send at most 63 consistency proof lines."""

MAX_ADD_CHECKPOINT_BODY = MAX_NOTE_SIZE + 64 * 64
"""Largest add-checkpoint request body accepted, in bytes."""

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,19}", re.ASCII)


@dataclass(frozen=True, slots=True, kw_only=True)
class WitnessResponse:
    """What to answer to an add-checkpoint request."""

    status: int
    """HTTP status code."""
    body: bytes
    """Response body."""
    content_type: str = "text/plain; charset=utf-8"
    """Content-Type header."""


class _Refusal(Exception):
    def __init__(self, status: int, message: str, content_type: str = "text/plain; charset=utf-8") -> None:
        super().__init__(message)
        self.response = WitnessResponse(status=status, body=message.encode("utf-8"), content_type=content_type)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Request:
    old_size: int
    proof: tuple[bytes, ...]
    note: str


def _parse_request(body: bytes) -> _Request:
    # 0. Size limit and UTF-8 first.
    if len(body) > MAX_ADD_CHECKPOINT_BODY:
        raise _Refusal(400, f"request body is larger than {MAX_ADD_CHECKPOINT_BODY} bytes\n")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal(400, "request body is not UTF-8\n") from None
    # 1. "old <size>".
    line, sep, rest = text.partition("\n")
    if not sep or not line.startswith("old ") or not _DECIMAL.fullmatch(line[len("old ") :]):
        raise _Refusal(400, "first line must be 'old <size>'\n")
    old_size = int(line[len("old ") :])
    # 2. Up to 63 base64 hashes, then an empty line.
    proof = []
    while True:
        line, sep, rest = rest.partition("\n")
        if not sep:
            raise _Refusal(400, "missing empty line before the checkpoint\n")
        if line == "":
            break
        if len(proof) == MAX_PROOF_LINES:
            raise _Refusal(400, f"more than {MAX_PROOF_LINES} consistency proof lines\n")
        try:
            h = decode_base64(line, "consistency proof hash")
        except NoteError as exc:
            raise _Refusal(400, f"{exc}\n") from None
        if len(h) != HASH_SIZE:
            raise _Refusal(400, f"consistency proof hashes are {HASH_SIZE} bytes\n")
        proof.append(h)
    # 3. The rest is the signed checkpoint.
    return _Request(old_size=old_size, proof=tuple(proof), note=rest)


class Witness:
    """c2sp.org/tlog-witness: cosigns checkpoints of known logs that extend what it last cosigned."""

    def __init__(
        self,
        *,
        signer: CosignatureSigner,
        log_keys: Iterable[Ed25519Verifier],
        state_dir: Path,
    ) -> None:
        self.signer = signer
        self.logs: dict[str, list[Ed25519Verifier]] = {}
        for key in log_keys:
            # The log signs under a key named after its origin.
            self.logs.setdefault(key.name, []).append(key)
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    # --- state -------------------------------------------------------------------------------

    def _path(self, origin: str) -> Path:
        return self.state_dir / (hashlib.sha256(origin.encode("utf-8")).hexdigest() + ".checkpoint")

    def latest(self, origin: str) -> Checkpoint | None:
        """The last checkpoint this witness cosigned for ``origin``, if any."""
        path = self._path(origin)
        if not path.exists():
            return None
        note = open_note(path.read_text(encoding="utf-8"), self.logs.get(origin, []))
        return parse_checkpoint(note.text)

    @contextmanager
    def _locked(self):
        # One lock for threads, one for other processes sharing the state directory.
        with self._lock, (self.state_dir / ".lock").open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _store(self, origin: str, note: str) -> None:
        path = self._path(origin)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            fh.write(note)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(self.state_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def _keep_evidence(self, origin: str, body: bytes, reason: str) -> None:
        evidence = self.state_dir / "evidence"
        evidence.mkdir(exist_ok=True)
        name = f"{int(time.time())}-{hashlib.sha256(body).hexdigest()[:16]}.txt"
        (evidence / name).write_bytes(f"# {origin}: {reason}\n".encode() + body)
        logger.warning("witness_refused origin=%s reason=%s evidence=%s", origin, reason, name)

    # --- add-checkpoint ------------------------------------------------------------------------

    def add_checkpoint(self, body: bytes) -> WitnessResponse:
        """c2sp.org/tlog-witness add-checkpoint: verify, check consistency, persist, cosign."""
        try:
            return self._add_checkpoint(body)
        except _Refusal as refusal:
            return refusal.response

    def _add_checkpoint(self, body: bytes) -> WitnessResponse:
        request = _parse_request(body)
        # 1. The checkpoint: a well-formed note of a known origin, signed by that log's key.
        try:
            note = parse_note(request.note)
            checkpoint = parse_checkpoint(note.text)
        except (NoteError, CheckpointError) as exc:
            raise _Refusal(400, f"malformed checkpoint: {exc}\n") from None
        keys = self.logs.get(checkpoint.origin)
        if not keys:
            raise _Refusal(404, f"unknown log {checkpoint.origin!r}\n")
        try:
            open_note(note, keys)
        except NoteError:
            raise _Refusal(403, "no valid signature by the log's key\n") from None
        # 2. The old size cannot exceed the new one.
        if request.old_size > checkpoint.size:
            raise _Refusal(400, f"old size {request.old_size} is larger than the checkpoint's {checkpoint.size}\n")
        with self._locked():
            try:
                latest = self.latest(checkpoint.origin)
            except (OSError, UnicodeDecodeError, NoteError, CheckpointError) as exc:
                logger.error("witness_state_unreadable origin=%s error=%s", checkpoint.origin, exc)
                raise _Refusal(500, "the witness cannot read its state for this log\n") from None
            latest_size = latest.size if latest else 0
            # 3. The old size must be what this witness last cosigned (0 if nothing).
            if request.old_size != latest_size:
                raise _Refusal(409, f"{latest_size}\n", TLOG_SIZE_CONTENT_TYPE)
            old_root = latest.root_hash if latest else EMPTY_ROOT
            # 4. Same size: same root, or the log forked. Else a consistency proof from the old tree.
            if latest is not None and checkpoint.size == latest.size:
                if checkpoint.root_hash != latest.root_hash:
                    self._keep_evidence(checkpoint.origin, body, "same size, different root")
                    raise _Refusal(409, f"{latest_size}\n", TLOG_SIZE_CONTENT_TYPE)
            else:
                try:
                    verify_consistency(
                        size1=request.old_size,
                        size2=checkpoint.size,
                        proof=request.proof,
                        root1=old_root,
                        root2=checkpoint.root_hash,
                        allow_empty_old=True,
                    )
                except ProofError as exc:
                    self._keep_evidence(checkpoint.origin, body, f"consistency proof does not verify: {exc}")
                    raise _Refusal(422, f"consistency proof does not verify: {exc}\n") from None
            # 5. Persist before answering, then cosign.
            self._store(checkpoint.origin, request.note)
        cosignature = Signature(
            name=self.signer.name, key_id=self.signer.key_id, signature=self.signer.sign(note.text.encode("utf-8"))
        )
        logger.info("witness_cosigned origin=%s size=%s", checkpoint.origin, checkpoint.size)
        return WitnessResponse(status=200, body=(cosignature.line() + "\n").encode("utf-8"))


def serve_witness(witness: Witness, address: tuple[str, int]) -> ThreadingHTTPServer:
    """An HTTP server answering ``POST /add-checkpoint`` for ``witness`` (call ``serve_forever``)."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "commonweal-witness"
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path != "/add-checkpoint":
                self._answer(WitnessResponse(status=404, body=b"not found\n"))
                return
            length = self.headers.get("Content-Length", "")
            if not _DECIMAL.fullmatch(length) or int(length) > MAX_ADD_CHECKPOINT_BODY:
                self._answer(WitnessResponse(status=400, body=b"need a Content-Length of at most 128 KiB\n"))
                self.close_connection = True
                return
            self._answer(witness.add_checkpoint(self.rfile.read(int(length))))

        def do_GET(self) -> None:  # noqa: N802
            self._answer(WitnessResponse(status=404, body=b"this witness answers POST /add-checkpoint\n"))

        def _answer(self, response: WitnessResponse) -> None:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(response.body)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            logger.info("witness_http %s", format % args)

    return ThreadingHTTPServer(address, Handler)

