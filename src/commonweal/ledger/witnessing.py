"""Cosignatures from witnesses (c2sp.org/tlog-witness) on the log's checkpoints.

The sequencer calls ``collect_cosignatures`` right after signing a checkpoint and stores and
serves what it returns. With no witnesses configured (settings.LOG_WITNESSES empty, the
default) the checkpoint is served as signed by the log alone. Otherwise each witness gets an
``add-checkpoint`` request with a consistency proof from the size it last cosigned; valid
cosignature lines are appended. A witness that is down, slow or refuses is logged and skipped:
witnessing never blocks sequencing. docs/ledger.md, "Witnesses".
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings

from commonweal.tlog import (
    CheckpointError,
    CosignatureVerifier,
    NoteError,
    cosignature_timestamp,
    open_note,
    parse_checkpoint,
    parse_cosigner_key,
    parse_note,
)

__all__ = ["WitnessConfig", "collect_cosignatures", "configured_witnesses", "forget_witness_sizes"]

logger = logging.getLogger("commonweal.ledger")

DEFAULT_TIMEOUT = 2.0
"""Seconds to wait for one witness, unless settings.LOG_WITNESS_TIMEOUT says otherwise."""

MAX_FUTURE_SKEW = 60
"""Seconds a cosignature's timestamp may be ahead of our clock."""

DEFAULT_BACKOFF = 30.0
"""Seconds a witness that could not be reached is skipped (settings.LOG_WITNESS_BACKOFF), so a
dead witness does not add its timeout to every checkpoint."""

_MAX_RESPONSE = 64 * 1024

# The size each witness last cosigned for our log, as far as this process knows (0 if unknown:
# the witness then answers 409 with its size, and we retry once).
_known_sizes: dict[str, int] = {}
_unreachable_until: dict[str, float] = {}
_known_lock = threading.Lock()


@dataclass(frozen=True, slots=True, kw_only=True)
class WitnessConfig:
    """One configured witness."""

    url: str
    """Submission prefix; requests go to ``<url>/add-checkpoint``."""
    verifier: CosignatureVerifier
    """The witness's cosignature/v1 verifier key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class _Answer:
    status: int
    body: bytes


def configured_witnesses() -> list[WitnessConfig]:
    """settings.LOG_WITNESSES as ``WitnessConfig``s; malformed entries are logged and skipped."""
    out = []
    for item in getattr(settings, "LOG_WITNESSES", None) or []:
        try:
            url, vkey = item
            out.append(WitnessConfig(url=str(url).rstrip("/"), verifier=parse_cosigner_key(str(vkey).strip())))
        except (TypeError, ValueError) as exc:
            logger.error("witness_misconfigured entry=%r error=%s", str(item)[:200], exc)
    return out


def forget_witness_sizes() -> None:
    """Forget what this process learnt about the witnesses' sizes (tests, key rotation)."""
    with _known_lock:
        _known_sizes.clear()
        _unreachable_until.clear()


