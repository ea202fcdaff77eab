"""The match decided at confirmation: rules, pools, caps, eligibility, the ledger entry."""

import datetime as dt
import json
import re

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from commonweal.giving.models import MonthlyPlan
from commonweal.ledger.models import OutboxEntry
from commonweal.matching.counters import Book, Limit, split_return
from commonweal.matching.models import Counter, MatchDecision
from commonweal.matching.rules import random_permille
from tests.conftest import on_postgres
from tests.factories import donate, make_org, make_project, make_user
from tests.matching.factories import entry_fields, make_campaign

pytestmark = pytest.mark.django_db


def test_fixed_ratio_match_is_recorded_with_its_rule_and_ledger_entry():
    project = make_project(make_org())
    campaign = make_campaign(pools=(50_000,), ratio_num=1, ratio_den=2)
    donation = donate(project, 10_000)
    decision = donation.match
    assert (decision.campaign, decision.amount_fen, decision.desired_fen, decision.rule) == (campaign, 5_000, 5_000, "fixed 1:2")
    entry = OutboxEntry.objects.get(entry_type="match", subject_id=decision.public_id)
    fields = entry_fields(entry)
    assert fields["amount_fen"] == 5_000 and fields["donation"] == donation.public_id
    assert fields["pools"] == [campaign.pools.get().public_id]


def test_pool_runs_out_exactly_and_later_gifts_record_why():
    project = make_project(make_org())
    make_campaign(pools=(15_000,))
    first, second, third = (donate(project, 10_000).match for _ in range(3))
    assert (first.amount_fen, second.amount_fen, third.amount_fen) == (10_000, 5_000, 0)
    assert (second.binding, third.binding) == ("pool", "pool")
    assert Counter.objects.aggregate(used=Sum("used_fen"))["used"] == 15_000


def test_second_pool_takes_over_where_the_first_ends():
    project = make_project(make_org())
    make_campaign(pools=(3_000, 100_000))
    decision = donate(project, 10_000).match
    assert decision.amount_fen == 10_000
    assert len(entry_fields(OutboxEntry.objects.get(entry_type="match"))["pools"]) == 2


def test_tiers_pick_the_highest_tier_reached():
    project = make_project(make_org())
    make_campaign(rule_kind="tiers", tiers=[{"min_fen": 100, "num": 1, "den": 2}, {"min_fen": 10_000, "num": 1, "den": 1}])
    assert donate(project, 9_999).match.amount_fen == 4_999
    assert donate(project, 10_000).match.amount_fen == 10_000


def test_random_rule_is_reproducible_from_the_recorded_seed():
    project = make_project(make_org())
    make_campaign(pools=(10_000_000,), rule_kind="random", ratio_num=1, ratio_den=1)
    decisions = [donate(project, 1_000).match for _ in range(30)]
    for decision in decisions:
        k = random_permille(decision.seed, 1, 1)
        assert decision.amount_fen == 1_000 * k // 1000
        assert decision.rule == f"random 1:1 k={k}‰"
    assert len({d.amount_fen for d in decisions}) > 5  # really random


def test_caps_per_donor_per_day_and_project_and_per_project():
    org = make_org()
    a, b = make_project(org), make_project(org)
    donor = make_user()
    make_campaign(pools=(10_000_000,), cap_donor_day_fen=15_000, cap_donor_project_fen=12_000, cap_project_fen=30_000)
    assert donate(a, 10_000, donor=donor).match.amount_fen == 10_000
    second = donate(a, 10_000, donor=donor).match
    assert (second.amount_fen, second.binding) == (2_000, "cap_donor_project")
    third = donate(b, 10_000, donor=donor).match
    assert (third.amount_fen, third.binding) == (3_000, "cap_donor_day")
    # The next day the donor's daily cap starts again.
    tomorrow = timezone.now() + dt.timedelta(days=1)
    assert donate(b, 5_000, donor=donor, paid_at=tomorrow).match.amount_fen == 5_000
    # Project cap binds across donors.
    others = [donate(a, 10_000, donor=make_user()).match.amount_fen for _ in range(3)]
    assert others == [10_000, 8_000, 0]


def test_organization_cap_and_quota_from_funds_executed():
    org = make_org()
    project = make_project(org)
    make_campaign(pools=(10_000_000,), cap_org_fen=50_000, quota_percent=100)
    # Nothing paid out in the last year: the quota is 0.
    decision = donate(project, 10_000).match
    assert (decision.amount_fen, decision.binding) == (0, "cap_org")


