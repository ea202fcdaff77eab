"""A second, independent verifier for our receipts: the sigstore package (Apache-2.0).

sigstore-python verifies Rekor's RFC 6962 inclusion proofs (``sigstore._internal.merkle``, after
Trillian) and Rekor's signed-note checkpoints (``sigstore._internal.rekor.checkpoint``). We hand
it a receipt as the Rekor ``TransparencyLogEntry`` JSON it reads; it then recomputes the leaf hash
from the entry bytes, chains the proof to a root, parses the checkpoint itself, checks the
Ed25519 signature with its own keyring and compares the roots. Nothing of ``commonweal.tlog``
takes part in those checks; our parser only splits the receipt file into its fields.

Consistency proofs: sigstore (like every well-known Python package we could find) has no
consistency-proof verifier, so none is checked independently; per the project's rule nothing is
written by hand to stand in for one.
"""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sigstore._internal.merkle import verify_merkle_inclusion
from sigstore._internal.rekor.checkpoint import SignedCheckpoint, verify_checkpoint
from sigstore._internal.trust import Keyring, RekorKeyring
from sigstore.models import TransparencyLogEntry
from sigstore_models.common.v1 import PublicKey
from sigstore_models.rekor.v1 import TransparencyLogEntry as RekorEntry

from commonweal.tlog import Receipt, parse_verifier_key

__all__ = ["sigstore_verify"]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sigstore_verify(receipt: Receipt, vkey: str) -> None:
    """Verify the receipt's checkpoint signature and inclusion proof with sigstore; raises on failure."""
    key = parse_verifier_key(vkey)
    der = Ed25519PublicKey.from_public_bytes(key.public_key).public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    keyring = RekorKeyring(Keyring([PublicKey.from_json(json.dumps({"rawBytes": _b64(der), "keyDetails": "PKIX_ED25519"}))]))
    # The root and size as sigstore itself reads them from the checkpoint.
    checkpoint = SignedCheckpoint.from_text(receipt.checkpoint).checkpoint
    inner = RekorEntry.from_json(json.dumps({
        "logIndex": str(receipt.index),
        "logId": {"keyId": _b64(key.key_id.to_bytes(4, "big"))},
        "kindVersion": {"kind": "commonweal", "version": "1"},
        "inclusionProof": {
            "logIndex": str(receipt.index),
            "rootHash": _b64(bytes.fromhex(checkpoint.log_hash)),
            "treeSize": str(checkpoint.log_size),
            "hashes": [_b64(h) for h in receipt.proof],
            "checkpoint": {"envelope": receipt.checkpoint},
        },
        "canonicalizedBody": _b64(receipt.extra),
    }))
    entry = TransparencyLogEntry(inner)
    verify_checkpoint(keyring, entry)
    verify_merkle_inclusion(entry)
