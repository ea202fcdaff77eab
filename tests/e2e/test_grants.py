"""A prize round in a browser: an applicant applies with two referees, each referee uploads a
letter through the private link in their email (no account), a reviewer scores on the rubric, a
program manager awards, the grantee reports, two finance members pay the first installment (four
eyes), and the fund portfolio dashboard shows the award."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone

from commonweal.core.domains import Domain
from commonweal.programs.grants.models import Application, Assignment, Award, Referee
from commonweal.programs.grants.services import call_create, program_create, reviewer_add, round_create
from commonweal.programs.models import Commitment, OfficeRole
from tests.e2e.conftest import DESKTOP, _open
from tests.e2e.test_finance import _sign_in  # the shared allauth sign-in steps
from tests.factories import make_user
from tests.programs.factories import make_fund, make_office
from tests.programs.grants.factories import PDF, RUBRIC, YEAR

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

def test_apply_refer_review_award_and_portfolio(live_server, browser, mobile_page, small_phone_page, desktop_page, screenshot):
    base = live_server.url
    manager = make_office(OfficeRole.MANAGER, "manager@office.example.org")
    fund = make_fund(total_fen=100_000_000_00, year=YEAR, allocations={Domain.BASIC_SCIENCE: 50_000_000_00})
    program = program_create(actor=manager, kind="prize", name_zh="探索奖", name_en="Explorer Prize",
                             domain=Domain.BASIC_SCIENCE, fund=fund, fields=["数学", "物理"])
    today = timezone.localdate()
    call = call_create(
        actor=manager, program=program, title_zh=f"{YEAR} 年探索奖", title_en="Explorer Prize", year=YEAR,
        opens_on=today - dt.timedelta(days=5), closes_on=today + dt.timedelta(days=25), budget_fen=15_000_000_00,
        award_amount_fen=3_000_000_00, installments=5, rubric=RUBRIC, max_age=45, max_age_women=48,
        women_limit_from_year=2024, require_full_time=True, eligible_regions=["mainland", "hong_kong", "macao"],
        referees_self=2, form_fields=[{"key": "title", "label_zh": "研究题目", "label_en": "Research title", "type": "text", "required": True}],
    )
    final = round_create(actor=manager, call=call, kind="final", defence_at=timezone.now() + dt.timedelta(days=40),
                         defence_place="北京")
    reviewer_user = make_user("reviewer@pku.example.org")
    reviewer_add(actor=manager, program=program, user=reviewer_user, name="赵评审", institution="北京大学")
    applicant = make_user("lin@sysu.example.org")

    # 1. The applicant applies on a phone, naming two referees.
    page = mobile_page
    page.goto(f"{base}/grants/calls/{call.public_id}/")
    screenshot(page, "grants-call")
    _sign_in(page, base, f"/grants/calls/{call.public_id}/apply/", applicant.email)
    page.get_by_label("姓名", exact=True).fill("林一")
    page.get_by_label("女", exact=True).check()
    page.get_by_label("出生日期").fill(f"{YEAR - 47}-05-01")
    page.get_by_label("单位", exact=True).fill("中山大学")
    page.get_by_label("职位所在地").select_option("mainland")
    page.get_by_label("省份", exact=True).select_option("广东省")
    page.get_by_label("我有全职职位").check()
    page.get_by_label("领域", exact=True).select_option("物理")
    page.get_by_label("合作者").fill("王五")
    for n, (name, email) in enumerate((("陈教授", "chen@fudan.example.org"), ("周研究员", "zhou@cas.example.org")), start=1):
        page.get_by_label(f"推荐人 {n}：姓名").fill(name)
        page.get_by_label(f"推荐人 {n}：邮箱").fill(email)
    page.get_by_label("研究题目").fill("二维材料中的拓扑物态")
    screenshot(page, "grants-apply-form")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/grants/applications/[0-9a-z]{26}/$"))
    page.get_by_text("您的申请已提交").wait_for()
    assert page.get_by_text("等待推荐信").count() == 2
    assert page.get_by_text(f"出生于 {YEAR - 47}-05-01：符合女性年龄上限").count() == 1
    screenshot(page, "grants-application-status")
    application = Application.objects.get()
    assert application.applicant == applicant and application.current_round == final

    # 2. Each referee opens the private link from the email and uploads the letter, no account.
    links = {m.to[0]: re.search(r"(/grants/referee/[A-Za-z0-9_-]{43}/)", m.body).group(1) for m in mail.outbox}
    assert set(links) == {"chen@fudan.example.org", "zhou@cas.example.org"}
    referee_page = small_phone_page
    for email, link in links.items():
        referee_page.goto(base + link)
        referee_page.get_by_label("您的推荐信").set_input_files(
            files=[{"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        referee_page.get_by_role("button", name="上传推荐信").click()
        referee_page.get_by_text("谢谢。已收到您的推荐信。").wait_for()
    screenshot(referee_page, "grants-referee-upload")
    assert Referee.objects.exclude(letter="").count() == 2
    referee_page.goto(base + "/grants/referee/" + "A" * 43 + "/")
    assert referee_page.get_by_text("Not Found").count() + referee_page.locator("h1").count() >= 1
    referee_page.errors.clear()

    # 3. The program manager assigns the reviewer in the final round.
    page = desktop_page
    round_path = f"/grants/office/rounds/{final.public_id}/"
    _sign_in(page, base, round_path, manager.email)
    page.get_by_role("button", name="分配").click()
    page.get_by_text("评审人已分配。").wait_for()
    assignment = Assignment.objects.get()
    assert assignment.status == "assigned"

    # 4. The reviewer scores on the rubric (n/a for one criterion).
    context, reviewer_page = _open(browser, DESKTOP)
    try:
        review_path = f"/grants/review/{assignment.public_id}/"
        _sign_in(reviewer_page, base, review_path, reviewer_user.email)
        assert reviewer_page.get_by_role("heading", name="其他评审人的评分").count() == 0
        reviewer_page.get_by_label("原创性").select_option("4")
        reviewer_page.get_by_label("严谨性").select_option("5")
        reviewer_page.get_by_label("影响").select_option("na")
        screenshot(reviewer_page, "grants-review-form")
        reviewer_page.get_by_role("button", name="提交评审").click()
        reviewer_page.get_by_text("您的评审已提交。").wait_for()
        assert reviewer_page.get_by_text("4.50").count() == 1
        screenshot(reviewer_page, "grants-review-submitted")
        assert reviewer_page.errors == []
    finally:
        context.close()

    # 5. The manager sees the average and makes the award, with a reason.
    page.reload()
    assert page.get_by_test_id("average").inner_text() == "4.50"
    page.get_by_label("决定").select_option("award")
    page.get_by_label("原因").fill("答辩表现优秀，研究方向具有原创性。")
    page.get_by_label("首期付款日期（授奖时）").fill(f"{YEAR}-10-15")
    screenshot(page, "grants-round-ranking")
    page.get_by_role("button", name="记录决定").click()
    page.get_by_text("决定已记录。").wait_for()
    award = Award.objects.get()
    commitment = Commitment.objects.get()
    assert (award.commitment, commitment.amount_fen, commitment.source_kind) == (commitment, 3_000_000_00, "grant")
    assert list(award.installments.values_list("amount_fen", flat=True)) == [600_000_00] * 5

    # 6. The grantee sees the award and its schedule, and reports on the first installment.
    mobile_page.reload()
    mobile_page.get_by_text("已获奖").first.wait_for()
    screenshot(mobile_page, "grants-awarded")
    mobile_page.get_by_label("本期报告").fill("第一年：组建团队，完成样品制备。")
    mobile_page.get_by_role("button", name="提交报告").click()
    mobile_page.get_by_text("已收到您的报告。").wait_for()

    # 7. One finance member proposes the payment, another approves it (four eyes).
    first, second = make_office(OfficeRole.FINANCE, "cw1@office.example.org"), make_office(OfficeRole.FINANCE, "cw2@office.example.org")
    for user, step in ((first, "propose"), (second, "approve")):
        context, finance_page = _open(browser, DESKTOP)
        try:
            _sign_in(finance_page, base, "/grants/finance/", user.email)
            if step == "propose":
                finance_page.get_by_role("button", name="提议付款").click()
                finance_page.get_by_text("已提议付款，由另一位财务人员审批。").wait_for()
                # The proposer is not offered the approval.
                assert finance_page.get_by_role("button", name="批准并记录付款").count() == 0
                screenshot(finance_page, "grants-finance-proposed")
            else:
                finance_page.get_by_label("付款日期").fill(f"{YEAR}-10-16")
                finance_page.get_by_role("button", name="批准并记录付款").click()
                finance_page.get_by_text("付款已批准并记入公开账本。").wait_for()
            assert finance_page.errors == []
        finally:
            context.close()
    payment = award.installments.get(number=1).payment
    assert (payment.created_by, payment.approved_by, payment.amount_fen) == (first, second, 600_000_00)

    # 8. The portfolio dashboard shows the award: committed ¥3M, paid ¥600k.
    page.goto(f"{base}/programs/")
    assert page.locator("[data-figure=committed]").first.get_attribute("data-fen") == str(3_000_000_00)
    assert page.locator("[data-figure=paid]").first.get_attribute("data-fen") == str(600_000_00)
    screenshot(page, "grants-portfolio")
    # The fund's drill-down by region counts the award in the province of the position.
    page.goto(f"{base}/programs/funds/{fund.public_id}/")
    page.get_by_role("link", name="广东省", exact=True).click()
    page.wait_for_url(re.compile(r"region="))
    assert page.locator("[data-figure=committed]").first.get_attribute("data-fen") == str(3_000_000_00)
    screenshot(page, "grants-portfolio-region")
    assert page.errors == [] and mobile_page.errors == []
