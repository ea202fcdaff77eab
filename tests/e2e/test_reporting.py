"""An editor publishes an overdue progress report from the console on a phone; the public page
loses its "overdue" badge and shows the figures; a donor follows the project. In Chinese."""

import re

import pytest

from commonweal.projects.models import ProjectUpdate
from tests.disclosure.reporting_support import first_due, long_project, make_team

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def sign_in(page, base: str, path: str, email: str) -> None:
    page.goto(base + path)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(base + path)
    page.errors.clear()  # allauth's sign-in page is not ours


def test_an_overdue_project_publishes_its_report(live_server, mobile_page, small_phone_page, screenshot):
    base = live_server.url
    team = make_team()
    project = long_project(team, started_days_ago=120)
    page_url = f"{base}/projects/{project.public_id}/"

    # 1. The public page flags the missing report and says why.
    visitor = small_phone_page
    visitor.goto(page_url)
    assert visitor.get_by_role("heading", name="信息公开逾期").is_visible()
    assert visitor.get_by_text(f"进展报告应于 {first_due(project).isoformat()} 前发布").is_visible()
    assert visitor.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(visitor, "reporting-overdue-badge-small-phone")

    # 2. The editor publishes the report from the console, on a phone.
    page = mobile_page
    sign_in(page, base, f"/console/{team.org.public_id}/projects/{project.public_id}/", team.editor.email)
    assert page.get_by_role("heading", name="信息公开期限").is_visible()
    page.get_by_label("进展报告").check()
    page.get_by_label("标题").fill("第一批图书到校")
    page.get_by_label("正文").fill("一千二百册图书已送达十二所学校。")
    page.get_by_label("数据").fill("图书送达 | 1200 | 册\n受益学校 | 12 | 所")
    screenshot(page, "reporting-console-form-mobile")
    page.get_by_role("button", name="发布").click()
    page.get_by_text("进展已发布。").wait_for()
    assert ProjectUpdate.objects.get(project=project).figures[0] == {"label": "图书送达", "value": "1200", "unit": "册"}

    # 3. The public page: no badge, the next due date, the report with its figures; follow it.
    page.goto(page_url)
    assert page.get_by_text("按时公开").is_visible()
    assert page.get_by_role("heading", name="信息公开逾期").count() == 0
    report = page.get_by_role("article", name="第一批图书到校")
    assert report.get_by_text("1200 册").is_visible() and report.get_by_text("进展报告").is_visible()
    page.get_by_role("button", name="关注该项目").click()
    page.get_by_text("您已关注该项目，项目的新报告会通过邮件发送给您。").wait_for()
    assert page.get_by_role("button", name="不再接收报告邮件").is_visible()
    screenshot(page, "reporting-project-page-mobile")
    assert page.errors == [], page.errors
    assert visitor.errors == [], visitor.errors
