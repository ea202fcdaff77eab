"""Scheduled and deferred disclosure work, run by the database task worker (``commonweal db_worker``).

- :func:`send_reminders`: the daily reporting job (deadline reminders, stored due dates); it
  renews itself for the next morning in Shanghai (``commonweal send_reminders --enqueue``).
- :func:`report_notify`: emails one new report to its followers; enqueued on commit by
  ``disclosure.services.reporting.report_publish``.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from commonweal.core.timeutil import SHANGHAI, shanghai_date
from commonweal.disclosure.services.reporting import reminders_send, report_send_to_followers
from commonweal.projects.models import ProjectUpdate

REMINDER_HOUR = 9
"""Reminders go out at 09:00 Beijing time."""


def next_reminder_run(now: dt.datetime) -> dt.datetime:
    """The next 09:00 in Shanghai strictly after ``now`` (an aware datetime)."""
    local = now.astimezone(SHANGHAI)
    run = local.replace(hour=REMINDER_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run += dt.timedelta(days=1)
    return run


@task()
def send_reminders(reschedule: bool = True, today: str | None = None) -> dict[str, int]:
    """Send the reminders due on ``today`` (ISO date; default: today in Shanghai), then schedule
    the next run (a self-renewing daily job)."""
    now = timezone.now()
    day = dt.date.fromisoformat(today) if today else shanghai_date(now)
    outcome = reminders_send(today=day)
    if reschedule:
        send_reminders.using(run_after=next_reminder_run(now)).enqueue(reschedule=True)
    return outcome


@task()
def report_notify(update_public_id: str) -> int:
    """Email the report to its project's followers; the number of emails sent."""
    update = ProjectUpdate.objects.select_related("project").filter(public_id=update_public_id).first()
    if update is None:  # deleted before the worker got to it
        return 0
    return report_send_to_followers(update=update)
