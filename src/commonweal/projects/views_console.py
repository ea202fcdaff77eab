"""Console pages for an organization's projects (/console/<org>/projects/...): create, edit,
submit for review, take a step. The project page itself shows reports, so it is disclosure's
(``disclosure.views_console``); the routes are in ``commonweal/console_urls.py``.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commonweal.core.errors import DomainError, NotFound
from commonweal.core.language import active_language
from commonweal.orgs.console import ADMIN_EDITOR, console_money, org_context
from commonweal.orgs.forms import ProjectForm, ProjectPublicEditForm, TransitionForm, error_text
from commonweal.projects.console import console_view
from commonweal.projects.models import ProjectStatus
from commonweal.projects.permissions import project_is_public
from commonweal.projects.services import project_create, project_transition, project_update

# Console buttons for the project edges an organization takes (operators review in the admin).
TRANSITION_LABELS = {
    ProjectStatus.IN_REVIEW: gettext_noop("Submit for review"),
    ProjectStatus.EXECUTING: gettext_noop("Start execution"),
    ProjectStatus.COMPLETED: gettext_noop("Mark as completed"),
    ProjectStatus.CLOSED: gettext_noop("Close the project"),
}


def project_row(project) -> dict:
    lang = active_language()
    return {
        "project": project,
        "title": project.title(lang),
        "goal": console_money(project.goal_fen),
        "raised": console_money(project.net_raised_fen),
        "public": project_is_public(project),
    }


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
    return render(request, "orgs/project_form.html", org_context(request, org, form=form, project=None))


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
    return render(request, "orgs/project_form.html", org_context(request, org, form=form, project=project))


def back_to_project(org, project):
    return redirect("console-project", org=org.public_id, project=project.public_id)


@console_view(roles=ADMIN_EDITOR, methods=("POST",))
def project_submit(request, org, project):
    try:
        project_transition(project=project, to=ProjectStatus.IN_REVIEW, actor=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The project was submitted for review."))
    return back_to_project(org, project)


@console_view(roles=ADMIN_EDITOR, methods=("POST",))
def project_transition_view(request, org, project):
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["to"] not in TRANSITION_LABELS:
        messages.error(request, _("Choose a step."))
        return back_to_project(org, project)
    try:
        project_transition(project=project, to=form.cleaned_data["to"], actor=request.user, reason=form.cleaned_data["reason"])
    except NotFound:
        messages.error(request, _("Only an administrator of the organization can take this step."))
    except DomainError as exc:
        messages.error(request, _("A reason is required.") if exc.field == "reason" else error_text(exc))
    else:
        messages.success(request, _("The project is now: %(status)s.") % {"status": ProjectStatus(form.cleaned_data["to"]).label})
    return back_to_project(org, project)
