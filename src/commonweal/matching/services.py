"""Matching use cases: the decision at confirmation, claw-backs, operators' actions, bans, teams.

``match_on_confirm`` and ``match_on_refund`` are registered in ``giving.hooks`` and run inside
giving's transaction; everything else opens its own durable transaction.
"""

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet, Sum
from django.utils import timezone

from commonweal.core.bulk import insert_many
from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.identifiers import new_public_id
from commonweal.core.money import validate_fen
from commonweal.core.timeutil import rfc3339, shanghai_date
from commonweal.disclosure.models import Disbursement, DisbursementStatus
from commonweal.disclosure.selectors.reporting import projects_overdue
from commonweal.giving.models import Donation, MonthlyCharge
from commonweal.ledger.services import outbox_append, outbox_append_many
from commonweal.matching import config, counters, risk
from commonweal.matching.config import CampaignConfig
from commonweal.matching.counters import Limit
from commonweal.matching.models import (
    Campaign,
    MatchDecision,
    MatchStatus,
    OrgBan,
    Pool,
    Team,
    TeamPolicy,
    Tranche,
)
from commonweal.matching.rules import desired_match, rule_of, validate_tiers
from commonweal.orgs.models import Membership, Organization, Role, VerificationStatus
from commonweal.projects.models import Project

logger = logging.getLogger("commonweal.matching")

TEAM_PREFIX = "team:"
QUOTA_WINDOW = dt.timedelta(days=365)


# --- which campaign applies ---------------------------------------------------------------------

def campaign_for(project: Project, now: dt.datetime) -> CampaignConfig | None:
    """The running campaign whose scope covers the project (the earliest started, if several)."""
    return next((c for c in config.published() if c.running(now) and c.covers(project)), None)


def ineligibility(campaign: Campaign, project: Project, now: dt.datetime, org: Organization | None = None) -> str:
    """Why the project's gifts are not matched now ("" if they are): the codes decisions record.
    ``org`` is the recipient organization, if the caller has it loaded."""
    org = org or project.recipient_org
    if org.verification_status != VerificationStatus.VERIFIED:
        return "org_not_verified"
    if config.org_banned(org.pk, campaign.pk, now):
        return "org_banned"
    if project.pk in config.projects_overdue([project], shanghai_date(now), projects_overdue):
        return "report_overdue"
    return ""


# --- the decision -------------------------------------------------------------------------------

def donor_key(donation: Donation) -> str:
    """Who the donor is for caps and unique counting: the account, else the payment account."""
    if donation.donor_id:
        return f"u{donation.donor_id}"
    if donation.payer_reference:
        return f"p{donation.provider}:{donation.payer_reference}"[:64]
    return f"i{donation.intent.public_id}"


def _org_limit_fen(campaign: Campaign, org: Organization, now: dt.datetime) -> int | None:
    limit = campaign.cap_org_fen
    if campaign.quota_percent is not None:
        executed = Disbursement.objects.filter(
            project__in=Project.objects.filter(Q(org=org) | Q(partner_org=org)),
            status=DisbursementStatus.PAID,
            paid_at__gte=now - QUOTA_WINDOW,
        ).aggregate(total=Sum("amount_fen"))["total"] or 0
        quota = executed * campaign.quota_percent // 100
        limit = quota if limit is None else min(limit, quota)
    return limit


