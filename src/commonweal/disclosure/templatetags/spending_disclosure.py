"""``{% project_finances project as fin %}``: a project's financial disclosure for its public page.

The project page (``giving/project_detail.html``) includes ``disclosure/_financial_block.html``
with one line; this tag gives that block its figures: two queries, whatever the number of
budget lines and disbursements (the budget lines come from the page's prefetch).
"""

from django import template
from django.urls import reverse

from commonweal.disclosure.charts import CHART_WIDTH, chart_height
from commonweal.disclosure.selectors.spending import (
    ledger_project_url,
    project_financial_summary,
    project_paid_disbursements,
)

__all__ = ["project_finances", "PUBLIC_DISBURSEMENTS_SHOWN"]

register = template.Library()

PUBLIC_DISBURSEMENTS_SHOWN = 20
"""Paid disbursements listed on the page; the ledger page of the project has them all."""


@register.simple_tag
def project_finances(project) -> dict:
    summary = project_financial_summary(project)
    paid = project_paid_disbursements(project=project, limit=PUBLIC_DISBURSEMENTS_SHOWN + 1)
    return {
        "summary": summary,
        "paid": paid[:PUBLIC_DISBURSEMENTS_SHOWN],
        "more_paid": len(paid) > PUBLIC_DISBURSEMENTS_SHOWN,
        "ledger_url": ledger_project_url(project.public_id),
        "csv_url": reverse("project-finances-csv", args=[project.public_id]),
        "chart_url": reverse("project-finances-svg", args=[project.public_id]),
        "chart_width": CHART_WIDTH,
        "chart_height": chart_height(len(summary.lines)),
        "annual_url": reverse("org-annual-report-current", args=[project.org.public_id]),
    }
