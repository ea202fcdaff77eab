"""Receipts as PDF: the donor's and the finance console's copy carry what the printable page
carries, read back from the PDF's text with pypdf; a void receipt says so on every page; a request
not yet issued, and anyone else's receipt, is 404."""

import datetime as dt
import io

import pypdf
import pytest
import segno
from django.urls import reverse
from django.utils import timezone

from commonweal.giving.pdf import receipt_pdf
from commonweal.giving.services import receipt_issue, receipt_request_gift, receipt_request_year, refund_create
from tests.factories import add_member, donate, make_org, make_project, make_user
from tests.giving.test_receipts import donate_at

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = make_org(name="春苗助学基金会")
    donor = make_user()
    gift = donate(make_project(org, title_zh="乡村阅读角"), 12_345, donor=donor, donor_name="小王")
    return {"org": org, "donor": donor, "finance": add_member(org, "finance"), "gift": gift}


def pdf_pages(response) -> list[str]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages]


def flat(text: str) -> str:
    return "".join(text.split())


def test_the_donor_and_finance_download_the_issued_receipt(client, world):
    org, gift = world["org"], world["gift"]
    receipt = receipt_request_gift(donation=gift, actor=world["donor"], donor_name="王小明")
    client.force_login(world["donor"])
    url = reverse("receipt-pdf", args=[receipt.public_id])
    assert client.get(url).status_code == 404  # requested, not issued: nothing to download yet
    assert url not in client.get(reverse("receipt-detail", args=[receipt.public_id])).content.decode()
    receipt = receipt_issue(receipt=receipt, actor=world["finance"])
    assert url in client.get(reverse("receipt-detail", args=[receipt.public_id])).content.decode()
    response = client.get(url)
    assert response["Content-Disposition"] == f'inline; filename="receipt-{receipt.number}.pdf"'
    (page,) = pdf_pages(response)
    verify = reverse("receipt-verify", args=[receipt.public_id])
    for expected in ("捐赠收据", receipt.number, "王小明", "¥123.45", "人民币壹佰贰拾叁元肆角伍分", "乡村阅读角", org.name_zh,
                     org.credit_code, gift.public_id, verify, timezone.localdate().isoformat()):
        assert flat(expected) in flat(page), expected
    assert "小王" not in page and "作废" not in page
    # The finance console's copy is the same document.
    client.force_login(world["finance"])
    console_url = reverse("console-receipt-pdf", kwargs={"org": org.public_id, "receipt": receipt.public_id})
    assert console_url in client.get(reverse("console-receipt", kwargs={"org": org.public_id, "receipt": receipt.public_id})).content.decode()
    assert client.get(console_url).content == response.content
    # Anyone else gets 404.
    client.force_login(make_user())
    assert client.get(url).status_code == 404


def test_a_void_receipt_is_marked_void_with_its_reason(client, world):
    receipt = receipt_issue(receipt=receipt_request_gift(donation=world["gift"], actor=world["donor"], donor_name="王小明"),
                            actor=world["finance"])
    client.force_login(world["donor"])
    before = client.get(reverse("receipt-pdf", args=[receipt.public_id])).content
    refund_create(donation=world["gift"], amount_fen=345, reason="部分退款", actor=world["finance"])
    (page,) = pdf_pages(client.get(reverse("receipt-pdf", args=[receipt.public_id])))
    for expected in ("作废", "¥3.45", "部分退款", receipt.number):
        assert expected in flat(page), expected
    assert before != client.get(reverse("receipt-pdf", args=[receipt.public_id])).content


