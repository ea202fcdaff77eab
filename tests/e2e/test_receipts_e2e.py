"""Browser tests: a donor asks for a receipt on a phone, finance issues it on a desktop, the donor
prints it; a visitor reports a project with a photo; the scorecard page on a small phone. No CSP
violation or failed request on any page, and nothing wider than the phone's screen."""

import io
import re

import pytest
from PIL import Image

from commonweal.disclosure.models import Complaint
from commonweal.disclosure.services.scorecard import scorecard_recompute
from commonweal.giving.models import DonationReceipt
from tests.factories import add_member, donate, make_org, make_project, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def _sign_in(page, base: str, path: str, email: str) -> None:
    page.goto(base + path)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_url(base + path)
    page.errors.clear()  # allauth's sign-in page is not ours


def _fits(page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page is {width[0]}px wide on a {width[1]}px screen"


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (180, 40, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_donor_asks_finance_issues_donor_prints(live_server, desktop_page, mobile_page, screenshot):
    base = live_server.url
    org = make_org(name="春苗儿童公益基金会")
    project = make_project(org, title_zh="山区学校净水计划")
    donor = make_user("donor@example.org")
    finance = add_member(org, "finance", user=make_user("finance@chunmiao.example.org"))
    donate(project, 20_000, donor=donor, donor_name="小李")

    # 1. The donor, on a phone, asks for a receipt from My donations.
    page = mobile_page
    _sign_in(page, base, "/me/donations/", donor.email)
    page.get_by_role("link", name="申请收据").click()
    page.get_by_label("收据抬头（姓名）").fill("李明")
    _fits(page)
    screenshot(page, "receipt-ask-mobile")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r"/me/receipts/[0-9a-z]{26}/$"))
    assert page.get_by_text("已申请，尚未开具").is_visible()
    assert page.errors == []

    # 2. Finance, on a desktop, issues it from the console queue.
    desk = desktop_page
    _sign_in(desk, base, f"/console/{org.public_id}/receipts/", finance.email)
    assert desk.get_by_text("李明").is_visible()
    screenshot(desk, "receipt-console-queue")
    desk.get_by_role("button", name="开具收据").click()
    receipt = DonationReceipt.objects.get()
    desk.wait_for_url(f"**/console/{org.public_id}/receipts/{receipt.public_id}/")
    assert desk.get_by_text(receipt.number).first.is_visible()
    assert desk.errors == []

    # 3. The donor opens the printable receipt: the print button appears (external script only).
    page.goto(f"{base}/me/receipts/{receipt.public_id}/")
    assert page.get_by_role("button", name="打印").is_visible()
    assert page.get_by_text("人民币贰佰元整").is_visible()
    _fits(page)
    screenshot(page, "receipt-mobile")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="打印").is_visible()  # the bar is not printed
    screenshot(page, "receipt-print")
    assert page.errors == []


def test_visitor_reports_a_project_with_a_photo(live_server, mobile_page, screenshot):
    base = live_server.url
    project = make_project(make_org(name="绿洲公益基金会"), title_zh="沙漠植树")
    page = mobile_page
    page.goto(f"{base}/projects/{project.public_id}/")
    page.get_by_role("link", name="举报这个项目的问题").click()
    page.get_by_label("挪用善款").check()
    page.get_by_label("详细情况").fill("项目照片与实际地点不符。")
    page.get_by_label("您的电子邮箱").fill("witness@example.org")
    page.get_by_label("证据（选填）").set_input_files(files=[{"name": "proof.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}])
    _fits(page)
    screenshot(page, "complaint-form-mobile")
    page.get_by_role("button", name="提交举报").click()
    page.wait_for_url(re.compile(r"/complaints/[0-9a-z]{26}/received/$"))
    complaint = Complaint.objects.get()
    assert page.get_by_text(complaint.respond_by.isoformat()).is_visible()
    assert complaint.evidence_content_type == "image/jpeg"
    screenshot(page, "complaint-received-mobile")
    assert page.errors == []


def test_scorecard_page_on_a_small_phone(live_server, small_phone_page, screenshot):
    org = make_org(name="春苗儿童公益基金会")
    donate(make_project(org), 50_000)
    scorecard_recompute(org=org)
    page = small_phone_page
    page.goto(f"{live_server.url}/orgs/{org.public_id}/")
    assert page.get_by_role("heading", name="机构评分").is_visible()
    page.get_by_role("link", name="每项指标统计什么、评分如何计算").click()
    page.wait_for_url(f"**/orgs/{org.public_id}/scorecard/")
    _fits(page)
    screenshot(page, "scorecard-small-phone")
    assert page.errors == []