def collect_cosignatures(checkpoint_text: str, *, consistency_proof: Callable[[int, int], Sequence[bytes]] | None = None) -> str:
    """The signed checkpoint with the cosignature lines of the configured witnesses added.

    Returns ``checkpoint_text`` unchanged when settings.LOG_WITNESSES is empty.
    ``consistency_proof(old_size, new_size)`` defaults to the proof from the deployment's tiles
    (which are durable for the checkpoint's size before it is signed). Never raises for a witness
    failure: those are logged.
    """
    witnesses = configured_witnesses()
    if not witnesses:
        return checkpoint_text
    try:
        checkpoint = parse_checkpoint(parse_note(checkpoint_text).text)
    except (NoteError, CheckpointError) as exc:
        logger.error("witness_bad_checkpoint error=%s", exc)
        return checkpoint_text
    if consistency_proof is None:
        from commonweal.ledger.storage import log_consistency_proof

        def consistency_proof(size1: int, size2: int) -> Sequence[bytes]:
            return log_consistency_proof(size1=size1, size2=size2)

    timeout = float(getattr(settings, "LOG_WITNESS_TIMEOUT", DEFAULT_TIMEOUT))
    backoff = float(getattr(settings, "LOG_WITNESS_BACKOFF", DEFAULT_BACKOFF))
    lines: list[str] = []
    now = time.monotonic()
    with _known_lock:
        pending = [w for w in witnesses if _unreachable_until.get(w.url, 0) <= now]
    # Two rounds at most: the second for witnesses that told us (409) the size they last cosigned.
    for _round in range(2):
        bodies = {}
        for witness in pending:
            body = _request_body(witness, checkpoint_text, checkpoint.size, consistency_proof)
            if body is not None:
                bodies[witness.url] = body
        todo = [w for w in pending if w.url in bodies]
        if not todo:
            break
        with ThreadPoolExecutor(max_workers=len(todo)) as pool:
            answers = list(pool.map(lambda w: _post(w, bodies[w.url], timeout), todo))
        pending = []
        for witness, answer in zip(todo, answers, strict=True):
            if answer is None:
                with _known_lock:
                    _unreachable_until[witness.url] = time.monotonic() + backoff
                continue
            if answer.status == 409 and _round == 0 and _learn_size(witness, answer):
                pending.append(witness)
                continue
            if answer.status != 200:
                logger.warning(
                    "witness_refused url=%s status=%s body=%r",
                    witness.url, answer.status, answer.body[:200].decode("utf-8", "replace"),
                )
                continue
            valid = _valid_cosignatures(witness, checkpoint_text, answer.body)
            if valid:
                with _known_lock:
                    _known_sizes[witness.url] = checkpoint.size
                lines += valid
        if not pending:
            break
    if not lines:
        return checkpoint_text
    existing = set(checkpoint_text.split("\n"))
    return checkpoint_text + "".join(line + "\n" for line in lines if line not in existing)


def _request_body(
    witness: WitnessConfig, checkpoint_text: str, size: int, consistency_proof: Callable[[int, int], Sequence[bytes]]
) -> bytes | None:
    with _known_lock:
        old = _known_sizes.get(witness.url, 0)
    if old > size:
        logger.error(
            "witness_ahead url=%s witness_size=%s log_size=%s: the witness saw a larger tree of this log",
            witness.url, old, size,
        )
        return None
    try:
        proof = list(consistency_proof(old, size)) if 0 < old < size else []
    except Exception as exc:  # a storage problem must not stop sequencing
        logger.error("witness_proof_failed url=%s old=%s size=%s error=%s", witness.url, old, size, exc)
        return None
    lines = [f"old {old}", *(base64.b64encode(h).decode("ascii") for h in proof), ""]
    return ("\n".join(lines) + "\n" + checkpoint_text).encode("utf-8")


def _post(witness: WitnessConfig, body: bytes, timeout: float) -> _Answer | None:
    request = urllib.request.Request(
        witness.url + "/add-checkpoint",
        data=body,
        method="POST",
        headers={"Content-Type": "text/plain; charset=utf-8", "User-Agent": "commonweal-log"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (configured URL)
            return _Answer(status=response.status, body=response.read(_MAX_RESPONSE))
    except urllib.error.HTTPError as exc:
        return _Answer(status=exc.code, body=exc.read(_MAX_RESPONSE))
    except (OSError, ValueError) as exc:
        logger.warning("witness_unreachable url=%s error=%s", witness.url, exc)
        return None


def _learn_size(witness: WitnessConfig, answer: _Answer) -> bool:
    text = answer.body.decode("ascii", "replace")
    if not text.endswith("\n") or not text[:-1].isdigit() or (len(text) > 2 and text[0] == "0"):
        return False
    with _known_lock:
        _known_sizes[witness.url] = int(text[:-1])
    return True


def _valid_cosignatures(witness: WitnessConfig, checkpoint_text: str, body: bytes) -> list[str]:
    # The answer is note signature lines; appended to the checkpoint they must verify under the
    # configured witness key (c2sp.org/tlog-witness: "the client MAY concatenate it").
    try:
        text = body.decode("utf-8")
        note = open_note(checkpoint_text + text, [witness.verifier])
    except (UnicodeDecodeError, NoteError) as exc:
        logger.warning("witness_bad_cosignature url=%s error=%s", witness.url, exc)
        return []
    now = time.time()
    valid = []
    for signature in note.verified:
        try:
            stamp = cosignature_timestamp(signature)
        except CheckpointError:
            continue
        if stamp > now + MAX_FUTURE_SKEW:
            logger.warning("witness_future_cosignature url=%s timestamp=%s", witness.url, stamp)
            continue
        valid.append(signature.line())
    return valid
