"""Server-rendered SVG charts of a project's finances (pygal), with no script at all.

pygal writes a configuration ``<script>``, generator comments with the date, a random element
id and positional ``<desc>``/``<title>`` elements meant for its tooltip script. The chart here
drops all of those, so the document is static and the same figures always give the same bytes
(cacheable), and it is labelled for assistive technology: ``role="img"``, a ``<title>`` and a
``<desc>`` that states every figure, the same ones the page's table shows.
"""

import unicodedata
import xml.etree.ElementTree as ET

import pygal
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from pygal.etree import etree as pygal_etree
from pygal.style import Style

from commonweal.core.money import format_fen, format_fen_compact
from commonweal.disclosure.selectors.spending import ProjectFinancialSummary

# pygal renders with lxml whenever it is installed (opendata needs it); this module edits the
# tree with the standard library's ElementTree, so pin pygal to it.
pygal_etree.to_etree()

__all__ = ["budget_chart_svg", "CHART_WIDTH", "chart_height"]

CHART_WIDTH = 600
_BUDGET_COLOUR = "#9fb8ad"
_SPENT_COLOUR = "#0b6e4f"

_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#1d2327",
    foreground_strong="#1d2327",
    foreground_subtle="#4a555c",
    colors=(_BUDGET_COLOUR, _SPENT_COLOUR),
    font_family='system-ui, "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif',
    label_font_size=13,
    major_label_font_size=13,
    value_font_size=12,
    legend_font_size=14,
    title_font_size=16,
    tooltip_font_size=12,
    guide_stroke_color="#d5dadd",
    major_guide_stroke_color="#b7c0c4",
    guide_stroke_dasharray="3,3",
    major_guide_stroke_dasharray="3,3",
    opacity="1",
    opacity_hover="1",
)
_LABEL_MAX_WIDTH = 190
"""Pixels kept left of the bars for the budget items; longer names are shortened with "…"."""


def chart_height(line_count: int) -> int:
    """Height in pixels for ``line_count`` budget lines (two bars each)."""
    return 130 + 64 * max(1, line_count)


def _text_width(text: str) -> float:
    """Rough width in pixels at 13px: wide (CJK) characters take about twice a Latin one."""
    return sum(13.0 if unicodedata.east_asian_width(c) in "WF" else 7.2 for c in text)


def _label_allowance(labels: list[str]) -> int:
    """Extra left margin for labels wider than pygal's estimate (0.6 em per character, which
    fits Latin text but not CJK)."""
    estimated = max((len(label) for label in labels), default=0) * 0.6 * 13
    actual = max((_text_width(label) for label in labels), default=0)
    return max(0, int(actual - estimated))


def _short_label(text: str) -> str:
    if _text_width(text) <= _LABEL_MAX_WIDTH:
        return text
    while text and _text_width(text + "…") > _LABEL_MAX_WIDTH:
        text = text[:-1]
    return text + "…"


def _lang() -> str:
    return "en" if (get_language() or "").startswith("en") else "zh-hans"


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


def _strip_script_parts(root: ET.Element) -> None:
    """Remove what only pygal's tooltip script used: scripts, comments, positional descs and
    the value titles pygal puts on axis labels."""
    for parent in root.iter():
        for child in list(parent):
            tag = child.tag if isinstance(child.tag, str) else None
            if tag is None or tag == "script":  # comments have a function as their tag
                parent.remove(child)
            elif tag == "desc" and child.get("class") != "value":
                parent.remove(child)
            elif tag == "title" and parent is not root:
                parent.remove(child)


def budget_chart_svg(summary: ProjectFinancialSummary, *, chart_id: str) -> str:
    """Budget and paid spending per budget line as a standalone SVG document."""
    lang = _lang()
    title = _("Budget and spending per budget item")
    chart = pygal.HorizontalBar(
        js=[],
        style=_STYLE,
        width=CHART_WIDTH,
        height=chart_height(len(summary.lines)),
        title=title,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=2,
        print_values=False,
        show_y_guides=False,
        truncate_label=-1,
        value_formatter=lambda value: format_fen_compact(int(value), lang=lang),
        margin=16,
        margin_right=48,
        margin_left=16 + _label_allowance([_short_label(line.name) for line in summary.lines]),
        spacing=12,
    )
    # Horizontal bars list the first label at the bottom: reverse, so the chart reads like the table.
    lines = list(reversed(summary.lines))
    chart.x_labels = [_short_label(line.name) for line in lines]
    chart.add(_("Budget"), [line.budget_fen for line in lines])
    chart.add(_("Spent"), [line.spent_fen for line in lines])
    root = chart.render_tree()
    _strip_script_parts(root)

    pygal_id = root.get("id")
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("width", str(CHART_WIDTH))
    root.set("height", str(chart_height(len(summary.lines))))
    chart_title = root.find("title")
    if chart_title is None:
        chart_title = ET.Element("title")
        root.insert(0, chart_title)
    chart_title.text = title
    chart_title.set("id", f"{chart_id}-title")
    desc = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc.text = _describe(summary, lang)
    root.insert(list(root).index(chart_title) + 1, desc)
    text = ET.tostring(root, encoding="unicode")
    # pygal scopes its stylesheet to its random id: point it at the fixed one.
    return text.replace(pygal_id, chart_id) if pygal_id else text
