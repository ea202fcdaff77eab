"""The organization console (/console/): thin views that parse a form, call one service, render.

Every organization-scoped view resolves its organization with ``access_org_by_public_id`` and
its project with ``access_project_by_public_id``: a missing thing and a forbidden one are the
same 404. Service errors become form errors (on ``exc.field`` when the form has it) or messages.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commonweal.core.errors import DomainError, NotFound
from commonweal.core.money import format_fen
from commonweal.core.privacy import public_donor_name
from commonweal.giving.providers import PROVIDERS
from commonweal.giving.services import credentials_set, refund_create
from commonweal.orgs import selectors
from commonweal.orgs.forms import (
    InviteForm,
    OrgProfileForm,
    OrgRegisterForm,
    ProjectForm,
    ProjectPublicEditForm,
    RefundForm,
    RemoveMemberForm,
    TransitionForm,
    credential_form_class,
    error_text,
)
from commonweal.orgs.models import Role
from commonweal.orgs.permissions import ANY_ROLE, access_org_by_public_id, member_role
from commonweal.orgs.models import VerificationStatus
from commonweal.orgs.services import (
    invitation_accept,
    member_invite,
    member_remove,
    org_register,
    org_transition,
    org_update_profile,
)
from commonweal.projects.lifecycle import PROJECT_TRANSITIONS
from commonweal.projects.models import ProjectStatus
from commonweal.projects.permissions import access_project_by_public_id, project_is_public
from commonweal.projects.services import project_create, project_transition, project_update
# Reports are disclosure's (the Charity Law's clock, photos, followers); the console only shows the form.
from commonweal.disclosure.forms_reporting import ReportForm, reporting_error_text
from commonweal.disclosure.selectors.reporting import project_deadlines, project_under_clock
from commonweal.disclosure.services.reporting import report_publish

ADMIN = frozenset({Role.ADMIN})
ADMIN_FINANCE = frozenset({Role.ADMIN, Role.FINANCE})
ADMIN_EDITOR = frozenset({Role.ADMIN, Role.EDITOR})
DONATIONS_PER_PAGE = 50

# Console buttons for the project edges an organization takes (operators review in the admin).
TRANSITION_LABELS = {
    ProjectStatus.IN_REVIEW: gettext_noop("Submit for review"),
    ProjectStatus.EXECUTING: gettext_noop("Start execution"),
    ProjectStatus.COMPLETED: gettext_noop("Mark as completed"),
    ProjectStatus.CLOSED: gettext_noop("Close the project"),
}


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


def _money(amount_fen: int) -> str:
    return format_fen(amount_fen, lang=_lang())


def console_view(*, roles=ANY_ROLE, methods=("GET", "POST")):
    """Sign-in required; resolve ``org`` (and ``project``) for the signed-in user or 404.

    The method check comes after the access check, so outsiders see 404 whatever they send.
    """

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org, *args, project=None, **kwargs):
            try:
                org_obj = access_org_by_public_id(request.user, org, roles=roles)
                if project is not None:
                    project_obj = access_project_by_public_id(request.user, project, roles=roles)
                    if project_obj.org_id != org_obj.pk:
                        raise NotFound(f"no project {project!r} in this organization")
                    kwargs["project"] = project_obj
            except NotFound as exc:
                raise Http404(str(exc)) from None
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, org_obj, *args, **kwargs)

        return wrapper

    return decorator


def _org_context(request, org, **extra) -> dict:
    role = member_role(request.user, org)
    role_label = Role(role).label if role else ""
    return {"org": org, "role": role, "role_label": role_label, "standing": selectors.org_standing(org=org), **extra}


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
            messages.success(request, _("Welcome to %(org)s.") % {"org": membership.org.name(_lang())})
            return redirect("console-org", org=membership.org.public_id)
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    wrong_email = found is not None and found.email != request.user.email.lower()
    context = {"invitation": found if usable else None, "wrong_email": wrong_email, "error": error}
    return render(request, "orgs/invitation.html", context, status=200 if usable and not error else 404)


# --- organization pages -------------------------------------------------------------------

@console_view(methods=("GET",))
def dashboard(request, org):
    counts = selectors.org_project_counts(org=org)
    by_status = [{"status": value, "label": label, "count": counts.get(value, 0)} for value, label in ProjectStatus.choices]
    totals = {key: (_money(value) if key.endswith("_fen") else value) for key, value in selectors.org_totals(org=org).items()}
    projects = [_project_row(p) for p in selectors.org_projects(org=org)[:50]]
    context = _org_context(request, org, by_status=by_status, totals=totals, projects=projects)
    return render(request, "orgs/dashboard.html", context)


def _project_row(project) -> dict:
    lang = _lang()
    return {
        "project": project,
        "title": project.title(lang),
        "goal": _money(project.goal_fen),
        "raised": _money(project.net_raised_fen),
        "public": project_is_public(project),
    }


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
    return render(request, "orgs/profile.html", _org_context(request, org, form=form))


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
    context = _org_context(
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


def notification_url(provider: str, org) -> str:
    """Where the provider must send payment notifications for this organization."""
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/payments/{provider}/{org.public_id}/notify"


@console_view(roles=ADMIN_FINANCE)
def credentials(request, org):
    posted = request.POST.get("provider") if request.method == "POST" else None
    if request.method == "POST" and posted not in PROVIDERS:
        messages.error(request, _("Choose a payment provider."))
        return redirect("console-credentials", org=org.public_id)
    status = {row.provider: row for row in selectors.org_credential_status(org=org, providers=PROVIDERS)}
    sections = []
    for name, provider in PROVIDERS.items():
        form_class = credential_form_class(name, provider.credential_fields, provider.optional_credential_fields)
        form = form_class(request.POST if name == posted else None, prefix=name)
        if name == posted and form.is_valid():
            try:
                credentials_set(org=org, actor=request.user, provider=name, credentials=form.credentials())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The %(provider)s credentials are saved.") % {"provider": name})
                return redirect("console-credentials", org=org.public_id)
        sections.append({"name": name, "status": status[name], "form": form, "notify_url": notification_url(name, org)})
    return render(request, "orgs/credentials.html", _org_context(request, org, sections=sections))


# --- projects ------------------------------------------------------------------------------

@console_view(roles=ADMIN_EDITOR)
def project_new(request, org):
    form = ProjectForm(request.POST or None, request.FILES or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_create(
                org=org, actor=request.user, budget_lines=form.cleaned_data["budget"], **form.service_kwargs()
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The draft is saved. Submit it for review when it is ready."))
            return redirect("console-project", org=org.public_id, project=project.public_id)
    return render(request, "orgs/project_form.html", _org_context(request, org, form=form, project=None))


@console_view(roles=ADMIN_EDITOR)
def project_edit(request, org, project):
    if project.status == ProjectStatus.DRAFT:
        form = ProjectForm(request.POST or None, request.FILES or None, org=org, initial=ProjectForm.initial_for(project))
    elif project.status in (ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED):
        form = ProjectPublicEditForm(request.POST or None, request.FILES or None, initial=ProjectPublicEditForm.initial_for(project))
    else:
        messages.error(request, _("This project can no longer be edited."))
        return redirect("console-project", org=org.public_id, project=project.public_id)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if isinstance(form, ProjectForm):
            kwargs["budget_lines"] = form.cleaned_data["budget"]
        try:
            project_update(project=project, actor=request.user, **kwargs)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The project is saved."))
            return redirect("console-project", org=org.public_id, project=project.public_id)
    return render(request, "orgs/project_form.html", _org_context(request, org, form=form, project=project))


@console_view(methods=("GET",))
def project_detail(request, org, project):
    return _project_detail(request, org, project)


def _project_detail(request, org, project, *, update_form=None):
    role = member_role(request.user, org)
    actions = [
        {
            "to": to,
            "label": _(TRANSITION_LABELS[to]),
            "reason_required": rule.reason_required,
            "url": reverse("console-project-submit" if to == ProjectStatus.IN_REVIEW else "console-project-transition",
                           kwargs={"org": org.public_id, "project": project.public_id}),
        }
        for (source, to), rule in PROJECT_TRANSITIONS.items()
        if source == project.status and role in rule.allowed and to in TRANSITION_LABELS
    ]
    can_edit = role in ADMIN_EDITOR and project.status in (
        ProjectStatus.DRAFT, ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED
    )
    can_publish = role in ADMIN_EDITOR and project_under_clock(project)
    lines = list(project.budget_lines.all())
    context = _org_context(
        request, org, project=project, row=_project_row(project), actions=actions, can_edit=can_edit,
        can_publish=can_publish, update_form=(update_form if update_form is not None else ReportForm()) if can_publish else None,
        budget_lines=[{"name": line.name, "amount": _money(line.amount_fen)} for line in lines],
        budget_total=_money(sum(line.amount_fen for line in lines)),
        updates=list(project.updates.prefetch_related("photos")[:20]),
        deadlines=project_deadlines(project, today=timezone.localdate()),
    )
    return render(request, "orgs/project_detail.html", context)


def _back_to_project(org, project):
    return redirect("console-project", org=org.public_id, project=project.public_id)


@console_view(roles=ADMIN_EDITOR, methods=("POST",))
def project_submit(request, org, project):
    try:
        project_transition(project=project, to=ProjectStatus.IN_REVIEW, actor=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The project was submitted for review."))
    return _back_to_project(org, project)


@console_view(roles=ADMIN_EDITOR, methods=("POST",))
def project_transition_view(request, org, project):
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["to"] not in TRANSITION_LABELS:
        messages.error(request, _("Choose a step."))
        return _back_to_project(org, project)
    try:
        project_transition(project=project, to=form.cleaned_data["to"], actor=request.user, reason=form.cleaned_data["reason"])
    except NotFound:
        messages.error(request, _("Only an administrator of the organization can take this step."))
    except DomainError as exc:
        messages.error(request, _("A reason is required.") if exc.field == "reason" else error_text(exc))
    else:
        messages.success(request, _("The project is now: %(status)s.") % {"status": ProjectStatus(form.cleaned_data["to"]).label})
    return _back_to_project(org, project)


@console_view(roles=ADMIN_EDITOR, methods=("POST",))
def project_update_publish(request, org, project):
    """Publish a report (progress, final, donations received) with figures and photos."""
    form = ReportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            report_publish(project=project, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            if exc.field not in form.fields:  # the project's state, not the input: say so and go back
                messages.error(request, reporting_error_text(exc))
                return _back_to_project(org, project)
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The update is published."))
            return _back_to_project(org, project)
    return _project_detail(request, org, project, update_form=form)


# --- donations -----------------------------------------------------------------------------

@console_view(roles=ADMIN_FINANCE, methods=("GET",))
def donations(request, org):
    lang = _lang()
    page = Paginator(selectors.org_donations(org=org), DONATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "donation": d,
            "donor": public_donor_name(name=d.donor_name, opted_in=d.donor_public, lang=lang),
            "amount": _money(d.amount_fen),
            "refunded": _money(d.refunded_fen) if d.refunded_fen else "",
            "project": d.project.title(lang),
            "refundable": d.recipient_org_id == org.pk and d.refunded_fen < d.amount_fen,
            "form": RefundForm(prefix=d.public_id),
        }
        for d in page
    ]
    return render(request, "orgs/donations.html", _org_context(request, org, page=page, rows=rows))


@console_view(roles=ADMIN_FINANCE, methods=("POST",))
def refund(request, org, donation):
    found = selectors.org_received_donation(org=org, public_id=donation)
    if found is None:
        raise Http404("no such donation")
    form = RefundForm(request.POST, prefix=found.public_id)
    if form.is_valid():
        try:
            refund_create(donation=found, amount_fen=form.cleaned_data["amount_yuan"], reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("A refund of %(amount)s was recorded.") % {"amount": _money(form.cleaned_data["amount_yuan"])})
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
    return redirect("console-donations", org=org.public_id)
