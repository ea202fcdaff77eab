"""Spending pages: disbursements in the organization console, and the public finance pages
(a project's figures as CSV and as an SVG chart, an organization's annual report).

Console views reuse ``projects.console.console_view`` (sign-in, organization and project access, the
same 404 for missing and forbidden) and resolve a disbursement with
``access_disbursement_by_public_id``. Each parses its input, calls one service or selector and
renders; service errors become messages or form errors through ``spending_error_text``.
"""

import csv
import io
from functools import wraps

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from commonweal.core.errors import DomainError, NotFound
from commonweal.core.language import is_english
from commonweal.core.money import fen_to_yuan_str
from commonweal.disclosure.charts import budget_chart_svg
from commonweal.disclosure.forms_spending import (
    DisbursementForm,
    DisbursementTransitionForm,
    EvidenceForm,
    spending_error_text,
)
from commonweal.disclosure.models.spending import Disbursement, DisbursementKind, DisbursementStatus
from commonweal.disclosure.selectors.spending import (
    ART61_CHARITABLE_MIN_PERCENT,
    ART61_MANAGEMENT_MAX_PERCENT,
    CHARITABLE_KINDS,
    MANAGEMENT_KINDS,
    SPENDING_STATUSES,
    access_disbursement_by_public_id,
    annual_report_years,
    disbursement_evidence,
    disbursement_limit_problems,
    ledger_project_url,
    org_annual_report,
    org_disbursements,
    org_spending_projects,
    project_disbursements,
    project_financial_summary,
)
from commonweal.disclosure.services.spending import (
    disbursement_create,
    disbursement_transition,
    evidence_add,
)
from commonweal.disclosure.spending_lifecycle import ADMIN_FINANCE, DISBURSEMENT_TRANSITIONS, FINANCE
from commonweal.orgs.models import Role
from commonweal.orgs.permissions import member_role
from commonweal.orgs.console import org_context
from commonweal.projects.console import console_view
from commonweal.projects.selectors import org_get_public, project_get_public

DISBURSEMENTS_PER_PAGE = 50

ACTION_LABELS = {
    DisbursementStatus.SUBMITTED: gettext_noop("Submit for approval"),
    DisbursementStatus.APPROVED: gettext_noop("Approve"),
    DisbursementStatus.REJECTED: gettext_noop("Reject"),
    DisbursementStatus.PAID: gettext_noop("Mark as paid"),
}
DONE_MESSAGES = {
    DisbursementStatus.SUBMITTED: gettext_noop("The disbursement was submitted for approval."),
    DisbursementStatus.APPROVED: gettext_noop("The disbursement is approved."),
    DisbursementStatus.REJECTED: gettext_noop("The disbursement was rejected."),
    DisbursementStatus.PAID: gettext_noop("The disbursement is marked as paid and recorded in the public ledger."),
}


def _disbursement_or_404(request, org, public_id: str) -> Disbursement:
    try:
        found = access_disbursement_by_public_id(request.user, public_id, roles=ADMIN_FINANCE)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    if found.project.org_id != org.pk:
        raise Http404("no such disbursement in this organization")
    return found


_ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE")


def disbursement_view(*, roles=ADMIN_FINANCE, methods=("GET", "POST")):
    """``console_view`` for a URL with a ``<disbursement>``: the disbursement is resolved (or 404)
    before the method check too, so outsiders see 404 whatever they send."""

    def decorator(view):
        @console_view(roles=roles, methods=_ANY_METHOD)
        @wraps(view)
        def wrapper(request, org, *args, disbursement, **kwargs):
            found = _disbursement_or_404(request, org, disbursement)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, org, *args, disbursement=found, **kwargs)

        return wrapper

    return decorator


def _detail(org, disbursement) -> str:
    return reverse("console-disbursement", kwargs={"org": org.public_id, "disbursement": disbursement.public_id})


# --- console: lists ------------------------------------------------------------------------

