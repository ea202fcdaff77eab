"""Reporting a project (anyone, signed in or not) and its confirmation; the operators' evidence
download. The queue itself is the back office (``disclosure.admin_complaints``).

Views parse, call one service or selector, and render.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import DomainError, NotFound, RateLimited
from commonweal.disclosure.forms_complaints import ComplaintForm
from commonweal.disclosure.selectors.complaints import complaint_deadline, complaint_get_for_operator, complaint_get_for_reporter
from commonweal.disclosure.services.complaints import complaint_holidays, complaint_submit
from commonweal.projects.selectors import project_get_public

SESSION_COMPLAINTS = "disclosure.complaints"
"""Session key: public ids of the complaints this browser sent (newest last)."""
MAX_REMEMBERED = 20


@require_http_methods(["GET", "POST"])
def complaint_new(request, public_id: str):
    try:
        project = project_get_public(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    initial = {"reporter_email": request.user.email} if request.user.is_authenticated else {}
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            complaint = complaint_submit(project=project, reporter=request.user,
                                         client_address=request.META.get("REMOTE_ADDR", ""), **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
            refusal = error
        else:
            sent = [pid for pid in request.session.get(SESSION_COMPLAINTS, []) if pid != complaint.public_id]
            request.session[SESSION_COMPLAINTS] = (sent + [complaint.public_id])[-MAX_REMEMBERED:]
            messages.success(request, gettext("Thank you. Your complaint was received."))
            return redirect("complaint-received", complaint.public_id)
    status = 429 if isinstance(refusal, RateLimited) else 400 if form.errors else 200
    context = {"project": project, "form": form, "holidays_configured": any(complaint_holidays())}
    return render(request, "disclosure/complaints/new.html", context, status=status)


@require_http_methods(["GET"])
def complaint_received(request, public_id: str):
    try:
        complaint = complaint_get_for_reporter(
            public_id=public_id, user=request.user, session_ids=request.session.get(SESSION_COMPLAINTS, [])
        )
    except NotFound as error:
        raise Http404(error.message) from error
    context = {"complaint": complaint, "deadline": complaint_deadline(complaint, today=timezone.localdate())}
    return render(request, "disclosure/complaints/received.html", context)


@require_http_methods(["GET"])
def complaint_evidence(request, public_id: str):
    """The evidence file, for operators only, as a download (never rendered inline)."""
    try:
        complaint = complaint_get_for_operator(public_id=public_id, user=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    if not complaint.evidence:
        raise Http404("no evidence attached")
    extension = complaint.evidence.name.rsplit(".", 1)[-1]
    response = FileResponse(
        complaint.evidence.open("rb"), as_attachment=True, filename=f"complaint-{complaint.public_id}.{extension}",
        content_type=complaint.evidence_content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
