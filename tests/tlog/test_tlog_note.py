"""c2sp.org/signed-note: every case of note-vectors.json, strict parsing, keys, signing."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.tlog import (
    MAX_SIGNATURES,
    Ed25519Signer,
    Ed25519Verifier,
    Note,
    NoteError,
    Signature,
    format_note,
    format_signer_key,
    format_verifier_key,
    generate_signer_key,
    key_id,
    open_note,
    parse_checkpoint,
    parse_note,
    parse_signer_key,
    parse_verifier_key,
    sign_note,
)
from tests.tlog.tlog_support import TLOG_VECTORS

VECTORS = json.loads((TLOG_VECTORS / "note-vectors.json").read_text())

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
GO_NOTE = GO_TEXT + "\n" + GO_SIG


def _open_with_vkey(vkey, note):
    return open_note(note, [parse_verifier_key(vkey)])


@pytest.mark.parametrize("case", VECTORS["verify"], ids=lambda c: c["name"])
def test_verify_vector(case):
    if case["valid"]:
        opened = _open_with_vkey(case["vkey"], case["note"])
        assert opened.text == case["text"]
        assert [s.name for s in opened.verified] == [case["vkey"].split("+")[0]]
        # bytes in, same result
        assert open_note(case["note"].encode(), [parse_verifier_key(case["vkey"])]).text == case["text"]
        if "checkpoint" in case:
            cp = parse_checkpoint(opened.text)
            assert cp.origin == case["checkpoint"]["origin"]
            assert cp.size == case["checkpoint"]["size"]
            assert cp.root_hash == base64.b64decode(case["checkpoint"]["root_hash_b64"])
    else:
        with pytest.raises(NoteError):
            _open_with_vkey(case["vkey"], case["note"])


@pytest.mark.parametrize("case", VECTORS["sign"], ids=lambda c: c["name"])
def test_sign_vector(case):
    signer = parse_signer_key(case["signer_key"])
    assert sign_note(case["text"], [signer]) == case["text"] + "\n" + case["signature_line"] + "\n"
    assert format_signer_key(signer) == case["signer_key"]


def test_vectors_are_all_used():
    assert len(VECTORS["verify"]) == 5 and len(VECTORS["sign"]) == 1


class TestKeys:
    def test_go_keys(self):
        signer = parse_signer_key(GO_SKEY)
        verifier = parse_verifier_key(GO_VKEY)
        assert signer.verifier() == verifier
        assert verifier.key_id == 0xC74F20A3 == key_id("PeterNeumann", 1, verifier.public_key)
        assert format_verifier_key(verifier) == GO_VKEY

    def test_base64_part_may_contain_plus(self):
        vkey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
        verifier = parse_verifier_key(vkey)
        assert verifier.name == "sum.golang.org"
        assert format_verifier_key(verifier) == vkey

    def test_generated_keys(self):
        skey, vkey = generate_signer_key("commonweal.example/log")
        signer, verifier = parse_signer_key(skey), parse_verifier_key(vkey)
        assert signer.verifier() == verifier
        assert open_note(sign_note("hello\n", [signer]), [verifier]).text == "hello\n"
        assert skey.startswith("PRIVATE+KEY+commonweal.example/log+")
        assert signer.seed.hex() not in repr(signer)

    @pytest.mark.parametrize(
        "vkey",
        [
            "",
            "PeterNeumann",
            "PeterNeumann+c74f20a3",
            "PeterNeumann+c74f20a3+",
            "+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # empty name
            "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space in name
            "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # uppercase hex
            "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # 7 hex digits
            "PeterNeumann+0c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key ID
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",  # bad base64
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ",
            "PeterNeumann+c74f20a3+ ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWAA==",  # 34 bytes
            "PeterNeumann+c74f20a3+Apc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=",  # 32 bytes
            "PeterNeumann+c74f20a3+BBpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # other type
            GO_SKEY,
        ],
    )
    def test_malformed_verifier_keys(self, vkey):
        with pytest.raises(NoteError):
            parse_verifier_key(vkey)

    @pytest.mark.parametrize(
        "skey",
        [
            GO_VKEY,
            "private+key+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "PRIVATE+KEY+Peter+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
            "PRIVATE+KEY+PeterNeumann+c74f20a3+AgEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        ],
    )
    def test_malformed_signer_keys(self, skey):
        with pytest.raises(NoteError):
            parse_signer_key(skey)

    @pytest.mark.parametrize("name", ["", "a+b", "a b", "a\u00a0b", "a\u3000b", "a\tb", "a\nb", "\u2014"])
    def test_key_names(self, name):
        if name == "\u2014":
            Ed25519Verifier(name=name, public_key=bytes(32))
            return
        with pytest.raises(NoteError):
            Ed25519Verifier(name=name, public_key=bytes(32))


SIGNER = parse_signer_key(GO_SKEY)
VERIFIER = parse_verifier_key(GO_VKEY)
OTHER = Ed25519Signer(name="other.example", seed=bytes(range(32)))


class TestParsing:
    def test_parse(self):
        note = parse_note(GO_NOTE)
        assert note.text == GO_TEXT
        assert note.signatures == (
            Signature(
                name="PeterNeumann",
                key_id=0xC74F20A3,
                signature=base64.b64decode(GO_SIG.split()[-1])[4:],
            ),
        )
        assert format_note(note) == GO_NOTE

    def test_text_may_contain_blank_lines(self):
        # c2sp.org/signed-note: the text is separated from the signatures by the last blank line.
        text = "Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n"
        signed = sign_note(text, [SIGNER])
        assert open_note(signed, [VERIFIER]).text == text

    @pytest.mark.parametrize(
        "msg",
        [
            "",
            GO_TEXT,  # no signatures
            GO_TEXT + "\n",  # blank line, no signatures
            GO_NOTE[:-1],  # no final newline
            GO_NOTE + "\n",  # trailing blank line
            GO_NOTE.replace("\n\n", "\n"),  # no blank line
            GO_NOTE.replace("— ", "-- "),
            GO_NOTE.replace("— ", "—"),
            GO_NOTE.replace("— ", "\u2013 "),  # en dash
            GO_NOTE.replace("— PeterNeumann ", "— PeterNeumann  "),
            GO_NOTE.replace("— PeterNeumann ", "— "),
            GO_NOTE.replace("— PeterNeumann ", "— Peter+Neumann "),
            GO_NOTE.replace("ZJ", "Z J"),
            GO_NOTE.replace("nAM=", "nAM"),  # bad padding
            GO_NOTE.replace("nAM=", "nAN="),  # non-canonical padding bits
            GO_NOTE.replace("nAM=", "nAM=\r"),
            GO_NOTE.replace("problem,\n", "problem,\r\n"),
            GO_NOTE.replace("problem,", "problem\x00,"),
            GO_NOTE.replace("problem,", "problem\x1b,"),
            GO_TEXT + "\n— PeterNeumann AAAAAA==\n",  # signature shorter than 5 bytes
            GO_TEXT + "\n— PeterNeumann \n",  # empty signature
            GO_TEXT + "\n" + GO_SIG + "\n" + GO_SIG.replace("x08go", "x09go"),  # garbage between
            "x" * (128 * 1024 + 1),
        ],
    )
    def test_malformed_notes(self, msg):
        with pytest.raises(NoteError):
            open_note(msg, [VERIFIER])

    def test_invalid_utf8(self):
        with pytest.raises(NoteError):
            parse_note(GO_NOTE.encode() + b"\xff\n")
        with pytest.raises(NoteError):
            parse_note(GO_NOTE.encode().replace(b"think", b"th\xc3nk"))

    def test_signature_limit(self):
        sig = Signature(name="x", key_id=1, signature=b"sig!")
        many = format_note(Note(text=GO_TEXT, signatures=(sig,) * MAX_SIGNATURES))
        assert len(parse_note(many).signatures) == MAX_SIGNATURES
        with pytest.raises(NoteError):
            parse_note(format_note(Note(text=GO_TEXT, signatures=(sig,) * (MAX_SIGNATURES + 1))))


class TestVerification:
    def test_unknown_keys_are_ignored(self):
        signed = sign_note(GO_TEXT, [OTHER, SIGNER])
        opened = open_note(signed, [VERIFIER])
        assert [s.name for s in opened.verified] == ["PeterNeumann"]
        assert [s.name for s in opened.unverified] == ["other.example"]

    def test_a_known_signature_is_required(self):
        with pytest.raises(NoteError):
            open_note(sign_note(GO_TEXT, [OTHER]), [VERIFIER])
        with pytest.raises(NoteError):
            open_note(GO_NOTE, [])

    def test_same_name_other_key_id_is_unknown(self):
        impostor = Ed25519Signer(name="PeterNeumann", seed=bytes(32))
        signed = sign_note(GO_TEXT, [impostor])
        with pytest.raises(NoteError):
            open_note(signed, [VERIFIER])
        assert open_note(sign_note(GO_TEXT, [impostor, SIGNER]), [VERIFIER]).unverified[0].name == "PeterNeumann"

    def test_a_bad_signature_from_a_known_key_rejects_the_note(self):
        good = sign_note(GO_TEXT, [SIGNER, OTHER])
        forged = Signature(name="PeterNeumann", key_id=0xC74F20A3, signature=bytes(64))
        bad = format_note(Note(text=GO_TEXT, signatures=(*parse_note(good).signatures, forged)))
        with pytest.raises(NoteError):
            open_note(bad, [VERIFIER, OTHER.verifier()])

    def test_duplicate_signatures_count_once(self):
        doubled = GO_NOTE + GO_SIG
        assert len(open_note(doubled, [VERIFIER]).verified) == 1

    def test_ambiguous_verifiers(self):
        twin = Ed25519Verifier(name="PeterNeumann", public_key=bytes(32))
        object.__setattr__(twin, "key_id", VERIFIER.key_id)
        with pytest.raises(NoteError):
            open_note(GO_NOTE, [VERIFIER, twin])

    def test_cosigning_keeps_existing_signatures(self):
        note = parse_note(GO_NOTE)
        both = sign_note(note.text, [OTHER], signatures=note.signatures)
        assert both.startswith(GO_NOTE)
        opened = open_note(both, [VERIFIER, OTHER.verifier()])
        assert len(opened.verified) == 2

    def test_resigning_replaces_a_signature(self):
        note = parse_note(GO_NOTE)
        again = sign_note(note.text, [SIGNER], signatures=note.signatures)
        assert again == GO_NOTE  # Ed25519 is deterministic

    @pytest.mark.parametrize("text", ["no newline", "", "tab\there\n", "x\n\x7f\x00\n"])
    def test_sign_rejects_bad_text(self, text):
        with pytest.raises(NoteError):
            sign_note(text, [SIGNER])

    @settings(max_examples=100, deadline=None)
    @given(st.data())
    def test_any_single_bit_flip_is_rejected(self, data):
        raw = GO_NOTE.encode()
        i = data.draw(st.integers(0, len(raw) - 1), label="byte")
        bit = data.draw(st.integers(0, 7), label="bit")
        tampered = bytearray(raw)
        tampered[i] ^= 1 << bit
        with pytest.raises(NoteError):
            open_note(bytes(tampered), [VERIFIER])
