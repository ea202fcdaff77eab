"""Organization use cases: registration, verification, qualification, members, credentials."""

import datetime as dt
import logging
import secrets

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.credit_code import validate_credit_code
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.sealing import seal_json
from commonweal.orgs.lifecycle import VERIFICATION_PERIOD_DAYS, VERIFICATION_TRANSITIONS
from commonweal.orgs.permissions import member_role
from commonweal.orgs.models import (
    Invitation,
    Membership,
    Organization,
    OrgType,
    ProviderCredential,
    Role,
    VerificationStatus,
)

logger = logging.getLogger("commonweal.orgs")

PROFILE_FIELDS = (
    "name_zh", "name_en", "certificate_number", "registration_date", "org_type", "description_zh",
    "description_en", "contact_name", "contact_phone", "contact_email", "address", "website",
)
INVITATION_DAYS = 7
QUALIFICATION_MIN_YEARS = 1


def _require_operator(actor) -> None:
    if not getattr(actor, "is_operator", False):
        raise NotFound("operators only")


def _check_profile(fields: dict) -> None:
    if not (fields.get("name_zh") or "").strip():
        raise InvalidInput("the Chinese name is required", field="name_zh")
    if fields.get("org_type") not in OrgType.values:
        raise InvalidInput(f"type must be one of {', '.join(OrgType.values)}, got {fields.get('org_type')!r}", field="org_type")
    registered = fields.get("registration_date")
    if not isinstance(registered, dt.date):
        raise InvalidInput("registration date is required", field="registration_date")
    if registered > timezone.localdate():
        raise InvalidInput(f"registration date cannot be in the future, got {registered}", field="registration_date")


