"""`commonweal audit` against a running deployment (pytest-django's live server): it passes on an
honest log, and reports a changed byte in any stored entry or tile, a deleted entry, a changed
checkpoint, and a project total that differs from the entries."""

import base64

import pytest
from django.db.models import F
from django.core.management import CommandError, call_command

from commonweal.giving.services import refund_create
from commonweal.ledger.audit import audit_log, split_deployment_url
from commonweal.ledger.models import LogState, LogTile
from commonweal.projects.models import Project
from commonweal.tlog import parse_verifier_key
from tests.factories import donate, make_operator, make_project

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def deployment(live_server, sequence, log_vkey):
    a, b = make_project(), make_project()
    gifts = [donate(a, 1_000 + i) for i in range(5)] + [donate(b, 50_000)]
    refund_create(donation=gifts[1], amount_fen=400, reason="退款测试", actor=make_operator())
    sequence()
    return {"url": live_server.url, "vkey": log_vkey, "projects": (a, b), "size": 7}


def audit(deployment, state):
    site, log = split_deployment_url(deployment["url"])
    return audit_log(site_url=site, log_url=log, vkey=parse_verifier_key(deployment["vkey"]), state_dir=state)


def failures(report):
    return [str(f) for f in report.failures]


def test_an_honest_deployment_passes_and_grows_consistently(deployment, sequence, tmp_path):
    report = audit(deployment, tmp_path / "state")
    assert report.ok, failures(report)
    assert report.entries == 7 and report.checkpoint.size == 7
    a, b = deployment["projects"]
    assert report.projects[a.public_id].net_fen == 5 * 1_000 + 10 - 400
    assert report.projects[b.public_id].published_net_fen == 50_000
    donate(a, 42)
    sequence()
    report = audit(deployment, tmp_path / "state")
    assert report.ok, failures(report)
    assert (report.previous.size, report.checkpoint.size) == (7, 8)


def test_the_command_against_the_live_server(deployment, tmp_path, capsys):
    call_command("audit", deployment["url"], "--vkey", deployment["vkey"], "--state", str(tmp_path / "s"))
    out = capsys.readouterr().out
    assert "7 entries" in out and "audit passed" in out


def _tamper(path: str, change) -> None:
    row = LogTile.objects.get(path=path)
    LogTile.objects.filter(path=path).update(data=change(bytes(row.data)))


def _flip(offset: int):
    def change(data: bytes) -> bytes:
        out = bytearray(data)
        out[offset] ^= 0x01
        return bytes(out)
    return change


def _entry_offsets() -> list[int]:
    data = bytes(LogTile.objects.get(path="tile/entries/000").data)
    offsets, pos = [], 0
    while pos < len(data):
        offsets.append(pos)
        pos += 2 + int.from_bytes(data[pos : pos + 2], "big")
    return offsets


@pytest.mark.parametrize("index, delta", [(0, 2), (0, 40), (3, 100), (5, 2), (6, 30)])
def test_a_changed_byte_of_a_stored_entry_is_reported(deployment, tmp_path, index, delta):
    _tamper("tile/entries/000", _flip(_entry_offsets()[index] + delta))
    report = audit(deployment, tmp_path / "state")
    assert any(f.startswith(f"index {index}: the entry's leaf hash differs") for f in failures(report)), failures(report)
    assert not report.stored


@pytest.mark.parametrize("byte", [0, 31, 32 * 3 + 7, 32 * 7 - 1])
def test_a_changed_byte_of_a_stored_tile_is_reported(deployment, tmp_path, byte):
    _tamper("tile/0/000", _flip(byte))
    report = audit(deployment, tmp_path / "state")
    assert any(f.startswith(f"index {byte // 32}: ") for f in failures(report)), failures(report)


@pytest.mark.parametrize("index", [0, 3, 6])
def test_a_deleted_entry_is_reported(deployment, tmp_path, index):
    offsets = _entry_offsets() + [len(bytes(LogTile.objects.get(path="tile/entries/000").data))]
    _tamper("tile/entries/000", lambda data: data[: offsets[index]] + data[offsets[index + 1] :])
    report = audit(deployment, tmp_path / "state")
    assert failures(report)
    assert any("tile/entries/000.p/7 (entries 0–6)" in f for f in failures(report)), failures(report)


def test_a_changed_checkpoint_is_reported(deployment, tmp_path):
    state = LogState.objects.get(pk=1)
    root = base64.b64encode(bytes(state.signed_root)).decode()
    LogState.objects.filter(pk=1).update(checkpoint=state.checkpoint.replace(root, base64.b64encode(bytes(32)).decode()))
    report = audit(deployment, tmp_path / "state")
    assert failures(report)[0].startswith("checkpoint: the checkpoint does not verify")


def test_a_project_total_that_differs_from_the_entries_is_reported(deployment, tmp_path):
    a, _ = deployment["projects"]
    Project.objects.filter(pk=a.pk).update(raised_fen=F("raised_fen") + 1)
    with pytest.raises(CommandError) as failed:
        call_command("audit", deployment["url"], "--vkey", deployment["vkey"], "--state", str(tmp_path / "s"))
    assert failed.value.returncode == 1
    report = audit(deployment, tmp_path / "state")
    assert [f.split(":")[0] for f in failures(report)] == [f"project {a.public_id}"]
