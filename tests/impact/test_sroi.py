"""SROI arithmetic (impact.sroi): a worked example checked by hand, and properties."""

from decimal import Decimal as D
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.impact.sroi import OutcomeAssumptions, SroiInput, sroi_compute, sroi_sensitivity


def _outcome(**overrides) -> OutcomeAssumptions:
    fields = dict(quantity=D(20), proxy_fen=1_000_000, deadweight_pct=D(25), attribution_pct=D(20), displacement_pct=D(0),
                  drop_off_pct=D(50), duration_years=2)
    fields.update(overrides)
    return OutcomeAssumptions(**fields)


def test_worked_example_by_hand():
    """Investment ¥100,000.00 (10,000,000 fen), discount rate 3.5%.

    Outcome A: 20 young people in stable work, proxy ¥10,000 each (1,000,000 fen), deadweight
    25%, attribution 20%, displacement 0%, drop-off 50% a year, lasting 2 years.
      year 1 impact = 20 × 1,000,000 × 0.75 × 1 × 0.80 = 12,000,000 fen
      year 2 impact = 12,000,000 × 0.50                =  6,000,000 fen
      PV = 12,000,000 / 1.035 + 6,000,000 / 1.035²
         = 11,594,202.898… + 6,000,000 / 1.071225 = 11,594,202.898… + 5,601,064.202…
         = 17,195,267.10… fen → 17,195,267 fen (¥171,952.67)
      NPV = 17,195,267 − 10,000,000 = 7,195,267 fen; ratio = 1.7195… → 1.72

    Outcome B: 5 tonnes of waste diverted, proxy ¥300 (30,000 fen), deadweight 10%, attribution
    0%, displacement 50%, no drop-off, 1 year:
      impact = 5 × 30,000 × 0.9 × 0.5 = 67,500 fen; PV = 67,500 / 1.035 = 65,217.39… fen
    Together: PV = 17,260,484.49… → 17,260,484 fen, ratio 1.7260… → 1.73.
    """
    a = _outcome()
    worksheet = SroiInput(outcomes=(a,), discount_rate_pct=D("3.5"), investment_fen=10_000_000)
    result = sroi_compute(worksheet)
    assert result.outcomes[0].impact_fen == 12_000_000
    assert result.outcomes[0].yearly_fen == (12_000_000, 6_000_000)
    assert result.present_value_exact == Fraction(12_000_000) / Fraction("1.035") + Fraction(6_000_000) / Fraction("1.071225")
    assert (result.present_value_fen, result.net_present_value_fen, result.ratio) == (17_195_267, 7_195_267, D("1.72"))

    b = _outcome(quantity=D(5), proxy_fen=30_000, deadweight_pct=D(10), attribution_pct=D(0), displacement_pct=D(50),
                 drop_off_pct=D(0), duration_years=1)
    both = sroi_compute(SroiInput(outcomes=(a, b), discount_rate_pct=D("3.5"), investment_fen=10_000_000))
    assert both.outcomes[1].impact_fen == 67_500
    assert (both.present_value_fen, both.ratio) == (17_260_484, D("1.73"))


def test_no_discount_no_drop_off_is_plain_multiplication():
    o = _outcome(quantity=D("2.5"), proxy_fen=100, deadweight_pct=D(0), attribution_pct=D(0), drop_off_pct=D(0), duration_years=3)
    result = sroi_compute(SroiInput(outcomes=(o,), discount_rate_pct=D(0), investment_fen=250))
    assert (result.present_value_fen, result.ratio) == (750, D("3.00"))


def test_rounding_is_half_to_even_at_the_end_only():
    # 1 fen of impact for 8 fen invested: ratio 0.125 → 0.12 (half to even), PV 1 fen exactly.
    o = _outcome(quantity=D(1), proxy_fen=1, deadweight_pct=D(0), attribution_pct=D(0), drop_off_pct=D(0), duration_years=1)
    result = sroi_compute(SroiInput(outcomes=(o,), discount_rate_pct=D(0), investment_fen=8))
    assert result.ratio_exact == Fraction(1, 8) and result.ratio == D("0.12")


