"""Published campaigns with their scope, pools and tranches, bans, and projects' overdue state,
cached per process.

Every confirmed donation asks which campaign covers its project; the configuration changes
rarely, so reading it once a second (and at once after a save in this process) saves several
queries per donation. Another worker process sees an operator's change within ``TTL_SECONDS``.
A project found on time stays on time for the rest of the day (deadlines are days, and a report
only moves them later), so that answer is kept ``ON_TIME_TTL_SECONDS`` per day; re-checking 300
projects every second cost a tenth of a donation's CPU. An overdue project (they are few) is kept
``TTL_SECONDS`` like the campaigns, so a report published through another worker process makes
its gifts eligible within a second. A report saved or deleted in this process forgets both at once.
"""

import datetime as dt
import threading
import time
from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save

from commonweal.matching.models import Campaign, CampaignStatus, OrgBan, Pool, Sponsor, Tranche
from commonweal.projects.models import Project, ProjectUpdate

TTL_SECONDS = 1.0
ON_TIME_TTL_SECONDS = 30.0


@dataclass(frozen=True)
class PoolConfig:
    pool: Pool
    tranches: tuple[Tranche, ...]
    """By opening time."""

    def open_tranche(self, now: dt.datetime) -> Tranche | None:
        """The tranche being drawn: the latest one opened."""
        opened = [t for t in self.tranches if t.opens_at <= now]
        return opened[-1] if opened else None


@dataclass(frozen=True)
class CampaignConfig:
    campaign: Campaign
    domains: frozenset[str]
    org_ids: frozenset[int]
    project_ids: frozenset[int]
    pools: tuple[PoolConfig, ...]
    """In drawing order."""

    def running(self, now: dt.datetime) -> bool:
        return self.campaign.starts_at <= now < self.campaign.ends_at

    def covers(self, project: Project) -> bool:
        """The campaign's scope (domains, organizations, listed projects; everything if none is set)."""
        if not (self.domains or self.org_ids or self.project_ids):
            return True
        return (project.domain in self.domains or project.pk in self.project_ids
                or project.org_id in self.org_ids or (project.partner_org_id or 0) in self.org_ids)


_lock = threading.Lock()
_cached: tuple[float, list[CampaignConfig]] | None = None
_bans: tuple[float, list[tuple[int, int | None, dt.datetime]]] | None = None
_overdue: dict[tuple[int, dt.date], tuple[float, bool]] = {}
"""(project, day) → (until when it is remembered, whether the project is overdue)."""


def _load() -> list[CampaignConfig]:
    campaigns = Campaign.objects.filter(status=CampaignStatus.PUBLISHED).prefetch_related("orgs", "projects", "pools__tranches")
    return [
        CampaignConfig(
            campaign=c,
            domains=frozenset(c.domains or ()),
            org_ids=frozenset(o.pk for o in c.orgs.all()),
            project_ids=frozenset(p.pk for p in c.projects.all()),
            pools=tuple(PoolConfig(pool, tuple(sorted(pool.tranches.all(), key=lambda t: t.opens_at)))
                        for pool in sorted(c.pools.all(), key=lambda p: (p.priority, p.pk))),
        )
        for c in sorted(campaigns, key=lambda c: (c.starts_at, c.pk))
    ]


def published() -> list[CampaignConfig]:
    global _cached
    with _lock:
        if _cached is None or _cached[0] < time.monotonic():
            _cached = (time.monotonic() + TTL_SECONDS, _load())
        return _cached[1]


def org_banned(org_id: int, campaign_id: int, now: dt.datetime) -> bool:
    """Whether a ban (of this campaign or of all) covers the organization at ``now``."""
    global _bans
    with _lock:
        if _bans is None or _bans[0] < time.monotonic():
            rows = list(OrgBan.objects.filter(until__gt=now - dt.timedelta(days=1)).values_list("org_id", "campaign_id", "until"))
            _bans = (time.monotonic() + TTL_SECONDS, rows)
        bans = _bans[1]
    return any(org == org_id and campaign in (None, campaign_id) and until > now for org, campaign, until in bans)


def projects_overdue(projects: list[Project], today: dt.date, check) -> set[int]:
    """Which of ``projects`` are overdue: ``check(projects, today)`` (disclosure's rule, one query)
    for those not remembered."""
    clock = time.monotonic()
    late, unknown = set(), {}
    for project in projects:
        until, overdue = _overdue.get((project.pk, today), (0.0, False))
        if until < clock:
            unknown[project.pk] = project
        elif overdue:
            late.add(project.pk)
    if unknown:
        if len(_overdue) > 10_000:
            _overdue.clear()
        found = check(unknown.values(), today)
        for pk in unknown:
            _overdue[(pk, today)] = (clock + (TTL_SECONDS if pk in found else ON_TIME_TTL_SECONDS), pk in found)
        late |= found
    return late


def invalidate(**_kwargs) -> None:
    global _cached, _bans
    with _lock:
        _cached = _bans = None
        _overdue.clear()


for _model in (Campaign, Sponsor, Pool, Tranche, OrgBan, ProjectUpdate):
    post_save.connect(invalidate, sender=_model, dispatch_uid=f"matching-config-save-{_model.__name__}")
    post_delete.connect(invalidate, sender=_model, dispatch_uid=f"matching-config-delete-{_model.__name__}")
m2m_changed.connect(invalidate, sender=Campaign.orgs.through, dispatch_uid="matching-config-orgs")
m2m_changed.connect(invalidate, sender=Campaign.projects.through, dispatch_uid="matching-config-projects")
