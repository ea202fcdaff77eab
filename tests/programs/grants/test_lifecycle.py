"""The lifecycle tables: every legal installment edge is taken by exactly one service, and every
other pair of states is refused."""

import datetime as dt
import itertools

import pytest

from commonweal.core.errors import Conflict
from commonweal.programs.grants.lifecycle import APPLICATION_TRANSITIONS, INSTALLMENT_TRANSITIONS, OUTCOME_TARGET
from commonweal.programs.grants.models import ApplicationStatus, Installment, InstallmentStatus as S, Outcome
from commonweal.programs.grants.services import (
    decision_record,
    installment_approve,
    installment_propose,
    installment_report,
    installment_return,
)
from tests.programs.grants.factories import apply, make_world, upload_all_letters

pytestmark = pytest.mark.django_db


def test_tables_cover_the_outcomes_and_states():
    assert set(OUTCOME_TARGET) == set(Outcome.values)
    assert {to for _, to in APPLICATION_TRANSITIONS} == set(OUTCOME_TARGET.values())
    assert all(src == ApplicationStatus.IN_REVIEW for src, _ in APPLICATION_TRANSITIONS)
    assert set(INSTALLMENT_TRANSITIONS) == {(S.DUE, S.REPORTED), (S.REPORTED, S.PROPOSED), (S.PROPOSED, S.PAID), (S.PROPOSED, S.REPORTED)}


def test_decided_applications_take_no_further_decision():
    world = make_world()
    rejected, awarded = apply(world.call), apply(world.call)
    decision_record(actor=world.manager, application=rejected, outcome="reject", reason="不符合")
    upload_all_letters(awarded)
    for outcome in ("advance", "advance", "award"):
        decision_record(actor=world.manager, application=awarded, outcome=outcome, reason="好")
    for application, outcome in itertools.product((rejected, awarded), Outcome.values):
        with pytest.raises(Conflict) as refused:
            decision_record(actor=world.manager, application=application, outcome=outcome, reason="再次")
        assert refused.value.code == "illegal_transition"


def test_every_installment_state_refuses_the_steps_it_has_no_edge_for():
    world = make_world()
    application = apply(world.call)
    upload_all_letters(application)
    for outcome in ("advance", "advance", "award"):
        decision_record(actor=world.manager, application=application, outcome=outcome, reason="好")
    installments = list(application.award.installments.order_by("number"))
    grantee = application.applicant
    steps = {
        S.REPORTED: lambda i: installment_report(actor=grantee, installment=i, report="报告"),
        S.PROPOSED: lambda i: installment_propose(actor=world.finance, installment=i),
        S.PAID: lambda i: installment_approve(actor=world.finance2, installment=i, paid_on=dt.date(2026, 3, 2)),
        "returned": lambda i: installment_return(actor=world.finance2, installment=i, reason="缺明细"),
    }
    edge_of = {S.REPORTED: (S.DUE, S.REPORTED), S.PROPOSED: (S.REPORTED, S.PROPOSED), S.PAID: (S.PROPOSED, S.PAID),
               "returned": (S.PROPOSED, S.REPORTED)}
    # Walk installment 1 through every state, trying every step in each.
    first = installments[0]
    for state, take in ((S.DUE, S.REPORTED), (S.REPORTED, S.PROPOSED), (S.PROPOSED, S.PAID), (S.PAID, None)):
        first = Installment.objects.get(pk=first.pk)
        assert first.status == state
        for step, run in steps.items():
            if edge_of[step][0] == state:
                continue  # legal from here; taken below or in the return test
            with pytest.raises(Conflict) as refused:
                run(first)
            assert refused.value.code in ("illegal_transition", "report_out_of_order")
        if take is not None:
            steps[take](first)
