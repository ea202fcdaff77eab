"""Recomputing organization scorecards: the stored row the pages show and the project list ranks by.

Run daily for every organization with a public project (``commonweal recompute_scorecards``, or
its self-renewing task), and for one organization after each complaint outcome. Storing the
score keeps the project list at a fixed number of queries (one join) whatever it shows.
"""

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from commonweal.core.timeutil import shanghai_date
from commonweal.disclosure.models.complaints import OrgScorecard
from commonweal.disclosure.selectors.scorecard import ScorecardFacts, score_of, scorecard_measure
from commonweal.orgs.models import Organization
from commonweal.projects.permissions import PUBLIC_STATUSES

__all__ = ["scorecard_recompute", "scorecards_recompute_all"]

logger = logging.getLogger("commonweal.disclosure")


def scorecard_recompute(*, org: Organization, now: dt.datetime | None = None) -> OrgScorecard:
    """Measure ``org`` and store its facts and score (one row per organization, replaced)."""
    now = now or timezone.now()
    facts = scorecard_measure(org=org, today=shanghai_date(now), now=now)
    fields = {name: getattr(facts, name) for name in ScorecardFacts.__dataclass_fields__}
    with transaction.atomic(durable=True):
        card, _created = OrgScorecard.objects.update_or_create(
            org=org, defaults={**fields, "score": score_of(facts), "computed_at": now}
        )
    logger.info("scorecard_recomputed org=%s score=%s", org.public_id, card.score)
    return card


def scorecards_recompute_all(*, now: dt.datetime | None = None) -> int:
    """Recompute every organization that has a public project or a scorecard; the number done."""
    now = now or timezone.now()
    orgs = Organization.objects.filter(Q(projects__status__in=PUBLIC_STATUSES) | Q(scorecard__isnull=False)).distinct()
    done = 0
    for org in orgs.iterator(chunk_size=200):
        scorecard_recompute(org=org, now=now)
        done += 1
    return done