def cap_limits(campaign: Campaign, *, project: Project, key: str, now: dt.datetime, org: Organization | None = None,
               org_limits: dict | None = None) -> list[Limit]:
    """The caps a gift draws on; ``org_limits`` memoizes organizations' limits across a batch."""
    org = org or project.recipient_org
    day = shanghai_date(now).isoformat()
    org_limits = {} if org_limits is None else org_limits
    if (campaign.pk, org.pk) not in org_limits:
        org_limits[(campaign.pk, org.pk)] = _org_limit_fen(campaign, org, now)
    candidates = [
        (f"donor-day:{key}:{day}", campaign.cap_donor_day_fen, 1, "cap_donor_day"),
        (f"donor-project:{key}:{project.pk}", campaign.cap_donor_project_fen, 1, "cap_donor_project"),
        (f"project:{project.pk}", campaign.cap_project_fen, campaign.shards, "cap_project"),
        (f"org:{org.pk}", org_limits[(campaign.pk, org.pk)], campaign.shards, "cap_org"),
    ]
    return [Limit(k, limit, min(shards, max(limit, 1)), name) for k, limit, shards, name in candidates if limit is not None]


def _refusal(campaign: Campaign, donation: Donation, project: Project, key: str, now: dt.datetime) -> str:
    """Why this gift gets no match under the campaign's rules ("" if it may); unique donors are
    checked at the decision (``_decide``), which also sees earlier gifts of the same batch."""
    reason = ineligibility(campaign, project, now, donation.recipient_org)
    if reason:
        return reason
    if donation.amount_fen < campaign.min_donation_fen:
        return "below_minimum"
    if campaign.monthly_first_only and donation.monthly_plan_id is not None:
        earlier = MonthlyCharge.objects.filter(plan_id=donation.monthly_plan_id, donation__isnull=False).exclude(donation=donation)
        if earlier.exists():
            return "monthly_repeat"
    return ""


@dataclass
class _Plan:
    """One confirmed gift on its way to a decision."""

    donation: Donation
    found: CampaignConfig
    key: str
    seed: str
    desired: object
    reason: str
    caps: list[Limit]


def match_on_confirm(donations: list[Donation]) -> list[MatchDecision]:
    """Decide the matches of newly confirmed donations (giving.hooks.DONATION_CONFIRMED), in their
    transaction, one after another in list order. A single gift draws from the counters' fast path;
    a batch locks the counters it needs once (counters.Book) and decides in memory."""
    plans = []
    org_limits: dict[tuple[int, int], int | None] = {}  # the quota query once per (campaign, org)
    if len(donations) > 1:  # the overdue state of the batch's projects in one query
        config.projects_overdue([d.project for d in donations], shanghai_date(donations[0].confirmed_at), projects_overdue)
    for donation in donations:
        now, project = donation.confirmed_at, donation.project
        found = campaign_for(project, now)
        if found is None:
            continue
        campaign, key = found.campaign, donor_key(donation)
        seed = secrets.token_hex(16)
        desired = desired_match(rule_of(campaign), donation.amount_fen, seed)
        reason = _refusal(campaign, donation, project, key, now)
        caps = [] if reason or desired.fen <= 0 else cap_limits(campaign, project=project, key=key, now=now,
                                                                 org=donation.recipient_org, org_limits=org_limits)
        plans.append(_Plan(donation, found, key, seed, desired, reason, caps))
    if not plans:
        return []
    matched = _already_matched(plans)
    decided: list[tuple[MatchDecision, list[str]]] = []  # each decision with the pools it drew on
    for campaign_id in sorted({plan.found.campaign.pk for plan in plans}):  # counters in campaign order
        group = [plan for plan in plans if plan.found.campaign.pk == campaign_id]
        book = None
        if len(plans) > 1:
            limits, demand = [], {}
            for plan in group:
                for limit in _limits_of(plan):
                    limits.append(limit)
                    demand[limit.key] = demand.get(limit.key, 0) + plan.desired.fen
            book = counters.Book(campaign_id, limits, demand)
        decided += [_decide(plan, book, matched) for plan in group]
        if book is not None:
            book.save()
    decisions = [decision for decision, _ in decided]
    insert_many(decisions)
    outbox_append_many([("match", d.public_id, match_entry_fields(d, pools)) for d, pools in decided if d.amount_fen > 0])
    teams: dict[int, tuple[int, int]] = {}
    for decision in decisions:
        if decision.team_id is not None:
            fen, count = teams.get(decision.team_id, (0, 0))
            teams[decision.team_id] = (fen + decision.donation_fen, count + 1)
    for team_id, (fen, count) in sorted(teams.items()):
        Team.objects.filter(pk=team_id).update(raised_fen=F("raised_fen") + fen, donation_count=F("donation_count") + count)
    risk.flag_on_confirm(decisions, donations)
    for decision in decisions:
        logger.info("match_decided id=%s donation=%s campaign=%s amount_fen=%s binding=%s", decision.public_id,
                    decision.donation.public_id, decision.campaign.public_id, decision.amount_fen, decision.binding or "-")
    return decisions


