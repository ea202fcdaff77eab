"""Recording disbursements, the ledger entry of a paid one, and the overspending rules."""

import json

import pytest
from django.utils import timezone

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.core.timeutil import rfc3339
from commonweal.disclosure.models.spending import Disbursement
from commonweal.disclosure.services.spending import (
    Overspend,
    RoleNotAllowed,
    disbursement_create,
    disbursement_transition,
)
from commonweal.giving.services import refund_create
from commonweal.ledger.models import OutboxEntry
from commonweal.ledger.services import FORBIDDEN_ENTRY_KEYS
from commonweal.projects.services import project_transition
from tests.disclosure.spending_support import make_world, paid, record, walk
from tests.factories import donate, make_project_in

pytestmark = pytest.mark.django_db


# --- recording --------------------------------------------------------------------------------

def test_a_finance_member_records_a_draft_with_evidence():
    world = make_world()
    d = record(world, 123_456, line=1, kind="logistics", description="  运输  书架到  学校 ")
    assert (d.status, d.amount_fen, d.budget_line.name, d.kind, d.description) == ("draft", 123_456, "书架", "logistics", "运输 书架到 学校")
    assert d.evidence.count() == 1
    audit = AuditEvent.objects.get(action="disbursement.create")
    assert audit.data == {"amount_fen": 123_456, "budget_line": 1, "kind": "logistics", "evidence": 1}
    assert OutboxEntry.objects.filter(entry_type="disbursement").count() == 0


@pytest.mark.parametrize("who, error", [("admin", RoleNotAllowed), ("editor", RoleNotAllowed), ("outsider", NotFound)])
def test_only_finance_members_record(who, error):
    world = make_world()
    with pytest.raises(error):
        record(world, author=getattr(world, who))
    assert Disbursement.objects.count() == 0


@pytest.mark.parametrize("fields, code", [
    ({"amount_fen": 0}, "amount_out_of_range"),
    ({"amount_fen": -1}, "amount_out_of_range"),
    ({"kind": "bribe"}, "invalid_kind"),
    ({"description": "   "}, "required"),
    ({"description": "字" * 501}, "too_long"),
    ({"budget_line_position": 7}, "unknown_budget_line"),
])
def test_bad_input_is_refused_with_a_code(fields, code):
    world = make_world()
    kwargs = dict(project=world.project, actor=world.finance, budget_line_position=0, kind="purchase", amount_fen=100, description="图书")
    kwargs.update(fields)
    with pytest.raises(InvalidInput) as caught:
        disbursement_create(**kwargs)
    assert caught.value.code == code
    assert Disbursement.objects.count() == 0


@pytest.mark.parametrize("status", ["draft", "in_review", "closed"])
def test_only_public_projects_record_disbursements(status):
    project = make_project_in(status)
    from tests.factories import add_member

    finance = add_member(project.org, "finance")
    with pytest.raises(Conflict) as caught:
        disbursement_create(project=project, actor=finance, budget_line_position=0, kind="purchase", amount_fen=100, description="x")
    assert caught.value.code == "project_not_spending"


def test_another_projects_budget_line_cannot_be_used():
    world, other = make_world(), make_world()
    with pytest.raises(InvalidInput):
        disbursement_create(project=world.project, actor=world.finance, budget_line_position=5, kind="purchase", amount_fen=1, description="x")
    assert other.project.budget_lines.count() == 2


# --- the ledger entry -------------------------------------------------------------------------

def test_a_paid_disbursement_writes_one_entry_without_personal_data():
    world = make_world()
    d = paid(world, 250_000, line=1, kind="grant", description="资助学生李小明 2500 元")
    row = OutboxEntry.objects.get(entry_type="disbursement")
    entry = json.loads(bytes(row.canonical_json))
    assert row.subject_id == d.public_id
    assert entry == {
        "v": 1, "type": "disbursement", "id": d.public_id, "amount_fen": 250_000, "currency": "CNY", "budget_line": 1,
        "kind": "grant", "org": world.org.public_id, "project": world.project.public_id, "time": rfc3339(d.paid_at),
    }
    text = bytes(row.canonical_json).decode()
    # The exact dict above already rules out any other field (such as a user id).
    for private in ("李小明", "资助学生", world.finance.email, world.admin2.email):
        assert private not in text
    assert not FORBIDDEN_ENTRY_KEYS & entry.keys()


