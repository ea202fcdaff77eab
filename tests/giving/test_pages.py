"""The project page and the donate flow: form, sandbox payment, thanks, my donations, plans."""

import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from commonweal.giving.models import Donation, DonationIntent, MonthlyPlan
from commonweal.giving.services import plan_create, refund_create
from commonweal.ledger.models import OutboxEntry
from commonweal.disclosure.services.reporting import report_publish
from commonweal.projects.services import project_transition
from tests.factories import donate, make_operator, make_org, make_project, make_user

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def project():
    return make_project()


def donate_form(client, project, **fields):
    """Render the donate form, then post it with ``fields`` and the key the form carried."""
    form_html = html_of(client.get(reverse("donate", args=[project.public_id])))
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form_html)[1]
    data = {"amount": "1000", "custom_amount": "", "donor_name": "", "message": "", "idempotency_key": key,
            "confirm_read": "on"}
    data.update(fields)
    return client.post(reverse("donate", args=[project.public_id]), data), data


def pay(client, intent):
    return client.post(reverse("sandbox-pay", args=[intent.public_id]))


# --- project page ----------------------------------------------------------------------------

def test_project_page_in_chinese_with_the_disclosure_of_article_25(client, project):
    org = project.org
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert '<html lang="zh-Hans">' in html
    for text in (project.title_zh, "教育创新", "SDG 4 · 优质教育", "募捐信息公示", org.name_zh, org.credit_code,
                 org.certificate_number, project.fundraising_plan, org.contact_name, org.contact_phone,
                 org.contact_email, "图书", "¥60,000.00", "我要捐款"):
        assert text in html, text
    assert f'href="{reverse("donate", args=[project.public_id])}"' in html
    assert "合作慈善组织" not in html


def test_project_page_names_the_partner_that_receives_the_funds(client):
    operator = make_operator()
    runner = make_org(qualified=False, operator=operator)
    partner = make_org(operator=operator, name="合作公募基金会")
    project = make_project(runner, operator=operator, partner_org=partner)
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert "本项目善款由具有公开募捐资格的合作慈善组织 合作公募基金会" in html
    assert partner.credit_code in html and runner.credit_code in html


def test_project_page_progress_bar_and_live_partial(client, project):
    donate(project, 2_500_000)  # 25% of the 100,000 yuan goal
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert 'role="progressbar"' in html
    assert 'aria-valuemin="0" aria-valuemax="100" aria-valuenow="25"' in html
    assert 'aria-valuetext="25% · 已筹 ¥25,000.00，目标 ¥100,000.00"' in html
    progress_url = reverse("project-progress", args=[project.public_id])
    assert f'hx-get="{progress_url}" hx-trigger="every 10s" hx-swap="outerHTML"' in html
    donate(project, 2_500_000)
    fragment = html_of(client.get(progress_url))
    assert fragment.lstrip().startswith('<section id="progress"')
    assert "<html" not in fragment
    assert 'aria-valuenow="50"' in fragment and "¥50,000.00" in fragment


def test_project_page_masks_names_unless_the_donor_opted_in(client, project):
    donate(project, 1000, donor_name="张三丰")
    donate(project, 2000, donor_name="李四", donor_public=True)
    donate(project, 3000, donor_name="John Smith")
    donate(project, 4000)
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert "张**" in html and "张三丰" not in html
    assert "李四" in html
    assert "J*** S***" in html and "John Smith" not in html
    assert "爱心网友" in html
    to_english(client)
    assert "A kind donor" in html_of(client.get(reverse("project-detail", args=[project.public_id])))


def test_project_page_shows_times_in_shanghai(client, project):
    donation = donate(project, 1000)
    shown = donation.confirmed_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert shown in html_of(client.get(reverse("project-detail", args=[project.public_id])))


def test_project_page_shows_updates(client, project):
    admin = project.org.memberships.get().user
    report_publish(project=project, actor=admin, title="第一批图书到校", body="一千册图书已送达。")
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert "第一批图书到校" in html and "一千册图书已送达。" in html


def test_project_page_in_english(client, project):
    to_english(client)
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert '<html lang="en">' in html
    for text in (project.title_en, "Education innovation", "SDG 4 · Quality education", "Fundraising information",
                 "Unified social credit code", "Donate"):
        assert text in html, text
    assert "募捐信息公示" not in html


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_unpublished_projects_are_404(client, status):
    project = make_project(status=status)
    for name in ("project-detail", "project-progress", "donate"):
        assert client.get(reverse(name, args=[project.public_id])).status_code == 404
    assert client.get(reverse("project-detail", args=["01jnosuchprojectxxxxxxxxxx"])).status_code == 404