def _limits_of(plan: _Plan) -> list[Limit]:
    """Every limit the plan may draw on: its caps and each pool's open tranche."""
    if plan.reason or plan.desired.fen <= 0:
        return []
    campaign, now = plan.found.campaign, plan.donation.confirmed_at
    tranches = [t for t in (p.open_tranche(now) for p in plan.found.pools) if t is not None]
    return [_tranche_limit(campaign, t) for t in tranches] + plan.caps


def _tranche_limit(campaign: Campaign, tranche: Tranche) -> Limit:
    return Limit(f"tranche:{tranche.pk}", tranche.amount_fen, min(campaign.shards, tranche.amount_fen), "pool")


def _already_matched(plans: list[_Plan]) -> set[tuple[int, str, int]]:
    """(campaign, donor key, project) already matched, for campaigns that count unique donors."""
    unique = [plan for plan in plans if plan.found.campaign.unique_donors_only and not plan.reason]
    if not unique:
        return set()
    return set(MatchDecision.objects.filter(
        campaign_id__in={plan.found.campaign.pk for plan in unique}, donor_key__in={plan.key for plan in unique},
        project_id__in={plan.donation.project_id for plan in unique}, amount_fen__gt=0,
    ).values_list("campaign_id", "donor_key", "project_id"))


def _decide(plan: _Plan, book: counters.Book | None, matched: set) -> tuple[MatchDecision, list[str]]:
    """Draw the plan's match from its pools in order, within its caps (from ``book`` if given)."""
    donation, campaign, now = plan.donation, plan.found.campaign, plan.donation.confirmed_at
    project = donation.project
    fen, takes, binding, pool_ids = 0, [], plan.reason, []
    once = (campaign.pk, plan.key, project.pk)
    if not binding and campaign.unique_donors_only and once in matched:
        binding = "donor_already_matched"
    if not binding and plan.desired.fen > 0:
        for pool_config in plan.found.pools:
            pool, tranche = pool_config.pool, pool_config.open_tranche(now)
            if tranche is None:
                continue
            limits = [_tranche_limit(campaign, tranche), *plan.caps]
            want = plan.desired.fen - fen
            taken = book.take(limits, want) if book is not None else counters.take(campaign.pk, limits, want)
            fen += taken.fen
            takes += taken.takes
            if taken.fen:
                pool_ids.append(pool.public_id)
            binding = taken.binding
            if fen == plan.desired.fen or binding != "pool":
                break  # satisfied, or a cap (shared by all pools) binds
        else:
            binding = binding or "no_open_pool"
        if fen == 0 and not binding:
            binding = "no_open_pool"
    if fen > 0:
        matched.add(once)
    decision = MatchDecision(
        campaign=campaign, donation=donation, project=project, org=donation.recipient_org, team=_team_of(donation, project),
        donor_key=plan.key, donation_fen=donation.amount_fen, desired_fen=plan.desired.fen, amount_fen=fen,
        rule=plan.desired.rule, seed=plan.seed if campaign.rule_kind == "random" else "", binding=binding, takes=takes,
        decided_at=now,
    )
    return decision, pool_ids


