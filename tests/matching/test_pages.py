"""Campaign pages, the expected match on the donate form, team pages and the back office."""

import datetime as dt
import html

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.matching.models import Campaign, MatchStatus, OrgBan, Team
from commonweal.projects.models import Project
from commonweal.matching.services import team_policy_set
from tests.factories import add_member, donate, make_org, make_project, make_user
from tests.matching.factories import make_campaign

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def test_campaign_page_shows_pools_leaderboards_and_the_live_block(client):
    org = make_org()
    popular, quiet = make_project(org, title_zh="热门项目"), make_project(org, title_zh="安静项目")
    campaign = make_campaign(pools=(100_000,))
    donate(popular, 30_000, donor=make_user())
    donate(popular, 10_000, donor=make_user())
    donate(quiet, 500, donor=make_user())
    page = _text(client.get(reverse("campaign-detail", args=[campaign.slug])))
    assert "¥595.00" in page  # ¥1,000 − ¥405 matched
    assert page.index("热门项目") < page.index("安静项目")
    assert 'hx-trigger="every 3s"' in page
    live = _text(client.get(reverse("campaign-live", args=[campaign.slug])))
    assert "¥595.00" in live and "<html" not in live
    donate(quiet, 20_000, donor=make_user())
    assert "¥395.00" in _text(client.get(reverse("campaign-live", args=[campaign.slug])))
    assert client.get(reverse("campaign-detail", args=["no-such-campaign"])).status_code == 404
    assert campaign.name_zh in _text(client.get(reverse("campaign-list")))


def test_the_donate_form_shows_the_expected_match_before_paying(client):
    project = make_project(make_org())
    make_campaign(pools=(100_000,), ratio_num=1, ratio_den=2, cap_donor_day_fen=3_000, min_donation_fen=1_000)
    page = _text(client.get(reverse("donate", args=[project.public_id])))
    assert reverse("expected-match", args=[project.public_id]) in page
    url = reverse("expected-match", args=[project.public_id])
    assert "预计配捐：¥5.00" in _text(client.get(url, {"amount": "1000"}))
    assert "预计配捐：¥7.50" in _text(client.get(url, {"amount": "other", "custom_amount": "15"}))
    assert "单笔 ¥10.00 起可获配捐" in _text(client.get(url, {"amount": "100"}))
    # A signed-in donor sees the daily cap: ¥100 would ask ¥50, the cap leaves ¥30.
    client.force_login(make_user())
    assert "预计配捐：约 ¥30.00" in _text(client.get(url, {"amount": "10000"}))


def test_no_campaign_no_panel(client):
    project = make_project(make_org())
    page = _text(client.get(reverse("donate", args=[project.public_id])))
    assert reverse("expected-match", args=[project.public_id]) not in page


def test_teams_count_for_the_team_and_the_project_and_can_need_approval(client):
    org = make_org()
    project = make_project(org)
    make_campaign(pools=(100_000,))
    leader = make_user()
    client.force_login(leader)
    response = client.post(reverse("team-new", args=[project.public_id]), {"name": "跑步团", "goal": "500", "story": "一起跑"})
    team = Team.objects.get(name="跑步团")
    assert response.status_code == 302 and team.status == Team.Status.APPROVED
    page = _text(client.get(reverse("team-detail", args=[team.public_id])))
    donate_url = reverse("donate", args=[project.public_id]) + f"?team={team.public_id}"
    assert donate_url in page.replace("&amp;", "&")
    form = _text(client.get(donate_url))
    assert f'value="{team.public_id}"' in form
    donation = donate(project, 2_000, attribution=f"team:{team.public_id}")
    team.refresh_from_db()
    assert (team.raised_fen, team.donation_count, donation.match.team_id) == (2_000, 1, team.pk)
    assert "跑步团" in _text(client.get(reverse("project-teams", args=[project.public_id])))
    assert "跑步团" in _text(client.get(reverse("project-detail", args=[project.public_id])))
    # With approval required, a new team waits, and gifts cannot name it.
    team_policy_set(actor=org.memberships.get().user, project=project, requires_approval=True)
    client.post(reverse("team-new", args=[project.public_id]), {"name": "待审团", "goal": "100"})
    pending = Team.objects.get(name="待审团")
    assert pending.status == Team.Status.PENDING
    from commonweal.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        donate(project, 1_000, attribution=f"team:{pending.public_id}")
    client.force_login(org.memberships.get().user)
    client.post(reverse("console-team-decide", args=[org.public_id, pending.public_id]), {"decision": "approve"})
    pending.refresh_from_db()
    assert pending.status == Team.Status.APPROVED


def test_team_form_errors_are_specific(client):
    project = make_project(make_org())
    client.force_login(make_user())
    page = _text(client.post(reverse("team-new", args=[project.public_id]), {"name": "x", "goal": "1.234"}))
    assert "小数" in page or "decimal" in page
    assert not Team.objects.exists()


