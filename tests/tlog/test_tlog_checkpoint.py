"""c2sp.org/tlog-checkpoint parsing and signing; c2sp.org/tlog-cosignature Ed25519 cosignature/v1."""

from __future__ import annotations

import base64

import pytest

from commonweal.tlog import (
    EMPTY_ROOT,
    MAX_TIMESTAMP,
    Checkpoint,
    CheckpointError,
    CosignatureSigner,
    CosignatureVerifier,
    Ed25519Signer,
    Ed25519Verifier,
    NoteError,
    Signature,
    cosignature_timestamp,
    cosigned_message,
    format_checkpoint,
    format_cosigner_key,
    format_cosigner_signer_key,
    format_note,
    format_verifier_key,
    generate_cosigner_key,
    open_checkpoint,
    open_note,
    parse_any_verifier_key,
    parse_checkpoint,
    parse_cosigner_key,
    parse_cosigner_signer_key,
    parse_note,
    sign_checkpoint,
    sign_note,
)

ORIGIN = "commonweal.example/log"
ROOT = bytes(range(32))
ROOT64 = base64.b64encode(ROOT).decode()
TEXT = f"{ORIGIN}\n42\n{ROOT64}\n"
LOG = Ed25519Signer(name=ORIGIN, seed=b"\x01" * 32)
WITNESS = CosignatureSigner(name="witness.example/w1", seed=b"\x02" * 32, clock=lambda: 1679315147)

# c2sp.org/tlog-cosignature's example: a log signature and a cosignature from witness.example.com/w1.
SPEC_EXAMPLE = (
    "example.com/behind-the-sofa\n"
    "20852163\n"
    "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    "\n"
    "— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    "— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n"
)


class TestCheckpointText:
    def test_round_trip(self):
        cp = parse_checkpoint(TEXT)
        assert cp == Checkpoint(origin=ORIGIN, size=42, root_hash=ROOT)
        assert format_checkpoint(cp) == TEXT

    def test_extension_lines(self):
        text = TEXT + "ext one\next two\n"
        cp = parse_checkpoint(text)
        assert cp.extensions == ("ext one", "ext two")
        assert format_checkpoint(cp) == text

    def test_empty_tree(self):
        cp = parse_checkpoint(f"{ORIGIN}\n0\n{base64.b64encode(EMPTY_ROOT).decode()}\n")
        assert cp.size == 0 and cp.root_hash == EMPTY_ROOT

    def test_largest_size(self):
        assert parse_checkpoint(f"{ORIGIN}\n{2**64 - 1}\n{ROOT64}\n").size == 2**64 - 1

    def test_spec_example(self):
        cp = parse_checkpoint(parse_note(SPEC_EXAMPLE).text)
        assert (cp.origin, cp.size) == ("example.com/behind-the-sofa", 20852163)

    @pytest.mark.parametrize(
        "size",
        ["", "01", "00", "+1", "-1", " 1", "1 ", "1_000", "1e3", "0x10", "\u0661", "\uff11", "1.0", str(2**64), "9" * 25],
    )
    def test_strict_size(self, size):
        with pytest.raises(CheckpointError):
            parse_checkpoint(f"{ORIGIN}\n{size}\n{ROOT64}\n")

    @pytest.mark.parametrize(
        "root",
        [
            "",
            ROOT64[:-1],  # missing padding
            ROOT64.rstrip("="),
            ROOT64[:-2] + "9=",  # non-canonical padding bits
            " " + ROOT64,
            ROOT64 + " ",
            base64.b64encode(ROOT[:31]).decode(),
            base64.b64encode(ROOT + b"\x00").decode(),
            base64.urlsafe_b64encode(b"\xfb" * 32).decode(),
            ROOT64.replace("A", "\u0410"),
        ],
    )
    def test_strict_root(self, root):
        with pytest.raises(CheckpointError):
            parse_checkpoint(f"{ORIGIN}\n42\n{root}\n")

    @pytest.mark.parametrize(
        "text",
        [
            "",
            TEXT[:-1],  # no final newline
            f"{ORIGIN}\n42\n",  # two lines
            f"\n42\n{ROOT64}\n",  # empty origin
            TEXT + "\n",  # empty extension line
            TEXT + "ext\n\n",
            TEXT.replace("\n", "\r\n"),
            f"{ORIGIN}\r\n42\n{ROOT64}\n",
            f"{ORIGIN}\x00\n42\n{ROOT64}\n",
            TEXT + "x" * 9000 + "\n",
        ],
    )
    def test_strict_lines(self, text):
        with pytest.raises(CheckpointError):
            parse_checkpoint(text)

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"origin": "", "size": 1, "root_hash": ROOT},
            {"origin": "a\nb", "size": 1, "root_hash": ROOT},
            {"origin": "a", "size": -1, "root_hash": ROOT},
            {"origin": "a", "size": 2**64, "root_hash": ROOT},
            {"origin": "a", "size": True, "root_hash": ROOT},
            {"origin": "a", "size": 1, "root_hash": ROOT[:31]},
            {"origin": "a", "size": 1, "root_hash": ROOT, "extensions": ("",)},
            {"origin": "a", "size": 1, "root_hash": ROOT, "extensions": ("a\nb",)},
        ],
    )
    def test_invalid_checkpoint_values(self, kwargs):
        with pytest.raises(CheckpointError):
            Checkpoint(**kwargs)


