"""Receipt pages: the donor asks from My donations, finance issues from the console queue, the
printable receipt and statement, the public check, the display-name edit and its lock."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from commonweal.giving.models import DonationReceipt
from commonweal.giving.services import receipt_issue, receipt_request_gift, refund_create
from tests.factories import add_member, donate, make_org, make_project, make_user

pytestmark = pytest.mark.django_db


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return html.unescape(response.content.decode())


def no_inline_script_or_style(page: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script>"
    assert "<style" not in page and not re.search(r'\sstyle="', page), "inline style"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler"


@pytest.fixture
def world():
    org = make_org(name="春苗助学基金会")
    project = make_project(org, title_zh="乡村阅读角")
    donor = make_user()
    return {"org": org, "project": project, "donor": donor, "finance": add_member(org, "finance"),
            "gift": donate(project, 12_345, donor=donor, donor_name="小王")}


def test_the_donor_asks_from_my_donations_and_finance_issues_from_the_queue(client, world):
    donor, gift, org, finance = world["donor"], world["gift"], world["org"], world["finance"]
    client.force_login(donor)
    mine = text(client.get(reverse("my-donations")))
    ask = reverse("gift-receipt", args=[gift.public_id])
    assert ask in mine and "申请收据" in mine and reverse("my-receipts") in mine
    form = text(client.get(ask))
    assert 'name="donor_name"' in form and "收据抬头" in form
    response = client.post(ask, {"donor_name": "王小明"})
    receipt = DonationReceipt.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("receipt-detail", args=[receipt.public_id])
    pending = text(client.get(response["Location"]))
    assert "已申请，尚未开具" in pending and "王小明" in pending
    assert "已申请收据" in text(client.get(reverse("my-donations")))
    # Finance sees the request in the console queue and issues it.
    client.force_login(finance)
    queue = text(client.get(reverse("console-receipts", kwargs={"org": org.public_id})))
    assert "王小明" in queue and "待处理申请 1 条" in queue
    issued = client.post(reverse("console-receipt-issue", kwargs={"org": org.public_id, "receipt": receipt.public_id}))
    receipt.refresh_from_db()
    assert issued.status_code == 302 and receipt.status == "issued"
    copy = text(client.get(issued["Location"]))
    assert receipt.number in copy and "作废这张收据" in copy
    # The donor's printable copy.
    client.force_login(donor)
    doc = text(client.get(reverse("receipt-detail", args=[receipt.public_id])))
    for expected in (receipt.number, "王小明", "¥123.45", "人民币壹佰贰拾叁元肆角伍分", "乡村阅读角", org.name_zh, org.credit_code,
                     gift.public_id, reverse("receipt-verify", args=[receipt.public_id]), "<svg"):
        assert expected in doc, expected
    assert "小王" not in doc  # the gift's display name is not the receipt's name
    assert '<link rel="stylesheet" href="/static/giving/receipts.css">' in doc and "@media print" not in doc
    no_inline_script_or_style(doc)
    assert f"收据 {receipt.number}" in text(client.get(reverse("my-donations")))


def test_other_people_get_404(client, world):
    gift = world["gift"]
    receipt = receipt_request_gift(donation=gift, actor=world["donor"], donor_name="王小明")
    client.force_login(make_user())
    for url in (reverse("gift-receipt", args=[gift.public_id]), reverse("gift-display", args=[gift.public_id]),
                reverse("receipt-detail", args=[receipt.public_id])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"donor_name": "冒名"}).status_code in (404, 405)
    assert DonationReceipt.objects.count() == 1
    client.logout()
    response = client.get(reverse("gift-receipt", args=[gift.public_id]))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_year_receipt_page(client, world):
    donor, org, project = world["donor"], world["org"], world["project"]
    donate(project, 1_000, donor=donor)
    client.force_login(donor)
    mine = text(client.get(reverse("my-receipts")))
    assert "未开收据的捐赠 2 笔" in mine and org.name_zh in mine
    year = world["gift"].confirmed_at.astimezone(dt.timezone(dt.timedelta(hours=8))).year
    which = f"{org.public_id}:{year}"
    form = text(client.get(reverse("receipt-year"), {"which": which}))
    assert f'value="{which}"' in form and "共 2 笔，净额 ¥133.45" in form
    response = client.post(reverse("receipt-year"), {"which": which, "donor_name": "王小明"})
    receipt = DonationReceipt.objects.get()
    assert response.status_code == 302 and (receipt.scope, receipt.amount_fen, receipt.lines.count()) == ("year", 13_345, 2)
    bad = client.post(reverse("receipt-year"), {"which": which, "donor_name": "王小明"})
    assert bad.status_code == 400 and DonationReceipt.objects.count() == 1


def test_a_name_is_required(client, world):
    client.force_login(world["donor"])
    response = client.post(reverse("gift-receipt", args=[world["gift"].public_id]), {"donor_name": "  "})
    assert response.status_code == 400 and not DonationReceipt.objects.exists()


def test_the_display_name_is_locked_once_a_receipt_is_issued(client, world):
    donor, gift = world["donor"], world["gift"]
    client.force_login(donor)
    url = reverse("gift-display", args=[gift.public_id])
    response = client.post(url, {"donor_name": "王小明", "donor_public": "on"})
    gift.refresh_from_db()
    assert response.status_code == 302 and (gift.donor_name, gift.donor_public) == ("王小明", True)
    receipt_issue(receipt=receipt_request_gift(donation=gift, actor=donor, donor_name="王小明"), actor=world["finance"])
    page = text(client.get(url))
    assert "不能再修改" in page and 'name="donor_name"' not in page
    refused = client.post(url, {"donor_name": "别人", "donor_public": ""})
    gift.refresh_from_db()
    assert refused.status_code == 400 and "不能再修改" in html.unescape(refused.content.decode())
    assert (gift.donor_name, gift.donor_public) == ("王小明", True)
    assert reverse("gift-display", args=[gift.public_id]) not in text(client.get(reverse("my-donations")))


def test_the_public_check_masks_the_name_and_shows_a_void(client, world):
    donor, gift, finance = world["donor"], world["gift"], world["finance"]
    receipt = receipt_request_gift(donation=gift, actor=donor, donor_name="王小明")
    assert client.get(reverse("receipt-verify", args=[receipt.public_id])).status_code == 404  # a request is not a receipt
    receipt = receipt_issue(receipt=receipt, actor=finance)
    page = text(client.get(reverse("receipt-verify", args=[receipt.public_id])))
    assert receipt.number in page and "有效" in page and "王**" in page and "王小明" not in page
    refund_create(donation=gift, amount_fen=345, reason="部分退款", actor=finance)
    page = text(client.get(reverse("receipt-verify", args=[receipt.public_id])))
    assert "作废" in page and "有效" not in page
    client.force_login(donor)
    doc = text(client.get(reverse("receipt-detail", args=[receipt.public_id])))
    assert "已退款" in doc and "¥3.45" in doc and "部分退款" in doc and "您可以重新申请收据" in doc


def test_finance_declines_with_a_reason_from_the_queue(client, world):
    receipt = receipt_request_gift(donation=world["gift"], actor=world["donor"], donor_name="王")
    client.force_login(world["finance"])
    url = reverse("console-receipt-void", kwargs={"org": world["org"].public_id, "receipt": receipt.public_id})
    assert client.post(url, {"reason": ""}).status_code == 302
    receipt.refresh_from_db()
    assert receipt.status == "requested"
    client.post(url, {"reason": "请填写全名"})
    receipt.refresh_from_db()
    assert (receipt.status, receipt.void_reason) == ("void", "请填写全名")


def test_the_annual_statement_page(client, world):
    donor, gift = world["donor"], world["gift"]
    other = make_project(make_org(name="绿洲基金会"))
    second = donate(other, 50_000, donor=donor)
    refund_create(donation=second, amount_fen=10_000, reason="退款", actor=other.org.memberships.get().user)
    donate(other, 99_999, donor=make_user())
    year = gift.confirmed_at.astimezone(dt.timezone(dt.timedelta(hours=8))).year
    client.force_login(donor)
    page = text(client.get(reverse("statement", args=[year])))
    for expected in (f"{year} 年度捐赠清单", "春苗助学基金会", "绿洲基金会", "¥623.45", "¥100.00", "¥523.45", "¥123.45", "¥400.00"):
        assert expected in page, expected
    assert "¥999.99" not in page
    no_inline_script_or_style(page)
    assert client.get(reverse("statement", args=[1999])).status_code == 404
    assert client.get(reverse("statement", args=[year + 1])).status_code == 404
    assert "没有登录后的捐赠记录" in text(client.get(reverse("statement", args=[year - 1])))


def test_receipt_pages_in_english(client, world):
    client.force_login(world["donor"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    receipt = receipt_request_gift(donation=world["gift"], actor=world["donor"], donor_name="Wang Xiaoming")
    receipt_issue(receipt=receipt, actor=world["finance"])
    doc = text(client.get(reverse("receipt-detail", args=[receipt.public_id])))
    assert "Donation receipt" in doc and "In words" in doc and '<html lang="en">' in doc
