"""The organization console (/console/), organization-level pages: index, registration,
invitations, profile, members, resubmission. Thin views that parse a form, call one service, render.

The console's other pages live with the app whose data they show (``projects.views_console``,
``giving.views_console``, ``disclosure.views_console``, ...); ``commonweal/console_urls.py`` mounts
them all. Service errors become form errors (on ``exc.field`` when the form has it) or messages.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweal.core.errors import DomainError
from commonweal.core.language import active_language
from commonweal.orgs import selectors
from commonweal.orgs.console import ADMIN, console_view, org_context
from commonweal.orgs.forms import InviteForm, OrgProfileForm, OrgRegisterForm, RemoveMemberForm, error_text
from commonweal.orgs.models import VerificationStatus
from commonweal.orgs.services import (
    invitation_accept,
    member_invite,
    member_remove,
    org_register,
    org_transition,
    org_update_profile,
)


# --- index, registration, invitations -----------------------------------------------------

@login_required
def index(request):
    rows = [
        {"membership": m, "org": m.org, "standing": selectors.org_standing(org=m.org)}
        for m in selectors.console_memberships(user=request.user)
    ]
    return render(request, "orgs/index.html", {"rows": rows})


@login_required
def register(request):
    form = OrgRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        try:
            org = org_register(actor=request.user, credit_code=fields.pop("credit_code"), **fields)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("Your organization is registered and awaits verification by the platform."))
            return redirect("console-org", org=org.public_id)
    return render(request, "orgs/register.html", {"form": form})


@login_required
def invitation(request, token):
    found = selectors.invitation_by_token(token)
    usable = (
        found is not None
        and found.accepted_at is None
        and found.expires_at >= timezone.now()
        and found.email == request.user.email.lower()
    )
    error = None
    if request.method == "POST":
        try:
            membership = invitation_accept(token=token, user=request.user)
        except DomainError as exc:
            error = error_text(exc)
        else:
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.org.name(active_language())})
            return redirect("console-org", org=membership.org.public_id)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    wrong_email = found is not None and found.email != request.user.email.lower()
    context = {"invitation": found if usable else None, "wrong_email": wrong_email, "error": error}
    return render(request, "orgs/invitation.html", context, status=200 if usable and not error else 404)


# --- organization pages -------------------------------------------------------------------

@console_view(roles=ADMIN)
def profile(request, org):
    form = OrgProfileForm(request.POST or None, initial=OrgProfileForm.initial_for(org))
    if request.method == "POST" and form.is_valid():
        try:
            org_update_profile(org=org, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The profile is saved."))
            return redirect("console-profile", org=org.public_id)
    return render(request, "orgs/profile.html", org_context(request, org, form=form))


@console_view(roles=ADMIN)
def members(request, org):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_invite(org=org, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("An invitation was sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("console-members", org=org.public_id)
    context = org_context(
        request, org, form=form, members=selectors.org_members(org=org),
        invitations=selectors.org_pending_invitations(org=org),
    )
    return render(request, "orgs/members.html", context)


@console_view(roles=ADMIN, methods=("POST",))
def resubmit(request, org):
    """After a rejection, the admin fixes the profile and asks for verification again."""
    try:
        org_transition(org=org, to=VerificationStatus.SUBMITTED, actor=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Your organization is submitted for verification again."))
    return redirect("console-org", org=org.public_id)


@console_view(roles=ADMIN, methods=("POST",))
def member_remove_view(request, org):
    form = RemoveMemberForm(request.POST)
    if form.is_valid():
        try:
            member_remove(org=org, actor=request.user, membership_id=form.cleaned_data["membership"])
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The member was removed."))
    else:
        messages.error(request, _("Choose a member to remove."))
    return redirect("console-members", org=org.public_id)