def test_project_page_query_count_is_fixed(client, django_assert_max_num_queries, django_assert_num_queries, project):
    donate(project, 1000, donor_name="张三")
    # the project with its organizations, budget lines, updates (their photos only when there are
    # some), recent donations; the reporting clock (disclosure); spending per line and paid
    # disbursements (disclosure); matching: the published campaigns (read at most once a second),
    # the project's teams, its child plans, and the matched funds in its finances
    with django_assert_max_num_queries(11):
        client.get(reverse("project-detail", args=[project.public_id]))
    for n in range(5):
        donate(project, 1000 + n, donor_name=f"王{n}")
    with django_assert_max_num_queries(11):
        client.get(reverse("project-detail", args=[project.public_id]))
    with django_assert_num_queries(1):
        client.get(reverse("project-progress", args=[project.public_id]))


def test_a_project_no_longer_raising_funds_has_no_donate_form(client, project):
    project_transition(project=project, to="executing", actor=project.org.memberships.get().user)
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert "该项目目前不在募捐期。" in html
    assert 'hx-trigger="every 10s"' not in html
    response = client.get(reverse("donate", args=[project.public_id]))
    assert response.status_code == 302 and response["Location"] == reverse("project-detail", args=[project.public_id])


# --- donate form -----------------------------------------------------------------------------

def test_donate_form_is_accessible_and_carries_a_fresh_key(client, project):
    first = html_of(client.get(reverse("donate", args=[project.public_id])))
    second = html_of(client.get(reverse("donate", args=[project.public_id])))
    key = re.compile(r'name="idempotency_key" value="([^"]+)"')
    assert key.search(first)[1] != key.search(second)[1]
    for amount in ("¥1", "¥10", "¥50", "¥100", "其他金额"):
        assert amount in first
    assert re.search(r'<input type="radio" name="amount" value="1000"[^>]*checked', first)
    for field in ("custom_amount", "donor_name", "donor_public", "message", "monthly"):
        assert f'<label for="id_{field}">' in first, field
    assert re.search(r'<input type="checkbox" name="donor_public"(?![^>]*checked)[^>]*>', first)
    assert project.org.name_zh in first
    assert "<script>" not in first  # CSP: scripts only from files


@pytest.mark.parametrize(
    "typed, zh, en",
    [
        ("1.234", "金额至多两位小数（您填写的是 &#x27;1.234&#x27;）", "amount must have at most 2 decimal places, got &#x27;1.234&#x27;"),
        ("-5", "金额必须大于零", "amount must be positive, got &#x27;-5&#x27;"),
        ("¥5", "金额只填数字，不要带货币符号或单位", "amount must be written without a currency sign or unit"),
        ("abc", "金额的格式应如 12.34 或 1,234.56", "amount must look like 12.34 or 1,234.56, got &#x27;abc&#x27;"),
        ("0", "金额至少为 0.01 元", "amount must be at least 0.01, got &#x27;0&#x27;"),
        ("100000001", "金额至多为 100,000,000.00 元", "amount must be at most 100,000,000.00"),
        ("１２", "金额请用半角数字 0-9 填写", "amount must be written with the digits 0-9"),
    ],
)
def test_bad_amounts_show_the_parsers_error_and_create_nothing(client, project, typed, zh, en):
    response, _ = donate_form(client, project, amount="other", custom_amount=typed)
    html = html_of(response)
    assert zh in html
    assert 'aria-invalid="true"' in html and 'id="id_custom_amount_error"' in html
    to_english(client)
    response, _ = donate_form(client, project, amount="other", custom_amount=typed)
    assert en in html_of(response)
    assert DonationIntent.objects.count() == 0


def test_other_amount_without_a_number_is_required(client, project):
    response, _ = donate_form(client, project, amount="other", custom_amount="  ")
    assert "请填写金额" in html_of(response)
    assert DonationIntent.objects.count() == 0


def test_a_tampered_preset_is_refused(client, project):
    response, _ = donate_form(client, project, amount="999")
    assert response.status_code == 200
    assert DonationIntent.objects.count() == 0


def test_a_preset_amount_makes_an_intent_and_goes_to_the_payment_page(client, project):
    response, data = donate_form(client, project, amount="5000", donor_name="张三", donor_public="on", message="加油")
    intent = DonationIntent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sandbox-pay", args=[intent.public_id])
    assert (intent.amount_fen, intent.donor_name, intent.donor_public, intent.message, intent.provider) == (
        5000, "张三", True, "加油", "sandbox"
    )
    assert intent.idempotency_key == data["idempotency_key"]
    assert intent.donor is None


