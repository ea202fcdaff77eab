"""The portfolio chart: allocated, committed and paid per domain, as a static SVG (pygal).

It follows ``disclosure.charts``: no script, fixed id, ``role="img"`` with a title and a
description stating every figure the page's table shows.
"""

import copy
import xml.etree.ElementTree as ET

import pygal
from django.utils.translation import gettext as _

from commonweal.core.money import format_fen, format_fen_compact
from commonweal.disclosure.charts import _STYLE, CHART_WIDTH, _label_allowance, _lang, _short_label
from commonweal.programs.selectors import FundPortfolio

__all__ = ["portfolio_chart_svg", "portfolio_chart_height", "CHART_WIDTH"]

_STYLE_3 = copy.copy(_STYLE)
_STYLE_3.colors = ("#c9d6d0", "#5b9a82", "#0b4f3a")


def _strip_script_parts(root) -> None:
    """Remove what only pygal's tooltip script used (scripts, comments, positional descs, value
    titles). Collects first and removes after: lxml's ``iter()`` is live, so removing while
    iterating would skip elements."""
    doomed = []
    for parent in root.iter():
        for child in parent:
            tag = child.tag if isinstance(child.tag, str) else None
            if (
                tag is None
                or tag == "script"
                or (tag == "desc" and child.get("class") != "value")
                or (tag == "title" and parent is not root)
            ):
                doomed.append((parent, child))
    for parent, child in doomed:
        parent.remove(child)


def _tostring(root) -> str:
    if hasattr(root, "getroottree"):  # lxml
        from lxml import etree

        return etree.tostring(root, encoding="unicode")
    return ET.tostring(root, encoding="unicode")


def portfolio_chart_height(domain_count: int) -> int:
    return 130 + 72 * max(1, domain_count)


def portfolio_chart_svg(portfolio: FundPortfolio, *, chart_id: str) -> str:
    """Per domain: allocated, committed and paid, as a standalone SVG document."""
    lang = _lang()
    title = _("Allocated, committed and paid per domain")
    rows = portfolio.domains
    height = portfolio_chart_height(len(rows))
    labels = [_short_label(row.label) for row in rows]
    chart = pygal.HorizontalBar(
        js=[], style=_STYLE_3, width=CHART_WIDTH, height=height, title=title, disable_xml_declaration=True,
        legend_at_bottom=True, legend_at_bottom_columns=3, print_values=False, show_y_guides=False, truncate_label=-1,
        value_formatter=lambda value: format_fen_compact(int(value), lang=lang), margin=16, margin_right=48,
        margin_left=16 + _label_allowance(labels), spacing=12,
    )
    reversed_rows = list(reversed(rows))
    chart.x_labels = list(reversed(labels))
    chart.add(_("Allocated"), [row.allocated_fen for row in reversed_rows])
    chart.add(_("Committed"), [row.committed_fen for row in reversed_rows])
    chart.add(_("Paid"), [row.paid_fen for row in reversed_rows])
    root = chart.render_tree()
    _strip_script_parts(root)
    pygal_id = root.get("id")
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("width", str(CHART_WIDTH))
    root.set("height", str(height))
    chart_title = root.find("title")
    if chart_title is None:
        chart_title = root.makeelement("title", {})
        root.insert(0, chart_title)
    chart_title.text = title
    chart_title.set("id", f"{chart_id}-title")
    # pygal builds the tree with lxml when it is installed, else with ElementTree: make
    # elements and serialize with whichever library made the root.
    desc = root.makeelement("desc", {"id": f"{chart_id}-desc"})
    desc.text = "; ".join(
        _("%(domain)s: allocated %(allocated)s, committed %(committed)s, paid %(paid)s")
        % {
            "domain": row.label, "allocated": format_fen(row.allocated_fen, lang=lang),
            "committed": format_fen(row.committed_fen, lang=lang), "paid": format_fen(row.paid_fen, lang=lang),
        }
        for row in rows
    ) + "."
    root.insert(list(root).index(chart_title) + 1, desc)
    text = _tostring(root)
    return text.replace(pygal_id, chart_id) if pygal_id else text
