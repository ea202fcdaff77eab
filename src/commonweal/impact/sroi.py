"""Social return on investment (SROI), computed exactly.

Follows *A guide to Social Return on Investment* (Cabinet Office, 2012), stages 4 and 5:

1. Impact of an outcome in its first year = quantity × financial proxy
   × (1 − deadweight) × (1 − displacement) × (1 − attribution).
2. In year t (1 … duration) the impact is the first year's × (1 − drop-off)^(t − 1).
3. Present value = Σ over outcomes and years of impact_t / (1 + discount rate)^t
   (year 1 is discounted once, as in the guide's worked example).
4. Net present value = present value − investment; SROI ratio = present value / investment.

Every step is a :class:`fractions.Fraction`, so nothing is rounded until the end: present
values are rounded to the fen and the ratio to two decimals, both half to even. The sensitivity
table recomputes the whole worksheet with one assumption moved for every outcome at once.
"""

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "DEFAULT_DISCOUNT_RATE_PCT",
    "MAX_DURATION_YEARS",
    "OutcomeAssumptions",
    "SroiInput",
    "OutcomeValue",
    "SroiResult",
    "SensitivityRow",
    "sroi_compute",
    "sroi_sensitivity",
    "PERCENT_ASSUMPTIONS",
]

DEFAULT_DISCOUNT_RATE_PCT = Decimal("3.5")
"""HM Treasury Green Book rate, the guide's default."""
MAX_DURATION_YEARS = 30
PERCENT_ASSUMPTIONS = ("deadweight_pct", "attribution_pct", "displacement_pct", "drop_off_pct")
"""The per-outcome percentages the sensitivity table moves by ±10 and ±25 points."""
_POINTS = (Decimal(-25), Decimal(-10), Decimal(10), Decimal(25))
_PROXY_CHANGES = (Decimal(-20), Decimal(20))
_DISCOUNT_POINTS = (Decimal(-1), Decimal(1))


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeAssumptions:
    """One outcome of the worksheet."""

    quantity: Decimal
    """How many times the outcome happened (people, households, tonnes)."""
    proxy_fen: int
    """Financial proxy: value of one unit of the outcome, in fen."""
    deadweight_pct: Decimal
    """Share that would have happened anyway, 0–100."""
    attribution_pct: Decimal
    """Share owed to others' contributions, 0–100."""
    displacement_pct: Decimal
    """Share that only moved a problem elsewhere, 0–100."""
    drop_off_pct: Decimal
    """Yearly decline after the first year, 0–100."""
    duration_years: int
    """Years the outcome lasts, from 1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SroiInput:
    """A whole worksheet."""

    outcomes: tuple[OutcomeAssumptions, ...]
    """The outcomes, in order."""
    discount_rate_pct: Decimal
    """Yearly discount rate, percent."""
    investment_fen: int
    """What was put in, in fen (> 0)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeValue:
    """What one outcome is worth."""

    impact_fen: Fraction
    """First-year impact after deadweight, displacement and attribution (exact)."""
    yearly_fen: tuple[Fraction, ...]
    """Impact in each year before discounting (exact)."""
    present_value_fen: Fraction
    """Discounted total (exact)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SroiResult:
    """The worksheet's result: exact figures and the rounded ones people read."""

    outcomes: tuple[OutcomeValue, ...]
    """Per outcome, in order."""
    present_value_exact: Fraction
    """Total present value in fen, exact."""
    ratio_exact: Fraction
    """Present value / investment, exact."""
    present_value_fen: int
    """Total present value rounded to the fen (half to even)."""
    net_present_value_fen: int
    """``present_value_fen`` − investment."""
    ratio: Decimal
    """SROI ratio to two decimals (half to even): 1.72 means ¥1.72 of social value per ¥1."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SensitivityRow:
    """One line of the sensitivity table."""

    assumption: str
    """``deadweight_pct``, ``attribution_pct``, ``displacement_pct``, ``drop_off_pct``, ``proxy`` or ``discount_rate_pct``."""
    change: Decimal
    """Points added (percentages) or percent change (proxy)."""
    ratio: Decimal
    """The SROI ratio with that change."""
    present_value_fen: int
    """The present value with that change."""


def _share(pct: Decimal) -> Fraction:
    return Fraction(pct) / 100


def _outcome_value(outcome: OutcomeAssumptions, discount: Fraction) -> OutcomeValue:
    # 1. First-year impact.
    impact = (
        Fraction(outcome.quantity) * outcome.proxy_fen
        * (1 - _share(outcome.deadweight_pct))
        * (1 - _share(outcome.displacement_pct))
        * (1 - _share(outcome.attribution_pct))
    )
    # 2. Drop-off in later years.
    keep = 1 - _share(outcome.drop_off_pct)
    yearly = tuple(impact * keep ** (year - 1) for year in range(1, outcome.duration_years + 1))
    # 3. Discounting, year 1 included.
    present = sum((value / (1 + discount) ** year for year, value in enumerate(yearly, start=1)), Fraction(0))
    return OutcomeValue(impact_fen=impact, yearly_fen=yearly, present_value_fen=present)


def sroi_compute(worksheet: SroiInput) -> SroiResult:
    """Present value, net present value and ratio of ``worksheet`` (steps in the module docstring)."""
    if worksheet.investment_fen <= 0:
        raise ValueError(f"investment must be positive, got {worksheet.investment_fen}")
    discount = _share(worksheet.discount_rate_pct)
    values = tuple(_outcome_value(outcome, discount) for outcome in worksheet.outcomes)
    present = sum((v.present_value_fen for v in values), Fraction(0))
    # 4. Net present value and ratio.
    ratio = present / worksheet.investment_fen
    present_fen = round(present)
    return SroiResult(
        outcomes=values,
        present_value_exact=present,
        ratio_exact=ratio,
        present_value_fen=present_fen,
        net_present_value_fen=present_fen - worksheet.investment_fen,
        ratio=Decimal(round(ratio * 100)).scaleb(-2),
    )


def _clamp(pct: Decimal) -> Decimal:
    return min(Decimal(100), max(Decimal(0), pct))


def _row(assumption: str, change: Decimal, worksheet: SroiInput) -> SensitivityRow:
    result = sroi_compute(worksheet)
    return SensitivityRow(assumption=assumption, change=change, ratio=result.ratio, present_value_fen=result.present_value_fen)


def sroi_sensitivity(worksheet: SroiInput) -> list[SensitivityRow]:
    """The ratio with each assumption moved for every outcome: the four percentages by −25, −10,
    +10 and +25 points (kept within 0–100), the financial proxies by −20% and +20% (rounded to the
    fen), and the discount rate by −1 and +1 point (not below 0)."""
    rows = []
    for name in PERCENT_ASSUMPTIONS:
        for points in _POINTS:
            outcomes = tuple(replace(o, **{name: _clamp(getattr(o, name) + points)}) for o in worksheet.outcomes)
            rows.append(_row(name, points, replace(worksheet, outcomes=outcomes)))
    for percent in _PROXY_CHANGES:
        outcomes = tuple(replace(o, proxy_fen=round(Fraction(o.proxy_fen) * (100 + Fraction(percent)) / 100)) for o in worksheet.outcomes)
        rows.append(_row("proxy", percent, replace(worksheet, outcomes=outcomes)))
    for points in _DISCOUNT_POINTS:
        rate = max(Decimal(0), worksheet.discount_rate_pct + points)
        rows.append(_row("discount_rate_pct", points, replace(worksheet, discount_rate_pct=rate)))
    return rows
