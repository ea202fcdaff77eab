"""A small server-rendered SVG chart per indicator: target and actual value per period (pygal).

Made static by ``core.charts``: no script, no comments, a fixed id, ``role="img"`` with a title
and a description that states every figure the page's table shows.
"""

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from commonweal.core.charts import static_svg
from commonweal.impact.selectors import IndicatorStatus
from commonweal.impact.values import format_value

__all__ = ["indicator_chart_svg", "CHART_WIDTH", "CHART_HEIGHT"]

CHART_WIDTH = 480
CHART_HEIGHT = 260
_STYLE = Style(
    background="#ffffff", plot_background="#ffffff", foreground="#1d2327", foreground_strong="#1d2327",
    foreground_subtle="#4a555c", colors=("#9fb8ad", "#0b6e4f"), opacity="1", opacity_hover="1",
    font_family='system-ui, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif',
    label_font_size=12, major_label_font_size=12, legend_font_size=13,
)
_MAX_PERIODS = 12
"""The chart shows the latest twelve periods; the table shows them all."""


def _describe(status: IndicatorStatus) -> str:
    unit = status.indicator.unit
    parts = []
    for period, target, result in status.rows[-_MAX_PERIODS:]:
        text = _("%(period)s: target %(target)s, actual %(actual)s") % {
            "period": period,
            "target": f"{format_value(target)} {unit}" if target is not None else _("none"),
            "actual": f"{format_value(result.value)} {unit}" if result is not None else _("not yet recorded"),
        }
        parts.append(text)
    return "; ".join(parts) + "." if parts else _("No targets or results yet.")


def indicator_chart_svg(status: IndicatorStatus, *, chart_id: str, title: str) -> str:
    """Targets and actual values per period of one indicator, as a standalone SVG document."""
    rows = status.rows[-_MAX_PERIODS:]
    chart = pygal.Bar(
        js=[], style=_STYLE, width=CHART_WIDTH, height=CHART_HEIGHT, title=None, disable_xml_declaration=True,
        legend_at_bottom=True, legend_at_bottom_columns=2, print_values=False, truncate_label=-1, margin=12,
        x_label_rotation=0,
    )
    chart.x_labels = [period for period, _t, _r in rows]
    chart.add(_("Target"), [float(t) if t is not None else None for _p, t, _r in rows])  # drawing only: figures are in desc
    chart.add(_("Actual"), [float(r.value) if r is not None else None for _p, _t, r in rows])
    root = chart.render_tree()
    # The chart draws no title (the page's heading names the indicator): its label goes first,
    # before pygal's <defs>.
    label = root.find("title")
    root.remove(label)
    root.insert(0, label)
    return static_svg(
        root, chart_id=chart_id, width=CHART_WIDTH, height=CHART_HEIGHT, title=title, description=_describe(status)
    )
