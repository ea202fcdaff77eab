"""Static, accessible SVG charts drawn with pygal, for the disclosure, programs and impact pages.

pygal writes a configuration ``<script>``, generator comments with the date, a random element
id and positional ``<desc>``/``<title>`` elements meant for its tooltip script. :func:`static_svg`
drops all of those, so the document is static and the same figures always give the same bytes
(cacheable), and labels it for assistive technology: ``role="img"``, a ``<title>`` and a
``<desc>`` that states every figure, the same ones the page's table shows.

:func:`fen_bar_chart` draws horizontal bars of amounts in fen (a project's budget lines, a fund's
domains) in one house style, shortening long names and widening the margin for CJK text. Each
app keeps its own figures, sizes, colours, title and description.
"""

import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence

import pygal
from pygal.etree import etree as pygal_etree
from pygal.style import Style

from commonweal.core.money import format_fen_compact

# pygal renders with lxml whenever it is installed (opendata needs it); this module edits the
# tree with the standard library's ElementTree, so pin pygal to it.
pygal_etree.to_etree()

__all__ = ["fen_bar_chart", "static_svg"]

_FONT_FAMILY = 'system-ui, "PingFang SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif'
_LABEL_FONT_SIZE = 13
_LABEL_MAX_WIDTH = 190
"""Pixels kept left of the bars for the names; longer names are shortened with "…"."""


def _fen_bar_style(colours: tuple[str, ...]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1d2327",
        foreground_strong="#1d2327",
        foreground_subtle="#4a555c",
        colors=colours,
        font_family=_FONT_FAMILY,
        label_font_size=_LABEL_FONT_SIZE,
        major_label_font_size=_LABEL_FONT_SIZE,
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


def _text_width(text: str) -> float:
    """Rough width in pixels at 13px: wide (CJK) characters take about twice a Latin one."""
    return sum(13.0 if unicodedata.east_asian_width(c) in "WF" else 7.2 for c in text)


def _label_allowance(labels: list[str]) -> int:
    """Extra left margin for labels wider than pygal's estimate (0.6 em per character, which
    fits Latin text but not CJK)."""
    estimated = max((len(label) for label in labels), default=0) * 0.6 * _LABEL_FONT_SIZE
    actual = max((_text_width(label) for label in labels), default=0)
    return max(0, int(actual - estimated))


def _short_label(text: str) -> str:
    if _text_width(text) <= _LABEL_MAX_WIDTH:
        return text
    while text and _text_width(text + "…") > _LABEL_MAX_WIDTH:
        text = text[:-1]
    return text + "…"


def fen_bar_chart(
    *,
    title: str,
    width: int,
    height: int,
    colours: tuple[str, ...],
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[int]]],
    lang: str,
) -> ET.Element:
    """Horizontal bars of amounts in fen, one group per label, the first label at the top, as
    pygal's tree for :func:`static_svg`. ``series`` is (legend name, one amount per label) for
    each bar of a group, in the order of ``colours``; the axis is in ``lang``."""
    short_labels = [_short_label(label) for label in labels]
    chart = pygal.HorizontalBar(
        js=[],
        style=_fen_bar_style(colours),
        width=width,
        height=height,
        title=title,
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=len(series),
        print_values=False,
        show_y_guides=False,
        truncate_label=-1,
        value_formatter=lambda value: format_fen_compact(int(value), lang=lang),
        margin=16,
        margin_right=48,
        margin_left=16 + _label_allowance(short_labels),
        spacing=12,
    )
    # Horizontal bars list the first label at the bottom: reverse, so the chart reads like the table.
    chart.x_labels = list(reversed(short_labels))
    for name, amounts in series:
        chart.add(name, list(reversed(amounts)))
    return chart.render_tree()


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


def static_svg(root: ET.Element, *, chart_id: str, width: int, height: int, title: str, description: str) -> str:
    """pygal's rendered tree (``chart.render_tree()``) as a standalone SVG document: no script,
    the fixed id ``chart_id``, and labelled by ``title`` and ``description``. The label sits where
    pygal put its ``<title>`` (after ``<defs>`` unless the caller moved it)."""
    _strip_script_parts(root)
    pygal_id = root.get("id")
    root.set("id", chart_id)
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    root.set("width", str(width))
    root.set("height", str(height))
    chart_title = root.find("title")  # pygal always writes one: the chart's title, or "Pygal"
    chart_title.text = title
    chart_title.set("id", f"{chart_id}-title")
    desc = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc.text = description
    root.insert(list(root).index(chart_title) + 1, desc)
    text = ET.tostring(root, encoding="unicode")
    # pygal scopes its stylesheet to its random id: point it at the fixed one.
    return text.replace(pygal_id, chart_id) if pygal_id else text
