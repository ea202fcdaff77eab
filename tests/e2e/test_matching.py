"""A donor sees the expected match while choosing an amount, pays, and the campaign page — open
in another tab — shows the pool going down without a reload (htmx polling)."""

import re

import pytest

from tests.factories import donate, make_operator, make_org, make_project, make_user
from tests.matching.factories import make_campaign

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_donor_sees_the_expected_match_and_the_campaign_page_updates(live_server, mobile_page, desktop_page, screenshot):
    operator = make_operator()
    org = make_org(operator=operator, name="春苗儿童公益基金会")
    project = make_project(org, operator=operator, title_zh="乡村儿童阅读角")
    campaign = make_campaign(pools=(100_000,), ratio_num=1, ratio_den=1, cap_donor_day_fen=99_900)
    donate(project, 30_000, donor=make_user())  # ¥300 matched already: ¥700 left of ¥1,000

    board = desktop_page
    board.goto(live_server.url + f"/campaigns/{campaign.slug}/")
    assert board.get_by_role("heading", level=1).inner_text() == campaign.name_zh
    pool_left = board.locator(".pool-left").first
    assert pool_left.inner_text() == "¥700.00"
    assert board.get_by_role("heading", name="项目筹款排行").is_visible()
    screenshot(board, "matching-01-campaign-desktop")

    page = mobile_page
    page.goto(live_server.url + f"/projects/{project.public_id}/")
    assert page.get_by_role("link", name=campaign.name_zh).is_visible()
    page.get_by_role("link", name="我要捐款").click()
    page.wait_for_url("**/donate/")
    expected = page.locator("#expected-match")
    expected.get_by_text("预计配捐：¥10.00").wait_for()  # the default ¥10
    page.get_by_label("¥50", exact=True).check()
    expected.get_by_text("预计配捐：¥50.00").wait_for()
    page.get_by_label("其他金额（元）").fill("88.8")
    expected.get_by_text("预计配捐：¥88.80").wait_for()
    screenshot(page, "matching-02-expected-match-mobile")
    page.get_by_label("我已阅读项目信息").check()
    page.get_by_role("button", name="去支付").click()
    page.wait_for_url("**/pay/sandbox/**")
    page.get_by_role("button", name="支付（沙箱）").click()
    assert page.get_by_role("heading", level=1).inner_text() == "感谢您的捐赠！"

    # The campaign page polls every 3 s: ¥700 − ¥88.80.
    board.locator(".pool-left", has_text=re.compile(r"¥611\.20")).wait_for(timeout=10_000)
    assert board.locator(".campaign-matched").inner_text() == "¥388.80"
    screenshot(board, "matching-03-campaign-updated-desktop")


def test_the_organization_admin_requires_approval_of_team_pages(live_server, mobile_page, screenshot):
    from tests.e2e.test_console import _sign_in

    org = make_org(name="春苗儿童公益基金会")
    project = make_project(org, title_zh="乡村儿童阅读角")
    page = mobile_page
    _sign_in(page, live_server.url, f"/console/{org.public_id}/teams/", org.memberships.get().user.email)
    page.wait_for_url(re.compile(r"/teams/$"))
    box = page.get_by_label("须经审核")
    assert not box.is_checked()
    box.focus()
    page.keyboard.press("Space")  # the keyboard alone
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "保存"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text("已保存。").is_visible()
    assert page.get_by_label("须经审核").is_checked()
    screenshot(page, "matching-04-team-approval-mobile")
    project.team_policy.refresh_from_db()
    assert project.team_policy.requires_approval
