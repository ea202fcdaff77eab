"""Public pages: the home page, the project list and an organization's page.

The project page itself and the donate flow are in ``giving.views``: they show donations, and
projects sit below giving in the dependency order (DESIGN.md, "Layout").
"""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commonweal.core.domains import DOMAINS, Domain
from commonweal.core.errors import InvalidInput, NotFound
from commonweal.core.sdg import sdg_goals
from commonweal.orgs.services import org_is_verified
from commonweal.projects import selectors
from commonweal.projects.models import ProjectStatus

PAGE_SIZE = 12
ORG_PAGE_PROJECTS = 12


def _is_partial(request) -> bool:
    """An htmx request for a fragment (a history restore wants the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


class ProjectFilterForm(forms.Form):
    """The project list's filters, parsed from the query string."""

    q = forms.CharField(label=_("Search"), required=False, max_length=selectors.MAX_QUERY_LENGTH,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    domain = forms.ChoiceField(label=_("Domain"), required=False)
    sdg = forms.ChoiceField(label=_("Sustainable Development Goal"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    org = forms.CharField(required=False, max_length=26, widget=forms.HiddenInput)

    def __init__(self, *args, lang: str, **kwargs):
        super().__init__(*args, **kwargs)
        zh = lang.lower().startswith("zh")
        self.fields["domain"].choices = [("", _("All domains")), *Domain.choices]
        self.fields["sdg"].choices = [("", _("All goals"))] + [
            (goal.tag, f"{goal.number} · {goal.short_zh if zh else goal.short_en}") for goal in sdg_goals()
        ]
        self.fields["status"].choices = [("", _("All public projects"))] + [
            (status, ProjectStatus(status).label) for status in selectors.PUBLIC_STATUS_ORDER
        ]

    def filters(self) -> dict[str, str]:
        """The valid, non-empty filters (an invalid one is dropped and shown as a form error)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def home(request):
    counts = selectors.domain_project_counts()
    context = {
        "featured": selectors.project_featured(limit=6),
        "totals": selectors.platform_totals(),
        "domains": [{"info": info, "count": counts.get(info.domain.value, 0)} for info in DOMAINS],
    }
    return render(request, "projects/home.html", context)


def project_list(request):
    form = ProjectFilterForm(request.GET, lang=get_language())
    filters = form.filters()
    try:
        projects = selectors.project_list(**filters)
    except InvalidInput as error:  # the form already refuses these; kept as the one mapping
        form.add_error(error.field if error.field in form.fields else None, error.message)
        projects = selectors.project_list()
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    org = None
    if filters.get("org"):
        try:
            org = selectors.org_get_public(public_id=filters["org"])
        except NotFound:
            org = None
    context = {"form": form, "page": page, "filters": filters, "filter_org": org}
    template = "projects/list.html#results" if _is_partial(request) else "projects/list.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def org_detail(request, public_id: str):
    try:
        org = selectors.org_get_public(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    projects = selectors.org_public_projects(org=org)
    shown = list(projects[: ORG_PAGE_PROJECTS + 1])
    context = {
        "org": org,
        "verified": org_is_verified(org),
        # Only web addresses become links: the profile service stores what the organization typed.
        "website": org.website if org.website.lower().startswith(("https://", "http://")) else "",
        "today": timezone.localdate(),
        "projects": shown[:ORG_PAGE_PROJECTS],
        "more_projects": len(shown) > ORG_PAGE_PROJECTS,
    }
    return render(request, "projects/org_detail.html", context)
