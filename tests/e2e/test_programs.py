"""The program office in a browser: the public portfolio dashboard with its chart and its
drill-down, a program manager running a stage gate, and a lab project's gate history on a phone."""

import datetime as dt
import re

import pytest

from commonweal.core.domains import Domain
from commonweal.programs.models import GateReview, OfficeRole, Stage
from commonweal.programs.services import commitment_create, gate_review_record, grant_payment_record
from tests.e2e.test_reporting import sign_in
from tests.factories import make_org
from tests.programs.factories import make_fund, make_lab, make_lab_project, make_office

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dashboard_drill_down_and_gate_history(live_server, desktop_page, mobile_page, screenshot):
    base = live_server.url
    manager = make_office(email="manager@office.example.org")
    finance = make_office(OfficeRole.FINANCE, email="finance@office.example.org")
    fund = make_fund(total_fen=10_000_000_00)
    org = make_org(name="青山气候行动中心")
    c1 = commitment_create(
        actor=manager, fund=fund, domain=Domain.CARBON_NEUTRALITY, year=2026, amount_fen=200_000_00, program="CarbonX",
        recipient_name=org.name_zh, recipient_org=org, region="云南省", source_kind="grant",
    )
    grant_payment_record(commitment=c1, amount_fen=50_000_00, paid_on=dt.date(2026, 4, 1), created_by=manager, approved_by=finance)
    commitment_create(
        actor=manager, fund=fund, domain=Domain.BASIC_SCIENCE, year=2026, amount_fen=300_000_00, program="XPLORER Prize",
        recipient_name="王小明", recipient_kind="individual", region="北京市", source_kind="grant",
    )
    lab = make_lab(manager, fund, budget_fen=100_000_00)
    project = make_lab_project(manager, lab, title="太阳能农产品烘干")
    gate_review_record(
        actor=manager, project=project, to=Stage.INCUBATING, decision="reject", criteria="用户需求", evidence="访谈 5 人",
        reasons="证据不足", reviewers=[manager, finance],
    )

    # 1. The public dashboard: figures, chart, per-domain table; drill into carbon neutrality.
    page = desktop_page
    page.goto(f"{base}/programs/")
    page.get_by_role("heading", name="基金组合").wait_for()
    text = page.inner_text("main")
    assert "已承诺" in text and "合计\t¥800,000.00\t¥600,000.00\t¥50,000.00" in text  # allocated, committed, paid
    chart = page.get_by_role("img", name=re.compile("各领域分配、承诺与支付金额图表"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    screenshot(page, "programs-portfolio")
    page.get_by_role("link", name="碳中和").first.click()
    page.wait_for_url(re.compile(r"/programs/funds/[0-9a-z]{26}/\?domain=carbon_neutrality"))
    table = page.locator("table.pf-commitments")
    assert "青山气候行动中心" in table.inner_text() and "¥50,000.00" in table.inner_text()
    assert "王小明" not in page.content()  # another domain, and an individual anyway
    page.get_by_label("年份").select_option("2026")
    page.get_by_role("button", name="显示").click()
    page.wait_for_url(re.compile(r"year=2026"))
    assert page.locator("dd[data-figure=committed]").get_attribute("data-fen") == str(300_000_00)
    screenshot(page, "programs-fund-drilldown")
    assert page.errors == [], page.errors

    # 2. A program manager runs the gate again with better evidence, and approves it.
    sign_in(page, base, "/programs/office/", manager.email)
    page.goto(f"{base}/programs/lab-projects/{project.public_id}/")
    page.get_by_role("link", name="项目办公室").first.wait_for()  # the nav entry for office members
    page.get_by_role("link", name="进行阶段评审").click()
    page.get_by_label("进入阶段").select_option(Stage.INCUBATING)
    page.get_by_label("已批准").check()
    page.get_by_label("评审标准", exact=True).fill("问题真实存在；受益人群明确")
    page.get_by_label("提交的证据", exact=True).fill("访谈农户 40 户，烘干损耗 30%")
    page.get_by_label("证据链接（每行一个）").fill("https://example.org/interviews.pdf")
    page.get_by_label("finance", exact=True).check()
    page.get_by_label("决定理由").fill("需求明确，进入孵化")
    screenshot(page, "programs-gate-form")
    page.get_by_role("button", name="记录决定").click()
    page.get_by_text("阶段评审决定已记录").wait_for()
    gate = GateReview.objects.get(decision="approve")
    assert (gate.from_stage, gate.to_stage, set(gate.reviewers.all())) == ("idea", "incubating", {finance})
    history = page.locator(".gate-list > li")
    assert history.count() == 2
    assert "证据不足" in history.nth(0).inner_text() and "需求明确，进入孵化" in history.nth(1).inner_text()
    screenshot(page, "programs-gate-history")
    assert page.errors == [], page.errors

    # 3. On a phone, anyone reads the lab and the project's gate history.
    phone = mobile_page
    phone.goto(f"{base}/programs/labs/")
    phone.get_by_role("link", name="碳实验室").click()
    phone.get_by_role("heading", name="使命指标").wait_for()
    phone.get_by_role("link", name="太阳能农产品烘干").click()
    phone.get_by_role("heading", name="阶段评审记录").wait_for()
    assert "访谈农户 40 户" in phone.inner_text("main") and "2 位评审人" in phone.inner_text("main")
    assert "finance@office.example.org" not in phone.content()  # reviewers are counted in public
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    screenshot(phone, "programs-gate-history-mobile")
    assert phone.errors == [], phone.errors


def test_a_manager_keeps_a_labs_indicator_on_a_phone(live_server, mobile_page, screenshot):
    """Add an indicator from the lab's page, set targets and record a result, all by keyboard
    and touch on a phone; the lab's page then shows where it stands."""
    base = live_server.url
    manager = make_office(email="manager@office.example.org")
    lab = make_lab(manager, make_fund())
    page = mobile_page
    sign_in(page, base, "/programs/office/", manager.email)
    page.goto(f"{base}/programs/labs/{lab.public_id}/")
    page.get_by_role("link", name="添加指标").click()
    page.get_by_label("中文名称").fill("受益农户")
    page.get_by_label("单位", exact=True).fill("户")
    page.get_by_role("button", name="添加该指标").click()
    page.get_by_text("指标已添加").wait_for()
    page.get_by_label("目标", exact=True).fill("2026-Q1 | 100\n2026-Q2 | 200")
    page.get_by_role("button", name="保存目标").click()
    page.get_by_text("目标已保存").wait_for()
    page.get_by_label("期间", exact=True).fill("2026-Q1")
    page.get_by_label("实际值").fill("120")
    page.get_by_label("证明材料", exact=True).fill("入户核查 120 户")
    page.get_by_label("证明链接").fill("https://example.org/survey-2026q1.pdf")
    page.get_by_role("button", name="登记该结果").click()
    page.get_by_text("结果已登记").wait_for()
    text = page.inner_text("main")
    assert "受益农户" in text and "120" in text and "100" in text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone: {width}px"
    screenshot(page, "programs-indicator-office-mobile")
    page.get_by_role("link", name="碳实验室").click()
    page.get_by_role("heading", name="成效指标").wait_for()
    assert "受益农户" in page.inner_text("main")
    assert page.errors == [], page.errors
