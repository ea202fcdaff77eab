"""Awards racing for the last of a call's budget, and payments racing four-eyes approval, on
SQLite and PostgreSQL: the budget is never exceeded and each installment is paid once."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from commonweal.core.errors import DomainError
from commonweal.programs.grants.models import Award, InstallmentStatus
from commonweal.programs.grants.services import decision_record, installment_approve, installment_propose, installment_report
from commonweal.programs.models import Commitment, GrantPayment, OfficeRole
from tests.programs.factories import make_office
from tests.programs.grants.factories import apply, make_world, upload_all_letters

pytestmark = pytest.mark.django_db(transaction=True)

WORKERS = 6


def _race(calls):
    """Run the calls from threads released together; return (results, unexpected errors)."""
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def work(call):
        try:
            start.wait()
            results.append(call())
        except DomainError as exc:
            results.append(exc)
        except BaseException as exc:  # noqa: BLE001 - asserted by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        list(pool.map(work, calls))
    return results, errors


def _to_final(world, application):
    upload_all_letters(application)
    for _ in range(2):
        decision_record(actor=world.manager, application=application, outcome="advance", reason="好")


def test_concurrent_awards_never_exceed_the_call_budget():
    world = make_world(call_overrides={"budget_fen": 9_000_000_00})  # room for three awards of ¥3M
    applications = [apply(world.call) for _ in range(WORKERS)]
    for application in applications:
        _to_final(world, application)
    results, errors = _race([
        lambda a=a: decision_record(actor=world.manager, application=a, outcome="award", reason="优秀")
        for a in applications
    ])
    assert errors == []
    refused = [r for r in results if isinstance(r, DomainError)]
    assert {r.code for r in refused} <= {"call_budget_exceeded"} and len(refused) == WORKERS - 3
    assert Award.objects.count() == 3 and Commitment.objects.count() == 3


def test_an_installment_is_paid_once_when_approvals_race():
    world = make_world()
    application = apply(world.call)
    _to_final(world, application)
    decision_record(actor=world.manager, application=application, outcome="award", reason="优秀")
    first = application.award.installments.get(number=1)
    installment_report(actor=application.applicant, installment=first, report="报告")
    installment_propose(actor=world.finance, installment=first)
    approvers = [world.finance2] + [make_office(OfficeRole.FINANCE) for _ in range(WORKERS - 1)]
    results, errors = _race([
        lambda u=u: installment_approve(actor=u, installment=first, paid_on=dt.date(2026, 3, 2)) for u in approvers
    ])
    assert errors == []
    assert sum(not isinstance(r, DomainError) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"illegal_transition"}
    first.refresh_from_db()
    assert first.status == InstallmentStatus.PAID and GrantPayment.objects.count() == 1
