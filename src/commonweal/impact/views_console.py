"""The organization console's impact pages, under /impact/console/<org>/: add indicators to a
project, set targets, record results with evidence, edit the SROI worksheet.

Access goes through ``orgs.console.console_view`` (indicators resolved with
``access_indicator_by_public_id``) and ``projects.console.console_view`` (projects): a missing
thing and another organization's thing are the same 404.
"""

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from commonweal.core.errors import DomainError
from commonweal.core.money import fen_to_yuan_str
from commonweal.impact.forms import IndicatorForm, ResultForm, TargetsForm, WorksheetForm, impact_error_text, outcome_formset
from commonweal.impact.models import SroiWorksheet
from commonweal.impact.permissions import ADMIN_EDITOR, access_indicator_by_public_id, may_edit_indicator
from commonweal.impact.selectors import indicator_status, indicator_statuses, indicator_with_values, indicators_for, sroi_view
from commonweal.impact.services import indicator_create, indicator_targets_set, result_record, sroi_save
from commonweal.impact.sroi_labels import outcome_rows, sensitivity_rows
from commonweal.impact.values import format_value
from commonweal.orgs.console import console_view as org_console_view
from commonweal.orgs.console import org_context
from commonweal.orgs.permissions import ANY_ROLE
from commonweal.projects.console import console_view as project_console_view
from commonweal.projects.models import Project
from commonweal.projects.permissions import project_is_public

__all__ = [
    "console_index", "console_project", "indicator_new", "indicator_detail", "targets_set", "result_new", "result_evidence",
    "sroi_edit", "indicator_manage_context", "targets_post", "result_post", "evidence_response",
]


def _resolve_indicator(user, org_obj, kwargs, roles) -> None:
    kwargs["indicator"] = access_indicator_by_public_id(user, kwargs["indicator"], org=org_obj, roles=roles)


def indicator_view(*, roles=ANY_ROLE, methods=("GET", "POST")):
    return org_console_view(roles=roles, methods=methods, resolve=_resolve_indicator)


def _project_url(org, project) -> str:
    return reverse("impact-console-project", kwargs={"org": org.public_id, "project": project.public_id})


def _indicator_url(org, indicator) -> str:
    return reverse("impact-console-indicator", kwargs={"org": org.public_id, "indicator": indicator.public_id})


@org_console_view(methods=("GET",))
def console_index(request, org):
    projects = Project.objects.filter(org=org).annotate(indicator_count=Count("indicators")).order_by("-created_at")[:200]
    rows = [{"project": p, "indicators": p.indicator_count} for p in projects]
    return render(request, "impact/console/index.html", org_context(request, org, rows=rows))


@project_console_view(methods=("GET",))
def console_project(request, org, project):
    context = org_context(
        request, org, project=project, statuses=indicator_statuses(indicators_for(subjects=[project])),
        sroi=sroi_view(project), public=project_is_public(project),
    )
    context["sroi_outcomes"] = outcome_rows(context["sroi"]) if context["sroi"] else []
    context["sensitivity"] = sensitivity_rows(context["sroi"]) if context["sroi"] else []
    context["can_edit"] = context["role"] in ADMIN_EDITOR
    return render(request, "impact/console/project.html", context)


@project_console_view(roles=ADMIN_EDITOR)
def indicator_new(request, org, project):
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = indicator_create(actor=request.user, subject=project, data=form.to_input())
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The indicator is added. Set its targets next."))
            return redirect(_indicator_url(org, indicator))
    return render(request, "impact/console/indicator_new.html", org_context(request, org, project=project, form=form))


def _indicator_page(request, org, indicator, *, targets_form=None, result_form=None):
    context = org_context(request, org, project=indicator.project, **indicator_manage_context(
        request, indicator, indicator_url=_indicator_url(org, indicator), targets_form=targets_form, result_form=result_form,
    ))
    return render(request, "impact/console/indicator.html", context)


def indicator_manage_context(request, indicator, *, indicator_url: str, targets_form=None, result_form=None) -> dict:
    """What ``impact/_indicator_manage.html`` shows, for the console and the program office."""
    status = indicator_status(indicator_with_values(indicator))
    initial = "\n".join(f"{period} | {format_value(target)}" for period, target, _r in status.rows if target is not None)
    return {
        "indicator": indicator, "status": status, "can_edit": may_edit_indicator(request.user, indicator), "indicator_url": indicator_url,
        "targets_form": targets_form or TargetsForm(initial={"targets": initial}), "result_form": result_form or ResultForm(),
    }


@indicator_view(methods=("GET",))
def indicator_detail(request, org, indicator):
    return _indicator_page(request, org, indicator)