def org_register(*, actor, credit_code: str, **fields) -> Organization:
    """A user applies to register an organization and becomes its first admin."""
    code = validate_credit_code(credit_code)
    _check_profile(fields)
    unknown = fields.keys() - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(f"unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic(durable=True):
        if Organization.objects.filter(credit_code=code).exists():
            raise Conflict(f"an organization with credit code {code} is already registered", code="duplicate_credit_code", field="credit_code")
        org = Organization.objects.create(credit_code=code, **fields)
        Membership.objects.create(org=org, user=actor, role=Role.ADMIN)
        # Every organization can take test payments through the sandbox from day one.
        ProviderCredential.objects.create(org=org, provider="sandbox", sealed=seal_json({"secret": secrets.token_hex(32)}))
        audit_record(actor=actor, action="org.register", target=org)
    return org


def org_update_profile(*, org: Organization, actor, **fields) -> Organization:
    """Admins edit the profile; the credit code is fixed once registered."""
    unknown = fields.keys() - set(PROFILE_FIELDS)
    if unknown:
        raise InvalidInput(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    with transaction.atomic(durable=True):
        org = Organization.objects.select_for_update().get(pk=org.pk)
        for name, value in fields.items():
            setattr(org, name, value)
        _check_profile({name: getattr(org, name) for name in PROFILE_FIELDS})
        org.save()
        audit_record(actor=actor, action="org.update", target=org, data={"fields": sorted(fields)})
    return org


def org_transition(*, org: Organization, to: str, actor, reason: str = "") -> Organization:
    """Move verification along one edge of ``VERIFICATION_TRANSITIONS``."""
    with transaction.atomic(durable=True):
        org = Organization.objects.select_for_update().get(pk=org.pk)
        rule = VERIFICATION_TRANSITIONS.get((org.verification_status, to))
        if rule is not None and not rule.by_operator:
            require_role(org, actor, {Role.ADMIN})
        else:
            _require_operator(actor)
        if rule is None:
            raise Conflict(f"verification cannot go from {org.verification_status} to {to}", code="illegal_transition")
        if rule.reason_required and not reason.strip():
            raise InvalidInput("a reason is required", field="reason")
        org.verification_status = to
        if to == VerificationStatus.VERIFIED:
            org.verified_until = timezone.localdate() + dt.timedelta(days=VERIFICATION_PERIOD_DAYS)
            org.rejection_reason = ""
        elif to == VerificationStatus.REJECTED:
            org.rejection_reason = reason
            org.verified_until = None
        org.save()
        audit_record(actor=actor, action=rule.action, target=org, reason=reason)
    return org


def org_is_verified(org: Organization, *, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return org.verification_status == VerificationStatus.VERIFIED and org.verified_until is not None and org.verified_until >= today


def org_grant_fundraising_qualification(*, org: Organization, actor, granted_on: dt.date | None = None) -> Organization:
    """Charity Law Art. 22: only organizations registered at least one year may be qualified."""
    _require_operator(actor)
    granted_on = granted_on or timezone.localdate()
    with transaction.atomic(durable=True):
        org = Organization.objects.select_for_update().get(pk=org.pk)
        eligible_from = _add_years(org.registration_date, QUALIFICATION_MIN_YEARS)
        if granted_on < eligible_from:
            raise Conflict(
                f"public fundraising needs one year of registration: registered {org.registration_date}, eligible from {eligible_from}",
                code="not_eligible_for_qualification",
            )
        if not org_is_verified(org, today=granted_on):
            raise Conflict("only verified organizations can be qualified", code="not_verified")
        org.fundraising_qualified = True
        org.fundraising_qualified_on = granted_on
        org.save()
        audit_record(actor=actor, action="org.qualify", target=org)
    return org


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


# --- members ------------------------------------------------------------------------------

def member_invite(*, org: Organization, actor, email: str, role: str) -> Invitation:
    if role not in Role.values:
        raise InvalidInput(f"role must be one of {', '.join(Role.values)}, got {role!r}", field="role")
    email = email.strip().lower()
    if "@" not in email:
        raise InvalidInput(f"not an email address: {email!r}", field="email")
    with transaction.atomic(durable=True):
        require_role(org, actor, {Role.ADMIN})
        if Membership.objects.filter(org=org, user__email=email).exists():
            raise Conflict(f"{email} is already a member", code="already_member", field="email")
        invitation = Invitation.objects.create(
            org=org, email=email, role=role, token=secrets.token_urlsafe(32), invited_by=actor,
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
        )
        audit_record(actor=actor, action="member.invite", target=org, data={"role": role, "invitation": invitation.public_id})
        transaction.on_commit(lambda: _send_invitation(invitation))
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    from django.conf import settings

    link = f"{settings.SITE_URL}/console/invitations/{invitation.token}/"
    send_mail(
        subject=f"Commonweal: {invitation.org.name_zh} 邀请您加入 / invites you",
        message=f"{invitation.org.name_zh} 邀请您以 {invitation.role} 身份加入。\n"
        f"{invitation.org.name_zh} invites you to join as {invitation.role}.\n\n{link}\n",
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_accept(*, token: str, user) -> Membership:
    with transaction.atomic(durable=True):
        invitation = Invitation.objects.select_for_update().filter(token=token).first()
        if invitation is None or invitation.accepted_at or invitation.expires_at < timezone.now():
            raise NotFound("this invitation does not exist, was used or has expired")
        if invitation.email != user.email.lower():
            raise NotFound("this invitation was sent to another email address")
        try:
            with transaction.atomic():
                membership = Membership.objects.create(org=invitation.org, user=user, role=invitation.role)
        except IntegrityError as exc:
            raise Conflict("you are already a member of this organization", code="already_member") from exc
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        audit_record(actor=user, action="member.join", target=invitation.org, data={"role": invitation.role})
    return membership


def member_remove(*, org: Organization, actor, membership_id: int) -> None:
    with transaction.atomic(durable=True):
        require_role(org, actor, {Role.ADMIN})
        membership = Membership.objects.select_for_update().filter(org=org, pk=membership_id).first()
        if membership is None:
            raise NotFound("no such member")
        admins = Membership.objects.select_for_update().filter(org=org, role=Role.ADMIN)
        if membership.role == Role.ADMIN and admins.count() == 1:
            raise Conflict("an organization keeps at least one admin", code="last_admin")
        membership.delete()
        audit_record(actor=actor, action="member.remove", target=org, data={"user": membership.user_id})


def require_role(org: Organization, actor, roles) -> None:
    if member_role(actor, org) not in roles:
        raise NotFound(f"no organization {org.public_id!r} in your console")
