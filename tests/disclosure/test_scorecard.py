"""Organization scorecards: the formula on constructed facts, the facts measured on data built
through the services, the pages that explain them, and the ranking that uses the score."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from commonweal.disclosure.models import OrgScorecard
from commonweal.disclosure.scorecard_tasks import next_run, recompute_scorecards
from commonweal.disclosure.selectors.scorecard import ScorecardFacts, component_values, org_scorecard, score_of
from commonweal.disclosure.services.complaints import complaint_decide, complaint_submit
from commonweal.disclosure.services.reporting import report_publish
from commonweal.disclosure.services.scorecard import scorecard_recompute
from commonweal.projects.selectors import project_list
from commonweal.projects.services import project_transition
from tests.disclosure.reporting_support import long_project, make_team
from tests.disclosure.spending_support import make_world, paid
from tests.factories import donate, make_operator, make_org, make_project, make_project_in

pytestmark = pytest.mark.django_db


# --- the formula ---------------------------------------------------------------------------------

def test_every_fact_measured():
    facts = ScorecardFacts(
        clock_projects=4, clock_on_time=3,  # R = 3/4
        public_projects=4, with_budget=4, with_reports=2, spending_projects=2, with_evidenced_spending=1,  # C = (1 + 1/2 + 1/2) / 3
        net_received_fen=10_000, spent_fen=5_000,  # S = 1/2
        complaints_upheld=1,  # K = 3/4
    )
    # 30·3/4 + 30·2/3 + 20·1/2 + 20·3/4 = 22.5 + 20 + 10 + 15 = 67.5, rounded half up
    assert score_of(facts) == 68


def test_nothing_but_complaints_measured_gives_no_score():
    assert score_of(ScorecardFacts()) is None
    assert score_of(ScorecardFacts(complaints_upheld=2)) is None


def test_unmeasured_facts_are_left_out_and_the_rest_scaled():
    facts = ScorecardFacts(public_projects=2, with_budget=2, with_reports=2, complaints_upheld=4)
    values = component_values(facts)
    assert values["reports"] is None and values["spending"] is None and values["completeness"] == 1 and values["complaints"] == 0
    assert score_of(facts) == 60  # 100 × (30·1 + 20·0) / 50


def test_spending_counts_at_most_one_and_complaints_at_least_zero():
    facts = ScorecardFacts(net_received_fen=100, spent_fen=250, complaints_upheld=9)
    assert component_values(facts)["spending"] == 1 and component_values(facts)["complaints"] == 0
    assert score_of(facts) == 50


@given(
    clock=st.integers(0, 50), on_time=st.integers(0, 50), public=st.integers(0, 50), budget=st.integers(0, 50),
    reports=st.integers(0, 50), spending=st.integers(0, 50), evidenced=st.integers(0, 50),
    net=st.integers(0, 10 ** 12), spent=st.integers(0, 10 ** 12), upheld=st.integers(0, 20),
)
def test_the_score_is_always_between_0_and_100(clock, on_time, public, budget, reports, spending, evidenced, net, spent, upheld):
    facts = ScorecardFacts(
        clock_projects=clock, clock_on_time=min(on_time, clock), public_projects=public, with_budget=min(budget, public),
        with_reports=min(reports, public), spending_projects=min(spending, public),
        with_evidenced_spending=min(evidenced, spending, public), net_received_fen=net, spent_fen=spent,
        complaints_upheld=upheld,
    )
    score = score_of(facts)
    assert score is None or 0 <= score <= 100


# --- facts measured on data built through the services ---------------------------------------------

def _uphold(project, operator, *, days_ago=0):
    now = timezone.now() - dt.timedelta(days=days_ago)
    complaint = complaint_submit(project=project, reason="misuse", details="问题", reporter_email="r@example.org", now=now)
    complaint_decide(complaint=complaint, actor=operator, outcome="upheld", note="成立", now=now)


def test_the_facts_of_an_organization():
    world = make_world()  # a fundraising project with ¥80,000 donated
    org, operator = world.org, make_operator()
    executing = world.project
    project_transition(project=executing, to="executing", actor=world.admin)
    paid(world, 2_000_000)  # ¥20,000 paid, with a receipt photo
    report_publish(project=executing, actor=world.admin, title="第一批图书到校", body="已送达 1200 册。")
    team = make_team()
    # Another org's projects never count; neither do drafts.
    make_project(team.org)
    make_project_in("draft", org)
    late = long_project(make_team_for(org), started_days_ago=200, admin=world.admin)  # first progress report due ~110 days ago
    donate(late, 1_000_000)
    quiet = make_project(org, admin=world.admin)  # fundraising, no report, no money
    _uphold(quiet, operator)
    _uphold(quiet, operator, days_ago=400)  # older than 12 months: not counted
    not_upheld = complaint_submit(project=quiet, reason="other", details="?", reporter_email="r@example.org")
    complaint_decide(complaint=not_upheld, actor=operator, outcome="not_upheld", note="不成立")

    card = scorecard_recompute(org=org)

    assert (card.public_projects, card.with_budget, card.with_reports) == (3, 3, 1)
    assert (card.spending_projects, card.with_evidenced_spending) == (1, 1)  # only the executing one left fundraising
    assert (card.clock_projects, card.clock_on_time) == (3, 2)  # `late` is overdue
    assert (card.net_received_fen, card.spent_fen) == (9_000_000, 2_000_000)
    assert card.complaints_upheld == 1
    # R = 2/3, C = (1 + 1/3 + 1)/3 = 7/9, S = 2/9, K = 3/4:
    # 20 + 70/3 + 40/9 + 15 = 62.78 -> 63
    assert card.score == 63
    assert OrgScorecard.objects.count() == 1
    # Recomputing replaces the row.
    assert scorecard_recompute(org=org).pk == card.pk and OrgScorecard.objects.count() == 1


def make_team_for(org):
    from tests.disclosure.reporting_support import Team
    from tests.factories import add_member

    return Team(org=org, admin=org.memberships.filter(role="admin").first().user, editor=add_member(org, "editor"),
                finance=add_member(org, "finance"))


def test_a_paid_disbursement_without_evidence_is_not_complete():
    world = make_world()
    project_transition(project=world.project, to="executing", actor=world.admin)
    paid(world, 100_000)
    from commonweal.disclosure.models import Evidence

    Evidence.objects.filter(disbursement__project=world.project).delete()  # as if lost: the fact must notice
    card = scorecard_recompute(org=world.org)
    assert (card.spending_projects, card.with_evidenced_spending) == (1, 0)


def test_the_command_and_the_nightly_task():
    org = make_org()
    make_project(org)
    call_command("recompute_scorecards")
    assert OrgScorecard.objects.filter(org=org).exists()
    call_command("recompute_scorecards", org=org.public_id)
    assert recompute_scorecards.call(reschedule=False) == 1
    now = dt.datetime(2026, 11, 23, 20, 0, tzinfo=dt.UTC)  # 04:00 in Beijing
    assert next_run(now) == dt.datetime(2026, 11, 24, 19, 0, tzinfo=dt.UTC)  # 03:00 the next day


# --- pages --------------------------------------------------------------------------------------------

def test_the_org_page_shows_the_score_and_links_to_the_explanation(client):
    world = make_world()
    report_publish(project=world.project, actor=world.admin, title="进展", body="进展顺利。")
    card = scorecard_recompute(org=world.org)
    page = client.get(reverse("org-detail", args=[world.org.public_id])).content.decode()
    assert "机构评分" in page and f'<span class="big">{card.score}</span>' in page
    assert reverse("org-scorecard", args=[world.org.public_id]) in page
    assert "按时披露" in page and "信息披露完整度" in page and "支出比例" in page and "近 12 个月成立的投诉" in page


def test_the_scorecard_page_explains_each_figure_and_the_formula(client):
    world = make_world()
    card = scorecard_recompute(org=world.org)
    page = client.get(reverse("org-scorecard", args=[world.org.public_id])).content.decode()
    for text in ("30 × R + 30 × C + 20 × S + 20 × K", "尚未衡量", "统计什么、如何统计", f'<span class="big">{card.score}</span>',
                 "三个比例的平均值", "已支付的支出除以收到的资金"):
        assert text in page, text


def test_an_org_never_scored_says_so(client):
    org = make_org()
    assert "尚无评分" in client.get(reverse("org-scorecard", args=[org.public_id])).content.decode()
    assert "尚无评分" in client.get(reverse("org-detail", args=[org.public_id])).content.decode()
    assert org_scorecard(org=org) is None


def test_unknown_orgs_have_no_scorecard_page(client):
    assert client.get(reverse("org-scorecard", args=["01jnosuchorgxxxxxxxxxxxxxx"])).status_code == 404
    hidden = make_org(verified=False, qualified=False)
    assert client.get(reverse("org-scorecard", args=[hidden.public_id])).status_code == 404


def test_the_scorecard_page_in_english(client):
    world = make_world()
    scorecard_recompute(org=world.org)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("org-scorecard", args=[world.org.public_id])).content.decode()
    assert "On-time reports" in page and "What is counted, and how" in page


# --- ranking -------------------------------------------------------------------------------------------

def test_better_scored_organizations_rank_first_among_equals(client, django_assert_num_queries):
    operator = make_operator()
    good, poor, unscored = make_org(name="好机构"), make_org(name="差机构"), make_org(name="新机构")
    p_unscored = make_project(unscored, operator=operator, title_zh="新机构项目")
    p_poor = make_project(poor, operator=operator, title_zh="差机构项目")
    p_good = make_project(good, operator=operator, title_zh="好机构项目")
    p_poor_newest = make_project(poor, operator=operator, title_zh="差机构最新项目")
    report_publish(project=p_good, actor=good.memberships.get().user, title="进展", body="顺利。")
    _uphold(p_poor, operator)
    good_card, poor_card = scorecard_recompute(org=good), scorecard_recompute(org=poor)
    assert good_card.score > poor_card.score
    ranked = [p.pk for p in project_list()]
    assert ranked == [p_good.pk, p_poor_newest.pk, p_poor.pk, p_unscored.pk]
    # A later status still ranks after an earlier one whatever the score (fundraising first).
    project_transition(project=p_good, to="executing", actor=good.memberships.get().user)
    assert [p.pk for p in project_list()][-1] == p_good.pk
    # The list page still makes two queries (the score comes with the same join).
    with django_assert_num_queries(2):
        client.get(reverse("project-list"))