def test_a_typed_amount_wins_over_a_preset(client, project):
    donate_form(client, project, amount="1000", custom_amount="8.88")
    assert DonationIntent.objects.get().amount_fen == 888


def test_double_submit_with_the_same_key_creates_one_intent(client, project):
    first, data = donate_form(client, project, amount="other", custom_amount="10")
    second = client.post(reverse("donate", args=[project.public_id]), data)
    assert DonationIntent.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_same_key_for_another_amount_is_refused_with_a_fresh_key(client, project):
    _, data = donate_form(client, project, amount="1000")
    response = client.post(reverse("donate", args=[project.public_id]), {**data, "amount": "5000"})
    html = html_of(response)
    assert "此表单已用于另一笔捐赠" in html
    assert f'value="{data["idempotency_key"]}"' not in html
    assert DonationIntent.objects.count() == 1


def test_a_missing_key_creates_nothing_and_issues_a_new_one(client, project):
    response = client.post(reverse("donate", args=[project.public_id]), {"amount": "1000"})
    html = html_of(response)
    assert "请检查表单后重新提交。" in html
    assert re.search(r'name="idempotency_key" value="[^"]{20,}"', html)
    assert DonationIntent.objects.count() == 0


def test_a_signed_in_donor_is_recorded_on_the_intent(client, project):
    donor = make_user()
    client.force_login(donor)
    donate_form(client, project)
    assert DonationIntent.objects.get().donor == donor


# --- monthly giving --------------------------------------------------------------------------

def test_monthly_giving_needs_sign_in(client, project):
    response, _ = donate_form(client, project, monthly="on")
    html = html_of(response)
    assert "登录后才能月捐。" in html
    assert f'href="/accounts/login/?next={reverse("donate", args=[project.public_id])}' in html
    assert (MonthlyPlan.objects.count(), DonationIntent.objects.count()) == (0, 0)


def test_monthly_giving_creates_one_plan_per_form(client, project):
    donor = make_user()
    client.force_login(donor)
    response, data = donate_form(client, project, amount="other", custom_amount="30", monthly="on", donor_name="王五")
    assert response.status_code == 302 and response["Location"] == reverse("my-donations")
    plan = MonthlyPlan.objects.get()
    assert (plan.donor, plan.project_id, plan.amount_fen, plan.donor_name) == (donor, project.pk, 3000, "王五")
    again = client.post(reverse("donate", args=[project.public_id]), data)
    assert again.status_code == 302
    assert MonthlyPlan.objects.count() == 1
    assert DonationIntent.objects.count() == 0


# --- sandbox payment -------------------------------------------------------------------------

def test_sandbox_page_shows_recipient_and_amount(client, project):
    donate_form(client, project, amount="other", custom_amount="10")
    intent = DonationIntent.objects.get()
    html = html_of(client.get(reverse("sandbox-pay", args=[intent.public_id])))
    assert project.org.name_zh in html and "¥10.00" in html
    assert "支付（沙箱）" in html and "取消" in html
    assert f'href="{reverse("project-detail", args=[project.public_id])}"' in html


def test_sandbox_payment_creates_exactly_one_donation_and_moves_the_totals(client, project):
    donate_form(client, project, amount="other", custom_amount="10", donor_name="张三")
    intent = DonationIntent.objects.get()
    response = pay(client, intent)
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("donation-thanks", args=[donation.public_id])
    assert (donation.intent, donation.amount_fen, donation.provider, donation.provider_txn_id) == (
        intent, 10_00, "sandbox", f"sbx_p_{intent.public_id}"
    )
    assert OutboxEntry.objects.filter(entry_type="donation", subject_id=donation.public_id).count() == 1
    project.refresh_from_db()
    assert (project.raised_fen, project.donation_count) == (10_00, 1)
    # A second click, and a reload of the payment page, change nothing.
    assert pay(client, intent)["Location"] == response["Location"]
    assert client.get(reverse("sandbox-pay", args=[intent.public_id]))["Location"] == response["Location"]
    assert Donation.objects.count() == 1
    project.refresh_from_db()
    assert (project.raised_fen, project.donation_count) == (10_00, 1)
    # The project page shows the new total and the masked donor.
    html = html_of(client.get(reverse("project-detail", args=[project.public_id])))
    assert "¥10.00" in html and "张*" in html


def test_sandbox_page_of_an_unknown_intent_is_404(client):
    assert client.get(reverse("sandbox-pay", args=["01jnosuchintentxxxxxxxxxxx"])).status_code == 404


