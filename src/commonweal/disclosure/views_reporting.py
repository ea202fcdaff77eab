"""Public reporting pages: follow a project, and the one-click unsubscribe link of report emails.

Views parse input, call one service, and render. The console page that publishes reports is the
organization console's project page (``disclosure.views_console.project_update_publish``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from commonweal.core.errors import DomainError, NotFound
from commonweal.disclosure.selectors.reporting import follow_by_token
from commonweal.disclosure.services.reporting import follow_start, follow_stop, follow_unsubscribe
from commonweal.projects.selectors import project_get_public


@require_POST
@login_required
def project_follow(request, public_id: str):
    """Follow (``action=follow``) or stop following (``action=stop``) a public project."""
    try:
        project = project_get_public(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    action = request.POST.get("action")
    try:
        if action == "follow":
            follow_start(project=project, user=request.user)
            messages.success(request, gettext("You are following this project: its new reports will be emailed to you."))
        elif action == "stop":
            follow_stop(project=project, user=request.user)
            messages.success(request, gettext("You will no longer receive this project's reports by email."))
        else:
            messages.error(request, gettext("Choose whether to follow the project."))
    except DomainError as error:
        if error.code == "email_missing":
            messages.error(request, gettext("Your account needs an email address to receive reports."))
        else:
            raise Http404(error.message) from error
    return redirect("project-detail", project.public_id)


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" without a CSRF token;
@require_http_methods(["GET", "POST"])  # the unguessable token in the URL is the authorisation.
def unsubscribe(request, token: str):
    """GET shows what the link stops and a button (link scanners must not unsubscribe anyone);
    POST unsubscribes the one follow the token names."""
    if request.method == "POST":
        try:
            follow = follow_unsubscribe(token=token)
        except NotFound as error:
            raise Http404(error.message) from error
        return render(request, "disclosure/reporting/unsubscribe.html", {"follow": follow, "done": True})
    follow = follow_by_token(token)
    if follow is None:
        raise Http404("no subscription for this link")
    return render(request, "disclosure/reporting/unsubscribe.html", {"follow": follow, "done": not follow.active})
