"""How the SROI sensitivity table and the assumptions read, in the active language."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["ASSUMPTION_LABELS", "outcome_rows", "sensitivity_rows"]

ASSUMPTION_LABELS = {
    "deadweight_pct": gettext_lazy("Deadweight"),
    "attribution_pct": gettext_lazy("Attribution to others"),
    "displacement_pct": gettext_lazy("Displacement"),
    "drop_off_pct": gettext_lazy("Drop-off"),
    "proxy": gettext_lazy("Financial proxies"),
    "discount_rate_pct": gettext_lazy("Discount rate"),
}


def _change_text(assumption: str, change: Decimal) -> str:
    sign = "+" if change > 0 else "−"
    if assumption == "proxy":
        return _("%(sign)s%(n)s%%") % {"sign": sign, "n": abs(change)}
    return _("%(sign)s%(n)s percentage points") % {"sign": sign, "n": abs(change)}


def sensitivity_rows(sroi) -> list[dict]:
    """The sensitivity table of an ``SroiView`` as rows: what moved, by how much, the ratio."""
    base = sroi.result.ratio
    return [
        {"label": ASSUMPTION_LABELS[row.assumption], "change": _change_text(row.assumption, row.change), "ratio": row.ratio,
         "present_value_fen": row.present_value_fen, "difference": row.ratio - base}
        for row in sroi.sensitivity
    ]


def outcome_rows(sroi) -> list[tuple]:
    """(stored outcome, its present value in fen rounded) pairs, for the assumptions table."""
    return [(o, round(v.present_value_fen)) for o, v in zip(sroi.worksheet.outcomes.all(), sroi.result.outcomes, strict=True)]
