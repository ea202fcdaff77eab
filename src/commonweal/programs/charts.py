"""The portfolio chart: allocated, committed and paid per domain, as a static SVG.

Drawn by ``core.charts``: no script, a fixed id, ``role="img"`` with a title and a description
stating every figure the page's table shows.
"""

from django.utils.translation import gettext as _

from commonweal.core.charts import fen_bar_chart, static_svg
from commonweal.core.language import active_language
from commonweal.core.money import format_fen
from commonweal.programs.selectors import FundPortfolio

__all__ = ["portfolio_chart_svg", "portfolio_chart_height", "CHART_WIDTH"]

CHART_WIDTH = 600
_COLOURS = ("#c9d6d0", "#5b9a82", "#0b4f3a")
"""Allocated, committed, paid."""


def portfolio_chart_height(domain_count: int) -> int:
    """Height in pixels for ``domain_count`` domains (three bars each)."""
    return 130 + 72 * max(1, domain_count)


def _describe(portfolio: FundPortfolio, lang: str) -> str:
    return "; ".join(
        _("%(domain)s: allocated %(allocated)s, committed %(committed)s, paid %(paid)s")
        % {
            "domain": row.label, "allocated": format_fen(row.allocated_fen, lang=lang),
            "committed": format_fen(row.committed_fen, lang=lang), "paid": format_fen(row.paid_fen, lang=lang),
        }
        for row in portfolio.domains
    ) + "."


def portfolio_chart_svg(portfolio: FundPortfolio, *, chart_id: str) -> str:
    """Per domain: allocated, committed and paid, as a standalone SVG document."""
    lang = active_language()
    title = _("Allocated, committed and paid per domain")
    rows = portfolio.domains
    height = portfolio_chart_height(len(rows))
    root = fen_bar_chart(
        title=title,
        width=CHART_WIDTH,
        height=height,
        colours=_COLOURS,
        labels=[row.label for row in rows],
        series=[
            (_("Allocated"), [row.allocated_fen for row in rows]),
            (_("Committed"), [row.committed_fen for row in rows]),
            (_("Paid"), [row.paid_fen for row in rows]),
        ],
        lang=lang,
    )
    return static_svg(
        root, chart_id=chart_id, width=CHART_WIDTH, height=height, title=title, description=_describe(portfolio, lang)
    )