class TestSignedCheckpoint:
    def test_sign_and_open(self):
        cp = Checkpoint(origin=ORIGIN, size=42, root_hash=ROOT)
        signed = sign_checkpoint(cp, [LOG])
        assert signed.startswith(TEXT + "\n— " + ORIGIN + " ")
        opened = open_checkpoint(signed, origin=ORIGIN, verifiers=[LOG.verifier()])
        assert opened.checkpoint == cp
        assert [s.name for s in opened.note.verified] == [ORIGIN]

    def test_wrong_origin(self):
        signed = sign_checkpoint(Checkpoint(origin=ORIGIN, size=42, root_hash=ROOT), [LOG])
        with pytest.raises(CheckpointError):
            open_checkpoint(signed, origin="other.example/log", verifiers=[LOG.verifier()])

    def test_not_a_checkpoint(self):
        signed = sign_note("hello\n", [LOG])
        with pytest.raises(CheckpointError):
            open_checkpoint(signed, origin=ORIGIN, verifiers=[LOG.verifier()])

    def test_wrong_key(self):
        signed = sign_checkpoint(Checkpoint(origin=ORIGIN, size=42, root_hash=ROOT), [LOG])
        other = Ed25519Signer(name=ORIGIN, seed=b"\x03" * 32).verifier()
        with pytest.raises(CheckpointError):
            open_checkpoint(signed, origin=ORIGIN, verifiers=[other])


