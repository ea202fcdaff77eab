"""The disbursement lifecycle table, walked exhaustively: every (from, to) pair of statuses for
every kind of actor, through ``disbursement_transition``, against what the table says."""

import itertools
import json

import pytest

from commonweal.core.errors import Conflict, NotFound
from commonweal.core.models import AuditEvent
from commonweal.disclosure.models.spending import Disbursement, DisbursementStatus
from commonweal.disclosure.services.spending import FourEyesViolation, RoleNotAllowed, disbursement_transition
from commonweal.disclosure.spending_lifecycle import DISBURSEMENT_TRANSITIONS
from commonweal.ledger.models import OutboxEntry
from tests.disclosure.spending_support import make_world, promote, record, walk

pytestmark = pytest.mark.django_db

STATUSES = DisbursementStatus.values
# Who tries: the author (a finance member), another finance member, an administrator who did not
# write it, the author after being made an administrator, an editor, and another organization's admin.
ACTORS = ("author", "finance", "admin", "author_as_admin", "editor", "outsider")
ROLE_OF = {"author": "finance", "finance": "finance", "admin": "admin", "author_as_admin": "admin", "editor": "editor"}


def expected(source: str, to: str, actor: str):
    """What the table says should happen: None for success, else the error class."""
    if actor == "outsider":
        return NotFound
    rule = DISBURSEMENT_TRANSITIONS.get((source, to))
    if rule is None:
        return Conflict
    if ROLE_OF[actor] not in rule.allowed:
        return RoleNotAllowed
    if rule.not_author and actor in ("author", "author_as_admin"):
        return FourEyesViolation
    return None


def _actor(world, actor: str):
    if actor == "author_as_admin":
        promote(world.org, world.finance, "admin")
        return world.finance
    return {"author": world.finance, "finance": world.finance2, "admin": world.admin2, "editor": world.editor,
            "outsider": world.outsider}[actor]


@pytest.mark.parametrize("source, to, actor", list(itertools.product(STATUSES, STATUSES, ACTORS)))
def test_every_edge_for_every_actor(source, to, actor):
    world = make_world()
    disbursement = walk(world, record(world), source)
    user = _actor(world, actor)
    before = (Disbursement.objects.values().get(pk=disbursement.pk), AuditEvent.objects.count(), OutboxEntry.objects.count())
    error = expected(source, to, actor)
    if error is None:
        result = disbursement_transition(disbursement=disbursement, to=to, actor=user, reason="理由")
        assert result.status == to
        assert Disbursement.objects.get(pk=disbursement.pk).status == to
        rule = DISBURSEMENT_TRANSITIONS[(source, to)]
        assert AuditEvent.objects.filter(action=rule.action, target_id=disbursement.public_id).exists()
        assert OutboxEntry.objects.count() == before[2] + (1 if rule.writes_ledger else 0)
    else:
        with pytest.raises(error) as caught:
            disbursement_transition(disbursement=disbursement, to=to, actor=user, reason="理由")
        if error is Conflict:
            assert caught.value.code == "illegal_transition"
        after = (Disbursement.objects.values().get(pk=disbursement.pk), AuditEvent.objects.count(), OutboxEntry.objects.count())
        assert after == before


def test_the_table_is_the_documented_one():
    """draft → submitted → approved → paid, and rejections from submitted or approved."""
    S = DisbursementStatus
    assert set(DISBURSEMENT_TRANSITIONS) == {
        (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.APPROVED), (S.SUBMITTED, S.REJECTED), (S.APPROVED, S.PAID),
        (S.APPROVED, S.REJECTED),
    }
    for (source, to), rule in DISBURSEMENT_TRANSITIONS.items():
        assert rule.not_author == (to in (S.APPROVED, S.REJECTED)), (source, to)
        assert rule.reason_required == (to == S.REJECTED)
        assert rule.writes_ledger == (to == S.PAID)


def test_each_step_records_who_and_when():
    world = make_world()
    d = walk(world, record(world), "paid")
    assert d.created_by == world.finance and d.submitted_at is not None
    assert d.approved_by == world.admin2 and d.approved_at is not None
    assert d.paid_by == world.finance and d.paid_at is not None
    actions = list(AuditEvent.objects.filter(target_id=d.public_id).order_by("pk").values_list("action", flat=True))
    assert actions == ["disbursement.create", "disbursement.submit", "disbursement.approve", "disbursement.pay"]
    entry = json.loads(bytes(OutboxEntry.objects.get(entry_type="disbursement").canonical_json))
    assert entry["id"] == d.public_id


def test_rejection_needs_a_reason_and_keeps_it():
    world = make_world()
    d = walk(world, record(world), "submitted")
    with pytest.raises(Exception) as caught:
        disbursement_transition(disbursement=d, to="rejected", actor=world.admin2, reason="   ")
    assert caught.value.code == "reason_required"
    d = disbursement_transition(disbursement=d, to="rejected", actor=world.admin2, reason="发票抬头有误")
    assert (d.status, d.rejection_reason, d.rejected_by) == ("rejected", "发票抬头有误", world.admin2)


def test_submitting_needs_evidence():
    world = make_world()
    d = record(world, evidence=False)
    with pytest.raises(Conflict) as caught:
        disbursement_transition(disbursement=d, to="submitted", actor=world.finance)
    assert caught.value.code == "evidence_missing"
    assert Disbursement.objects.get(pk=d.pk).status == "draft"
