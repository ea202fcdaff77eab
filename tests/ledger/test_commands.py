"""`commonweal log_keygen` and `commonweal sequencer` (in process; the crash test runs it as a process)."""

import io
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from commonweal.ledger.keys import KeyFileError, log_signer_load
from commonweal.ledger.models import LogState, OutboxEntry
from commonweal.tlog import open_checkpoint, parse_verifier_key
from tests.ledger.support import ORIGIN, add_outbox


def run_command(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_log_keygen_writes_a_private_file_and_prints_only_the_verifier_key(tmp_path):
    path = tmp_path / "k" / "log.key"
    out, err = run_command("log_keygen", "--path", str(path), "--origin", ORIGIN)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    signer, _ = log_signer_load(path=path, origin=ORIGIN)
    vkey = out.strip()
    assert parse_verifier_key(vkey).key_id == signer.key_id
    assert vkey.startswith(ORIGIN + "+")
    assert "PRIVATE" not in out + err
    assert path.read_text().startswith("PRIVATE+KEY+" + ORIGIN + "+")


def test_log_keygen_refuses_to_overwrite_without_force(tmp_path):
    path = tmp_path / "log.key"
    run_command("log_keygen", "--path", str(path), "--origin", ORIGIN)
    before = path.read_bytes()
    with pytest.raises(CommandError, match="already exists; pass --force"):
        run_command("log_keygen", "--path", str(path), "--origin", ORIGIN)
    assert path.read_bytes() == before
    out, _ = run_command("log_keygen", "--path", str(path), "--origin", ORIGIN, "--force")
    assert path.read_bytes() != before
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with pytest.raises(CommandError, match="cannot make a key"):
        run_command("log_keygen", "--path", str(tmp_path / "x.key"), "--origin", "bad origin")


def test_key_file_errors_never_show_the_file(tmp_path):
    path = tmp_path / "log.key"
    path.write_text("PRIVATE+KEY+not-really-a-key+secretsecret\n")
    with pytest.raises(KeyFileError) as error:
        log_signer_load(path=path, origin=ORIGIN)
    assert "secretsecret" not in str(error.value)
    other = tmp_path / "other.key"
    run_command("log_keygen", "--path", str(other), "--origin", "other.example/log")
    with pytest.raises(KeyFileError, match="named 'other.example/log'"):
        log_signer_load(path=other, origin=ORIGIN)


@pytest.mark.django_db
def test_sequencer_once_integrates_and_signs(settings, log_key):
    add_outbox(30)
    _, err = run_command("sequencer", "--once", "--batch", "7")
    state = LogState.objects.get()
    vkey = state.verifier_key
    checkpoint = open_checkpoint(state.checkpoint, origin=ORIGIN, verifiers=[parse_verifier_key(vkey)]).checkpoint
    assert checkpoint.size == 30
    assert not OutboxEntry.objects.filter(log_index=None).exists()
    assert "PRIVATE" not in err
    out, _ = run_command("sequencer", "--check")
    assert "is consistent: size 30, signed 30" in out


@pytest.mark.django_db
def test_sequencer_creates_a_missing_key_in_development_only(settings, tmp_path):
    settings.LOG_ORIGIN = ORIGIN
    settings.LOG_STORE = "db"
    settings.LOG_SIGNING_KEY_PATH = str(tmp_path / "dev.key")
    _, err = run_command("sequencer", "--once")
    assert f"created a development signing key at {tmp_path / 'dev.key'}" in err
    assert stat.S_IMODE(os.stat(tmp_path / "dev.key").st_mode) == 0o600
    settings.PRODUCTION = True
    settings.LOG_SIGNING_KEY_PATH = str(tmp_path / "prod.key")
    with pytest.raises(CommandError, match="does not exist; create it with `commonweal log_keygen") as error:
        run_command("sequencer", "--once")
    assert error.value.returncode == 2
    assert not (tmp_path / "prod.key").exists()


@pytest.mark.django_db
def test_sequencer_refusal_exits_2_with_how_to_recover(settings, log_key):
    add_outbox(3)
    run_command("sequencer", "--once")
    OutboxEntry.objects.filter(log_index=2).update(log_index=None)
    with pytest.raises(CommandError) as error:
        run_command("sequencer", "--once")
    assert error.value.returncode == 2
    message = str(error.value)
    assert "refusing to sign (outbox_disagrees)" in message
    assert "how to recover: " in message and "Restore the whole database from one backup" in message
    with pytest.raises(CommandError):
        run_command("sequencer", "--check")