def match_entry_fields(decision: MatchDecision, pool_ids: list[str]) -> dict:
    """The ledger fields of a match: enough to re-run the rule (the seed) and to add up pools."""
    return {
        "donation": decision.donation.public_id,
        "campaign": decision.campaign.public_id,
        "pools": pool_ids,
        "amount_fen": decision.amount_fen,
        "currency": "CNY",
        "project": decision.project.public_id,
        "org": decision.org.public_id,
        "rule": decision.rule,
        "seed": decision.seed,
        "time": rfc3339(decision.decided_at),
    }


def _team_named(project: Project, attribution: str) -> Team | None:
    """The approved team of the project an attribution ``team:<public id>`` names, if any."""
    if not attribution.startswith(TEAM_PREFIX):
        return None
    return Team.objects.filter(public_id=attribution[len(TEAM_PREFIX):], project=project, status=Team.Status.APPROVED).first()


def _team_of(donation: Donation, project: Project) -> Team | None:
    return _team_named(project, donation.intent.attribution)


def check_team_attribution(project: Project, attribution: str) -> None:
    """giving.hooks.ATTRIBUTION_CHECKS: a gift may name only an approved team of its project."""
    if _team_named(project, attribution) is None:
        raise InvalidInput("no approved team of this project has that id", field="team")


# --- claw-backs ---------------------------------------------------------------------------------

def _claw_back(decision: MatchDecision, fen: int, *, why: str, actor=None, reason: str = "") -> dict:
    """Take back ``fen`` of a decision's match (the caller holds its row lock). Returns what goes
    back to which counter shard (empty if the campaign keeps claw-backs out of the pool); the
    caller gives it back, in counter order."""
    fen = min(fen, decision.net_fen)
    if fen <= 0:
        return {}
    campaign = decision.campaign
    returns: dict = {}
    if campaign.refund_returns_to_pool:
        returns, decision.takes = counters.split_return(decision.takes, fen)
    decision.clawed_back_fen += fen
    if decision.net_fen == 0:
        decision.status = MatchStatus.CLAWED_BACK
    decision.save(update_fields=["clawed_back_fen", "status", "takes"])
    outbox_append(
        entry_type="match_clawback",
        subject_id=new_public_id(),
        fields={
            "match": decision.public_id,
            "campaign": campaign.public_id,
            "amount_fen": fen,
            "currency": "CNY",
            "project": decision.project.public_id,
            "why": why,
            "returned_to_pool": campaign.refund_returns_to_pool,
            "time": rfc3339(timezone.now()),
        },
    )
    if actor is not None:
        audit_record(actor=actor, action="match.claw_back", target=decision, reason=reason, data={"amount_fen": fen})
    return returns


def match_on_refund(refund, donation: Donation) -> None:
    """giving.hooks.REFUND_RECORDED: the refunded share of the gift loses its match."""
    decision = MatchDecision.objects.select_for_update().select_related("campaign", "project", "donation").filter(donation=donation).first()
    if decision is None:
        return
    remaining = donation.amount_fen - donation.refunded_fen
    keep = decision.amount_fen * remaining // donation.amount_fen
    counters.give_back(decision.campaign_id, _claw_back(decision, decision.net_fen - keep, why="refund"))
    risk.flag(decision, "donate_then_refund", f"refunded {refund.amount_fen} fen")


# --- operators ----------------------------------------------------------------------------------

class Action:
    FREEZE = "freeze"
    RELEASE = "release"
    CLAW_BACK = "claw_back"


_FROM = {
    Action.FREEZE: (MatchStatus.PENDING, MatchStatus.RELEASED),
    Action.RELEASE: (MatchStatus.PENDING, MatchStatus.FROZEN),
    Action.CLAW_BACK: (MatchStatus.PENDING, MatchStatus.FROZEN, MatchStatus.RELEASED),
}


