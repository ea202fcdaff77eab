"""Pages of the program office: the public portfolio, labs and studios; the office's own pages.

Views parse input, call one service or selector and render. Office pages answer 404 to anyone
outside the program office (``programs.permissions.require_office_role``).
"""

from functools import wraps
from urllib.parse import urlencode

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from commonweal.accounts.models import User
from commonweal.core.errors import DomainError, NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.disclosure.forms_spending import spending_error_text
from commonweal.orgs.models import Organization
from commonweal.programs import selectors
from commonweal.programs.charts import CHART_WIDTH, portfolio_chart_height, portfolio_chart_svg
from commonweal.programs.forms import LAB_ERRORS, AllocationForm, CommitmentForm, FilterForm, FundForm, GateForm, LabForm, LabProjectForm
from commonweal.programs.lifecycle import STAGE_TRANSITIONS
from commonweal.programs.models import Fund, FundAllocation, GateEvidence, OfficeMember, OfficeRole, SourceKind
from commonweal.programs.permissions import office_role, require_office_role
from commonweal.programs.services import (
    allocation_set,
    commitment_create,
    fund_create,
    gate_review_record,
    lab_create,
    lab_project_create,
)

PAGE_SIZE = 50


def _not_found(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from None

    return wrapper


def office_view(*roles: str):
    """Sign-in required; an office member with one of ``roles`` (any role if none), else 404."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                require_office_role(request.user, *roles)
            except NotFound as exc:
                raise Http404(str(exc)) from None
            return view(request, *args, **kwargs)

        return _not_found(wrapper)

    return decorator


def indicator_new_url(user, kind: str, subject) -> str:
    """Where a program manager adds an indicator to ``subject`` ("" for everyone else)."""
    if office_role(user) != OfficeRole.MANAGER:
        return ""
    return reverse("programs-office-indicator-new", kwargs={"kind": kind, "public_id": subject.public_id})


def _form_error(form, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


# --- public: the portfolio ---------------------------------------------------------------------

def _chart(fund, flt) -> dict:
    query = urlencode(flt.as_query())
    url = reverse("programs-fund-chart", args=[fund.public_id]) + (f"?{query}" if query else "")
    domain_count = 1 if flt.domain else 8
    return {"url": url, "width": CHART_WIDTH, "height": portfolio_chart_height(domain_count)}


def portfolio(request):
    """Every fund: totals, per domain figures and the chart, with links into the drill-down."""
    funds = []
    for fund in selectors.fund_list():
        figures = selectors.fund_portfolio(fund=fund)
        base = reverse("programs-fund", args=[fund.public_id])
        rows = [{"row": row, "url": f"{base}?{urlencode({'domain': row.domain})}"} for row in figures.domains]
        funds.append({"portfolio": figures, "rows": rows, "chart": _chart(fund, selectors.PortfolioFilter())})
    return render(request, "programs/portfolio.html", {"funds": funds, "office_role": office_role(request.user)})


def _filter_from(request, fund):
    """The drill-down form, the filter it gives and the values it offers."""
    facets = selectors.fund_facets(fund=fund)
    form = FilterForm(request.GET or None, years=facets.years, programs=facets.programs, regions=facets.regions)
    flt = selectors.PortfolioFilter(**form.values()) if request.GET else selectors.PortfolioFilter()
    return form, flt, facets


@_not_found
def fund_detail(request, public_id: str):
    """One fund, drilled down by domain, program, year and region, with its commitments."""
    fund = selectors.fund_get(public_id=public_id)
    form, flt, facets = _filter_from(request, fund)
    figures = selectors.fund_portfolio(fund=fund, filter=flt)
    page = Paginator(selectors.commitment_rows(fund=fund, filter=flt), PAGE_SIZE).get_page(request.GET.get("page"))
    base = reverse("programs-fund", args=[fund.public_id])

    def link(**changes) -> str:
        query = urlencode(flt.as_query(**changes))
        return f"{base}?{query}" if query else base

    rows = [{"row": row, "url": link(domain=row.domain)} for row in figures.domains]
    program_links = [(name, link(program=name)) for name in facets.programs]
    year_links = [(year, link(year=year)) for year in facets.years]
    region_links = [(name, link(region=name)) for name in facets.regions]
    page_query = urlencode(flt.as_query())
    return render(
        request,
        "programs/fund.html",
        {
            "fund": fund, "p": figures, "form": form, "page": page, "chart": _chart(fund, flt),
            "rows": rows, "program_links": program_links,
            "year_links": year_links, "region_links": region_links, "clear_url": base, "page_query": page_query,
            "show_people": office_role(request.user) is not None, "impact": selectors.fund_impact(fund=fund),
        },
    )


@csp_replace({"default-src": [NONE], "style-src": [SELF, UNSAFE_INLINE]})
@_not_found
def fund_chart_svg(request, public_id: str):
    fund = selectors.fund_get(public_id=public_id)
    _form, flt, _facets = _filter_from(request, fund)
    svg = portfolio_chart_svg(selectors.fund_portfolio(fund=fund, filter=flt), chart_id=f"portfolio-{fund.public_id}")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response


# --- public: labs and studios -----------------------------------------------------------------

def lab_list(request):
    return render(request, "programs/labs.html", {"labs": selectors.lab_list(), "studios": selectors.studio_list()})


@_not_found
def lab_detail(request, public_id: str):
    lab = selectors.lab_get(public_id=public_id)
    return render(
        request, "programs/lab.html",
        {"lab": lab, "office_role": office_role(request.user), "indicators": selectors.subject_indicators(lab),
         "indicator_new_url": indicator_new_url(request.user, "lab", lab)},
    )


@_not_found
def lab_project_detail(request, public_id: str):
    project = selectors.lab_project_get(public_id=public_id)
    role = office_role(request.user)
    studio = getattr(project, "studio", None) if project.stage == "spun_off" else None
    return render(
        request, "programs/lab_project.html",
        {
            "project": project, "gates": project.gates.all(), "studio": studio, "office_role": role, "show_people": role is not None,
            "indicators": selectors.subject_indicators(project), "indicator_new_url": indicator_new_url(request.user, "lab-project", project),
        },
    )


@_not_found
def studio_detail(request, public_id: str):
    studio = selectors.studio_get(public_id=public_id)
    role = office_role(request.user)
    return render(
        request, "programs/studio.html",
        {
            "studio": studio, "project": studio.project, "gates": studio.project.gates.all(), "show_people": role is not None,
            "indicators": selectors.subject_indicators(studio), "indicator_new_url": indicator_new_url(request.user, "studio", studio),
        },
    )


# --- the office --------------------------------------------------------------------------------

@office_view()
def office_home(request):
    return render(
        request, "programs/office/home.html",
        {"funds": selectors.fund_list(), "labs": selectors.lab_list(), "office_role": office_role(request.user)},
    )


@office_view(OfficeRole.MANAGER)
def office_fund_new(request):
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            fund = fund_create(
                actor=request.user, name_zh=data["name_zh"], name_en=data["name_en"], total_fen=data["total"],
                start_year=data["start_year"], end_year=data["end_year"], description=data["description"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Fund created. Now allocate it across the domains."))
            return redirect("programs-office-allocations", public_id=fund.public_id)
    return render(request, "programs/office/fund_new.html", {"form": form})


@office_view(OfficeRole.MANAGER)
def office_allocations(request, public_id: str):
    fund = selectors.fund_get(public_id=public_id)
    form = AllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation_set(actor=request.user, fund=fund, domain=data["domain"], year=data["year"], amount_fen=data["amount"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Allocation saved."))
            return redirect("programs-office-allocations", public_id=fund.public_id)
    allocations = FundAllocation.objects.filter(fund=fund).order_by("year", "domain")
    return render(request, "programs/office/allocations.html", {"fund": fund, "form": form, "allocations": allocations})


@office_view(OfficeRole.MANAGER)
def office_commitment_new(request, public_id: str):
    fund = selectors.fund_get(public_id=public_id)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        org = None
        if data["recipient_org"]:
            org = Organization.objects.filter(public_id=data["recipient_org"]).first() if is_public_id(data["recipient_org"]) else None
            if org is None:
                form.add_error("recipient_org", _("No organization has this public id."))
        if not form.errors:
            try:
                commitment_create(
                    actor=request.user, fund=fund, domain=data["domain"], year=data["year"], amount_fen=data["amount"],
                    recipient_name=data["recipient_name"], recipient_kind=data["recipient_kind"], recipient_org=org,
                    program=data["program"], region=data["region"], source_kind=SourceKind.DIRECT,
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Commitment recorded."))
                return redirect("programs-fund", public_id=fund.public_id)
    return render(request, "programs/office/commitment_new.html", {"fund": fund, "form": form})


@office_view(OfficeRole.MANAGER)
def office_gate(request, public_id: str):
    project = selectors.lab_project_get(public_id=public_id)
    stages = [to for (src, to) in STAGE_TRANSITIONS if src == project.stage]
    if not stages:
        raise Http404("this project's stage is final")
    members = list(OfficeMember.objects.select_related("user").order_by("user__email"))
    reviewers = [(str(m.user.pk), m.user.display_name or m.user.email) for m in members]
    form = GateForm(request.POST or None, request.FILES or None, stages=stages, reviewers=reviewers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            gate_review_record(
                actor=request.user, project=project, to=data["to"], decision=data["decision"], criteria=data["criteria"],
                evidence=data["evidence"], evidence_links=data["evidence_links"].splitlines(), reasons=data["reasons"],
                reviewers=list(User.objects.filter(pk__in=[int(pk) for pk in data["reviewers"]])),
                studio_name=data["studio_name"], studio_budget_fen=data["studio_budget"], evidence_files=data["evidence_files"],
            )
        except DomainError as exc:
            if exc.code.startswith("evidence_"):  # a file refused by its content, in the reader's language
                form.add_error("evidence_files", spending_error_text(exc))
            else:
                _form_error(form, exc)
        else:
            messages.success(request, _("Gate decision recorded."))
            return redirect("programs-lab-project", public_id=project.public_id)
    return render(request, "programs/office/gate.html", {"project": project, "form": form})


@office_view()
def office_gate_file(request, public_id: str):
    """A file presented at a stage gate, for office members only (private storage)."""
    item = GateEvidence.objects.filter(public_id=public_id).first() if is_public_id(public_id) else None
    if item is None:
        raise Http404("no such file")
    response = FileResponse(item.file.open("rb"), content_type=item.content_type, as_attachment=item.content_type == "application/pdf",
                            filename=item.file.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "private, no-store"
    return response


@office_view(OfficeRole.MANAGER)
def office_lab_new(request):
    funds = list(Fund.objects.order_by("name_zh", "pk"))
    form = LabForm(request.POST or None, funds=funds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fund = next(f for f in funds if f.public_id == data["fund"])
        try:
            lab = lab_create(
                actor=request.user, fund=fund, name_zh=data["name_zh"], name_en=data["name_en"], mission=data["mission"],
                domain=data["domain"], budget_fen=data["budget"], year=data["year"], region=data["region"],
                team=data["team"], kpis=data["kpis"],
            )
        except DomainError as exc:
            known = LAB_ERRORS.get(exc.code)
            if known is None:
                _form_error(form, exc)
            else:
                form.add_error(exc.field if exc.field in form.fields else None, str(known))
        else:
            messages.success(request, _("Lab created and its budget committed. Add its projects next."))
            return redirect("programs-lab", public_id=lab.public_id)
    return render(request, "programs/office/lab_new.html", {"form": form})


@office_view(OfficeRole.MANAGER)
def office_lab_project_new(request, public_id: str):
    lab = selectors.lab_get(public_id=public_id)
    form = LabProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = lab_project_create(actor=request.user, lab=lab, title=form.cleaned_data["title"], summary=form.cleaned_data["summary"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Project added at the idea stage."))
            return redirect("programs-lab-project", public_id=project.public_id)
    return render(request, "programs/office/lab_project_new.html", {"lab": lab, "form": form})
