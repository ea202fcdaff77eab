"""The console's project page (/console/<org>/projects/<project>/): the project, its steps, and
the report form on the Charity Law's clock; publishing a report. Here because the page shows
disclosure's reports and deadlines; the routes are in ``commonweal/console_urls.py``.
"""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweal.core.errors import DomainError
from commonweal.disclosure.forms_reporting import ReportForm, reporting_error_text
from commonweal.disclosure.selectors.reporting import project_deadlines, project_under_clock
from commonweal.disclosure.services.reporting import report_publish
from commonweal.orgs.console import ADMIN_EDITOR, console_money, org_context
from commonweal.orgs.permissions import member_role
from commonweal.projects.console import console_view
from commonweal.projects.lifecycle import PROJECT_TRANSITIONS
from commonweal.projects.models import ProjectStatus
from commonweal.projects.views_console import TRANSITION_LABELS, back_to_project, project_row


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
    context = org_context(
        request, org, project=project, row=project_row(project), actions=actions, can_edit=can_edit,
        can_publish=can_publish, update_form=(update_form if update_form is not None else ReportForm()) if can_publish else None,
        budget_lines=[{"name": line.name, "amount": console_money(line.amount_fen)} for line in lines],
        budget_total=console_money(sum(line.amount_fen for line in lines)),
        updates=list(project.updates.prefetch_related("photos")[:20]),
        deadlines=project_deadlines(project, today=timezone.localdate()),
    )
    return render(request, "orgs/project_detail.html", context)


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
                return back_to_project(org, project)
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The update is published."))
            return back_to_project(org, project)
    return _project_detail(request, org, project, update_form=form)
