"""Scheduled giving work, run by the database task worker (``commonweal db_worker``)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from commonweal.giving.services import monthly_charge_due

CHARGE_INTERVAL = dt.timedelta(hours=1)


@task()
def charge_monthly_plans(reschedule: bool = True) -> dict[str, int]:
    """Charge due monthly plans, then schedule the next run (a self-renewing hourly job)."""
    outcome = monthly_charge_due()
    if reschedule:
        charge_monthly_plans.using(run_after=timezone.now() + CHARGE_INTERVAL).enqueue(reschedule=True)
    return outcome