def test_child_plans_roll_up_into_the_parent(client):
    org = make_org()
    parent = make_project(org, title_zh="全省计划")
    counties = [make_project(org, title_zh=f"县 {n}") for n in range(2)]
    Project.objects.filter(pk__in=[c.pk for c in counties]).update(parent=parent)
    donate(parent, 1_000)
    donate(counties[0], 2_000)
    donate(counties[1], 3_000)
    page = _text(client.get(reverse("project-detail", args=[parent.public_id])))
    assert "含 2 个子计划：共筹得 ¥60.00" in page


def test_operators_configure_a_campaign_in_the_back_office(operator_client):
    now = timezone.now()
    data = {
        "slug": "99-2026", "name_zh": "99公益日", "name_en": "", "description_zh": "", "description_en": "",
        "status": "draft", "starts_at_0": now.strftime("%Y-%m-%d"), "starts_at_1": "10:00:00",
        "ends_at_0": (now + dt.timedelta(days=3)).strftime("%Y-%m-%d"), "ends_at_1": "10:00:00", "review_days": "7",
        "domains": "[]", "rule_kind": "tiers", "ratio_num": "1", "ratio_den": "1", "tiers": '[{"min_fen": 0}]',
        "min_donation_fen": "100", "shards": "16",
        "sponsors-TOTAL_FORMS": "1", "sponsors-INITIAL_FORMS": "0", "sponsors-0-name_zh": "腾讯", "sponsors-0-name_en": "",
        "pools-TOTAL_FORMS": "0", "pools-INITIAL_FORMS": "0",
    }
    page = _text(operator_client.post(reverse("admin:matching_campaign_add"), data))
    assert "tier 1 must have exactly min_fen, num and den" in page
    data["tiers"] = '[{"min_fen": 100, "num": 1, "den": 1}]'
    response = operator_client.post(reverse("admin:matching_campaign_add"), data)
    assert response.status_code == 302, _text(response)[:3000]
    assert Campaign.objects.get(slug="99-2026").sponsors.get().name_zh == "腾讯"


def test_the_risk_queue_is_sorted_by_money_at_risk_and_actions_need_a_reason(operator_client):
    project = make_project(make_org())
    campaign = make_campaign(pools=(1_000_000,))
    donor = make_user()
    small = [donate(project, 100, donor=donor, payer="w") for _ in range(5)]
    big = donate(project, 90_000, donor=donor, payer="w")
    page = _text(operator_client.get(reverse("admin:matching_matchdecision_changelist") + "?flag=any"))
    assert page.index(big.match.donation.public_id) < page.index(small[4].public_id)
    url = reverse("admin:matching_matchdecision_changelist") + "?flag=any"
    form = {"action": "freeze", helpers.ACTION_CHECKBOX_NAME: [big.match.pk]}
    asked = _text(operator_client.post(url, form))
    assert "Reason" in asked or "原因" in asked
    operator_client.post(url, {**form, "apply": "1", "reason": "scripted bursts"}, follow=True)
    big.match.refresh_from_db()
    assert big.match.status == MatchStatus.FROZEN
    assert campaign.decisions.filter(status=MatchStatus.FROZEN).count() == 1


def test_operators_ban_an_organization_with_a_reason(operator_client):
    org = make_org()
    until = timezone.now() + dt.timedelta(days=30)
    response = operator_client.post(reverse("admin:matching_orgban_add"), {
        "org": org.pk, "until_0": until.strftime("%Y-%m-%d"), "until_1": "10:00:00", "reason": "reimbursed donors",
    })
    assert response.status_code == 302
    assert OrgBan.objects.get(org=org).created_by.is_staff


def test_the_organization_admin_turns_team_approval_on_in_the_console(client):
    org = make_org()
    admin = org.memberships.get().user
    project = make_project(org)
    page = reverse("console-teams", args=[org.public_id])
    client.force_login(admin)
    assert "立即上线" not in _text(client.get(page))  # an admin sees the form, not the state
    answer = client.post(reverse("console-team-policy", args=[org.public_id, project.public_id]), {"requires_approval": "on"})
    assert answer.status_code == 302
    assert project.team_policy.requires_approval
    assert AuditEvent.objects.filter(action="team.policy", target_id=project.public_id, actor=admin).exists()
    assert "checked" in _text(client.get(page))
    # A new team now waits for approval.
    client.force_login(make_user())
    client.post(reverse("team-new", args=[project.public_id]), {"name": "审核中的团", "goal": "100"})
    assert Team.objects.get(name="审核中的团").status == Team.Status.PENDING
    # An editor sees the setting but cannot change it; an unticked box turns approval off.
    editor = add_member(org, "editor")
    client.force_login(editor)
    shown = _text(client.get(page))
    assert "须经审核" in shown and "requires_approval" not in shown
    assert client.post(reverse("console-team-policy", args=[org.public_id, project.public_id]), {}).status_code in (403, 404)
    client.force_login(admin)
    client.post(reverse("console-team-policy", args=[org.public_id, project.public_id]), {})
    project.team_policy.refresh_from_db()
    assert not project.team_policy.requires_approval