def test_minimum_monthly_first_only_and_unique_donors():
    org = make_org()
    project = make_project(org)
    donor = make_user()
    make_campaign(pools=(10_000_000,), min_donation_fen=1_000, unique_donors_only=True)
    small = donate(project, 999, donor=donor).match
    assert (small.amount_fen, small.binding) == (0, "below_minimum")
    assert donate(project, 1_000, donor=donor).match.amount_fen == 1_000
    repeat = donate(project, 1_000, donor=donor).match
    assert (repeat.amount_fen, repeat.binding) == (0, "donor_already_matched")
    assert MonthlyPlan.objects.count() == 0


def test_projects_outside_the_campaign_are_not_matched():
    org = make_org()
    project = make_project(org)
    other = make_project(make_org())
    campaign = make_campaign()
    campaign.orgs.add(org)
    assert donate(project, 1_000).match.amount_fen == 1_000
    donation = donate(other, 1_000)
    assert not MatchDecision.objects.filter(donation=donation).exists()


def test_campaign_not_started_matches_nothing():
    project = make_project(make_org())
    make_campaign(starts_at=timezone.now() + dt.timedelta(hours=1))
    donation = donate(project, 1_000)
    assert not MatchDecision.objects.filter(donation=donation).exists()


def test_daily_tranche_opens_at_its_time():
    project = make_project(make_org())
    now = timezone.now()
    start = now - dt.timedelta(hours=1)
    make_campaign(starts_at=start, pools=(30_000,), tranches=[[(start, 10_000), (now + dt.timedelta(hours=2), 20_000)]])
    assert donate(project, 8_000).match.amount_fen == 8_000
    assert donate(project, 8_000).match.amount_fen == 2_000  # today's tranche is used up
    later = now + dt.timedelta(hours=3)
    assert donate(project, 8_000, paid_at=later).match.amount_fen == 8_000


def test_a_project_overdue_for_its_progress_report_is_not_matched_until_it_reports():
    from commonweal.disclosure.services.reporting import report_publish
    from tests.disclosure.reporting_support import long_project, make_team

    team = make_team()
    late = long_project(team, started_days_ago=200)
    make_campaign(pools=(100_000,))
    decision = donate(late, 1_000).match
    assert (decision.amount_fen, decision.binding) == (0, "report_overdue")
    report_publish(project=late, actor=team.admin, title="第一批图书到校", body="一千二百册图书已送达十二所学校。")
    # The overdue state is remembered per process; a report saved here forgets it at once.
    assert donate(late, 1_000).match.amount_fen == 1_000


def test_a_report_published_by_another_process_counts_at_once():
    """An overdue state is remembered for a second only: another worker's report (here, saved
    without this process's invalidation signals) makes the gifts after that eligible."""
    import time

    from django.db.models.signals import post_save

    from commonweal.disclosure.services.reporting import report_publish
    from commonweal.matching import config
    from commonweal.projects.models import ProjectUpdate
    from tests.disclosure.reporting_support import long_project, make_team

    team = make_team()
    late = long_project(team, started_days_ago=200)
    make_campaign(pools=(100_000,))
    assert donate(late, 1_000).match.binding == "report_overdue"
    assert post_save.disconnect(sender=ProjectUpdate, dispatch_uid="matching-config-save-ProjectUpdate")
    try:
        report_publish(project=late, actor=team.admin, title="第一批图书到校", body="一千二百册图书已送达十二所学校。")
    finally:
        post_save.connect(config.invalidate, sender=ProjectUpdate, dispatch_uid="matching-config-save-ProjectUpdate")
    time.sleep(config.TTL_SECONDS + 0.1)
    assert donate(late, 1_000).match.amount_fen == 1_000


def test_an_unverified_organization_is_not_matched():
    from commonweal.orgs.models import Organization

    org = make_org()
    project = make_project(org)
    make_campaign(pools=(100_000,))
    Organization.objects.filter(pk=org.pk).update(verification_status="submitted")
    decision = donate(project, 1_000).match
    assert (decision.amount_fen, decision.binding) == (0, "org_not_verified")