@indicator_view(roles=ADMIN_EDITOR, methods=("POST",))
def targets_set(request, org, indicator):
    form = targets_post(request, indicator)
    return redirect(_indicator_url(org, indicator)) if form is None else _indicator_page(request, org, indicator, targets_form=form)


@indicator_view(roles=ADMIN_EDITOR, methods=("POST",))
def result_new(request, org, indicator):
    form = result_post(request, indicator)
    return redirect(_indicator_url(org, indicator)) if form is None else _indicator_page(request, org, indicator, result_form=form)


def targets_post(request, indicator) -> TargetsForm | None:
    """Save the posted targets: None once saved (the caller redirects), else the form with its errors."""
    form = TargetsForm(request.POST)
    if form.is_valid():
        try:
            indicator_targets_set(indicator=indicator, actor=request.user, targets=form.cleaned_data["targets"])
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The targets are saved."))
            return None
    return form


def result_post(request, indicator) -> ResultForm | None:
    """Record the posted result: None once recorded (the caller redirects), else the form with its errors."""
    form = ResultForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result_record(indicator=indicator, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The result is recorded."))
            return None
    return form


@indicator_view(methods=("GET",))
def result_evidence(request, org, indicator, result):
    return evidence_response(indicator, result)


def evidence_response(indicator, result: str) -> FileResponse:
    """A result's evidence file, streamed to the indicator's keepers only (the caller checked):
    PDFs download, images show inline."""
    item = indicator.results.filter(public_id=result).exclude(evidence_file="").first()
    if item is None:
        raise Http404("no such evidence file")
    response = FileResponse(item.evidence_file.open("rb"), content_type=item.evidence_content_type,
                            as_attachment=not item.evidence_is_image, filename=item.evidence_file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


def _worksheet_initial(worksheet: SroiWorksheet | None) -> tuple[dict, list[dict]]:
    if worksheet is None:
        return {"discount_rate_pct": "3.5"}, []
    sheet = {"investment_yuan": fen_to_yuan_str(worksheet.investment_fen), "discount_rate_pct": format_value(worksheet.discount_rate_pct),
             "notes": worksheet.notes}
    outcomes = [
        {"description": o.description, "stakeholder": o.stakeholder, "quantity": format_value(o.quantity),
         "proxy_yuan": fen_to_yuan_str(o.proxy_fen), "proxy_source": o.proxy_source,
         "deadweight_pct": format_value(o.deadweight_pct), "attribution_pct": format_value(o.attribution_pct),
         "displacement_pct": format_value(o.displacement_pct), "drop_off_pct": format_value(o.drop_off_pct),
         "duration_years": o.duration_years}
        for o in worksheet.outcomes.all()
    ]
    return sheet, outcomes


def _filled(formset) -> list:
    return [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]


@project_console_view(roles=ADMIN_EDITOR)
def sroi_edit(request, org, project):
    current = sroi_view(project)
    worksheet = current.worksheet if current else SroiWorksheet.objects.filter(project=project).first()
    sheet_initial, outcome_initial = _worksheet_initial(worksheet)
    if request.method == "POST":
        form = WorksheetForm(request.POST)
        outcomes = outcome_formset(data=request.POST, initial=outcome_initial)
        if form.is_valid() and outcomes.is_valid():
            try:
                sroi_save(
                    project=project, actor=request.user, investment_fen=form.cleaned_data["investment_yuan"],
                    discount_rate_pct=form.cleaned_data["discount_rate_pct"], notes=form.cleaned_data["notes"],
                    outcomes=[f.to_input() for f in _filled(outcomes)],
                )
            except DomainError as exc:
                form.add_error(None, _outcome_error(exc))
            else:
                messages.success(request, _("The SROI worksheet is saved."))
                return redirect(reverse("impact-console-sroi", kwargs={"org": org.public_id, "project": project.public_id}))
    else:
        form = WorksheetForm(initial=sheet_initial)
        outcomes = outcome_formset(initial=outcome_initial)
    context = org_context(request, org, project=project, form=form, outcomes=outcomes, sroi=current,
                          sensitivity=sensitivity_rows(current) if current else [],
                          sroi_outcomes=outcome_rows(current) if current else [])
    return render(request, "impact/console/sroi.html", context)


def _outcome_error(exc: DomainError) -> str:
    text = impact_error_text(exc)
    field = exc.field or ""
    if field.startswith("outcomes."):
        number = int(field.split(".")[1]) + 1
        return _("Outcome %(n)s: %(problem)s") % {"n": number, "problem": text}
    return text
