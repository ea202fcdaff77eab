"""月捐: each month's charge is its own donation; failures retry, then pause and tell the donor."""

import datetime as dt

import pytest
from django.core import mail

from commonweal.core.errors import InvalidInput, NotFound
from commonweal.core.sealing import seal_json
from commonweal.giving.models import Donation, MonthlyCharge
from commonweal.giving.services import monthly_charge_due, plan_cancel, plan_create
from commonweal.giving.services.credentials import credentials_get
from commonweal.orgs.models import ProviderCredential
from commonweal.giving.tasks import charge_monthly_plans
from tests.factories import make_project, make_user

pytestmark = pytest.mark.django_db

JAN_31 = dt.date(2028, 1, 31)


def test_each_month_is_its_own_donation_and_reruns_charge_nothing_twice():
    project = make_project(ends_on=dt.date(2030, 1, 1))
    donor = make_user()
    plan = plan_create(donor=donor, project=project, amount_fen=3_000, today=JAN_31)
    assert plan.day_of_month == 28
    assert monthly_charge_due(today=JAN_31) == {"succeeded": 1, "failed": 0, "paused": 0, "skipped": 0}
    assert monthly_charge_due(today=JAN_31) == {"succeeded": 0, "failed": 0, "paused": 0, "skipped": 0}
    plan.refresh_from_db()
    assert plan.next_charge_on == dt.date(2028, 2, 28)
    assert monthly_charge_due(today=dt.date(2028, 2, 28))["succeeded"] == 1
    donations = Donation.objects.filter(monthly_plan=plan)
    assert donations.count() == 2 and {d.amount_fen for d in donations} == {3_000}
    project.refresh_from_db()
    assert project.raised_fen == 6_000


def test_failures_retry_then_pause_and_tell_the_donor(django_capture_on_commit_callbacks):
    project = make_project()
    row = ProviderCredential.objects.get(org=project.org, provider="sandbox")
    row.sealed = seal_json({**credentials_get(org=project.org, provider="sandbox"), "decline_recurring": "true"})
    row.save()
    plan = plan_create(donor=make_user("monthly@example.org"), project=project, amount_fen=1_000, today=JAN_31)
    day = JAN_31
    outcomes = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            outcomes.append(monthly_charge_due(today=day))
            day += dt.timedelta(days=1)
    assert [o["failed"] for o in outcomes] == [1, 1, 0] and outcomes[-1]["paused"] == 1
    plan.refresh_from_db()
    assert plan.status == "paused"
    assert MonthlyCharge.objects.filter(plan=plan, status="failed").count() == 3
    assert Donation.objects.count() == 0
    assert mail.outbox[-1].to == ["monthly@example.org"]
    assert monthly_charge_due(today=day) == {"succeeded": 0, "failed": 0, "paused": 0, "skipped": 0}


def test_cancelled_plan_is_never_charged_and_only_its_donor_may_cancel():
    project = make_project()
    donor = make_user()
    plan = plan_create(donor=donor, project=project, amount_fen=1_000, today=JAN_31)
    with pytest.raises(NotFound):
        plan_cancel(plan=plan, actor=make_user())
    plan_cancel(plan=plan, actor=donor)
    assert monthly_charge_due(today=JAN_31)["succeeded"] == 0
    assert Donation.objects.count() == 0


def test_plan_validation():
    project = make_project()
    with pytest.raises(InvalidInput):
        plan_create(donor=make_user(), project=project, amount_fen=0)


def test_task_charges_due_plans():
    project = make_project()
    plan_create(donor=make_user(), project=project, amount_fen=1_000)
    result = charge_monthly_plans.enqueue(reschedule=False)
    assert result.return_value["succeeded"] == 1
