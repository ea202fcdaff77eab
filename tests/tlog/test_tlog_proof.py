"""c2sp.org/tlog-proof receipts: round trips, strict parsing, verification and tampering."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.tlog import (
    Checkpoint,
    CosignatureSigner,
    Ed25519Signer,
    Receipt,
    ReceiptError,
    TileHashReader,
    Note,
    extend_tiles,
    format_note,
    format_receipt,
    inclusion_proof_from_reader,
    leaf_hash,
    parse_note,
    parse_receipt,
    sign_checkpoint,
    sign_note,
    verify_receipt,
)
from tests.tlog.tlog_support import MemoryTiles, entry

ORIGIN = "commonweal.example/log"
LOG = Ed25519Signer(name=ORIGIN, seed=b"\x11" * 32)
WITNESSES = [
    CosignatureSigner(name=f"witness{i}.example", seed=bytes([0x20 + i]) * 32, clock=lambda: 1_700_000_000)
    for i in range(3)
]
SIZE = 1000


def _build():
    store = MemoryTiles()
    update = extend_tiles(old_size=0, leaf_hashes=[leaf_hash(entry(i)) for i in range(SIZE)], read_tiles=store.read_tiles)
    store.tiles.update(update.tiles)
    signed = sign_checkpoint(Checkpoint(origin=ORIGIN, size=SIZE, root_hash=update.root_hash), [LOG])
    note = parse_note(signed)
    cosigned = sign_note(note.text, WITNESSES, signatures=note.signatures)
    return store, cosigned


STORE, CHECKPOINT = _build()
READER = TileHashReader(size=SIZE, read_tiles=STORE.read_tiles)


def make_receipt(index: int, *, extra: bool = True) -> str:
    proof = inclusion_proof_from_reader(index, SIZE, READER)
    receipt = Receipt(index=index, proof=tuple(proof), checkpoint=CHECKPOINT, extra=entry(index) if extra else None)
    return format_receipt(receipt)


def verify(text, **kwargs):
    kwargs.setdefault("origin", ORIGIN)
    kwargs.setdefault("log_verifiers", [LOG.verifier()])
    kwargs.setdefault("witnesses", [w.verifier() for w in WITNESSES])
    return verify_receipt(text, **kwargs)


class TestFormat:
    def test_layout(self):
        text = make_receipt(5)
        lines = text.split("\n")
        assert lines[0] == "c2sp.org/tlog-proof@v1"
        assert lines[1] == "extra " + base64.b64encode(entry(5)).decode()
        assert lines[2] == "index 5"
        assert len(lines[3:13]) == 10 and "" not in lines[3:13]  # 1000 leaves: 10 proof hashes
        assert lines[13] == ""
        assert text.endswith(CHECKPOINT)
        assert "\n".join(lines[14:]) == CHECKPOINT

    @pytest.mark.parametrize("index", [0, 1, 255, 256, 511, 998, 999])
    def test_round_trip(self, index):
        for extra in (True, False):
            text = make_receipt(index, extra=extra)
            receipt = parse_receipt(text)
            assert format_receipt(receipt) == text
            assert parse_receipt(text.encode()) == receipt

    def test_empty_extra_and_empty_proof(self):
        receipt = Receipt(index=0, proof=(), checkpoint=CHECKPOINT, extra=b"")
        text = format_receipt(receipt)
        assert "\nextra \nindex 0\n\n" in text
        assert parse_receipt(text) == receipt


class TestVerify:
    @pytest.mark.parametrize("index", [0, 7, 500, 999])
    def test_valid(self, index):
        verified = verify(make_receipt(index), witness_quorum=3)
        assert verified.index == index
        assert verified.entry == entry(index)
        assert verified.leaf_hash == leaf_hash(entry(index))
        assert verified.checkpoint.size == SIZE
        assert [s.name for s in verified.log_signatures] == [ORIGIN]
        assert len(verified.witness_signatures) == 3

    def test_leaf_hash_or_entry_given_by_the_caller(self):
        text = make_receipt(9, extra=False)
        assert verify(text, leaf_hash=leaf_hash(entry(9))).entry is None
        assert verify(text, entry=entry(9)).entry == entry(9)
        with pytest.raises(ReceiptError):
            verify(text)  # nothing to hash
        with pytest.raises(ReceiptError):
            verify(text, entry=entry(10))
        with pytest.raises(ReceiptError):
            verify(text, entry=entry(9), leaf_hash=leaf_hash(entry(9)))

    def test_callers_entry_overrides_extra(self):
        with pytest.raises(ReceiptError):
            verify(make_receipt(9), entry=entry(8))

    def test_witnesses_are_optional_unless_required(self):
        text = make_receipt(3)
        assert verify(text, witnesses=[]).witness_signatures == ()
        with pytest.raises(ReceiptError):
            verify(text, witnesses=[w.verifier() for w in WITNESSES[:2]], witness_quorum=3)

    def test_log_signature_is_required(self):
        text = make_receipt(3)
        with pytest.raises(ReceiptError):  # only witnesses known
            verify(text, log_verifiers=[])
        other_log = Ed25519Signer(name=ORIGIN, seed=b"\x12" * 32)
        with pytest.raises(ReceiptError):
            verify(text, log_verifiers=[other_log.verifier()], witnesses=[])

    def test_witness_cosignatures_cannot_stand_in_for_the_log(self):
        # The note verifies with the witness keys alone, but the log's signature line is gone.
        note = parse_note(CHECKPOINT)
        witnessed_only = format_note(Note(text=note.text, signatures=note.signatures[1:]))
        text = format_receipt(Receipt(index=3, proof=parse_receipt(make_receipt(3)).proof, checkpoint=witnessed_only))
        with pytest.raises(ReceiptError):
            verify(text, entry=entry(3))
        verify(make_receipt(3))

    def test_wrong_origin(self):
        with pytest.raises(ReceiptError):
            verify(make_receipt(3), origin="other.example/log")


def _replace_line(text: str, number: int, line: str) -> str:
    lines = text.split("\n")
    lines[number] = line
    return "\n".join(lines)


RECEIPT = make_receipt(321)
LINES = RECEIPT.split("\n")


class TestTamper:
    @pytest.mark.parametrize(
        "tampered",
        [
            RECEIPT.replace("index 321", "index 320"),
            RECEIPT.replace("index 321", "index 322"),
            RECEIPT.replace("index 321", "index 1321"),
            _replace_line(RECEIPT, 1, "extra " + base64.b64encode(entry(320)).decode()),
            _replace_line(RECEIPT, 3, base64.b64encode(bytes(32)).decode()),
            "\n".join(LINES[:3] + LINES[4:]),  # a proof hash removed
            "\n".join(LINES[:3] + [LINES[3]] + LINES[3:]),  # a proof hash repeated
            "\n".join(LINES[:3] + [LINES[3], LINES[5], LINES[4]] + LINES[6:]),  # two swapped
            RECEIPT.replace(f"\n{SIZE}\n", f"\n{SIZE + 1}\n"),
            RECEIPT.replace(ORIGIN + "\n", "commonweal.example/lag\n", 1),
        ],
    )
    def test_tampered_receipts_fail(self, tampered):
        assert tampered != RECEIPT
        with pytest.raises(ReceiptError):
            verify(tampered)

    @settings(max_examples=200, deadline=None)
    @given(st.data())
    def test_any_single_bit_flip_fails(self, data):
        # With every witness known and required, no byte of a receipt is without effect.
        raw = bytearray(RECEIPT.encode())
        i = data.draw(st.integers(0, len(raw) - 1), label="byte")
        raw[i] ^= 1 << data.draw(st.integers(0, 7), label="bit")
        with pytest.raises(ReceiptError):
            verify(bytes(raw), witness_quorum=3)


class TestStrictParsing:
    @pytest.mark.parametrize(
        "text",
        [
            "",
            RECEIPT.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
            RECEIPT.replace("c2sp.org/tlog-proof@v1\n", "c2sp.org/tlog-proof@v1 \n"),
            RECEIPT.replace("index 321", "index 0321"),
            RECEIPT.replace("index 321", "index +321"),
            RECEIPT.replace("index 321", "index  321"),
            RECEIPT.replace("index 321", "index 321 "),
            RECEIPT.replace("index 321", "index \u0663\u0662\u0661"),
            RECEIPT.replace("index 321", "index 1_000"),
            RECEIPT.replace("index 321", f"index {2**64}"),
            RECEIPT.replace("index 321", "Index 321"),
            RECEIPT.replace("index 321\n", ""),
            RECEIPT.replace("extra ", "extra  "),
            RECEIPT.replace("extra ", "extra:"),
            "\n".join([LINES[0], LINES[2], LINES[1], *LINES[3:]]),  # extra after index
            _replace_line(RECEIPT, 3, LINES[3].rstrip("=")),
            _replace_line(RECEIPT, 3, base64.b64encode(bytes(31)).decode()),
            _replace_line(RECEIPT, 3, base64.b64encode(bytes(33)).decode()),
            _replace_line(RECEIPT, 3, " " + LINES[3]),
            _replace_line(RECEIPT, 13, " "),  # no blank line before the checkpoint
            RECEIPT.replace("\n", "\r\n"),
            RECEIPT + "\n",  # trailing blank line
            RECEIPT + "junk\n",
            RECEIPT[:-1],
            "\n".join(LINES[:14]) + "\n",  # no checkpoint
            "\n".join(LINES[:14]) + "\n" + parse_note(CHECKPOINT).text,  # unsigned checkpoint
            "\n".join(LINES[:3]) + "\n" + "\n".join([LINES[3]] * 65) + "\n\n" + CHECKPOINT,
            "c2sp.org/tlog-proof@v1\nindex 0\n\n" + sign_note("not a checkpoint\n", [LOG]),
        ],
    )
    def test_rejected(self, text):
        with pytest.raises(ReceiptError):
            parse_receipt(text)
        with pytest.raises(ReceiptError):
            verify(text)

    def test_size_limit_and_encoding(self):
        with pytest.raises(ReceiptError):
            parse_receipt("x" * (256 * 1024 + 1))
        with pytest.raises(ReceiptError):
            parse_receipt(RECEIPT.encode() + b"\xff")

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"index": -1},
            {"index": 2**64},
            {"index": True},
            {"proof": [bytes(32)]},
            {"proof": (bytes(31),)},
            {"proof": (bytes(32),) * 65},
            {"extra": "text"},
            {"checkpoint": "hello\n\n— x AAAAAAA=\n"},
        ],
    )
    def test_invalid_receipt_values(self, kwargs):
        values = {"index": 0, "proof": (), "checkpoint": CHECKPOINT, "extra": None} | kwargs
        with pytest.raises(ReceiptError):
            Receipt(**values)
