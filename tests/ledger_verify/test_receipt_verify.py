"""Commonweal receipts: the format round trip, and one clear failure for each kind of tampering.

Pure tests (no database): receipts come from a small log built with ``commonweal.tlog``.
"""

import base64

import pytest

from commonweal.ledger.verify import (
    COMMONWEAL_RECEIPT_HEADER,
    Check,
    CommonwealReceipt,
    CommonwealReceiptError,
    format_commonweal_receipt,
    parse_commonweal_receipt,
    verify_commonweal_receipt,
)
from commonweal.tlog import (
    NoteError,
    Receipt,
    format_receipt,
    generate_cosigner_key,
    generate_signer_key,
    parse_cosigner_signer_key,
    parse_note,
    parse_receipt,
    sign_note,
    verify_receipt,
    parse_verifier_key,
)
from tests.ledger_verify.support import ORIGIN, StaticLog, refund_entry


@pytest.fixture(scope="module")
def log(tmp_path_factory):
    log = StaticLog.create(tmp_path_factory.mktemp("log"))
    log.add_donations(13)
    return log


def codes(result):
    return {r.check: r.code for r in result.checks}


def only_failures(result):
    return {r.check: r.code for r in result.checks if r.ok is False}


# --- the format ------------------------------------------------------------------------------

@pytest.mark.parametrize("index", [0, 1, 7, 12])
def test_round_trip_and_every_check_passes(log, index):
    text = log.receipt(index)
    receipt = parse_commonweal_receipt(text)
    assert format_commonweal_receipt(receipt) == text
    assert parse_commonweal_receipt(text.encode()) == receipt
    assert receipt.proof.extra == log.entries[index]
    result = verify_commonweal_receipt(text, vkey=log.vkey)
    assert result.ok, result.checks
    assert [r.check for r in result.checks] == list(Check)
    assert all(r.code == "ok" for r in result.checks)
    assert result.index == index and result.checkpoint.size == 13
    assert result.entry["type"] == "donation"


def test_the_embedded_tlog_proof_is_a_standard_one(log):
    """Everything after the header is a c2sp tlog-proof any verifier accepts (here: tlog's own)."""
    text = log.receipt(5)
    header, _, proof = text.partition("\n\n")
    assert header.split("\n")[0] == COMMONWEAL_RECEIPT_HEADER
    assert proof.startswith("c2sp.org/tlog-proof@v1\nextra ")
    verified = verify_receipt(proof, origin=ORIGIN, log_verifiers=[parse_verifier_key(log.vkey)])
    assert verified.index == 5 and verified.entry == log.entries[5]


def _line(n: int, new: str):
    """Replace line ``n`` of the receipt."""
    def mutate(text: str) -> str:
        lines = text.split("\n")
        lines[n] = new
        return "\n".join(lines)
    return mutate


