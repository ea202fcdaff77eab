"""An organization's scorecard page: each measured fact, how it is counted, and the score formula."""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import NotFound
from commonweal.disclosure.selectors.scorecard import COMPLAINT_WINDOW_DAYS, COMPLAINTS_TO_ZERO, WEIGHTS, org_scorecard
from commonweal.projects.selectors import org_get_public


@require_http_methods(["GET"])
def org_scorecard_page(request, public_id: str):
    try:
        org = org_get_public(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    context = {
        "org": org, "scorecard": org_scorecard(org=org), "weights": WEIGHTS,
        "complaints_to_zero": COMPLAINTS_TO_ZERO, "per_complaint": WEIGHTS["complaints"] // COMPLAINTS_TO_ZERO,
        "window_days": COMPLAINT_WINDOW_DAYS,
    }
    return render(request, "disclosure/scorecard.html", context)
