"""A project's finances as a server-rendered SVG chart: budget and paid spending per budget line.

Drawn by ``core.charts``: no script, a fixed id, ``role="img"`` with a title and a description
that states every figure, the same ones the page's table shows.
"""

from django.utils.translation import gettext as _

from commonweal.core.charts import fen_bar_chart, static_svg
from commonweal.core.language import active_language
from commonweal.core.money import format_fen
from commonweal.disclosure.selectors.spending import ProjectFinancialSummary

__all__ = ["budget_chart_svg", "CHART_WIDTH", "chart_height"]

CHART_WIDTH = 600
_BUDGET_COLOUR = "#9fb8ad"
_SPENT_COLOUR = "#0b6e4f"


def chart_height(line_count: int) -> int:
    """Height in pixels for ``line_count`` budget lines (two bars each)."""
    return 130 + 64 * max(1, line_count)


def _describe(summary: ProjectFinancialSummary, lang: str) -> str:
    lines = "; ".join(
        _("%(item)s: budget %(budget)s, spent %(spent)s")
        % {"item": line.name, "budget": format_fen(line.budget_fen, lang=lang), "spent": format_fen(line.spent_fen, lang=lang)}
        for line in summary.lines
    )
    totals = _("Raised %(raised)s, spent %(spent)s, balance %(balance)s.") % {
        "raised": format_fen(summary.net_fen, lang=lang),
        "spent": format_fen(summary.spent_fen, lang=lang),
        "balance": format_fen(summary.balance_fen, lang=lang),
    }
    return f"{totals} {lines}."


def budget_chart_svg(summary: ProjectFinancialSummary, *, chart_id: str) -> str:
    """Budget and paid spending per budget line as a standalone SVG document."""
    lang = active_language()
    title = _("Budget and spending per budget item")
    height = chart_height(len(summary.lines))
    root = fen_bar_chart(
        title=title,
        width=CHART_WIDTH,
        height=height,
        colours=(_BUDGET_COLOUR, _SPENT_COLOUR),
        labels=[line.name for line in summary.lines],
        series=[
            (_("Budget"), [line.budget_fen for line in summary.lines]),
            (_("Spent"), [line.spent_fen for line in summary.lines]),
        ],
        lang=lang,
    )
    return static_svg(
        root, chart_id=chart_id, width=CHART_WIDTH, height=height, title=title, description=_describe(summary, lang)
    )
