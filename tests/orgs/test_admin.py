"""The operator back office: TOTP is required, decisions go through services, records are read-only."""

import datetime as dt
import html

import pytest
from django.contrib.admin import helpers
from django.urls import reverse
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.giving.models import Donation
from commonweal.orgs.models import Organization
from tests.factories import donate, enable_totp, make_operator, make_org, make_project, make_project_in, make_user, totp_code

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def operator():
    user = make_operator()
    enable_totp(user)
    return user


@pytest.fixture
def admin_client(client, operator):
    client.force_login(operator)
    return client


QUEUE_PARAM = {"orgs_organization": "verification", "projects_project": "queue"}


def _action(client, model: str, action: str, objects, **extra):
    """Run an admin action as the change list does, from the list showing every row (the
    default list is the work queue, and an action only sees the rows its list shows)."""
    url = reverse(f"admin:{model}_changelist") + f"?{QUEUE_PARAM[model]}=all"
    data = {"action": action, helpers.ACTION_CHECKBOX_NAME: [obj.pk for obj in objects], **extra}
    return client.post(url, data, follow=True)


# --- TOTP and sign-in --------------------------------------------------------------------------

def test_staff_without_totp_is_sent_to_enrol(client):
    client.force_login(make_operator())
    for path in ("/admin/", "/admin/orgs/organization/", "/admin/login/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_staff_with_totp_reaches_the_admin(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    for model in ("organization", "membership", "project", "budgetline", "donation", "refund", "outboxentry", "auditevent"):
        assert f"/{model}/" in _text(response)


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_admin_login_refuses_offsite_next(client):
    response = client.get("/admin/login/?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=/admin/"


def test_signed_in_non_staff_gets_403_not_a_loop(client):
    client.force_login(make_user())
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_password_and_totp_sign_in(client):
    operator = make_operator("ops@example.org")
    secret = enable_totp(operator)
    response = client.post("/accounts/login/?next=/admin/", {"login": "ops@example.org", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/authenticate/")
    assert client.get("/admin/").status_code == 302  # not signed in before the second factor
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


# --- organization verification queue ---------------------------------------------------------

def test_queue_opens_on_organizations_awaiting_verification(admin_client):
    waiting = make_org(verified=False, qualified=False, name="待审基金会")
    make_org(name="已认证基金会")
    page = _text(admin_client.get(reverse("admin:orgs_organization_changelist")))
    assert "待审基金会" in page and "已认证基金会" not in page
    page = _text(admin_client.get(reverse("admin:orgs_organization_changelist") + "?verification=all"))
    assert "待审基金会" in page and "已认证基金会" in page
    assert waiting.credit_code in page


def test_expired_queue(admin_client):
    expired = make_org(name="过期基金会")
    make_org(name="有效基金会")
    Organization.objects.filter(pk=expired.pk).update(verified_until=timezone.localdate() - dt.timedelta(days=1))
    page = _text(admin_client.get(reverse("admin:orgs_organization_changelist") + "?verification=expired"))
    assert "过期基金会" in page and "有效基金会" not in page


def test_verify_action_calls_the_service(admin_client, operator):
    org = make_org(verified=False, qualified=False)
    response = _action(admin_client, "orgs_organization", "verify", [org])
    assert "已认证 1 家机构" in _text(response)
    org.refresh_from_db()
    assert org.verification_status == "verified"
    assert AuditEvent.objects.filter(action="org.verify", target_id=org.public_id, actor=operator).exists()


def test_reject_asks_for_a_reason_first(admin_client, operator):
    org = make_org(verified=False, qualified=False)
    response = _action(admin_client, "orgs_organization", "reject", [org])
    page = _text(response)
    assert response.status_code == 200 and 'name="reason"' in page and org.name_zh in page
    org.refresh_from_db()
    assert org.verification_status == "submitted"
    response = _action(admin_client, "orgs_organization", "reject", [org], apply="1", reason="")
    assert 'name="reason"' in _text(response)
    org.refresh_from_db()
    assert org.verification_status == "submitted"
    response = _action(admin_client, "orgs_organization", "reject", [org], apply="1", reason="登记证书模糊")
    assert "已驳回 1 家机构" in _text(response)
    org.refresh_from_db()
    assert (org.verification_status, org.rejection_reason) == ("rejected", "登记证书模糊")
    assert AuditEvent.objects.filter(action="org.reject", target_id=org.public_id, reason="登记证书模糊").exists()


def test_service_refusals_become_admin_messages(admin_client):
    young = make_org(qualified=False, registration_date=timezone.localdate() - dt.timedelta(days=100))
    waiting = make_org(verified=False, qualified=False)
    response = _action(admin_client, "orgs_organization", "grant_qualification", [young])
    page = _text(response)
    assert "申请公开募捐资格须登记满一年" in page and young.name_zh in page
    young.refresh_from_db()
    assert not young.fundraising_qualified
    response = _action(admin_client, "orgs_organization", "requeue", [waiting])
    assert f"{waiting.name_zh}: 当前状态下不能执行这一步" in _text(response)
    waiting.refresh_from_db()
    assert waiting.verification_status == "submitted"


def test_grant_qualification(admin_client, operator):
    org = make_org(qualified=False)
    response = _action(admin_client, "orgs_organization", "grant_qualification", [org])
    assert "已为 1 家机构授予公开募捐资格" in _text(response)
    org.refresh_from_db()
    assert org.fundraising_qualified and org.fundraising_qualified_on == timezone.localdate()


def test_organization_rows_are_read_only(admin_client):
    org = make_org()
    url = reverse("admin:orgs_organization_change", args=[org.pk])
    page = _text(admin_client.get(url))
    assert 'name="verification_status"' not in page and 'name="name_zh"' not in page
    response = admin_client.post(url, {"name_zh": "改名", "verification_status": "rejected"})
    assert response.status_code == 403
    org.refresh_from_db()
    assert (org.name_zh, org.verification_status) != ("改名", "rejected")
    assert admin_client.get(reverse("admin:orgs_organization_add")).status_code == 403
    assert admin_client.get(reverse("admin:orgs_organization_delete", args=[org.pk])).status_code == 403


# --- project review queue ------------------------------------------------------------------

def test_review_queue_lists_projects_in_review(admin_client):
    waiting = make_project_in("in_review", title_zh="待审项目")
    make_project_in("draft", title_zh="草稿项目")
    page = _text(admin_client.get(reverse("admin:projects_project_changelist")))
    assert "待审项目" in page and "草稿项目" not in page
    assert waiting.org.name_zh in page


def test_approve_action(admin_client, operator):
    project = make_project_in("in_review")
    response = _action(admin_client, "projects_project", "approve", [project])
    assert "已通过 1 个项目" in _text(response)
    project.refresh_from_db()
    assert project.status == "fundraising"
    assert AuditEvent.objects.filter(action="project.approve", target_id=project.public_id, actor=operator).exists()


def test_reject_project_with_reason(admin_client):
    project = make_project_in("in_review")
    response = _action(admin_client, "projects_project", "reject", [project])
    assert 'name="reason"' in _text(response)
    response = _action(admin_client, "projects_project", "reject", [project], apply="1", reason="预算缺少明细")
    assert "已将 1 个项目退回草稿" in _text(response)
    project.refresh_from_db()
    assert (project.status, project.review_note) == ("draft", "预算缺少明细")


def test_approving_a_draft_is_refused_with_a_message(admin_client):
    draft = make_project_in("draft", title_zh="一个草稿")
    good = make_project_in("in_review")
    response = _action(admin_client, "projects_project", "approve", [draft, good])
    page = _text(response)
    assert "一个草稿: 当前状态下不能执行这一步" in page
    assert "已通过 1 个项目" in page
    draft.refresh_from_db()
    good.refresh_from_db()
    assert (draft.status, good.status) == ("draft", "fundraising")


def test_operator_closes_a_fundraising_project(admin_client):
    project = make_project()
    _action(admin_client, "projects_project", "close", [project], apply="1", reason="发现虚假信息")
    project.refresh_from_db()
    assert (project.status, project.review_note) == ("closed", "发现虚假信息")


def test_project_change_page_is_read_only(admin_client):
    project = make_project_in("in_review")
    page = _text(admin_client.get(reverse("admin:projects_project_change", args=[project.pk])))
    assert project.title_zh in page and "¥60,000.00" in page
    assert 'name="status"' not in page
    assert admin_client.post(reverse("admin:projects_project_change", args=[project.pk]), {"status": "fundraising"}).status_code == 403


# --- money records are read-only -------------------------------------------------------------

def test_money_records_are_read_only(admin_client):
    donation = donate(make_project(), 5_000, donor_name="张三")
    for model, obj in (("giving_donation", donation), ("core_auditevent", AuditEvent.objects.first())):
        assert admin_client.get(reverse(f"admin:{model}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:{model}_change", args=[obj.pk])).status_code == 200
        assert admin_client.get(reverse(f"admin:{model}_add")).status_code == 403
        assert admin_client.post(reverse(f"admin:{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    from commonweal.ledger.models import OutboxEntry

    entry = OutboxEntry.objects.get()
    page = _text(admin_client.get(reverse("admin:ledger_outboxentry_change", args=[entry.pk])))
    assert donation.public_id in page
    assert Donation.objects.count() == 1
    assert admin_client.get(reverse("admin:giving_refund_changelist")).status_code == 200


def test_non_staff_cannot_use_the_admin(client):
    user = make_user()
    enable_totp(user)
    client.force_login(user)
    response = client.get("/admin/orgs/organization/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
