"""Builders for test data that go through the real services (no hand-made rows)."""

import datetime as dt
import itertools
import json
import random

from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.core.credit_code import generate_credit_code
from commonweal.giving.providers import sandbox_build_notification
from commonweal.giving.services import credentials_get, intent_create, notification_receive
from commonweal.orgs.models import Organization, OrgType
from commonweal.orgs.services import org_grant_fundraising_qualification, org_register, org_transition
from commonweal.projects.models import Project
from commonweal.projects.services import project_create, project_transition

_seq = itertools.count(1)
_rng = random.Random(20261123)


def make_user(email: str | None = None, *, staff: bool = False, password: str = "correct-horse-battery") -> User:
    email = email or f"user{next(_seq)}@example.org"
    return User.objects.create_user(email=email, password=password, is_staff=staff, display_name=email.split("@")[0])


def make_operator(email: str | None = None) -> User:
    return make_user(email or f"operator{next(_seq)}@example.org", staff=True)


def make_org(admin: User | None = None, *, verified: bool = True, qualified: bool = True, operator=None,
             registration_date: dt.date | None = None, name: str | None = None) -> Organization:
    admin = admin or make_user()
    n = next(_seq)
    org = org_register(
        actor=admin,
        credit_code=generate_credit_code(_rng),
        name_zh=name or f"测试公益基金会{n}",
        name_en=f"Test Charity Foundation {n}",
        certificate_number=f"53100000{n:06d}",
        registration_date=registration_date or dt.date(2015, 3, 1),
        org_type=OrgType.FOUNDATION,
        contact_name="王老师",
        contact_phone="010-12345678",
        contact_email=f"contact{n}@example.org",
    )
    if verified or qualified:
        operator = operator or make_operator()
        org = org_transition(org=org, to="verified", actor=operator)
        if qualified:
            org = org_grant_fundraising_qualification(org=org, actor=operator)
    return org


def project_fields(**overrides) -> dict:
    today = timezone.localdate()
    fields = dict(
        title_zh="乡村儿童阅读角",
        title_en="Reading corners for village children",
        summary_zh="为山区小学建设阅读角。",
        summary_en="Reading corners for mountain schools.",
        story_zh="孩子们需要书。",
        domain="education_innovation",
        sdg_tags=["4", "4.1"],
        goal_fen=10_000_000,
        beneficiaries="山区小学学生",
        beneficiary_count=1200,
        region="云南省",
        fundraising_plan="一年内募集十万元，用于图书与书架。",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=200),
    )
    fields.update(overrides)
    return fields


def make_project(org: Organization | None = None, *, status: str = "fundraising", admin: User | None = None,
                 operator=None, **overrides) -> Project:
    org = org or make_org()
    admin = admin or org.memberships.get(role="admin").user
    project = project_create(org=org, actor=admin, budget_lines=[("图书", 6_000_000), ("书架", 4_000_000)], **project_fields(**overrides))
    if status == "draft":
        return project
    project = project_transition(project=project, to="in_review", actor=admin)
    if status == "in_review":
        return project
    operator = operator or make_operator()
    project = project_transition(project=project, to="fundraising", actor=operator)
    assert status == "fundraising", f"make_project does not build status {status}"
    return project


def sandbox_notification(intent, *, txn_id: str | None = None, amount_fen: int | None = None, currency: str = "CNY",
                         now=None, secret: str | None = None, payer: str = "payer-test", paid_at=None):
    """Headers and body of a real signed sandbox notification for ``intent``."""
    now = now or timezone.now()
    secret = secret or credentials_get(org=intent.recipient_org, provider="sandbox")["secret"]
    return sandbox_build_notification(
        secret=secret, out_trade_no=intent.public_id, transaction_id=txn_id or f"sbx-{intent.public_id}",
        amount_fen=intent.amount_fen if amount_fen is None else amount_fen, currency=currency,
        payer=payer, paid_at=paid_at or now, now=now,
    )


def donate(project: Project, amount_fen: int = 10_000, *, donor=None, donor_name: str = "", donor_public: bool = False,
           payer: str = "payer-test", paid_at=None, **intent_extra):
    """A full sandbox donation through the public services: intent, signed notification, confirm.

    ``intent_extra`` goes to ``intent_create`` (attribution, client_address, device_id, ...)."""
    intent, _ = intent_create(project=project, amount_fen=amount_fen, idempotency_key=f"k-{next(_seq)}-{_rng.random()}",
                              donor=donor, donor_name=donor_name, donor_public=donor_public, **intent_extra)
    headers, body = sandbox_notification(intent, payer=payer, paid_at=paid_at)
    return notification_receive(provider="sandbox", org_public_id=intent.recipient_org.public_id, headers=headers, body=body)


def body_json(body: bytes) -> dict:
    return json.loads(body)


# --- console, admin and authorization helpers ---------------------------------------------

def add_member(org: Organization, role: str, user: User | None = None) -> User:
    """A user who joined ``org`` with ``role`` through a real invitation."""
    from commonweal.orgs.services import invitation_accept, member_invite

    user = user or make_user()
    inviter = org.memberships.filter(role="admin").first().user
    invitation = member_invite(org=org, actor=inviter, email=user.email, role=role)
    invitation_accept(token=invitation.token, user=user)
    return user


def enable_totp(user: User) -> str:
    """Enrol a TOTP authenticator for ``user`` through allauth; returns the base32 secret."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str) -> str:
    """The current TOTP code for ``secret``, computed with allauth's own helpers."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


def make_project_in(status: str, org: Organization | None = None, *, operator=None, **overrides) -> Project:
    """A project in any status, reached only through ``project_transition``."""
    org = org or make_org()
    admin = org.memberships.filter(role="admin").first().user
    if status == "closed":
        project = make_project(org, status="draft", admin=admin, **overrides)
        return project_transition(project=project, to="closed", actor=admin, reason="no longer needed")
    if status in ("draft", "in_review", "fundraising"):
        return make_project(org, status=status, admin=admin, operator=operator, **overrides)
    project = make_project(org, status="fundraising", admin=admin, operator=operator, **overrides)
    project = project_transition(project=project, to="executing", actor=admin)
    if status == "executing":
        return project
    assert status == "completed", f"make_project_in does not build status {status}"
    return project_transition(project=project, to="completed", actor=admin)
