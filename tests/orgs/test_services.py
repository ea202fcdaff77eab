"""Organization use cases through orgs.services: verification, qualification, members."""

import datetime as dt
import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.orgs.lifecycle import VERIFICATION_PERIOD_DAYS, VERIFICATION_TRANSITIONS
from commonweal.orgs.models import Invitation, Membership, Organization, VerificationStatus
from commonweal.orgs.services import (
    invitation_accept,
    member_invite,
    member_remove,
    org_grant_fundraising_qualification,
    org_is_verified,
    org_transition,
)
from tests.factories import add_member, make_operator, make_org, make_user

pytestmark = pytest.mark.django_db

STATES = list(VerificationStatus.values)


def _org_in(state: str, operator) -> Organization:
    """An organization in verification ``state``, reached through org_transition only."""
    org = make_org(verified=False, qualified=False)
    if state == VerificationStatus.VERIFIED:
        org = org_transition(org=org, to="verified", actor=operator)
    elif state == VerificationStatus.REJECTED:
        org = org_transition(org=org, to="rejected", actor=operator, reason="certificate unreadable")
    assert org.verification_status == state
    return org


# --- verification lifecycle: every edge, legal and illegal ---------------------------------

@pytest.mark.parametrize("source, target", list(itertools.product(STATES, STATES)))
def test_every_verification_edge(source, target):
    operator = make_operator()
    org = _org_in(source, operator)
    before = AuditEvent.objects.count()
    rule = VERIFICATION_TRANSITIONS.get((source, target))
    # Operators take every edge but one: the organization's admin resubmits after a rejection.
    actor = operator if rule is None or rule.by_operator else org.memberships.get().user
    if rule is None:
        with pytest.raises(Conflict) as exc:
            org_transition(org=org, to=target, actor=operator, reason="because")
        assert exc.value.code == "illegal_transition"
        org.refresh_from_db()
        assert org.verification_status == source
        assert AuditEvent.objects.count() == before
        return
    org = org_transition(org=org, to=target, actor=actor, reason="because")
    org.refresh_from_db()
    assert org.verification_status == target
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.target_type, event.target_id, event.actor) == (rule.action, "organization", org.public_id, actor)
    assert AuditEvent.objects.count() == before + 1
    if target == VerificationStatus.VERIFIED:
        assert org.verified_until == timezone.localdate() + dt.timedelta(days=VERIFICATION_PERIOD_DAYS)
        assert org.rejection_reason == ""
    if target == VerificationStatus.REJECTED:
        assert (org.rejection_reason, org.verified_until) == ("because", None)


@pytest.mark.parametrize("source, target", list(VERIFICATION_TRANSITIONS))
@pytest.mark.parametrize("actor_kind", ["org_admin", "operator", "other_user", "anonymous"])
def test_each_verification_edge_only_for_its_actor(source, target, actor_kind):
    rule = VERIFICATION_TRANSITIONS[(source, target)]
    allowed = "operator" if rule.by_operator else "org_admin"
    if actor_kind == allowed:
        pytest.skip("the allowed actor is covered by test_every_verification_edge")
    org = _org_in(source, make_operator())
    actor = {
        "org_admin": lambda: org.memberships.get().user,
        "operator": make_operator,
        "other_user": make_user,
        "anonymous": AnonymousUser,
    }[actor_kind]()
    with pytest.raises(NotFound):
        org_transition(org=org, to=target, actor=actor, reason="because")
    org.refresh_from_db()
    assert org.verification_status == source


@pytest.mark.parametrize("source, target", [edge for edge, rule in VERIFICATION_TRANSITIONS.items() if rule.reason_required])
@pytest.mark.parametrize("reason", ["", "   "])
def test_rejection_needs_a_reason(source, target, reason):
    operator = make_operator()
    org = _org_in(source, operator)
    with pytest.raises(InvalidInput) as exc:
        org_transition(org=org, to=target, actor=operator, reason=reason)
    assert exc.value.field == "reason"
    org.refresh_from_db()
    assert org.verification_status == source


def test_reason_required_exactly_on_rejections():
    assert {edge for edge, rule in VERIFICATION_TRANSITIONS.items() if rule.reason_required} == {
        edge for edge in VERIFICATION_TRANSITIONS if edge[1] == VerificationStatus.REJECTED
    }


def test_verification_expires_after_verified_until():
    operator = make_operator()
    org = _org_in("verified", operator)
    last_day = org.verified_until
    assert org_is_verified(org, today=last_day)
    assert not org_is_verified(org, today=last_day + dt.timedelta(days=1))
    Organization.objects.filter(pk=org.pk).update(verified_until=timezone.localdate() - dt.timedelta(days=1))
    org.refresh_from_db()
    assert org.verification_status == "verified"
    assert not org_is_verified(org)