def decisions_in_scope(campaign: Campaign, *, donation: str = "", project: str = "", org: str = "") -> QuerySet[MatchDecision]:
    """A campaign's matches of one donation, project or organization (public ids)."""
    given = [(name, value) for name, value in (("donation", donation), ("project", project), ("org", org)) if value]
    if len(given) != 1:
        raise InvalidInput("choose exactly one of a donation, a project or an organization", field="scope")
    name, value = given[0]
    return MatchDecision.objects.filter(campaign=campaign, **{f"{name}__public_id": value}, amount_fen__gt=0)


def match_act(*, actor, action: str, decisions: QuerySet[MatchDecision], reason: str) -> int:
    """Freeze, release or claw back matches (operators only, with a reason); returns how many changed."""
    if not getattr(actor, "is_operator", False):
        raise NotFound("no such page")
    if action not in _FROM:
        raise InvalidInput(f"action must be one of {', '.join(_FROM)}", field="action")
    if not reason.strip():
        raise InvalidInput("every action on matches needs a reason", field="reason")
    changed = 0
    with transaction.atomic(durable=True):
        rows = list(decisions.filter(status__in=_FROM[action]).select_related("campaign", "project", "donation")
                    .select_for_update(of=("self",)).order_by("pk"))
        if action == Action.CLAW_BACK:
            # Give back in one sorted pass, the order every donor takes counters in.
            returns: dict = {}
            for decision in rows:
                for (key, shard), fen in _claw_back(decision, decision.net_fen, why="operator", actor=actor, reason=reason).items():
                    at = (decision.campaign_id, key, shard)
                    returns[at] = returns.get(at, 0) + fen
                changed += 1
            for (campaign_id, key, shard), fen in sorted(returns.items()):
                counters.give_back(campaign_id, {(key, shard): fen})
        else:
            status = MatchStatus.FROZEN if action == Action.FREEZE else MatchStatus.RELEASED
            for decision in rows:
                decision.status = status
                decision.save(update_fields=["status"])
                audit_record(actor=actor, action=f"match.{action}", target=decision, reason=reason)
                changed += 1
    logger.info("match_action action=%s count=%s", action, changed)
    return changed


def matches_release_due(now: dt.datetime | None = None) -> int:
    """Release pending matches of campaigns whose review window has closed (frozen ones stay)."""
    now = now or timezone.now()
    released = 0
    for campaign in Campaign.objects.filter(ends_at__lt=now):
        if campaign.ends_at + dt.timedelta(days=campaign.review_days) <= now:
            released += MatchDecision.objects.filter(campaign=campaign, status=MatchStatus.PENDING).update(status=MatchStatus.RELEASED)
    return released


def org_ban(*, actor, org: Organization, until: dt.datetime, reason: str, campaign: Campaign | None = None) -> OrgBan:
    if not getattr(actor, "is_operator", False):
        raise NotFound("no such page")
    if not reason.strip():
        raise InvalidInput("a ban needs a reason", field="reason")
    if until <= timezone.now():
        raise InvalidInput("a ban must end in the future", field="until")
    with transaction.atomic():  # also from the back office's add view, which is in a transaction
        ban = OrgBan.objects.create(org=org, campaign=campaign, until=until, reason=reason.strip(), created_by=actor)
        audit_record(actor=actor, action="matching.ban", target=org, reason=reason,
                     data={"until": rfc3339(until), "campaign": campaign.public_id if campaign else None})
    return ban


# --- campaigns ----------------------------------------------------------------------------------

