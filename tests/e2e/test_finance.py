"""The finance flow in a browser: a finance member records a disbursement with a receipt photo
and submits it, another administrator approves it on a phone, it is marked paid, and the public
project page shows it with its figures, its chart and its ledger status."""

import io
import re

import pytest
from PIL import Image

from commonweal.disclosure.models.spending import Disbursement
from commonweal.ledger.models import OutboxEntry
from tests.disclosure.spending_support import jpeg_bytes
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


def _receipt_photo() -> bytes:
    """A 'photo' of a receipt, with the camera's EXIF and a GPS position."""
    image = Image.open(io.BytesIO(jpeg_bytes(size=(900, 1200), colour=(245, 240, 230), exif=True)))
    from PIL import ImageDraw

    draw = ImageDraw.Draw(image)
    for y in range(150, 1050, 90):
        draw.rectangle((120, y, 780, y + 30), fill=(90, 90, 90))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (26.0, 34.0, 12.0), 3: "E", 4: (106.0, 42.0, 30.0)}
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


def test_record_approve_pay_and_see_it_on_the_project_page(live_server, desktop_page, small_phone_page, mobile_page, screenshot):
    base = live_server.url
    org = make_org(make_user("admin@chunmiao.example.org"), name="春苗儿童公益基金会")
    project = make_project(org, title_zh="山区学校净水计划", title_en="Clean water for mountain schools")
    approver = add_member(org, "admin", user=make_user("lihua@chunmiao.example.org"))
    finance = add_member(org, "finance", user=make_user("caiwu@chunmiao.example.org"))
    donate(project, 5_000_000, donor_name="张三")
    lines = {line.name: line for line in project.budget_lines.all()}

    # 1. The finance member records the purchase with a photo of the receipt.
    page = desktop_page
    _sign_in(page, base, f"/console/{org.public_id}/disbursements/", finance.email)
    page.get_by_role("link", name="登记支出").click()
    page.wait_for_url(f"**/projects/{project.public_id}/disbursements/new/")
    page.get_by_label("预算项目").select_option(str(lines["图书"].position))
    page.get_by_label("支出类型").select_option("purchase")
    page.get_by_label("金额（元）").fill("12,800.50")
    page.get_by_label("支出用途").fill("采购儿童读物 640 册（新华书店，发票号 0012345）")
    page.get_by_label("发票、收据或照片").set_input_files(
        files=[{"name": "receipt.jpg", "mimeType": "image/jpeg", "buffer": _receipt_photo()}]
    )
    screenshot(page, "finance-disbursement-form")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url(re.compile(r"/disbursements/[0-9a-z]{26}/$"))
    page.get_by_text("支出已保存为草稿").wait_for()
    d = Disbursement.objects.get()
    assert (d.amount_fen, d.status, d.created_by) == (1_280_050, "draft", finance)
    evidence = d.evidence.get()
    with Image.open(evidence.file.path) as stored:
        assert dict(stored.getexif()) == {}  # no camera, no GPS
    thumbnail = page.get_by_role("img", name=re.compile("凭证"))
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle())
    page.get_by_role("button", name="提交批准").click()
    page.get_by_text("支出已提交批准").wait_for()
    assert page.get_by_text("这笔支出是您登记的").count() == 0  # finance cannot approve anyway: no button
    assert page.get_by_role("button", name="批准").count() == 0
    screenshot(page, "finance-disbursement-submitted")
    assert page.errors == [], page.errors

    # 2. Another administrator approves it, on a phone.
    phone = small_phone_page
    _sign_in(phone, base, f"/console/{org.public_id}/disbursements/?status=submitted", approver.email)
    screenshot(phone, "admin-disbursement-queue-mobile")
    phone.get_by_role("link", name="山区学校净水计划 · 图书").click()
    phone.wait_for_url(f"**/disbursements/{d.public_id}/")
    assert phone.get_by_text("采购儿童读物 640 册").is_visible()
    screenshot(phone, "admin-disbursement-approve-mobile")
    phone.get_by_role("button", name="批准", exact=True).click()
    phone.get_by_text("支出已批准").wait_for()
    d.refresh_from_db()
    assert (d.status, d.approved_by) == ("approved", approver)
    assert phone.errors == [], phone.errors

    # 3. Finance marks it paid: the ledger entry is written.
    page.reload()
    page.get_by_role("button", name="标记为已支付").click()
    page.get_by_text("支出已标记为已支付，并记入公开账本").wait_for()
    d.refresh_from_db()
    assert d.status == "paid"
    assert OutboxEntry.objects.filter(entry_type="disbursement", subject_id=d.public_id).exists()
    screenshot(page, "finance-disbursement-paid")

    # 4. Anyone sees it on the project page: figures, chart, table, and the paid disbursement.
    public = mobile_page
    public.goto(f"{base}/projects/{project.public_id}/#finances")
    section = public.locator("#finances")
    section.get_by_role("heading", name="善款去向").wait_for()
    assert "¥12,800.50" in section.inner_text()
    assert "采购儿童读物" not in public.content()  # the description stays private
    chart = section.get_by_role("img", name=re.compile("预算与支出图表"))
    chart.scroll_into_view_if_needed()
    public.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    paid_row = section.locator(".paid-list li").first
    assert "图书 · 采购物资或服务" in paid_row.inner_text() and "¥12,800.50" in paid_row.inner_text()
    assert "等待记账" in paid_row.inner_text()
    screenshot(public, "project-finances-mobile")
    assert public.errors == [], public.errors

    desktop = page
    desktop.goto(f"{base}/projects/{project.public_id}/")
    desktop.locator("#finances").scroll_into_view_if_needed()
    screenshot(desktop, "project-finances-desktop")
    desktop.goto(f"{base}/orgs/{org.public_id}/annual/")
    desktop.get_by_role("heading", level=1).wait_for()
    screenshot(desktop, "org-annual-report")
    assert desktop.errors == [], desktop.errors