def test_a_year_receipt_with_many_gifts_runs_over_pages_with_every_gift(world):
    org, donor = world["org"], world["donor"]
    project = make_project(org, title_zh="山区儿童营养午餐计划")
    year = timezone.localdate().year - 1
    gifts = [donate_at(project, 1_000 + n, donor=donor, at=dt.datetime(year, 3, 1, 10, tzinfo=dt.UTC) + dt.timedelta(days=n))
             for n in range(80)]
    receipt = receipt_issue(receipt=receipt_request_year(org=org, year=year, actor=donor, donor_name="王小明"), actor=world["finance"])
    pdf = receipt_pdf(receipt, receipt.lines.all(), verify_url="https://example.org/receipts/x/verify/")
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    text = flat("".join(pages))
    assert all(gift.public_id in text for gift in gifts)
    assert all("日期" in flat(page) for page in pages)  # the table's head repeats on every page
    assert f"下列{year}年向本机构的全部捐赠" in text and flat(receipt.number) in text
    assert pdf == receipt_pdf(receipt, receipt.lines.all(), verify_url="https://example.org/receipts/x/verify/")  # deterministic


def test_the_qr_code_is_the_verification_address(world):
    """The PDF draws one square per dark module of segno's code for the address, as the page does."""
    receipt = receipt_issue(receipt=receipt_request_gift(donation=world["gift"], actor=world["donor"], donor_name="王小明"),
                            actor=world["finance"])
    url = "https://example.org/receipts/abc/verify/"
    content = pypdf.PdfReader(io.BytesIO(receipt_pdf(receipt, receipt.lines.all(), verify_url=url))).pages[0].get_contents().get_data()
    dark = sum(sum(row) for row in segno.make(url, error="m").matrix)
    assert content.count(b" re ") >= dark  # squares drawn as rectangles
    other = receipt_pdf(receipt, receipt.lines.all(), verify_url="https://example.org/receipts/abd/verify/")
    assert other != receipt_pdf(receipt, receipt.lines.all(), verify_url=url)


def test_the_english_copy(client, world):
    client.force_login(world["donor"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    receipt = receipt_issue(receipt=receipt_request_gift(donation=world["gift"], actor=world["donor"], donor_name="Wang Xiaoming"),
                            actor=world["finance"])
    (page,) = pdf_pages(client.get(reverse("receipt-pdf", args=[receipt.public_id])))
    for expected in ("Donation receipt", "Wang Xiaoming", "In words: RMB", "壹佰贰拾叁元肆角伍分", "Unified social credit code"):
        assert flat(expected) in flat(page), expected


def test_a_request_has_no_pdf(world):
    receipt = receipt_request_gift(donation=world["gift"], actor=world["donor"], donor_name="王小明")
    with pytest.raises(ValueError, match="numbered"):
        receipt_pdf(receipt, receipt.lines.all(), verify_url="https://example.org/")


def test_the_annual_statement_as_pdf(client, world):
    donor, gift = world["donor"], world["gift"]
    other = make_project(make_org(name="绿洲基金会"), title_zh="沙漠植树")
    second = donate(other, 50_000, donor=donor)
    refund_create(donation=second, amount_fen=10_000, reason="退款", actor=other.org.memberships.get().user)
    donate(other, 99_999, donor=make_user())
    receipt = receipt_issue(receipt=receipt_request_gift(donation=gift, actor=donor, donor_name="王小明"), actor=world["finance"])
    year = timezone.localtime(gift.confirmed_at).year
    client.force_login(donor)
    page = client.get(reverse("statement", args=[year])).content.decode()
    assert reverse("statement-pdf", args=[year]) in page
    response = client.get(reverse("statement-pdf", args=[year]))
    assert response["Content-Disposition"] == f'inline; filename="statement-{year}.pdf"'
    text = flat("".join(pdf_pages(response)))
    for expected in (f"{year}年度捐赠清单", "春苗助学基金会", "绿洲基金会", "乡村阅读角", "沙漠植树", gift.public_id, second.public_id,
                     receipt.number, "¥623.45", "¥100.00", "¥523.45", "¥123.45", "¥400.00", "本清单列出您的捐赠，不是收据"):
        assert flat(expected) in text, expected
    assert "¥999.99" not in text  # another donor's gift
    assert client.get(reverse("statement-pdf", args=[1999])).status_code == 404
    assert "没有登录后的捐赠记录" in flat("".join(pdf_pages(client.get(reverse("statement-pdf", args=[year - 1])))))
    client.logout()
    assert client.get(reverse("statement-pdf", args=[year])).status_code == 302
