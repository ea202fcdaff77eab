"""Hypothesis drives gifts and refunds through the real services and compares every match with a
simple reference model of the rules: match = min(rule, pools left, each cap left), refunds claw
back the refunded share and, if the campaign says so, give it back to the pool and the caps."""

import datetime as dt
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test
from django.db.models import Sum
from django.utils import timezone

from commonweal.core.timeutil import shanghai_date
from commonweal.giving.services import refund_create
from commonweal.matching.models import Counter
from tests.factories import donate, make_org, make_project, make_user
from tests.matching.factories import make_campaign

NOW = timezone.now()
caps = st.one_of(st.none(), st.integers(min_value=0, max_value=30_000))


class Reference:
    """The rules, written the plain way."""

    def __init__(self, *, kind, tiers, pools, min_fen, day, donor_project, project, org, returns):
        self.kind, self.tiers, self.min_fen, self.returns = kind, tiers, min_fen, returns
        self.pools_left = sum(pools)
        self.limits = {"day": day, "donor_project": donor_project, "project": project, "org": org}
        self.used = defaultdict(int)

    def desired(self, amount):
        if self.kind == "fixed":
            return amount  # 1:1
        reached = [t for t in self.tiers if t[0] <= amount]
        return amount * reached[-1][1] // reached[-1][2] if reached else 0

    def keys(self, donor, project, org, day):
        return {"day": (donor, day), "donor_project": (donor, project), "project": project, "org": org}

    def match(self, amount, keys):
        if amount < self.min_fen:
            return 0
        room = [self.pools_left] + [self.limits[k] - self.used[k, v] for k, v in keys.items() if self.limits[k] is not None]
        fen = min([self.desired(amount)] + room)
        self.pools_left -= fen
        for k, v in keys.items():
            self.used[k, v] += fen
        return fen

    def refund(self, matched_net, matched, amount, remaining, keys):
        claw = matched_net - matched * remaining // amount
        if self.returns and claw > 0:
            self.pools_left += claw
            for k, v in keys.items():
                self.used[k, v] -= claw
        return claw


class MatchingMachine(RuleBasedStateMachine):
    @initialize(
        kind=st.sampled_from(["fixed", "tiers"]),
        pools=st.lists(st.integers(min_value=1, max_value=40_000), min_size=1, max_size=2),
        min_fen=st.integers(min_value=1, max_value=500),
        day=caps, donor_project=caps, project=caps, org=caps,
        returns=st.booleans(), shards=st.sampled_from([1, 3, 16]),
    )
    def setup(self, kind, pools, min_fen, day, donor_project, project, org, returns, shards):
        tiers = [(100, 1, 2), (5_000, 1, 1), (15_000, 3, 2)]
        self.orgs = [make_org(), make_org()]
        self.projects = [make_project(self.orgs[0]), make_project(self.orgs[0]), make_project(self.orgs[1])]
        self.donors = [make_user() for _ in range(3)]
        campaign = make_campaign(
            pools=pools, starts_at=NOW - dt.timedelta(hours=1), hours=72, rule_kind=kind,
            tiers=[{"min_fen": a, "num": n, "den": d} for a, n, d in tiers], min_donation_fen=min_fen,
            cap_donor_day_fen=day, cap_donor_project_fen=donor_project, cap_project_fen=project, cap_org_fen=org,
            refund_returns_to_pool=returns, shards=shards,
        )
        campaign.orgs.add(*self.orgs)  # earlier examples' campaigns cover only their own organizations
        self.campaign = campaign
        self.model = Reference(kind=kind, tiers=tiers, pools=pools, min_fen=min_fen, day=day,
                               donor_project=donor_project, project=project, org=org, returns=returns)
        self.gifts = []  # (donation, keys)

    @rule(donor=st.integers(0, 2), project=st.integers(0, 2), amount=st.integers(1, 20_000), later=st.booleans())
    def give(self, donor, project, amount, later):
        paid_at = NOW + dt.timedelta(days=1) if later else NOW
        target = self.projects[project]
        donation = donate(target, amount, donor=self.donors[donor], payer=f"w{self.donors[donor].pk}", paid_at=paid_at)
        keys = self.model.keys(donor, project, target.org_id, shanghai_date(paid_at))
        expected = self.model.match(amount, keys)
        assert donation.match.amount_fen == expected, (donation.match.binding, donation.match.rule)
        self.gifts.append((donation, keys))

    @precondition(lambda self: self.gifts)
    @rule(pick=st.integers(min_value=0), share=st.sampled_from([1, 2, 4]))
    def refund(self, pick, share):
        donation, keys = self.gifts[pick % len(self.gifts)]
        donation.refresh_from_db()
        left = donation.amount_fen - donation.refunded_fen
        if left == 0:
            return
        amount = max(1, left // share)
        decision = donation.match
        decision.refresh_from_db()
        net_before = decision.net_fen
        refund_create(donation=donation, amount_fen=amount, reason="donor asked", actor=donation.project.org.memberships.get(role="admin").user)
        decision.refresh_from_db()
        claw = self.model.refund(net_before, decision.amount_fen, donation.amount_fen, left - amount, keys)
        assert decision.clawed_back_fen - (decision.amount_fen - net_before) == claw

    @invariant()
    def pools_agree(self):
        if not hasattr(self, "campaign"):
            return
        used = Counter.objects.filter(campaign=self.campaign, key__startswith="tranche:").aggregate(s=Sum("used_fen"))["s"] or 0
        assert used == sum(self.campaign.pools.values_list("total_fen", flat=True)) - self.model.pools_left


@pytest.mark.django_db
def test_the_rule_engine_agrees_with_the_reference_model():
    run_state_machine_as_test(MatchingMachine, settings=settings(
        max_examples=20, stateful_step_count=14, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