MALFORMED = {
    "empty": "",
    "wrong header": "commonweal-receipt/v2\n",
    "uppercase salt": lambda t: _line(1, "salt " + t.split("\n")[1][5:].upper())(t),
    "short salt": lambda t: _line(1, t.split("\n")[1][:-2])(t),
    "salt with a space": lambda t: t.replace("salt ", "salt  ", 1),
    "donor with spaces": _line(2, "donor user: 1"),
    "donor empty": _line(2, "donor "),
    "donor uppercase": _line(2, "donor User:1"),
    "donor too long": _line(2, "donor user:" + "1" * 65),
    "no blank line": lambda t: t.replace("\n\nc2sp", "\nc2sp", 1),
    "CRLF": lambda t: t.replace("\n", "\r\n"),
    "trailing junk": lambda t: t + "x",
    "not a tlog-proof": lambda t: t.replace("c2sp.org/tlog-proof@v1", "c2sp.org/tlog-proof@v2"),
    "index with a leading zero": lambda t: t.replace("\nindex 4\n", "\nindex 04\n"),
    "index with a plus": lambda t: t.replace("\nindex 4\n", "\nindex +4\n"),
    "non-canonical base64": lambda t: t.replace("\nextra ", "\nextra  "),
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_receipts_fail_the_format_check_only(log, name):
    mutate = MALFORMED[name]
    text = mutate(log.receipt(4)) if callable(mutate) else mutate
    with pytest.raises(CommonwealReceiptError):
        parse_commonweal_receipt(text)
    result = verify_commonweal_receipt(text, vkey=log.vkey)
    assert not result.ok
    assert codes(result) == {
        Check.FORMAT: "malformed", Check.SIGNATURE: "not_checked", Check.INCLUSION: "not_checked",
        Check.ENTRY: "not_checked", Check.COMMITMENT: "not_checked",
    }


def test_size_and_encoding_limits(log):
    with pytest.raises(CommonwealReceiptError, match="at most"):
        parse_commonweal_receipt(b"x" * (300 * 1024))
    with pytest.raises(CommonwealReceiptError, match="UTF-8"):
        parse_commonweal_receipt(b"\xff\xfe")


def test_the_dataclass_refuses_bad_values(log):
    proof = log.tlog_proof(0)
    with pytest.raises(CommonwealReceiptError):
        CommonwealReceipt(salt=b"short", donor_reference="user:1", proof=proof)
    with pytest.raises(CommonwealReceiptError):
        CommonwealReceipt(salt=bytes(32), donor_reference="User:1", proof=proof)


# --- one failure kind at a time ----------------------------------------------------------------

def _replace_extra(text: str, entry: bytes) -> str:
    receipt = parse_commonweal_receipt(text)
    proof = receipt.proof
    tampered = Receipt(index=proof.index, proof=proof.proof, checkpoint=proof.checkpoint, extra=entry)
    return format_commonweal_receipt(CommonwealReceipt(salt=receipt.salt, donor_reference=receipt.donor_reference, proof=tampered))


def test_tampered_entry_fails_inclusion(log):
    text = log.receipt(3)
    entry = log.entries[3].replace(b'"amount_fen":1003', b'"amount_fen":9003')
    assert entry != log.entries[3]
    result = verify_commonweal_receipt(_replace_extra(text, entry), vkey=log.vkey)
    assert only_failures(result) == {Check.INCLUSION: "bad_inclusion_proof"}
    assert "entry 3 does not lead to the checkpoint's root" in result.result(Check.INCLUSION).message


def test_tampered_donor_commitment_in_the_entry_fails_inclusion_and_commitment(log):
    text = log.receipt(3)
    old = parse_commonweal_receipt(text).proof.extra
    donor = old.split(b'"donor":"')[1][:64]
    entry = old.replace(donor, b"0" * 64)
    result = verify_commonweal_receipt(_replace_extra(text, entry), vkey=log.vkey)
    assert only_failures(result) == {Check.INCLUSION: "bad_inclusion_proof", Check.COMMITMENT: "commitment_mismatch"}


def test_wrong_salt_fails_the_commitment_only(log):
    text = log.receipt(2)
    receipt = parse_commonweal_receipt(text)
    wrong = format_commonweal_receipt(CommonwealReceipt(salt=bytes(32), donor_reference=receipt.donor_reference, proof=receipt.proof))
    result = verify_commonweal_receipt(wrong, vkey=log.vkey)
    assert only_failures(result) == {Check.COMMITMENT: "commitment_mismatch"}
    assert "does not belong to this donation" in result.result(Check.COMMITMENT).message


def test_wrong_donor_reference_fails_the_commitment_only(log):
    receipt = parse_commonweal_receipt(log.receipt(2))
    wrong = format_commonweal_receipt(CommonwealReceipt(salt=receipt.salt, donor_reference="user:999", proof=receipt.proof))
    assert only_failures(verify_commonweal_receipt(wrong, vkey=log.vkey)) == {Check.COMMITMENT: "commitment_mismatch"}


def test_wrong_vkey_fails_the_signature_only(log):
    _, other_vkey = generate_signer_key(ORIGIN)
    result = verify_commonweal_receipt(log.receipt(1), vkey=other_vkey)
    assert only_failures(result) == {Check.SIGNATURE: "not_signed_by_log"}
    assert "no signature by the log key" in result.result(Check.SIGNATURE).message


def test_wrong_origin_fails_the_signature(log):
    result = verify_commonweal_receipt(log.receipt(1), vkey=log.vkey, origin="other.example/log")
    assert only_failures(result) == {Check.SIGNATURE: "wrong_origin"}


def test_malformed_vkey_is_a_usage_error(log):
    with pytest.raises(NoteError):
        verify_commonweal_receipt(log.receipt(1), vkey="not a key")


@pytest.mark.parametrize("position", [0, 1, 15, 31])
def test_tampered_proof_hash_fails_inclusion(log, position):
    text = log.receipt(6)
    receipt = parse_commonweal_receipt(text)
    proof = list(receipt.proof.proof)
    h = bytearray(proof[1])
    h[position] ^= 0x01
    proof[1] = bytes(h)
    tampered = Receipt(index=6, proof=tuple(proof), checkpoint=receipt.proof.checkpoint, extra=receipt.proof.extra)
    text = format_commonweal_receipt(CommonwealReceipt(salt=receipt.salt, donor_reference=receipt.donor_reference, proof=tampered))
    assert only_failures(verify_commonweal_receipt(text, vkey=log.vkey)) == {Check.INCLUSION: "bad_inclusion_proof"}


def test_proof_for_another_index_fails_inclusion(log):
    text = log.receipt(6).replace("\nindex 6\n", "\nindex 7\n")
    assert only_failures(verify_commonweal_receipt(text, vkey=log.vkey)) == {Check.INCLUSION: "bad_inclusion_proof"}


def test_shortened_proof_fails_inclusion(log):
    receipt = parse_commonweal_receipt(log.receipt(6))
    tampered = Receipt(index=6, proof=receipt.proof.proof[:-1], checkpoint=receipt.proof.checkpoint, extra=receipt.proof.extra)
    text = format_commonweal_receipt(CommonwealReceipt(salt=receipt.salt, donor_reference=receipt.donor_reference, proof=tampered))
    assert only_failures(verify_commonweal_receipt(text, vkey=log.vkey)) == {Check.INCLUSION: "bad_inclusion_proof"}


def test_tampered_checkpoint_fails_signature_and_inclusion(log):
    text = log.receipt(9)
    cp = parse_note(parse_commonweal_receipt(text).proof.checkpoint)
    root_line = cp.text.split("\n")[2]
    other_root = base64.b64encode(bytes(32)).decode()
    result = verify_commonweal_receipt(text.replace(root_line, other_root), vkey=log.vkey)
    assert only_failures(result) == {Check.SIGNATURE: "bad_signature", Check.INCLUSION: "bad_inclusion_proof"}
    assert "altered after signing" in result.result(Check.SIGNATURE).message


def test_tampered_checkpoint_size_fails_signature(log):
    text = log.receipt(9)
    result = verify_commonweal_receipt(text.replace(f"\n{ORIGIN}\n13\n", f"\n{ORIGIN}\n14\n"), vkey=log.vkey)
    assert Check.SIGNATURE in only_failures(result)
    assert not result.ok


def test_forged_signature_bytes_fail_signature(log):
    text = log.receipt(9)
    sig_line = text.rstrip("\n").split("\n")[-1]
    name, sig = sig_line[2:].split(" ")
    raw = bytearray(base64.b64decode(sig))
    raw[10] ^= 0xFF
    forged = text.replace(sig_line, f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}")
    assert only_failures(verify_commonweal_receipt(forged, vkey=log.vkey)) == {Check.SIGNATURE: "bad_signature"}


def test_missing_entry_fails_inclusion_and_skips_the_rest(log):
    receipt = parse_commonweal_receipt(log.receipt(2))
    bare = Receipt(index=2, proof=receipt.proof.proof, checkpoint=receipt.proof.checkpoint)
    text = format_commonweal_receipt(CommonwealReceipt(salt=receipt.salt, donor_reference=receipt.donor_reference, proof=bare))
    result = verify_commonweal_receipt(text, vkey=log.vkey)
    assert codes(result)[Check.INCLUSION] == "no_entry"
    assert codes(result)[Check.ENTRY] == "not_checked" and codes(result)[Check.COMMITMENT] == "not_checked"


def test_a_refund_entry_is_not_a_donation_receipt(tmp_path):
    log = StaticLog.create(tmp_path)
    log.add_donations(2)
    log.entries.append(refund_entry(2, donation=0, amount_fen=100))
    log.salts[2] = log.salts[0]
    result = verify_commonweal_receipt(log.receipt(2), vkey=log.vkey)
    assert only_failures(result) == {Check.ENTRY: "not_a_donation"}
    assert codes(result)[Check.COMMITMENT] == "not_checked"


def test_non_canonical_entry_json_is_refused_even_if_logged(tmp_path):
    log = StaticLog.create(tmp_path)
    log.add_donations(2)
    log.entries[1] = log.entries[1].replace(b'{"amount_fen"', b'{ "amount_fen"')
    result = verify_commonweal_receipt(log.receipt(1), vkey=log.vkey)
    assert only_failures(result) == {Check.ENTRY: "entry_malformed"}


# --- witnesses ---------------------------------------------------------------------------------

def test_required_witness_cosignature(log):
    wskey, wvkey = generate_cosigner_key("witness.example")
    text = log.receipt(3)
    result = verify_commonweal_receipt(text, vkey=log.vkey, witness_vkeys=[wvkey])
    assert only_failures(result) == {Check.SIGNATURE: "witness_missing"}
    # Cosign the checkpoint and carry the line in the receipt.
    receipt = parse_commonweal_receipt(text)
    note = parse_note(receipt.proof.checkpoint)
    cosigned = sign_note(note.text, [parse_cosigner_signer_key(wskey)], signatures=note.signatures)
    proof = Receipt(index=3, proof=receipt.proof.proof, checkpoint=cosigned, extra=receipt.proof.extra)
    text = format_commonweal_receipt(CommonwealReceipt(salt=receipt.salt, donor_reference=receipt.donor_reference, proof=proof))
    result = verify_commonweal_receipt(text, vkey=log.vkey, witness_vkeys=[wvkey])
    assert result.ok and result.witnesses == ("witness.example",)
    assert "cosigned by witness.example" in result.result(Check.SIGNATURE).message
    # Unrequired cosignatures are ignored.
    assert verify_commonweal_receipt(text, vkey=log.vkey).ok
    assert parse_receipt(format_receipt(proof)) == proof
