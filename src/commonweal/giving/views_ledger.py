"""Public ledger pages that join the log with donations and projects (docs/ledger.md, "Public
pages"): a donation's entry, the "recorded in the ledger" fragment, the donor's receipt download,
a project's donations and refunds as the ledger records them.

Here rather than in ``ledger`` because they read giving's models (the ledger never imports a
higher app); the verify page and the explorer stay in ``ledger.views_public``.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.giving.models import Donation, Refund
from commonweal.giving.selectors import donation_get_for_viewer
from commonweal.giving.views import SESSION_PAID
from commonweal.ledger import explorer
from commonweal.ledger.receipts import donation_recorded_status, receipt_for_donation
from commonweal.ledger.views_public import qr_svg, verify_url
from commonweal.projects.selectors import project_get_public

__all__ = ["donation_lookup", "donation_receipt", "donation_recorded", "project_ledger"]

PROJECT_PAGE_SIZE = 50


# --- the donor's receipt ---------------------------------------------------------------------

@require_safe
def donation_receipt(request, public_id: str):
    """The donor's Commonweal receipt: only the signed-in donor or the browser session that paid."""
    try:
        donation = donation_get_for_viewer(
            public_id=public_id, user=request.user, session_donation_ids=request.session.get(SESSION_PAID, [])
        )
    except NotFound as error:
        raise Http404(error.message) from error
    text = receipt_for_donation(donation)
    if text is None:
        return render(request, "ledger/receipt_pending.html", {"donation": donation}, status=409)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{donation.public_id}.commonweal-receipt"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- the "recorded in the ledger" block of the thank-you and my-donations pages --------------

@require_safe
def donation_recorded(request, public_id: str):
    """The block saying where a donation is in the public ledger (an htmx fragment; no personal data)."""
    if not is_public_id(public_id):
        raise Http404("not a donation id")
    status = donation_recorded_status(donation_public_id=public_id)
    if status.index is None and not _donation_exists(public_id):
        raise Http404(f"no donation {public_id}")
    compact = request.GET.get("compact") == "1"
    context = {"public_id": public_id, "status": status, "compact": compact}
    if status.recorded:
        url = verify_url(request, status.index)
        context.update(verify_url=url, qr_svg=qr_svg(url, scale=2 if compact else 3))
    response = render(request, "ledger/_recorded_status.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- a donation's entry, a project's ledger -----------------------------------------------

@require_safe
def donation_lookup(request, public_id: str):
    """A donation's entry, by the donation's public id."""
    if not is_public_id(public_id):
        raise Http404("not a donation id")
    status = donation_recorded_status(donation_public_id=public_id)
    if status.recorded:
        return redirect("ledger-entry", status.index)
    if status.index is None and not _donation_exists(public_id):
        raise Http404(f"no donation {public_id}")
    return render(request, "ledger/donation_waiting.html", {"public_id": public_id})


def _donation_exists(public_id: str) -> bool:
    return Donation.objects.filter(public_id=public_id).exists()


@require_safe
def project_ledger(request, public_id: str):
    """A project's donations and refunds as the ledger records them, and donations − refunds."""
    try:
        project = project_get_public(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    signed = explorer.latest_checkpoint()
    rows = explorer.project_entries(
        size=signed.size if signed else 0,
        donation_ids=Donation.objects.filter(project=project).values("public_id"),
        refund_ids=Refund.objects.filter(donation__project=project).values("public_id"),
    )
    totals = explorer.money_totals(explorer.explorer_entries(rows))
    page = Paginator(rows, PROJECT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "signed": signed,
        "totals": totals,
        "page": page,
        "entries": explorer.explorer_entries(page.object_list),
    }
    return render(request, "ledger/project.html", context)
