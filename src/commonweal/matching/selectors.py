"""Reads for campaign pages, project pages and operators."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from commonweal.matching.models import Campaign, CampaignStatus, Counter, MatchDecision, MatchStatus, Pool, Team, Tranche
from commonweal.matching.rules import PERMILLE, desired_match, rule_of
from commonweal.matching.services import campaign_for, cap_limits, ineligibility
from commonweal.projects.models import Project

LEADERBOARD_SIZE = 10


def matched_by_project(project_ids: list[int]) -> dict[int, int]:
    """Matching credited to projects (net of claw-backs), in one query: disclosure's MATCHED_SOURCES."""
    rows = (MatchDecision.objects.filter(project_id__in=project_ids, amount_fen__gt=0).values("project")
            .annotate(net=Sum(F("amount_fen") - F("clawed_back_fen"))).order_by())
    return {row["project"]: row["net"] for row in rows}


def project_matched_fen(project: Project) -> int:
    return matched_by_project([project.pk]).get(project.pk, 0)


def campaigns_public() -> QuerySet[Campaign]:
    return Campaign.objects.filter(status=CampaignStatus.PUBLISHED)


def campaign_get_public(slug: str) -> Campaign | None:
    return campaigns_public().filter(slug=slug).first()


def _used_by_key(campaign: Campaign, keys: list[str]) -> dict[str, int]:
    rows = Counter.objects.filter(campaign=campaign, key__in=keys).values("key").annotate(used=Sum("used_fen"))
    return {row["key"]: row["used"] for row in rows}


@dataclass(frozen=True)
class PoolState:
    pool: Pool
    matched_fen: int
    remaining_fen: int
    """Of the whole pool, counting tranches not yet open."""
    open_remaining_fen: int
    """Of the tranche being drawn now (0 if none is open)."""
    next_opens_at: dt.datetime | None

    @property
    def percent_left(self) -> int:
        return self.remaining_fen * 100 // self.pool.total_fen


def pool_states(campaign: Campaign, now: dt.datetime | None = None) -> list[PoolState]:
    now = now or timezone.now()
    pools = list(campaign.pools.select_related("sponsor").prefetch_related("tranches"))
    tranches = [t for pool in pools for t in pool.tranches.all()]
    used = _used_by_key(campaign, [f"tranche:{t.pk}" for t in tranches])
    states = []
    for pool in pools:
        mine = list(pool.tranches.all())
        matched = sum(used.get(f"tranche:{t.pk}", 0) for t in mine)
        current = max((t for t in mine if t.opens_at <= now), key=lambda t: t.opens_at, default=None)
        upcoming = [t.opens_at for t in mine if t.opens_at > now]
        # A tranche no longer drawn keeps its remainder out of play (it is not re-offered).
        closed_left = sum(t.amount_fen - used.get(f"tranche:{t.pk}", 0) for t in mine if t.opens_at <= now and t is not current)
        states.append(PoolState(
            pool=pool,
            matched_fen=matched,
            remaining_fen=pool.total_fen - matched - closed_left,
            open_remaining_fen=current.amount_fen - used.get(f"tranche:{current.pk}", 0) if current else 0,
            next_opens_at=min(upcoming, default=None),
        ))
    return states


@dataclass(frozen=True)
class ProjectRow:
    project: Project
    raised_fen: int
    donors: int
    matched_fen: int


def leaderboard(campaign: Campaign, *, by: str = "raised", limit: int = LEADERBOARD_SIZE) -> list[ProjectRow]:
    """Projects of the campaign by money raised in it, or by unique donors."""
    order = "-raised" if by == "raised" else "-donors"
    rows = (
        MatchDecision.objects.filter(campaign=campaign).values("project")
        .annotate(raised=Sum("donation_fen"), donors=Count("donor_key", distinct=True),
                  matched=Sum(F("amount_fen") - F("clawed_back_fen")))
        .order_by(order, "project")[:limit]
    )
    rows = list(rows)
    projects = Project.objects.in_bulk([row["project"] for row in rows])
    return [ProjectRow(projects[row["project"]], row["raised"], row["donors"], row["matched"]) for row in rows]