class TestCosignature:
    def _cosigned(self, signers=(WITNESS,)):
        signed = sign_checkpoint(Checkpoint(origin=ORIGIN, size=42, root_hash=ROOT), [LOG])
        note = parse_note(signed)
        return sign_note(note.text, list(signers), signatures=note.signatures)

    def test_cosign_and_verify(self):
        cosigned = self._cosigned()
        opened = open_checkpoint(cosigned, origin=ORIGIN, verifiers=[LOG.verifier(), WITNESS.verifier()])
        assert [s.name for s in opened.note.verified] == [ORIGIN, "witness.example/w1"]
        (witness_sig,) = [s for s in opened.note.verified if s.name == "witness.example/w1"]
        assert cosignature_timestamp(witness_sig) == 1679315147
        assert len(witness_sig.signature) == 72

    def test_signed_message(self):
        assert cosigned_message(TEXT.encode(), 1679315147) == (
            b"cosignature/v1\ntime 1679315147\n" + TEXT.encode()
        )
        sig = WITNESS.sign(TEXT.encode())
        assert sig[:8] == (1679315147).to_bytes(8, "big")
        public = WITNESS.verifier()
        bare = Ed25519Verifier(name="x", public_key=public.public_key)
        assert bare.verify(cosigned_message(TEXT.encode(), 1679315147), sig[8:])
        assert not bare.verify(TEXT.encode(), sig[8:])

    def test_key_id_uses_type_0x04(self):
        verifier = WITNESS.verifier()
        as_note_key = Ed25519Verifier(name=verifier.name, public_key=verifier.public_key)
        assert verifier.key_id != as_note_key.key_id
        # A cosignature is not an Ed25519 note signature by the same key: it is ignored as unknown.
        with pytest.raises(NoteError):
            open_note(self._cosigned(), [as_note_key])

    def test_tampered_timestamp(self):
        cosigned = parse_note(self._cosigned())
        log_sig, witness_sig = cosigned.signatures
        moved = Signature(
            name=witness_sig.name,
            key_id=witness_sig.key_id,
            signature=(1679315148).to_bytes(8, "big") + witness_sig.signature[8:],
        )
        tampered = format_note(type(cosigned)(text=cosigned.text, signatures=(log_sig, moved)))
        with pytest.raises(NoteError):
            open_note(tampered, [LOG.verifier(), WITNESS.verifier()])

    def test_cosignature_over_other_checkpoint(self):
        cosigned = parse_note(self._cosigned())
        other_text = TEXT.replace("42", "43")
        moved = format_note(type(cosigned)(text=other_text, signatures=cosigned.signatures[1:]))
        with pytest.raises(NoteError):
            open_note(moved, [WITNESS.verifier()])

    def test_timestamp_limits(self):
        late = CosignatureSigner(name="w", seed=b"\x02" * 32, clock=lambda: MAX_TIMESTAMP)
        assert late.verifier().verify(b"x\n", late.sign(b"x\n"))
        too_late = CosignatureSigner(name="w", seed=b"\x02" * 32, clock=lambda: MAX_TIMESTAMP + 1)
        with pytest.raises(CheckpointError):
            too_late.sign(b"x\n")
        verifier = late.verifier()
        sig = late.sign(b"x\n")
        assert not verifier.verify(b"x\n", (MAX_TIMESTAMP + 1).to_bytes(8, "big") + sig[8:])
        assert not verifier.verify(b"x\n", sig[:-1])
        with pytest.raises(CheckpointError):
            cosignature_timestamp(Signature(name="w", key_id=1, signature=b"\xff" * 72))
        with pytest.raises(CheckpointError):
            cosignature_timestamp(Signature(name="w", key_id=1, signature=b"\x00" * 71))

    def test_spec_example_timestamp(self):
        # The example cosignature carries the timestamp of the spec's example signed message.
        witness = parse_note(SPEC_EXAMPLE).signatures[1]
        assert witness.name == "witness.example.com/w1"
        assert cosignature_timestamp(witness) == 1679315147

    def test_keys(self):
        skey, vkey = generate_cosigner_key("witness.example/w2")
        signer, verifier = parse_cosigner_signer_key(skey), parse_cosigner_key(vkey)
        assert signer.verifier() == verifier
        assert format_cosigner_key(verifier) == vkey
        assert format_cosigner_signer_key(signer) == skey
        assert parse_any_verifier_key(vkey) == verifier
        assert base64.b64decode(vkey.split("+", 2)[2])[0] == 0x04
        log_vkey = format_verifier_key(LOG.verifier())
        assert parse_any_verifier_key(log_vkey) == LOG.verifier()
        with pytest.raises(NoteError):
            parse_cosigner_key(log_vkey)
        fixed = parse_cosigner_signer_key(skey, clock=lambda: 5)
        assert fixed.sign(b"x\n")[:8] == (5).to_bytes(8, "big")

    @pytest.mark.parametrize(
        "vkey",
        [
            "w+00000000+BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # wrong key ID
            "w+00000000+BgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  # ML-DSA type 0x06 is unsupported
        ],
    )
    def test_bad_cosigner_keys(self, vkey):
        with pytest.raises(NoteError):
            parse_any_verifier_key(vkey)

    def test_cosigner_verifier_rejects_bad_values(self):
        with pytest.raises(NoteError):
            CosignatureVerifier(name="w w", public_key=bytes(32))
        with pytest.raises(NoteError):
            CosignatureVerifier(name="w", public_key=bytes(31))
