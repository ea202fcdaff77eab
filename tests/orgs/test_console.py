"""The organization console through its pages: forms in, services called, rows written."""

import datetime as dt
import html
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from commonweal.core.credit_code import generate_credit_code
from commonweal.core.models import AuditEvent
from commonweal.core.sealing import unseal_json
from commonweal.giving.models import Refund
from commonweal.giving.services import credentials_get
from commonweal.orgs.models import Invitation, Membership, Organization, ProviderCredential
from commonweal.projects.models import Project, ProjectUpdate
from tests.factories import add_member, donate, make_org, make_project, make_project_in, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(client, user):
    client.force_login(user)
    return client


def _admin(org):
    return org.memberships.get(role="admin").user


def _url(name, org, **kwargs):
    return reverse(name, kwargs={"org": org.public_id, **kwargs})


def _png(width=40, height=30, fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def _text(response) -> str:
    return html.unescape(response.content.decode())


# --- index and registration ----------------------------------------------------------------

def test_index_lists_my_organizations_with_role_and_state(client):
    user = make_user()
    verified = make_org(user, qualified=False, name="甲基金会")
    pending = make_org(verified=False, qualified=False, name="乙协会")
    add_member(pending, "finance", user=user)
    make_org(name="丙基金会")
    page = _text(_client(client, user).get(reverse("console")))
    assert "甲基金会" in page and "乙协会" in page and "丙基金会" not in page
    assert _url("console-org", verified) in page and _url("console-org", pending) in page
    assert "管理员" in page and "财务" in page  # roles, in the default language
    assert "已认证" in page and "待审核" in page
    assert reverse("console-register") in page


def _register_data(**overrides):
    import random

    data = {
        "credit_code": generate_credit_code(random.Random(7)),
        "name_zh": "新星公益基金会",
        "name_en": "Nova Foundation",
        "certificate_number": "53100000000001",
        "registration_date": "2019-05-04",
        "org_type": "foundation",
        "contact_name": "李老师",
        "contact_phone": "010-88888888",
        "contact_email": "info@nova.example.org",
    }
    data.update(overrides)
    return data


def test_register_creates_org_and_admin_membership(client):
    user = make_user()
    data = _register_data(credit_code=" " + _register_data()["credit_code"].lower() + " ")
    response = _client(client, user).post(reverse("console-register"), data)
    org = Organization.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("console-org", org)
    assert org.credit_code == _register_data()["credit_code"]
    assert org.verification_status == "submitted"
    assert org.registration_date == dt.date(2019, 5, 4)
    assert Membership.objects.get(org=org).user == user
    assert AuditEvent.objects.filter(action="org.register", target_id=org.public_id).exists()


@pytest.mark.parametrize(
    "code, detail",
    [
        ("12345", "must be 18 characters, got 5"),
        ("53100000500021709O", "invalid character 'O'"),
    ],
)
def test_register_explains_a_bad_credit_code(client, code, detail):
    response = _client(client, make_user()).post(reverse("console-register"), _register_data(credit_code=code))
    assert response.status_code == 200
    page = _text(response)
    assert "统一社会信用代码无效" in page and detail in page
    assert 'aria-invalid="true"' in page
    assert not Organization.objects.exists()


def test_register_explains_a_wrong_check_character(client):
    good = _register_data()["credit_code"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page = _text(_client(client, make_user()).post(reverse("console-register"), _register_data(credit_code=bad)))
    assert f"check character should be {good[17]!r}" in page


def test_register_refuses_a_duplicate_credit_code(client):
    existing = make_org()
    page = _text(_client(client, make_user()).post(reverse("console-register"), _register_data(credit_code=existing.credit_code)))
    assert "已有机构使用该统一社会信用代码注册" in page
    assert Organization.objects.count() == 1


def test_register_refuses_a_future_registration_date(client):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    page = _text(_client(client, make_user()).post(reverse("console-register"), _register_data(registration_date=tomorrow)))
    assert "registration date cannot be in the future" in page
    assert not Organization.objects.exists()


# --- dashboard and profile ---------------------------------------------------------------------

def test_dashboard_shows_standing_projects_and_totals(client):
    org = make_org(qualified=False, registration_date=dt.date(2024, 2, 29))
    project = make_project_in("draft", org)
    page = _text(_client(client, _admin(org)).get(_url("console-org", org)))
    assert org.credit_code in page
    assert org.verified_until.isoformat() in page
    assert "2025-02-28" in page  # eligible for the qualification one year after registration
    assert project.title_zh in page
    assert "草稿" in page


def test_dashboard_totals(client):
    org = make_org()
    project = make_project(org)
    donate(project, 12_345)
    page = _text(_client(client, _admin(org)).get(_url("console-org", org)))
    assert "¥123.45" in page


def test_dashboard_shows_expired_verification(client):
    org = make_org()
    Organization.objects.filter(pk=org.pk).update(verified_until=timezone.localdate() - dt.timedelta(days=1))
    page = _text(_client(client, _admin(org)).get(_url("console-org", org)))
    assert "认证已过期" in page


def test_admin_edits_profile(client):
    org = make_org()
    data = {**_register_data(), "name_zh": "改名后的基金会", "website": "https://example.org"}
    data.pop("credit_code")
    response = _client(client, _admin(org)).post(_url("console-profile", org), data)
    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name_zh, org.website) == ("改名后的基金会", "https://example.org")
    assert AuditEvent.objects.filter(action="org.update", target_id=org.public_id).exists()


def test_profile_form_is_prefilled_and_keeps_credit_code(client):
    org = make_org()
    page = _text(_client(client, _admin(org)).get(_url("console-profile", org)))
    assert f'value="{org.name_zh}"' in page
    assert 'name="credit_code"' not in page


# --- members and invitations -------------------------------------------------------------------

def test_invite_sends_mail_on_commit(client, django_capture_on_commit_callbacks):
    org = make_org()
    with django_capture_on_commit_callbacks(execute=True):
        response = _client(client, _admin(org)).post(_url("console-members", org), {"email": "New@Example.org", "role": "editor"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(org=org)
    assert (invitation.email, invitation.role) == ("new@example.org", "editor")
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body
    page = _text(client.get(_url("console-members", org)))
    assert "new@example.org" in page  # pending invitation listed


def test_invite_existing_member_shows_form_error(client):
    org = make_org()
    editor = add_member(org, "editor")
    page = _text(_client(client, _admin(org)).post(_url("console-members", org), {"email": editor.email, "role": "admin"}))
    assert "该成员已在机构中" in page


def test_remove_member_and_last_admin_protection(client):
    org = make_org()
    admin = _admin(org)
    editor = add_member(org, "editor")
    c = _client(client, admin)
    response = c.post(_url("console-member-remove", org), {"membership": Membership.objects.get(user=editor).pk}, follow=True)
    assert not Membership.objects.filter(user=editor, org=org).exists()
    assert "成员已移除" in _text(response)
    response = c.post(_url("console-member-remove", org), {"membership": Membership.objects.get(user=admin).pk}, follow=True)
    assert "机构至少需要保留一位管理员" in _text(response)
    assert Membership.objects.filter(user=admin, org=org).exists()


def test_accept_invitation_with_the_invited_email(client):
    org = make_org()
    invitee = make_user()
    invitation = Invitation.objects.get(pk=_invite(org, invitee.email).pk)
    c = _client(client, invitee)
    page = c.get(reverse("console-invitation", kwargs={"token": invitation.token}))
    assert page.status_code == 200 and org.name_zh in _text(page)
    response = c.post(reverse("console-invitation", kwargs={"token": invitation.token}))
    assert response.status_code == 302 and response["Location"] == _url("console-org", org)
    assert Membership.objects.get(org=org, user=invitee).role == "finance"


def _invite(org, email, role="finance"):
    from commonweal.orgs.services import member_invite

    return member_invite(org=org, actor=_admin(org), email=email, role=role)


def test_invitation_for_another_email_is_refused(client):
    org = make_org()
    invitation = _invite(org, "someone@example.org")
    wrong = make_user("other@example.org")
    c = _client(client, wrong)
    page = c.get(reverse("console-invitation", kwargs={"token": invitation.token}))
    assert page.status_code == 404
    assert org.name_zh not in _text(page)
    assert "这份邀请发给了另一个邮箱" in _text(page)
    response = c.post(reverse("console-invitation", kwargs={"token": invitation.token}))
    assert response.status_code == 404
    assert not Membership.objects.filter(user=wrong).exists()


def test_expired_invitation_page(client):
    org = make_org()
    invitee = make_user()
    invitation = _invite(org, invitee.email)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    c = _client(client, invitee)
    assert c.get(reverse("console-invitation", kwargs={"token": invitation.token})).status_code == 404
    assert c.post(reverse("console-invitation", kwargs={"token": invitation.token})).status_code == 404
    assert not Membership.objects.filter(user=invitee).exists()


def test_invitation_needs_sign_in(client):
    response = client.get(reverse("console-invitation", kwargs={"token": "abc"}))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- payment credentials ------------------------------------------------------------------------

def test_credentials_page_never_shows_secrets(client):
    org = make_org()
    secret = credentials_get(org=org, provider="sandbox")["secret"]
    page = _text(_client(client, _admin(org)).get(_url("console-credentials", org)))
    assert secret not in page
    assert "已配置" in page and "未配置" in page
    for provider in ("sandbox", "wechatpay", "alipay"):
        assert f"/api/v1/payments/{provider}/{org.public_id}/notify" in page
    for field in ("sandbox-secret", "wechatpay-mchid", "wechatpay-apiv3_key", "alipay-app_id", "alipay-alipay_public_key_pem"):
        assert f'id="id_{field}"' in page and f'for="id_{field}"' in page


def test_finance_replaces_sandbox_secret(client):
    org = make_org()
    finance = add_member(org, "finance")
    new_secret = "s" * 40
    response = _client(client, finance).post(
        _url("console-credentials", org), {"provider": "sandbox", "sandbox-secret": new_secret}
    )
    assert response.status_code == 302
    row = ProviderCredential.objects.get(org=org, provider="sandbox")
    assert unseal_json(row.sealed) == {"secret": new_secret}
    assert new_secret not in row.sealed
    page = _text(client.get(_url("console-credentials", org)))
    assert new_secret not in page
    assert AuditEvent.objects.filter(action="credentials.set", target_id=org.public_id, data={"provider": "sandbox"}).exists()


def test_bad_credentials_are_explained_on_the_field(client):
    org = make_org()
    response = _client(client, _admin(org)).post(
        _url("console-credentials", org),
        {"provider": "wechatpay", "wechatpay-mchid": "abc", "wechatpay-appid": "wx1", "wechatpay-apiv3_key": "k" * 32,
         "wechatpay-platform_certificate_pem": "nope"},
    )
    assert response.status_code == 200
    page = _text(response)
    assert "mchid" in page and 'id="id_wechatpay-mchid_error"' in page
    assert 'value="abc"' not in page  # secrets are not rendered back, even on error
    assert not ProviderCredential.objects.filter(org=org, provider="wechatpay").exists()


# --- projects ---------------------------------------------------------------------------------

def _project_data(**overrides):
    today = timezone.localdate()
    data = {
        "title_zh": "山区儿童午餐",
        "title_en": "Lunch for mountain children",
        "summary_zh": "为山区学校提供营养午餐。",
        "domain": "rural_revitalization",
        "sdg_goals": ["2", "4"],
        "sdg_targets": "2.1, 4.A",
        "goal_yuan": "50,000.50",
        "budget": "食材 | 40000\n厨具 | 10,000.50\n\n",
        "beneficiaries": "山区小学学生",
        "beneficiary_count": "300",
        "region": "贵州省",
        "fundraising_plan": "三个月内募集五万元。",
        "starts_on": today.isoformat(),
        "ends_on": (today + dt.timedelta(days=90)).isoformat(),
        "story_zh": "孩子们走很远的路上学。",
    }
    data.update(overrides)
    return data


def test_create_project_with_budget_sdg_and_cover(client):
    org = make_org()
    data = _project_data(cover=SimpleUploadedFile("my photo.png", _png(), content_type="image/png"))
    response = _client(client, _admin(org)).post(_url("console-project-new", org), data)
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url("console-project", org, project=project.public_id)
    assert (project.status, project.goal_fen, project.org) == ("draft", 5_000_050, org)
    assert project.sdg_tags == ["2", "2.1", "4", "4.a"]
    assert list(project.budget_lines.values_list("name", "amount_fen", "position")) == [
        ("食材", 4_000_000, 0), ("厨具", 1_000_050, 1)
    ]
    assert project.cover.name.startswith("covers/") and project.cover.name.endswith(".png")
    assert "my photo" not in project.cover.name


def test_cover_is_checked_by_content(client):
    org = make_org()
    fake = SimpleUploadedFile("cover.png", b"<svg onload=alert(1)>", content_type="image/png")
    response = _client(client, _admin(org)).post(_url("console-project-new", org), _project_data(cover=fake))
    assert response.status_code == 200
    assert not Project.objects.exists()
    assert 'id="id_cover_error"' in _text(response)


def test_cover_format_must_be_jpeg_png_or_webp(client):
    org = make_org()
    gif = SimpleUploadedFile("cover.gif", _png(fmt="GIF"), content_type="image/gif")
    response = _client(client, _admin(org)).post(_url("console-project-new", org), _project_data(cover=gif))
    assert "GIF" in _text(response)
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    "field, value, expect",
    [
        ("budget", "Books 100", "第 1 行"),
        ("budget", "Books | 1.234", "最多保留两位小数"),
        ("budget", "Books | -5", "金额超出范围"),
        ("budget", "", ""),
        ("goal_yuan", "¥100", "without a currency sign"),
        ("sdg_targets", "4.z", "'4.z'"),
    ],
)
def test_project_form_explains_bad_input(client, field, value, expect):
    org = make_org()
    response = _client(client, _admin(org)).post(_url("console-project-new", org), _project_data(**{field: value}))
    assert response.status_code == 200
    page = _text(response)
    assert f'id="id_{field}_error"' in page and expect in page
    assert not Project.objects.exists()


def test_period_error_from_the_service_lands_on_the_field(client):
    org = make_org()
    today = timezone.localdate()
    data = _project_data(starts_on=today.isoformat(), ends_on=(today - dt.timedelta(days=1)).isoformat())
    page = _text(_client(client, _admin(org)).post(_url("console-project-new", org), data))
    assert 'id="id_ends_on_error"' in page
    assert not Project.objects.exists()


def test_partner_field_only_for_unqualified_orgs(client):
    qualified = make_org()
    unqualified = make_org(qualified=False)
    c = _client(client, _admin(qualified))
    assert 'name="partner_credit_code"' not in _text(c.get(_url("console-project-new", qualified)))
    c = _client(client, _admin(unqualified))
    assert 'name="partner_credit_code"' in _text(c.get(_url("console-project-new", unqualified)))


def test_partner_is_chosen_by_credit_code(client):
    org = make_org(qualified=False)
    partner = make_org()
    c = _client(client, _admin(org))
    response = c.post(_url("console-project-new", org), _project_data(partner_credit_code=partner.credit_code.lower()))
    assert response.status_code == 302
    assert Project.objects.get().partner_org == partner


@pytest.mark.parametrize("which, expect", [("unknown", "尚未在平台注册"), ("self", "必须是另一家机构"), ("invalid", "统一社会信用代码无效")])
def test_partner_credit_code_errors(client, which, expect):
    import random

    org = make_org(qualified=False)
    code = {"unknown": generate_credit_code(random.Random(99)), "self": org.credit_code, "invalid": "123"}[which]
    page = _text(_client(client, _admin(org)).post(_url("console-project-new", org), _project_data(partner_credit_code=code)))
    assert expect in page
    assert not Project.objects.exists()


def test_edit_draft_prefills_and_replaces_budget(client):
    org = make_org()
    project = make_project_in("draft", org)
    c = _client(client, _admin(org))
    page = _text(c.get(_url("console-project-edit", org, project=project.public_id)))
    assert "图书 | 60000.00" in page and 'value="100000.00"' in page
    assert re.search(r'name="sdg_goals" value="4"[^>]*checked', page)
    assert not re.search(r'name="sdg_goals" value="5"[^>]*checked', page)
    assert 'value="4.1"' in page  # targets go to the text field
    response = c.post(_url("console-project-edit", org, project=project.public_id),
                      _project_data(title_zh="新标题", budget="桌椅 | 2000"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title_zh == "新标题"
    assert list(project.budget_lines.values_list("name", "amount_fen")) == [("桌椅", 200_000)]


def test_edit_public_project_changes_only_story(client):
    org = make_org()
    project = make_project(org)
    c = _client(client, _admin(org))
    page = _text(c.get(_url("console-project-edit", org, project=project.public_id)))
    assert 'name="title_zh"' not in page and 'name="story_zh"' in page
    response = c.post(_url("console-project-edit", org, project=project.public_id), {"story_zh": "新的进展", "title_zh": "偷改标题"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.story_zh, project.title_zh) == ("新的进展", "乡村儿童阅读角")


def test_submit_shows_partner_required(client):
    org = make_org(qualified=False)
    project = make_project_in("draft", org)
    response = _client(client, _admin(org)).post(_url("console-project-submit", org, project=project.public_id), follow=True)
    assert "合作募捐机构" in _text(response) and "第二十六条" in _text(response)
    project.refresh_from_db()
    assert project.status == "draft"


def test_editor_submits_for_review(client):
    org = make_org()
    project = make_project_in("draft", org)
    editor = add_member(org, "editor")
    c = _client(client, editor)
    page = _text(c.get(_url("console-project", org, project=project.public_id)))
    assert _url("console-project-submit", org, project=project.public_id) in page
    response = c.post(_url("console-project-submit", org, project=project.public_id))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "in_review"
    assert AuditEvent.objects.filter(action="project.submit", target_id=project.public_id, actor=editor).exists()


def test_admin_starts_completes_and_editor_cannot(client):
    org = make_org()
    project = make_project(org)
    editor = add_member(org, "editor")
    url = _url("console-project-transition", org, project=project.public_id)
    page = _text(_client(client, editor).get(_url("console-project", org, project=project.public_id)))
    assert url not in page
    response = client.post(url, {"to": "executing"}, follow=True)
    assert "只有机构管理员可以执行这一步" in _text(response)
    project.refresh_from_db()
    assert project.status == "fundraising"
    c = _client(client, _admin(org))
    assert url in _text(c.get(_url("console-project", org, project=project.public_id)))
    c.post(url, {"to": "executing"})
    c.post(url, {"to": "completed"})
    project.refresh_from_db()
    assert project.status == "completed"


def test_close_needs_a_reason(client):
    org = make_org()
    project = make_project(org)
    c = _client(client, _admin(org))
    url = _url("console-project-transition", org, project=project.public_id)
    response = c.post(url, {"to": "closed", "reason": " "}, follow=True)
    assert "需要填写原因" in _text(response)
    project.refresh_from_db()
    assert project.status == "fundraising"
    c.post(url, {"to": "closed", "reason": "项目合作方退出"})
    project.refresh_from_db()
    assert (project.status, project.review_note) == ("closed", "项目合作方退出")


def test_console_cannot_approve_its_own_project(client):
    org = make_org()
    project = make_project_in("in_review", org)
    response = _client(client, _admin(org)).post(
        _url("console-project-transition", org, project=project.public_id), {"to": "fundraising"}, follow=True
    )
    assert response.status_code == 200
    project.refresh_from_db()
    assert project.status == "in_review"


def test_publish_update(client):
    org = make_org()
    project = make_project(org)
    c = _client(client, _admin(org))
    response = c.post(_url("console-project-update", org, project=project.public_id), {"title": "第一批图书到校", "body": "共 500 册。"})
    assert response.status_code == 302
    update = ProjectUpdate.objects.get(project=project)
    assert (update.title, update.author) == ("第一批图书到校", _admin(org))
    assert "第一批图书到校" in _text(c.get(_url("console-project", org, project=project.public_id)))


def test_update_on_a_draft_is_refused(client):
    org = make_org()
    project = make_project_in("draft", org)
    response = _client(client, _admin(org)).post(
        _url("console-project-update", org, project=project.public_id), {"title": "t", "body": "b"}, follow=True
    )
    assert "项目公开后才能发布进展" in _text(response)
    assert not ProjectUpdate.objects.exists()


# --- donations and refunds ----------------------------------------------------------------------

def test_donations_mask_names_unless_opted_in(client):
    org = make_org()
    project = make_project(org)
    donate(project, 10_000, donor_name="张三丰")
    donate(project, 20_000, donor_name="李四", donor_public=True)
    donate(project, 30_000)
    page = _text(_client(client, _admin(org)).get(_url("console-donations", org)))
    assert "张**" in page and "张三丰" not in page
    assert "李四" in page
    assert "爱心网友" in page
    assert "¥100.00" in page and "¥300.00" in page


def test_finance_records_a_refund(client):
    org = make_org()
    project = make_project(org)
    donation = donate(project, 10_000)
    finance = add_member(org, "finance")
    url = _url("console-refund", org, donation=donation.public_id)
    response = _client(client, finance).post(url, {f"{donation.public_id}-amount_yuan": "30.5", f"{donation.public_id}-reason": "重复捐赠"}, follow=True)
    assert "¥30.50" in _text(response)
    refund = Refund.objects.get()
    assert (refund.amount_fen, refund.reason, refund.requested_by) == (3050, "重复捐赠", finance)
    donation.refresh_from_db()
    assert donation.refunded_fen == 3050


def test_refund_beyond_the_donation_is_refused_with_a_message(client):
    org = make_org()
    donation = donate(make_project(org), 10_000)
    url = _url("console-refund", org, donation=donation.public_id)
    response = _client(client, _admin(org)).post(
        url, {f"{donation.public_id}-amount_yuan": "100.01", f"{donation.public_id}-reason": "x"}, follow=True
    )
    assert "退款金额超过了这笔捐赠的剩余金额" in _text(response)
    assert not Refund.objects.exists()


def test_partner_funded_project_donations_are_visible_but_refunded_by_the_recipient(client):
    from commonweal.projects.services import project_transition

    org = make_org(qualified=False)
    partner = make_org()
    project = make_project_in("draft", org, partner_org=partner)
    project = project_transition(project=project, to="in_review", actor=_admin(org))
    from tests.factories import make_operator

    project = project_transition(project=project, to="fundraising", actor=make_operator())
    donation = donate(project, 10_000, donor_name="王五")
    c = _client(client, _admin(org))
    page = _text(c.get(_url("console-donations", org)))
    assert "王*" in page
    assert _url("console-refund", org, donation=donation.public_id) not in page
    response = c.post(_url("console-refund", org, donation=donation.public_id),
                      {f"{donation.public_id}-amount_yuan": "1", f"{donation.public_id}-reason": "x"})
    assert response.status_code == 404
    c = _client(client, _admin(partner))
    assert _url("console-refund", partner, donation=donation.public_id) in _text(c.get(_url("console-donations", partner)))


@pytest.mark.parametrize("role, status", [("admin", 200), ("finance", 200), ("editor", 404)])
def test_role_gates(client, role, status):
    org = make_org()
    user = _admin(org) if role == "admin" else add_member(org, role)
    c = _client(client, user)
    assert c.get(_url("console-donations", org)).status_code == status
    assert c.get(_url("console-credentials", org)).status_code == status
    assert c.get(_url("console-members", org)).status_code == (200 if role == "admin" else 404)
    assert c.get(_url("console-profile", org)).status_code == (200 if role == "admin" else 404)
    assert c.get(_url("console-project-new", org)).status_code == (404 if role == "finance" else 200)
    assert c.get(_url("console-org", org)).status_code == 200


def test_post_only_urls_refuse_get_for_members(client):
    org = make_org()
    project = make_project(org)
    c = _client(client, _admin(org))
    assert c.get(_url("console-project-submit", org, project=project.public_id)).status_code == 405
    assert c.get(_url("console-member-remove", org)).status_code == 405


def test_console_in_english(client, settings):
    org = make_org(name="春苗儿童公益基金会")
    project = make_project(org)
    donate(project, 1_000, donor_name="John Smith")
    c = _client(client, _admin(org))
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _text(c.get(_url("console-org", org)))
    assert 'lang="en"' in page and "Standing with the platform" in page and "Reading corners for village children" in page
    page = _text(c.get(_url("console-donations", org)))
    assert "J*** S***" in page and "John Smith" not in page and "¥10.00" in page
    page = _text(c.get(_url("console-project-new", org)))
    assert "4. Quality education" in page


def test_rejected_organization_admin_resubmits_from_the_dashboard(client):
    from commonweal.orgs.services import org_transition
    from tests.factories import make_operator, make_org

    org = make_org(verified=False, qualified=False)
    org_transition(org=org, to="rejected", actor=make_operator(), reason="证书照片不清晰")
    admin = org.memberships.get(role="admin").user
    client.force_login(admin)
    page = client.get(f"/console/{org.public_id}/")
    assert "证书照片不清晰" in page.content.decode() and f"/console/{org.public_id}/resubmit/" in page.content.decode()
    client.post(f"/console/{org.public_id}/resubmit/")
    org.refresh_from_db()
    assert org.verification_status == "submitted"