def test_the_entry_is_written_in_the_same_transaction_as_the_payment(monkeypatch):
    """If the outbox write fails, the disbursement stays approved."""
    world = make_world()
    d = walk(world, record(world), "approved")
    import commonweal.disclosure.services.spending as module

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(module, "outbox_append", broken)
    with pytest.raises(RuntimeError):
        disbursement_transition(disbursement=d, to="paid", actor=world.finance)
    assert Disbursement.objects.get(pk=d.pk).status == "approved"
    assert not AuditEvent.objects.filter(action="disbursement.pay").exists()


# --- overspending -----------------------------------------------------------------------------

def test_overspending_a_budget_line_is_refused_naming_the_limit_and_the_amount():
    world = make_world()
    paid(world, 5_000_000)  # ¥50,000 of the ¥60,000 图书 line
    d = walk(world, record(world, 1_000_001), "submitted")
    with pytest.raises(Overspend) as caught:
        disbursement_transition(disbursement=d, to="approved", actor=world.admin2)
    assert caught.value.code == "overspend_budget_line"
    assert caught.value.message == (
        "budget line '图书' is ¥60,000.00, approved and paid spending on it would be ¥60,000.01: "
        "an administrator may go ahead only by recording an overspend reason"
    )
    assert Disbursement.objects.get(pk=d.pk).status == "submitted"
    # Exactly at the limit is fine.
    exact = walk(world, record(world, 1_000_000), "approved")
    assert exact.status == "approved"


def test_overspending_the_funds_received_is_refused():
    world = make_world(raised_fen=3_000_000)  # ¥30,000 received
    paid(world, 2_000_000, line=0)
    d = walk(world, record(world, 1_500_000, line=1), "submitted")
    with pytest.raises(Overspend) as caught:
        disbursement_transition(disbursement=d, to="approved", actor=world.admin2)
    assert caught.value.code == "overspend_funds"
    assert "funds received (donations + matching − refunds) are ¥30,000.00, approved and paid spending would be ¥35,000.00" in caught.value.message


def test_an_administrator_may_overspend_with_a_reason_which_is_audited():
    world = make_world()
    d = walk(world, record(world, 7_000_000), "submitted")  # over the line (¥60,000), within funds (¥80,000)
    with pytest.raises(Overspend):
        disbursement_transition(disbursement=d, to="approved", actor=world.admin2)
    d = disbursement_transition(disbursement=d, to="approved", actor=world.admin2, overspend_reason="书价上涨，理事会已批准调整预算")
    assert (d.status, d.overspend_reason, d.overspend_by) == ("approved", "书价上涨，理事会已批准调整预算", world.admin2)
    audit = AuditEvent.objects.get(action="disbursement.overspend")
    assert audit.reason == "书价上涨，理事会已批准调整预算" and audit.actor == world.admin2
    assert audit.data == {"budget_line": {"limit_fen": 6_000_000, "total_fen": 7_000_000}}
    # The recorded reason covers the payment too.
    assert disbursement_transition(disbursement=d, to="paid", actor=world.finance).status == "paid"


def test_refunds_after_approval_are_checked_again_when_paying():
    world = make_world(raised_fen=0)
    donation = donate(world.project, 3_000_000)
    d = walk(world, record(world, 2_500_000), "approved")
    refund_create(donation=donation, amount_fen=1_000_000, reason="捐赠人申请退款", actor=world.admin)
    with pytest.raises(Overspend) as caught:
        disbursement_transition(disbursement=d, to="paid", actor=world.finance)
    assert caught.value.code == "overspend_funds"
    with pytest.raises(RoleNotAllowed) as refused:  # finance may pay, but not decide to overspend
        disbursement_transition(disbursement=d, to="paid", actor=world.finance, overspend_reason="已垫付")
    assert refused.value.field == "overspend_reason"
    assert Disbursement.objects.get(pk=d.pk).status == "approved"
    d = disbursement_transition(disbursement=d, to="paid", actor=world.admin2, overspend_reason="机构自有资金垫付差额")
    assert d.status == "paid" and d.overspend_by == world.admin2


def test_a_rejected_disbursement_does_not_count_against_the_limits():
    world = make_world()
    walk(world, record(world, 5_000_000), "rejected")
    assert walk(world, record(world, 5_000_000), "approved").status == "approved"


def test_pending_disbursements_keep_moving_when_the_project_changes_status():
    world = make_world()
    d = walk(world, record(world), "approved")
    project_transition(project=world.project, to="executing", actor=world.admin)
    assert disbursement_transition(disbursement=d, to="paid", actor=world.finance).paid_at <= timezone.now()