def test_only_the_first_payment_of_a_monthly_gift_is_matched():
    from commonweal.giving.services import monthly_charge, plan_create

    project = make_project(make_org())
    make_campaign(pools=(1_000_000,), hours=24 * 70)
    donor = make_user()
    today = timezone.localdate()
    plan = plan_create(donor=donor, project=project, amount_fen=3_000, today=today)
    assert monthly_charge(plan=plan, today=today) == "succeeded"
    plan.refresh_from_db()
    assert monthly_charge(plan=plan, today=plan.next_charge_on) == "succeeded"
    first, second = MatchDecision.objects.filter(donation__monthly_plan=plan).order_by("pk")
    assert (first.amount_fen, second.amount_fen, second.binding) == (3_000, 0, "monthly_repeat")


def test_refund_of_a_match_drawn_from_two_pools_returns_its_share_once():
    takes = [["cap", 0, 3], ["tranche:1", 0, 1], ["cap", 0, 2], ["tranche:2", 0, 4]]
    returns, left = split_return(takes, 2)
    # The cap held the whole match (5): it gives back 2; the pools gave 1 + 4: the last one gives 2.
    assert returns == {("cap", 0): 2, ("tranche:2", 0): 2}
    assert sorted(left) == sorted([["cap", 0, 3], ["tranche:1", 0, 1], ["tranche:2", 0, 2]])


def test_a_book_locking_part_of_a_limit_locks_the_rest_before_calling_it_short():
    campaign = make_campaign(pools=(10_000,))
    limit = Limit("project:test", 8_000, 4, "cap_project")  # four shards of 2,000
    book = Book(campaign.pk, [limit], demand={"project:test": 500})
    assert len(book.rows["project:test"]) == 1  # 2 × 500 fits in one shard
    taken = book.take([limit], 7_000)
    book.save()
    assert (taken.fen, taken.binding) == (7_000, "")
    assert Counter.objects.filter(campaign=campaign, key="project:test").aggregate(s=Sum("used_fen"))["s"] == 7_000
    again = Book(campaign.pk, [limit], demand={"project:test": 5_000})
    short = again.take([limit], 5_000)
    assert (short.fen, short.binding) == (1_000, "cap_project")


def test_a_book_whose_window_of_shards_is_used_up_reads_and_locks_the_whole_limit():
    """A book reads a window of a limit's shards (counters.READ_WINDOW) from a random one on; when
    they have no room it must still find the one shard that has, wherever it is."""
    campaign = make_campaign(pools=(10_000,))
    limit = Limit("project:test", 32_000, 32, "cap_project")  # 32 shards of 1,000
    Counter.objects.bulk_create([Counter(campaign=campaign, key="project:test", shard=s, limit_fen=1_000,
                                         used_fen=0 if s == 20 else 1_000) for s in range(32)])
    locked = set()
    for _ in range(12):  # windows from random shards: most miss shard 20
        with transaction.atomic():
            book = Book(campaign.pk, [limit], demand={"project:test": 100})
            locked.add(len(book.rows["project:test"]))
            taken = book.take([limit], 100)
            assert (taken.fen, taken.binding) == (100, "")
            transaction.set_rollback(True)
    assert locked <= {1, 32} and 32 in locked


@pytest.mark.skipif(not on_postgres(), reason="query plans are PostgreSQL's")
def test_a_books_read_and_lock_look_up_each_shard_even_on_statistics_older_than_the_counters():
    """At a campaign's opening the counter table's statistics predate its rows (autovacuum has
    not analyzed them yet): the book's read and lock must still be one index lookup per
    (key, shard), not a scan of every counter of the campaign at every batch."""
    campaign = make_campaign()
    Counter.objects.bulk_create([Counter(campaign=campaign, key=f"donor-day:p{n}:2026-12-07", shard=0, limit_fen=50_000)
                                 for n in range(5_000)])
    limits = [Limit(f"donor-day:p{n}:2026-12-07", 50_000, 1, "cap_donor_day") for n in range(0, 5_000, 100)]
    statements = []

    def capture(execute, sql, params, many, context):
        if sql.lstrip().startswith("SELECT"):
            statements.append((sql, params))
        return execute(sql, params, many, context)

    with transaction.atomic(), connection.execute_wrapper(capture):
        Book(campaign.pk, limits, demand={limit.key: 100 for limit in limits})
    assert len(statements) == 2  # the read without locks, then the lock
    for sql, params in statements:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = json.dumps(cursor.fetchone()[0])
        scans = re.findall(r'"Node Type": "([^"]+)", [^{}]*?"Relation Name": "matching_counter"', plan)
        assert scans and set(scans) == {"Index Scan"}, (sql, plan)
        assert '"Index Name": "counter_unique_shard"' in plan
