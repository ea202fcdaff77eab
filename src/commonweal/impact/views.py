"""Public impact pages: /impact/ (aggregation per domain), /impact/projects/<id>/ (indicators,
targets against results, SROI with its assumptions) and each indicator's chart as SVG."""

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from commonweal.core.errors import NotFound
from commonweal.impact.charts import CHART_HEIGHT, CHART_WIDTH, indicator_chart_svg
from commonweal.impact.selectors import impact_by_domain, indicator_status, project_impact_public, public_indicator
from commonweal.impact.sroi_labels import outcome_rows, sensitivity_rows
from commonweal.core.language import active_language

__all__ = ["impact_index", "impact_project", "indicator_chart"]


def impact_index(request):
    return render(request, "impact/index.html", {"domains": impact_by_domain()})


def impact_project(request, public_id: str):
    try:
        project, statuses, sroi = project_impact_public(public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    lang = active_language()
    indicators = [
        {"s": s, "name": s.indicator.name(lang), "chart_url": reverse("impact-indicator-chart", args=[s.indicator.public_id])}
        for s in statuses
    ]
    return render(request, "impact/project.html", {
        "project": project, "indicators": indicators, "sroi": sroi,
        "sensitivity": sensitivity_rows(sroi) if sroi else [], "sroi_outcomes": outcome_rows(sroi) if sroi else [], "chart_width": CHART_WIDTH, "chart_height": CHART_HEIGHT,
    })


# The chart is its own small document: its <style> is pygal's, and it has no script at all.
@csp_replace({"default-src": [NONE], "style-src": [SELF, UNSAFE_INLINE]})
def indicator_chart(request, public_id: str):
    try:
        indicator = public_indicator(public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    title = indicator.name(active_language())
    svg = indicator_chart_svg(indicator_status(indicator), chart_id=f"indicator-{indicator.public_id}", title=title)
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response