@console_view(roles=ADMIN_FINANCE, methods=("GET",))
def disbursements(request, org):
    """Every disbursement of the organization, newest first; ``?status=submitted`` for the queue."""
    status = request.GET.get("status", "")
    if status not in DisbursementStatus.values:
        status = ""
    page = Paginator(org_disbursements(org=org, status=status or None), DISBURSEMENTS_PER_PAGE).get_page(request.GET.get("page"))
    context = org_context(
        request, org, page=page, status=status, statuses=DisbursementStatus.choices,
        projects=list(org_spending_projects(org=org)[:50]),
    )
    return render(request, "disclosure/spending/org_list.html", context)


@console_view(roles=ADMIN_FINANCE, methods=("GET",))
def project_disbursements_view(request, org, project):
    context = org_context(
        request, org, project=project, summary=project_financial_summary(project),
        rows=list(project_disbursements(project=project)[:200]),
        can_record=member_role(request.user, org) in FINANCE and project.status in SPENDING_STATUSES,
        ledger_url=ledger_project_url(project.public_id),
    )
    return render(request, "disclosure/spending/project_list.html", context)


# --- console: recording ----------------------------------------------------------------------

@console_view(roles=FINANCE)
def disbursement_new(request, org, project):
    lines = list(project.budget_lines.all())
    form = DisbursementForm(request.POST or None, request.FILES or None, budget_lines=lines)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = disbursement_create(
                project=project, actor=request.user, budget_line_position=data["budget_line"], kind=data["kind"],
                amount_fen=data["amount_yuan"], description=data["description"], evidence_files=data["evidence"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The disbursement is saved as a draft. Submit it for approval when its evidence is attached."))
            return redirect(_detail(org, created))
    context = org_context(request, org, project=project, form=form, spending=project.status in SPENDING_STATUSES)
    return render(request, "disclosure/spending/new.html", context)


@disbursement_view(methods=("GET",))
def disbursement_detail(request, org, disbursement):
    found = disbursement  # resolved by disbursement_view
    role = member_role(request.user, org)
    is_author = found.created_by_id == request.user.pk
    actions = []
    author_blocked = False
    for (source, to), rule in DISBURSEMENT_TRANSITIONS.items():
        if source != found.status or role not in rule.allowed:
            continue
        if rule.not_author and is_author:
            author_blocked = True
            continue
        actions.append({"to": to, "label": _(ACTION_LABELS[to]), "reason_required": rule.reason_required,
                        "checks_limits": rule.checks_limits})
    pending = found.status in (DisbursementStatus.SUBMITTED, DisbursementStatus.APPROVED)
    context = org_context(
        request, org, d=found, project=found.project, evidence=disbursement_evidence(disbursement=found),
        actions=actions, author_blocked=author_blocked, is_admin=role == Role.ADMIN,
        problems=disbursement_limit_problems(project=found.project, disbursement=found) if pending else (),
        upload_form=EvidenceForm() if found.status != DisbursementStatus.REJECTED else None,
    )
    return render(request, "disclosure/spending/detail.html", context)


@disbursement_view(methods=("POST",))
def disbursement_evidence_upload(request, org, disbursement):
    found = disbursement
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect(_detail(org, found))
    try:
        evidence_add(disbursement=found, actor=request.user, upload=form.cleaned_data["file"])
    except DomainError as exc:
        messages.error(request, spending_error_text(exc))
    else:
        messages.success(request, _("The file is attached."))
    return redirect(_detail(org, found))


@disbursement_view(methods=("GET",))
def disbursement_evidence_file(request, org, disbursement, evidence):
    """An evidence file, streamed to members only; PDFs download, images show inline."""
    found = disbursement
    item = found.evidence.filter(public_id=evidence).first()
    if item is None:
        raise Http404("no such evidence file")
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=not item.is_image,
        filename=item.file.name.rsplit("/", 1)[-1],
    )
    response["Cache-Control"] = "private, no-store"
    return response


@disbursement_view(methods=("POST",))
def disbursement_transition_view(request, org, disbursement):
    found = disbursement
    form = DisbursementTransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["to"] not in ACTION_LABELS:
        messages.error(request, _("Choose a step."))
        return redirect(_detail(org, found))
    to = form.cleaned_data["to"]
    try:
        disbursement_transition(
            disbursement=found, to=to, actor=request.user, reason=form.cleaned_data["reason"],
            overspend_reason=form.cleaned_data["overspend_reason"],
        )
    except DomainError as exc:
        messages.error(request, spending_error_text(exc))
    else:
        messages.success(request, _(DONE_MESSAGES[to]))
    return redirect(_detail(org, found))


# --- public: a project's figures as CSV and as a chart ------------------------------------

def _public_project(public_id: str):
    try:
        return project_get_public(public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


CSV_COLUMNS = ("project", "figure", "budget_line", "budget_item", "amount_fen", "amount_yuan", "currency")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value: str) -> str:
    """Text an organization typed, made safe for spreadsheets (no formula injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def finances_csv_rows(summary) -> list[tuple]:
    """The rows of the CSV download: the same figures as the page (see docs/spending.md)."""
    def row(figure, amount_fen, position="", item=""):
        return (summary.project, figure, position, _csv_text(item), amount_fen, fen_to_yuan_str(amount_fen), summary.currency)

    rows = [
        row("donations", summary.raised_fen),
        row("matched", summary.matched_fen),
        row("refunded", summary.refunded_fen),
        row("funds_received", summary.net_fen),
    ]
    for line in summary.lines:
        rows.append(row("budget", line.budget_fen, line.position, line.name))
        rows.append(row("spent", line.spent_fen, line.position, line.name))
    rows += [row("budget_total", summary.budget_fen), row("spent_total", summary.spent_fen), row("balance", summary.balance_fen)]
    return rows


def project_finances_csv(request, public_id: str):
    project = _public_project(public_id)
    summary = project_financial_summary(project)
    out = io.StringIO()
    out.write("\ufeff")  # a BOM, so spreadsheet programs read the Chinese names as UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(finances_csv_rows(summary))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{project.public_id}-finances.csv"'
    return response


# The chart is its own small document: its <style> is pygal's, and it has no script at all.
@csp_replace({"default-src": [NONE], "style-src": [SELF, UNSAFE_INLINE]})
def project_finances_svg(request, public_id: str):
    project = _public_project(public_id)
    svg = budget_chart_svg(project_financial_summary(project), chart_id=f"finances-{project.public_id}")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response


# --- public: an organization's annual report ------------------------------------------------

def _list_text(items) -> str:
    """Items joined as the active language writes a list: "a、b、c" or "a, b, c"."""
    separator = ", " if is_english() else "、"
    return separator.join(str(item) for item in items)


def org_annual_report_view(request, public_id: str, year: int | None = None):
    try:
        org = org_get_public(public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    today = timezone.localdate()
    years = annual_report_years(today=today)
    if year is None:
        year = today.year
    if year not in years:
        raise Http404(f"annual reports cover {years.start} to {years.stop - 1}, not {year}")
    report = org_annual_report(org=org, year=year)
    context = {
        "org": org,
        "report": report,
        "previous_year": year - 1 if year - 1 in years else None,
        "next_year": year + 1 if year + 1 in years else None,
        # With the sign: a literal "%" inside {% blocktranslate %} would change the msgid.
        "charitable_min": f"{ART61_CHARITABLE_MIN_PERCENT}%",
        "management_max": f"{ART61_MANAGEMENT_MAX_PERCENT}%",
        "charitable_kinds": _list_text(DisbursementKind(k).label for k in DisbursementKind.values if k in CHARITABLE_KINDS),
        "management_kinds": _list_text(DisbursementKind(k).label for k in DisbursementKind.values if k in MANAGEMENT_KINDS),
        "year_to_date": year == today.year,
        "has_compliance": any(row.compliance_label for row in report.projects),
    }
    return render(request, "disclosure/spending/annual_report.html", context)