def campaign_totals(campaign: Campaign) -> dict:
    totals = MatchDecision.objects.filter(campaign=campaign).aggregate(
        raised=Sum("donation_fen"), gifts=Count("id"), donors=Count("donor_key", distinct=True),
        matched=Sum(F("amount_fen") - F("clawed_back_fen")),
    )
    return {key: value or 0 for key, value in totals.items()}


def team_leaderboard(*, project: Project | None = None, campaign: Campaign | None = None, limit: int = LEADERBOARD_SIZE) -> list[Team]:
    teams = Team.objects.filter(status=Team.Status.APPROVED).select_related("project")
    if project is not None:
        teams = teams.filter(Q(project=project) | Q(project__parent=project))
    if campaign is not None:
        teams = teams.filter(pk__in=MatchDecision.objects.filter(campaign=campaign, team__isnull=False).values("team"))
    return list(teams.order_by("-raised_fen", "id")[:limit])


@dataclass(frozen=True)
class ExpectedMatch:
    campaign: Campaign
    fen: int
    approximate: bool
    """True for the random rule (the expected value) or when pools or caps may run out first."""
    reason: str
    """Why there will be no match ("" if there may be one)."""


def expected_match(project: Project, amount_fen: int, *, donor=None, now: dt.datetime | None = None) -> ExpectedMatch | None:
    """What a gift of ``amount_fen`` would be matched now, before the donor pays (None: no campaign)."""
    now = now or timezone.now()
    found = campaign_for(project, now)
    if found is None:
        return None
    campaign = found.campaign
    reason = ineligibility(campaign, project, now)
    if not reason and amount_fen < campaign.min_donation_fen:
        reason = "below_minimum"
    if reason:
        return ExpectedMatch(campaign, 0, False, reason)
    rule = rule_of(campaign)
    if rule.kind == "random":
        fen = amount_fen * (PERMILLE * rule.num // rule.den) // PERMILLE
    else:
        fen = desired_match(rule, amount_fen).fen
    key = f"u{donor.pk}" if getattr(donor, "is_authenticated", False) else ""
    limits = cap_limits(campaign, project=project, key=key, now=now) if key else [
        limit for limit in cap_limits(campaign, project=project, key="-", now=now) if not limit.key.startswith("donor-")
    ]
    left = {limit.key: limit.limit_fen for limit in limits}
    tranches = [pool.open_tranche(now) for pool in found.pools]
    for tranche in filter(None, tranches):
        left[f"tranche:{tranche.pk}"] = tranche.amount_fen
    used = _used_by_key(campaign, list(left))
    pools_left = sum(t.amount_fen - used.get(f"tranche:{t.pk}", 0) for t in tranches if t)
    room = min([pools_left] + [left[k] - used.get(k, 0) for k in left if not k.startswith("tranche:")])
    capped = min(fen, max(room, 0))
    if capped == 0 and fen > 0:
        return ExpectedMatch(campaign, 0, False, "pool_empty" if pools_left <= 0 else "cap_reached")
    return ExpectedMatch(campaign, capped, rule.kind == "random" or capped < fen, "")


def flagged_matches(campaign: Campaign | None = None) -> QuerySet[MatchDecision]:
    """Matches with risk flags, by money at risk (the match still standing), largest first."""
    decisions = MatchDecision.objects.filter(flags__isnull=False).exclude(status=MatchStatus.CLAWED_BACK).distinct()
    if campaign is not None:
        decisions = decisions.filter(campaign=campaign)
    return decisions.annotate(at_risk=F("amount_fen") - F("clawed_back_fen")).order_by("-at_risk", "-decided_at")


def tranche_schedule(campaign: Campaign) -> list[Tranche]:
    return list(Tranche.objects.filter(pool__campaign=campaign).select_related("pool").order_by("opens_at"))


@dataclass(frozen=True)
class Rollup:
    raised_fen: int
    donation_count: int
    children: int


def project_rollup(project: Project) -> Rollup:
    """A parent project's totals with its child plans' (e.g. one per county)."""
    totals = Project.objects.filter(Q(pk=project.pk) | Q(parent=project)).aggregate(
        raised=Sum(F("raised_fen") - F("refunded_fen")), count=Sum("donation_count"), n=Count("id"),
    )
    return Rollup(totals["raised"] or 0, totals["count"] or 0, (totals["n"] or 1) - 1)
