"""Campaign pages (live pools and leaderboards), the expected match on the donate form, team pages
(一起捐) and the organization's team approvals. Operators configure campaigns and review risk
flags in the back office (matching/admin.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from commonweal.core.errors import DomainError
from commonweal.giving.forms import DonateForm, add_domain_error
from commonweal.matching import selectors, services
from commonweal.matching.forms import TeamForm
from commonweal.matching.models import Team
from commonweal.orgs.console import ADMIN, ADMIN_EDITOR, console_view, org_context
from commonweal.projects.models import Project, ProjectStatus
from commonweal.projects.selectors import project_get_public


def _public_project(public_id: str) -> Project:
    try:
        return project_get_public(public_id=public_id)
    except DomainError as error:
        raise Http404(str(error)) from None


def _campaign_or_404(slug: str):
    campaign = selectors.campaign_get_public(slug)
    if campaign is None:
        raise Http404("no such campaign")
    return campaign


@require_GET
def campaign_list(request):
    return render(request, "matching/campaign_list.html", {"campaigns": selectors.campaigns_public(), "now": timezone.now()})


def _live_context(campaign) -> dict:
    now = timezone.now()
    return {
        "campaign": campaign,
        "running": campaign.starts_at <= now < campaign.ends_at,
        "pools": selectors.pool_states(campaign, now),
        "totals": selectors.campaign_totals(campaign),
        "by_raised": selectors.leaderboard(campaign, by="raised"),
        "by_donors": selectors.leaderboard(campaign, by="donors"),
        "teams": selectors.team_leaderboard(campaign=campaign),
    }


@require_GET
def campaign_detail(request, slug: str):
    campaign = _campaign_or_404(slug)
    context = {**_live_context(campaign), "schedule": selectors.tranche_schedule(campaign),
               "sponsors": campaign.sponsors.all()}
    return render(request, "matching/campaign_detail.html", context)


@require_GET
def campaign_live(request, slug: str):
    """The pools and leaderboards, polled by the campaign page with htmx."""
    return render(request, "matching/campaign_detail.html#live", _live_context(_campaign_or_404(slug)))


@require_GET
def expected_match_view(request, public_id: str):
    """The expected match for the amount on the donate form (htmx, as the donor types)."""
    project = _public_project(public_id)
    form = DonateForm(request.GET)
    form.is_valid()  # only the amount matters here; its parsing is the form's
    amount_fen = form.cleaned_data.get("amount_fen")
    expected = selectors.expected_match(project, amount_fen, donor=request.user) if amount_fen else None
    return render(request, "matching/_expected.html", {"expected": expected, "project": project, "amount_fen": amount_fen})


def expected_match_panel(request, project: Project) -> str:
    """giving.hooks.DONATE_PANELS: the live expected-match line, if a campaign covers the project."""
    if services.campaign_for(project, timezone.now()) is None:
        return ""
    return render_to_string("matching/_expected_panel.html", {"project": project}, request=request)


def project_panel(request, project: Project) -> str:
    """giving.hooks.PROJECT_PANELS: the campaign the project is in, and its teams."""
    found = services.campaign_for(project, timezone.now())
    campaign = found.campaign if found else None
    teams = selectors.team_leaderboard(project=project, limit=5)
    children = list(project.children.filter(status__in=(ProjectStatus.FUNDRAISING, ProjectStatus.EXECUTING, ProjectStatus.COMPLETED)))
    if campaign is None and not teams and not children and project.status != ProjectStatus.FUNDRAISING:
        return ""
    context = {"project": project, "campaign": campaign, "teams": teams, "children": children,
               "rollup": selectors.project_rollup(project) if children else None,
               "matched_fen": selectors.project_matched_fen(project) if campaign else 0}
    return render_to_string("matching/_project_panel.html", context, request=request)


@require_GET
def project_teams(request, public_id: str):
    project = _public_project(public_id)
    return render(request, "matching/project_teams.html",
                  {"project": project, "teams": selectors.team_leaderboard(project=project, limit=100)})


@login_required
@require_http_methods(["GET", "POST"])
def team_new(request, public_id: str):
    project = _public_project(public_id)
    form = TeamForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(leader=request.user, project=project, name=data["name"], goal_fen=data["goal_fen"],
                                        story=data["story"], cover=data["cover"])
        except DomainError as error:
            add_domain_error(form, error, fields={"goal": "goal"})
        else:
            if team.status == Team.Status.PENDING:
                messages.info(request, gettext("Your team page waits for the organization's approval."))
            return redirect("team-detail", team.public_id)
    return render(request, "matching/team_new.html", {"project": project, "form": form})


@require_GET
def team_detail(request, public_id: str):
    team = get_object_or_404(Team.objects.select_related("project", "leader"), public_id=public_id)
    if team.status != Team.Status.APPROVED and team.leader_id != request.user.pk:
        raise Http404("no such team")
    return render(request, "matching/team_detail.html", {"team": team, "project": team.project})


# --- organization console -----------------------------------------------------------------------

@console_view(roles=ADMIN_EDITOR, methods=("GET",))
def console_teams(request, org):
    teams = Team.objects.filter(project__org=org).select_related("project", "leader").order_by("status", "-created_at")
    projects = Project.objects.filter(org=org).exclude(status=ProjectStatus.DRAFT).select_related("team_policy").order_by("-created_at")
    return render(request, "matching/console_teams.html", org_context(request, org, teams=teams, projects=projects))


@console_view(roles=ADMIN, methods=("POST",))
def console_team_policy(request, org, project: str):
    """An administrator decides whether the project's new team pages wait for approval."""
    found = Project.objects.filter(public_id=project, org=org).first()
    if found is None:
        raise Http404("no such project")
    services.team_policy_set(actor=request.user, project=found, requires_approval=request.POST.get("requires_approval") == "on")
    messages.success(request, gettext("Saved."))
    return redirect("console-teams", org.public_id)


@console_view(roles=ADMIN_EDITOR, methods=("POST",))
def console_team_decide(request, org, team: str):
    found = Team.objects.filter(public_id=team, project__org=org).first()
    if found is None:
        raise Http404("no such team")
    try:
        services.team_decide(actor=request.user, team=found, approve=request.POST.get("decision") == "approve",
                             reason=request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("console-teams", org.public_id)