def test_renewal_extends_an_expired_verification():
    operator = make_operator()
    org = _org_in("verified", operator)
    Organization.objects.filter(pk=org.pk).update(verified_until=timezone.localdate() - dt.timedelta(days=3))
    org.refresh_from_db()
    org = org_transition(org=org, to="verified", actor=operator)
    assert org.verified_until == timezone.localdate() + dt.timedelta(days=VERIFICATION_PERIOD_DAYS)
    assert org_is_verified(org)
    assert AuditEvent.objects.filter(action="org.renew", target_id=org.public_id).count() == 1


def test_unverified_and_rejected_are_not_verified():
    operator = make_operator()
    assert not org_is_verified(_org_in("submitted", operator))
    assert not org_is_verified(_org_in("rejected", operator))


# --- public-fundraising qualification (Charity Law Art. 22) ---------------------------------

@pytest.mark.parametrize(
    "registered, refused_on, granted_on",
    [
        (dt.date(2020, 3, 1), dt.date(2021, 2, 28), dt.date(2021, 3, 1)),
        # Registered on 29 February: one year later is the last day of February.
        (dt.date(2020, 2, 29), dt.date(2021, 2, 27), dt.date(2021, 2, 28)),
        # One year after 28 February lands in a leap year on 28 February, not 29.
        (dt.date(2019, 2, 28), dt.date(2020, 2, 27), dt.date(2020, 2, 28)),
        (dt.date(2023, 12, 31), dt.date(2024, 12, 30), dt.date(2024, 12, 31)),
    ],
)
def test_qualification_needs_one_year_of_registration(registered, refused_on, granted_on):
    operator = make_operator()
    org = make_org(verified=True, qualified=False, registration_date=registered, operator=operator)
    with pytest.raises(Conflict) as exc:
        org_grant_fundraising_qualification(org=org, actor=operator, granted_on=refused_on)
    assert exc.value.code == "not_eligible_for_qualification"
    assert str(granted_on) in exc.value.message
    org.refresh_from_db()
    assert not org.fundraising_qualified
    org = org_grant_fundraising_qualification(org=org, actor=operator, granted_on=granted_on)
    assert (org.fundraising_qualified, org.fundraising_qualified_on) == (True, granted_on)
    assert AuditEvent.objects.filter(action="org.qualify", target_id=org.public_id, actor=operator).count() == 1


@pytest.mark.parametrize("state", ["submitted", "rejected"])
def test_qualification_refused_for_unverified_orgs(state):
    operator = make_operator()
    org = _org_in(state, operator)
    with pytest.raises(Conflict) as exc:
        org_grant_fundraising_qualification(org=org, actor=operator)
    assert exc.value.code == "not_verified"
    org.refresh_from_db()
    assert not org.fundraising_qualified


def test_qualification_refused_when_verification_expired():
    operator = make_operator()
    org = _org_in("verified", operator)
    Organization.objects.filter(pk=org.pk).update(verified_until=timezone.localdate() - dt.timedelta(days=1))
    org.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        org_grant_fundraising_qualification(org=org, actor=operator)
    assert exc.value.code == "not_verified"


def test_only_operators_grant_qualification():
    org = make_org(verified=True, qualified=False)
    for actor in (org.memberships.get().user, make_user(), AnonymousUser()):
        with pytest.raises(NotFound):
            org_grant_fundraising_qualification(org=org, actor=actor)
    org.refresh_from_db()
    assert not org.fundraising_qualified


# --- members and invitations ------------------------------------------------------------------

def test_invite_and_accept(django_capture_on_commit_callbacks):
    org = make_org()
    admin = org.memberships.get().user
    invitee = make_user("New.Member@Example.org")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation = member_invite(org=org, actor=admin, email=" New.Member@Example.org ", role="finance")
    assert len(callbacks) == 1
    assert invitation.email == "new.member@example.org"
    assert [m.to for m in mail.outbox] == [["new.member@example.org"]]
    assert f"/console/invitations/{invitation.token}/" in mail.outbox[0].body
    membership = invitation_accept(token=invitation.token, user=invitee)
    assert (membership.org, membership.user, membership.role) == (org, invitee, "finance")
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="member.invite", target_id=org.public_id, actor=admin).count() == 1
    assert AuditEvent.objects.filter(action="member.join", target_id=org.public_id, actor=invitee).count() == 1


