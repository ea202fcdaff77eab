"""The public ledger pages: the recorded block, the verify page, the explorer. zh-Hans first, English too;
amounts and times only, never a donor's name."""

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from commonweal.giving.services import refund_create
from commonweal.ledger.receipts import receipt_for_donation
from commonweal.ledger.verify import CommonwealReceipt, format_commonweal_receipt, parse_commonweal_receipt
from commonweal.tlog import parse_verifier_key, verify_receipt
from tests.factories import donate, make_operator, make_project, make_user
from tests.ledger_verify.conftest import ORIGIN

pytestmark = pytest.mark.django_db

SECRET_NAME = "王秘密"


def to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def html(response, status=200) -> str:
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response.content.decode()


@pytest.fixture
def project():
    return make_project()


@pytest.fixture
def gifts(project, sequence):
    """Three donations (one refunded in part), all in a signed checkpoint."""
    donor = make_user()
    first = donate(project, 10_000, donor=donor, donor_name=SECRET_NAME)
    second = donate(project, 2_500)
    third = donate(make_project(), 777)
    refund_create(donation=first, amount_fen=1_000, reason="重复捐赠", actor=make_operator())
    sequence()
    return {"donor": donor, "first": first, "second": second, "third": third}


# --- the recorded block (thank-you and my-donations pages) ---------------------------------------

def test_the_include_is_an_htmx_placeholder_with_a_plain_link(gifts):
    donation = gifts["first"]
    text = render_to_string("ledger/_recorded.html", {"donation": donation})
    assert f'hx-get="{reverse("ledger-donation-recorded", args=[donation.public_id])}"' in text
    assert 'hx-trigger="load"' in text
    assert f'href="{reverse("ledger-donation", args=[donation.public_id])}"' in text
    compact = render_to_string("ledger/_recorded.html", {"donation": donation, "compact": True})
    assert "?compact=1" in compact


def test_recorded_block_with_index_and_qr_code(client, gifts, django_assert_max_num_queries):
    donation = gifts["first"]
    url = reverse("ledger-donation-recorded", args=[donation.public_id])
    with django_assert_max_num_queries(3):
        page = html(client.get(url))
    assert "已记入公开账本，序号 0。" in page
    assert '<svg width="' in page and 'class="qr-code"' in page
    assert "http://testserver/verify/?index=0" in page
    assert reverse("donation-receipt", args=[donation.public_id]) in page
    assert "<script" not in page and "style=" not in page
    to_english(client)
    assert "Recorded in the public ledger at index 0." in html(client.get(url))


def test_waiting_block_polls_until_recorded(client, project, sequence):
    donation = donate(project, 300)
    url = reverse("ledger-donation-recorded", args=[donation.public_id])
    page = html(client.get(url))
    assert "正在等待记入公开账本" in page and 'hx-trigger="every 3s"' in page and "<svg" not in page
    sequence()
    assert "已记入公开账本" in html(client.get(url))
    assert client.get(reverse("ledger-donation-recorded", args=["not-an-id"])).status_code == 404
    assert client.get(reverse("ledger-donation-recorded", args=["0" * 26])).status_code == 404


# --- the verify page -----------------------------------------------------------------------------

def test_verify_page_checks_a_pasted_receipt(client, gifts):
    text = receipt_for_donation(gifts["first"])
    page = html(client.post(reverse("ledger-verify"), {"receipt_text": text.replace("\n", "\r\n").strip()}))
    assert "收据有效" in page
    for title in ("公开账本的签名", "已记入账本", "捐赠记录", "捐赠人承诺值"):
        assert title in page
    assert page.count("badge-ok") >= 5
    to_english(client)
    page = html(client.post(reverse("ledger-verify"), {"receipt_text": text}))
    assert "The receipt is valid" in page and "recorded in the public ledger at index 0" in page