def test_a_paid_intent_seen_from_another_browser_goes_back_to_the_project(client, project):
    donate_form(client, project)
    intent = DonationIntent.objects.get()
    pay(client, intent)
    from django.test import Client

    stranger = Client()
    response = stranger.get(reverse("sandbox-pay", args=[intent.public_id]))
    assert response["Location"] == reverse("project-detail", args=[project.public_id])
    assert Donation.objects.count() == 1


# --- thanks ----------------------------------------------------------------------------------

def test_thanks_page_is_for_the_session_that_paid(client, project):
    donate_form(client, project, amount="other", custom_amount="10", donor_name="张三")
    pay(client, DonationIntent.objects.get())
    donation = Donation.objects.get()
    url = reverse("donation-thanks", args=[donation.public_id])
    html = html_of(client.get(url))
    for text in ("感谢您的捐赠！", "¥10.00", project.title_zh, donation.public_id, "张*"):
        assert text in html, text
    assert f'href="{reverse("project-detail", args=[project.public_id])}"' in html
    from django.test import Client

    assert Client().get(url).status_code == 404
    other = Client()
    other.force_login(make_user())
    assert other.get(url).status_code == 404


def test_thanks_page_is_for_the_signed_in_donor_in_any_session(client, project):
    donor = make_user()
    donation = donate(project, 1000, donor=donor)
    url = reverse("donation-thanks", args=[donation.public_id])
    assert client.get(url).status_code == 404
    client.force_login(donor)
    assert "感谢您的捐赠！" in html_of(client.get(url))


# --- my donations ----------------------------------------------------------------------------

def test_my_donations_needs_sign_in(client):
    response = client.get(reverse("my-donations"))
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={reverse('my-donations')}"


def test_my_donations_shows_only_my_donations_and_refunds(client, project):
    me, someone = make_user(), make_user()
    mine = donate(project, 12_34, donor=me)
    theirs = donate(project, 56_78, donor=someone)
    refund_create(donation=mine, amount_fen=2_34, reason="partial", actor=project.org.memberships.get().user)
    client.force_login(me)
    html = html_of(client.get(reverse("my-donations")))
    assert mine.public_id in html and "¥12.34" in html
    assert "退款 ¥2.34" in html
    assert theirs.public_id not in html and "¥56.78" not in html


def test_my_donations_paginates(client, project):
    me = make_user()
    for n in range(21):
        donate(project, 100 + n, donor=me)
    client.force_login(me)
    assert len(client.get(reverse("my-donations")).context["page"].object_list) == 20
    assert len(client.get(reverse("my-donations"), {"page": 2}).context["page"].object_list) == 1


def test_plan_cancel(client, project):
    me = make_user()
    plan = plan_create(donor=me, project=project, amount_fen=30_00)
    client.force_login(me)
    html = html_of(client.get(reverse("my-donations")))
    assert "每月 ¥30.00" in html and "取消月捐" in html
    assert client.get(reverse("plan-cancel", args=[plan.public_id])).status_code == 405
    response = client.post(reverse("plan-cancel", args=[plan.public_id]))
    assert response["Location"] == reverse("my-donations")
    plan.refresh_from_db()
    assert plan.status == "cancelled"
    html = html_of(client.get(reverse("my-donations")))
    assert "月捐已取消" in html and "取消月捐" not in html


def test_plan_cancel_of_another_donors_plan_is_404(client, project):
    plan = plan_create(donor=make_user(), project=project, amount_fen=30_00)
    client.force_login(make_user())
    assert client.post(reverse("plan-cancel", args=[plan.public_id])).status_code == 404
    plan.refresh_from_db()
    assert plan.status == "active"
    assert client.post(reverse("plan-cancel", args=["01jnosuchplanxxxxxxxxxxxxx"])).status_code == 404


@pytest.mark.parametrize(
    "typed", ["", "x" * 40, "¥1", "１２", "-1", "+1", "1 0", "1_0", "1e3", "1,23", "01", "1.234", "0", "100000001"]
)
def test_every_amount_error_has_a_chinese_message(typed):
    """The donate form shows the parser's messages in Chinese; a reworded message must be re-translated."""
    from django.utils import translation

    from commonweal.core.errors import InvalidInput
    from commonweal.core.money import parse_yuan, validate_fen
    from commonweal.giving.forms import domain_error_text

    with pytest.raises(InvalidInput) as info:
        parse_yuan(typed)
    with translation.override("zh-hans"):
        assert domain_error_text(info.value) != info.value.message
        assert domain_error_text(info.value).startswith(("金额", "请填写"))
    with pytest.raises(InvalidInput) as info:
        validate_fen(0)
    with translation.override("zh-hans"):
        assert domain_error_text(info.value).startswith("金额须在")