def test_invitation_mail_is_sent_only_on_commit(django_capture_on_commit_callbacks):
    org = make_org()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        member_invite(org=org, actor=org.memberships.get().user, email="later@example.org", role="editor")
    assert mail.outbox == []
    assert len(callbacks) == 1


def test_invitation_cannot_be_used_twice():
    org = make_org()
    invitee = make_user()
    invitation = member_invite(org=org, actor=org.memberships.get().user, email=invitee.email, role="editor")
    invitation_accept(token=invitation.token, user=invitee)
    with pytest.raises(NotFound):
        invitation_accept(token=invitation.token, user=invitee)
    assert Membership.objects.filter(org=org).count() == 2


def test_invitation_for_another_email_is_refused():
    org = make_org()
    invitation = member_invite(org=org, actor=org.memberships.get().user, email="right@example.org", role="admin")
    wrong = make_user("wrong@example.org")
    with pytest.raises(NotFound) as exc:
        invitation_accept(token=invitation.token, user=wrong)
    assert "another email" in exc.value.message
    assert not Membership.objects.filter(org=org, user=wrong).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_expired_invitation_is_refused():
    org = make_org()
    invitee = make_user()
    invitation = member_invite(org=org, actor=org.memberships.get().user, email=invitee.email, role="editor")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(NotFound):
        invitation_accept(token=invitation.token, user=invitee)
    assert not Membership.objects.filter(org=org, user=invitee).exists()


def test_unknown_token_is_refused():
    with pytest.raises(NotFound):
        invitation_accept(token="no-such-token", user=make_user())


@pytest.mark.parametrize("role", ["editor", "finance"])
def test_only_admins_invite(role):
    org = make_org()
    member = add_member(org, role)
    with pytest.raises(NotFound):
        member_invite(org=org, actor=member, email="x@example.org", role="editor")
    with pytest.raises(NotFound):
        member_invite(org=org, actor=make_user(), email="x@example.org", role="editor")
    assert Invitation.objects.filter(email="x@example.org").count() == 0


@pytest.mark.parametrize(
    "email, role, field",
    [("x@example.org", "owner", "role"), ("not-an-email", "editor", "email"), ("", "editor", "email")],
)
def test_invite_rejects_bad_input(email, role, field):
    org = make_org()
    with pytest.raises(InvalidInput) as exc:
        member_invite(org=org, actor=org.memberships.get().user, email=email, role=role)
    assert exc.value.field == field


def test_inviting_a_member_again_is_a_conflict():
    org = make_org()
    editor = add_member(org, "editor")
    with pytest.raises(Conflict) as exc:
        member_invite(org=org, actor=org.memberships.get(role="admin").user, email=editor.email, role="admin")
    assert (exc.value.code, exc.value.field) == ("already_member", "email")


def test_remove_member():
    org = make_org()
    admin = org.memberships.get().user
    editor = add_member(org, "editor")
    membership = Membership.objects.get(org=org, user=editor)
    member_remove(org=org, actor=admin, membership_id=membership.pk)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="member.remove", target_id=org.public_id, data={"user": editor.pk}).count() == 1


def test_last_admin_cannot_be_removed():
    org = make_org()
    admin_membership = org.memberships.get()
    with pytest.raises(Conflict) as exc:
        member_remove(org=org, actor=admin_membership.user, membership_id=admin_membership.pk)
    assert exc.value.code == "last_admin"
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_one_of_two_admins_can_be_removed_then_the_other_is_protected():
    org = make_org()
    first = org.memberships.get()
    second_user = add_member(org, "admin")
    member_remove(org=org, actor=second_user, membership_id=first.pk)
    second = Membership.objects.get(org=org, user=second_user)
    with pytest.raises(Conflict):
        member_remove(org=org, actor=second_user, membership_id=second.pk)


@pytest.mark.parametrize("role", ["editor", "finance"])
def test_only_admins_remove_members(role):
    org = make_org()
    member = add_member(org, role)
    target = Membership.objects.get(org=org, role="admin")
    with pytest.raises(NotFound):
        member_remove(org=org, actor=member, membership_id=target.pk)
    assert Membership.objects.filter(pk=target.pk).exists()


def test_membership_of_another_org_cannot_be_removed_through_this_one():
    org = make_org()
    other = make_org()
    other_editor = add_member(other, "editor")
    with pytest.raises(NotFound):
        member_remove(
            org=org, actor=org.memberships.get().user,
            membership_id=Membership.objects.get(org=other, user=other_editor).pk,
        )
    assert Membership.objects.filter(org=other, user=other_editor).exists()