def test_sensitivity_table_rows_and_clamping():
    worksheet = SroiInput(outcomes=(_outcome(),), discount_rate_pct=D("3.5"), investment_fen=10_000_000)
    rows = {(r.assumption, r.change): r for r in sroi_sensitivity(worksheet)}
    assert len(rows) == 4 * 4 + 2 + 2
    # Displacement is 0: −10 and −25 points stay at 0, so the ratio does not move.
    assert rows[("displacement_pct", D(-25))].ratio == rows[("displacement_pct", D(-10))].ratio == D("1.72")
    # Deadweight +25 points (to 50%): impact 8,000,000 then 4,000,000 → PV 11,463,511.31…
    assert rows[("deadweight_pct", D(25))].present_value_fen == 11_463_511
    # Proxies +20%: every figure scales by 1.2.
    assert rows[("proxy", D(20))].present_value_fen == round(sroi_compute(worksheet).present_value_exact * Fraction(6, 5))
    assert rows[("proxy", D(20))].ratio == D("2.06") and rows[("proxy", D(-20))].ratio == D("1.38")
    assert rows[("discount_rate_pct", D(-1))].ratio > rows[("discount_rate_pct", D(1))].ratio


_pct = st.decimals(min_value=0, max_value=100, places=2)
_outcomes = st.builds(
    OutcomeAssumptions, quantity=st.decimals(min_value=D("0.0001"), max_value=100_000, places=4),
    proxy_fen=st.integers(1, 10_000_000), deadweight_pct=_pct, attribution_pct=_pct, displacement_pct=_pct,
    drop_off_pct=_pct, duration_years=st.integers(1, 10),
)
_sheets = st.builds(SroiInput, outcomes=st.lists(_outcomes, min_size=1, max_size=4).map(tuple),
                    discount_rate_pct=st.decimals(min_value=0, max_value=20, places=2), investment_fen=st.integers(1, 10**10))


@settings(max_examples=150, deadline=None)
@given(sheet=_sheets, name=st.sampled_from(["deadweight_pct", "attribution_pct", "displacement_pct", "drop_off_pct"]),
       points=st.decimals(min_value=0, max_value=100, places=2))
def test_raising_a_reduction_never_raises_the_ratio(sheet, name, points):
    from dataclasses import replace

    raised = replace(sheet, outcomes=tuple(replace(o, **{name: min(D(100), getattr(o, name) + points)}) for o in sheet.outcomes))
    assert sroi_compute(raised).ratio_exact <= sroi_compute(sheet).ratio_exact
    assert sroi_compute(raised).ratio <= sroi_compute(sheet).ratio


@settings(max_examples=100, deadline=None)
@given(sheet=_sheets)
def test_properties_of_the_result(sheet):
    from dataclasses import replace

    result = sroi_compute(sheet)
    assert result.ratio_exact == result.present_value_exact / sheet.investment_fen
    assert result.net_present_value_fen == result.present_value_fen - sheet.investment_fen
    assert result.present_value_exact >= 0
    # A higher discount rate never raises the value; a longer duration never lowers it.
    higher_rate = replace(sheet, discount_rate_pct=sheet.discount_rate_pct + 1)
    assert sroi_compute(higher_rate).present_value_exact <= result.present_value_exact
    longer = replace(sheet, outcomes=tuple(replace(o, duration_years=o.duration_years + 1) for o in sheet.outcomes))
    assert sroi_compute(longer).present_value_exact >= result.present_value_exact
    # Doubling the investment halves the ratio exactly.
    assert sroi_compute(replace(sheet, investment_fen=sheet.investment_fen * 2)).ratio_exact * 2 == result.ratio_exact
    # 100% deadweight leaves nothing.
    nothing = replace(sheet, outcomes=tuple(replace(o, deadweight_pct=D(100)) for o in sheet.outcomes))
    assert sroi_compute(nothing).present_value_exact == 0