def campaign_check(campaign: Campaign) -> None:
    """The configuration problems that would make a published campaign wrong."""
    if campaign.rule_kind == "tiers":
        try:
            validate_tiers(campaign.tiers)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="tiers") from exc
    for field in ("cap_donor_day_fen", "cap_donor_project_fen", "cap_project_fen", "cap_org_fen"):
        value = getattr(campaign, field)
        if value is not None and value < 0:
            raise InvalidInput("a cap cannot be negative", field=field)
    if campaign.pk is None:
        return
    for pool in campaign.pools.all():
        total = pool.tranches.aggregate(total=Sum("amount_fen"))["total"] or 0
        if total != pool.total_fen:
            raise InvalidInput(f"pool {pool.name!r}: tranches add up to {total} fen, the pool is {pool.total_fen}", field="pools")
        if pool.tranches.filter(Q(opens_at__lt=campaign.starts_at) | Q(opens_at__gte=campaign.ends_at)).exists():
            raise InvalidInput(f"pool {pool.name!r}: every tranche must open during the campaign", field="pools")


def pool_add(*, campaign: Campaign, sponsor, name: str, total_fen: int, tranches: list[tuple[dt.datetime, int]] | None = None,
             priority: int = 1) -> Pool:
    """A pool with its tranches (default: the whole budget from the campaign's start)."""
    validate_fen(total_fen)
    tranches = tranches or [(campaign.starts_at, total_fen)]
    if sum(amount for _at, amount in tranches) != total_fen:
        raise InvalidInput("the tranches must add up to the pool's total", field="tranches")
    with transaction.atomic():
        if MatchDecision.objects.filter(campaign=campaign).exists():
            raise Conflict("pools cannot be added once matches were decided", code="campaign_started")
        pool = Pool.objects.create(campaign=campaign, sponsor=sponsor, name=name, total_fen=total_fen, priority=priority)
        for opens_at, amount in tranches:
            validate_fen(amount)
            Tranche.objects.create(pool=pool, opens_at=opens_at, amount_fen=amount)
        campaign_check(campaign)
    return pool


# --- teams --------------------------------------------------------------------------------------

def team_create(*, leader, project: Project, name: str, goal_fen: int, story: str = "", cover=None) -> Team:
    """A supporter's team page; it waits for the organization's approval if the project asks for it."""
    if not getattr(leader, "is_authenticated", False):
        raise NotFound("sign in to create a team")
    if not name.strip():
        raise InvalidInput("a team needs a name", field="name")
    validate_fen(goal_fen, field="goal")
    needs_approval = TeamPolicy.objects.filter(project=project, requires_approval=True).exists()
    with transaction.atomic(durable=True):
        team = Team.objects.create(
            project=project, leader=leader, name=name.strip()[:60], goal_fen=goal_fen, story=story.strip(),
            cover=cover or "", status=Team.Status.PENDING if needs_approval else Team.Status.APPROVED,
        )
        audit_record(actor=leader, action="team.create", target=team)
    return team


def team_decide(*, actor, team: Team, approve: bool, reason: str = "") -> Team:
    """The project's organization (admin or editor) approves or rejects a pending team."""
    org = team.project.recipient_org if team.project.partner_org_id is None else team.project.org
    if not Membership.objects.filter(org=org, user=actor, role__in=(Role.ADMIN, Role.EDITOR)).exists():
        raise NotFound("no such team in your console")
    if team.status != Team.Status.PENDING:
        raise Conflict("this team was already decided", code="team_decided")
    with transaction.atomic(durable=True):
        team.status = Team.Status.APPROVED if approve else Team.Status.REJECTED
        team.save(update_fields=["status"])
        audit_record(actor=actor, action="team.approve" if approve else "team.reject", target=team, reason=reason)
    return team


def team_policy_set(*, actor, project: Project, requires_approval: bool) -> TeamPolicy:
    """The organization's administrator decides whether new team pages of the project wait for
    approval (teams already live stay live)."""
    if not Membership.objects.filter(org=project.org, user=actor, role=Role.ADMIN).exists():
        raise NotFound("no such project in your console")
    with transaction.atomic(durable=True):
        policy, _ = TeamPolicy.objects.update_or_create(project=project, defaults={"requires_approval": requires_approval})
        audit_record(actor=actor, action="team.policy", target=project, data={"requires_approval": requires_approval})
    return policy
