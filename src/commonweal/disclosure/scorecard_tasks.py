"""Scorecard work for the database task worker (``commonweal db_worker``).

- :func:`recompute_scorecards`: every organization, then renews itself for the next night
  (``commonweal recompute_scorecards --enqueue`` starts it).
- :func:`recompute_scorecard`: one organization, enqueued on commit after a complaint outcome.
"""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from commonweal.core.timeutil import SHANGHAI
from commonweal.disclosure.services.scorecard import scorecard_recompute, scorecards_recompute_all
from commonweal.orgs.models import Organization

RUN_HOUR = 3
"""The nightly run starts at 03:00 Beijing time."""


def next_run(now: dt.datetime) -> dt.datetime:
    """The next 03:00 in Shanghai strictly after ``now`` (an aware datetime)."""
    local = now.astimezone(SHANGHAI)
    run = local.replace(hour=RUN_HOUR, minute=0, second=0, microsecond=0)
    if run <= local:
        run += dt.timedelta(days=1)
    return run


@task()
def recompute_scorecards(reschedule: bool = True) -> int:
    """Recompute every scorecard, then schedule the next night's run; the number recomputed."""
    done = scorecards_recompute_all()
    if reschedule:
        recompute_scorecards.using(run_after=next_run(timezone.now())).enqueue(reschedule=True)
    return done


@task()
def recompute_scorecard(org_public_id: str) -> int | None:
    """Recompute one organization's scorecard; its new score (None: not enough measured)."""
    org = Organization.objects.filter(public_id=org_public_id).first()
    if org is None:
        return None
    return scorecard_recompute(org=org).score
