"""Scheduled matching work, run by the database task worker (``commonweal db_worker``)."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from commonweal.matching.services import matches_release_due

RELEASE_INTERVAL = dt.timedelta(hours=1)
"""Pending matches are released within an hour of their campaign's review window closing."""


@task()
def release_matches(reschedule: bool = True) -> int:
    """Release the matches whose review window has closed, then schedule the next run (a
    self-renewing hourly job); the number released."""
    released = matches_release_due()
    if reschedule:
        release_matches.using(run_after=timezone.now() + RELEASE_INTERVAL).enqueue(reschedule=True)
    return released