def test_verify_page_checks_an_uploaded_file_and_says_what_failed(client, gifts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt = parse_commonweal_receipt(receipt_for_donation(gifts["first"]))
    wrong = format_commonweal_receipt(CommonwealReceipt(salt=bytes(32), donor_reference=receipt.donor_reference, proof=receipt.proof))
    to_english(client)
    upload = SimpleUploadedFile("gift.commonweal-receipt", wrong.encode(), content_type="application/octet-stream")
    page = html(client.post(reverse("ledger-verify"), {"receipt_file": upload}))
    assert "The receipt is NOT valid" in page
    assert "The salt and donor reference do not match the entry&#x27;s donor commitment." in page
    assert "The Merkle proof shows the entry is in the signed ledger." in page


def test_verify_page_form_errors(client, gifts):
    page = html(client.post(reverse("ledger-verify"), {"receipt_text": "  "}), status=400)
    assert "请粘贴收据，或选择收据文件。" in page
    page = html(client.post(reverse("ledger-verify"), {"receipt_text": "hello"}))
    assert "收据无效" in page and "这不是有效的 Commonweal 收据。" in page


def test_verify_page_for_an_entry(client, gifts, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        page = html(client.get(reverse("ledger-verify") + "?index=1"))
    assert "账本条目 1" in page and "服务器已核验" in page and "¥25.00" in page
    assert "已签名的账本中没有这个条目" in html(client.get(reverse("ledger-verify") + "?index=99"))


# --- the explorer --------------------------------------------------------------------------------

def test_explorer_home(client, gifts, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        page = html(client.get(reverse("ledger-explorer")))
    assert "最新检查点" in page and ORIGIN in page
    assert re.search(r"<dt>条目数</dt><dd>4</dd>", page)
    for index in range(4):
        assert f'href="{reverse("ledger-entry", args=[index])}"' in page
    assert "−¥10.00" in page  # the refund
    assert SECRET_NAME not in page
    to_english(client)
    assert "Latest checkpoint" in html(client.get(reverse("ledger-explorer")))


def test_explorer_lookup(client, gifts):
    response = client.get(reverse("ledger-explorer"), {"q": "2"})
    assert response.status_code == 302 and response["Location"] == reverse("ledger-entry", args=[2])
    donation = gifts["second"]
    response = client.get(reverse("ledger-explorer"), {"q": donation.public_id.upper()})
    assert response["Location"] == reverse("ledger-donation", args=[donation.public_id])
    response = client.get(response["Location"])
    assert response.status_code == 302 and response["Location"] == reverse("ledger-entry", args=[1])
    assert "请输入条目序号" in html(client.get(reverse("ledger-explorer"), {"q": "hello"}), status=400)
    assert client.get(reverse("ledger-donation", args=["0" * 26])).status_code == 404


def test_donation_waiting_page(client, project, gifts):
    waiting = donate(project, 100)
    assert "等待记账" in html(client.get(reverse("ledger-donation", args=[waiting.public_id])))


def test_entry_page_and_its_proof(client, gifts, log_vkey):
    page = html(client.get(reverse("ledger-entry", args=[0])))
    assert "¥100.00" in page and gifts["first"].public_id in page and "&quot;donor&quot;:&quot;" in page
    assert SECRET_NAME not in page
    assert client.get(reverse("ledger-entry", args=[4])).status_code == 404
    response = client.get(reverse("ledger-entry-proof", args=[3]))
    assert response.status_code == 200 and response["Content-Disposition"] == 'attachment; filename="3.tlog-proof"'
    verified = verify_receipt(response.content, origin=ORIGIN, log_verifiers=[parse_verifier_key(log_vkey)])
    assert b'"type":"refund"' in verified.entry
    assert client.get(reverse("ledger-entry-proof", args=[4])).status_code == 404


def test_project_page_totals_from_entries(client, project, gifts):
    page = html(client.get(reverse("ledger-project", args=[project.public_id])))
    project.refresh_from_db()
    assert project.net_raised_fen == 11_500
    # donations 12,500 − refunds 1,000 = 11,500, the same as the project page.
    assert page.count("¥115.00") == 2 and "¥125.00" in page and "¥10.00" in page
    assert gifts["third"].public_id not in page
    assert SECRET_NAME not in page
    assert client.get(reverse("ledger-project", args=["0" * 26])).status_code == 404


def test_pages_before_the_first_checkpoint(client, log_signer):
    assert "账本尚未签署任何检查点" in html(client.get(reverse("ledger-explorer")))
    assert client.get(reverse("ledger-entry", args=[0])).status_code == 404
    page = html(client.post(reverse("ledger-verify"), {"receipt_text": "x"}), status=400)
    assert "账本尚未签署任何检查点" in page


def test_thank_you_and_my_donations_pages_carry_the_recorded_block(client, gifts):
    donor, first = gifts["donor"], gifts["first"]
    client.force_login(donor)
    recorded_url = reverse("ledger-donation-recorded", args=[first.public_id])
    assert recorded_url in html(client.get(reverse("donation-thanks", args=[first.public_id])))
    assert f"{recorded_url}?compact=1" in html(client.get(reverse("my-donations")))
