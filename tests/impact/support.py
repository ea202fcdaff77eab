"""Builders for impact tests, through the real services."""

from commonweal.impact.services import IndicatorInput, OutcomeInput, indicator_create, indicator_targets_set, result_record
from tests.disclosure.spending_support import jpeg_bytes  # noqa: F401  (re-exported for the tests)


def people_reached(project, actor, *, name="受益学生人数", unit="人", additive=True, direction="higher", **extra):
    return indicator_create(actor=actor, subject=project, data=IndicatorInput(
        framework=extra.pop("framework", "custom"), code=extra.pop("code", ""), name_zh=name, unit=unit, additive=additive,
        direction=direction, **extra,
    ))


def with_results(indicator, actor, *, targets: dict, results: dict):
    indicator_targets_set(indicator=indicator, actor=actor, targets=targets)
    for period, value in results.items():
        result_record(indicator=indicator, actor=actor, period=period, value=value, evidence_text="签到表",
                      evidence_url="https://example.org/report.pdf")
    return indicator


def outcome(**overrides) -> OutcomeInput:
    fields = dict(description="稳定就业的青年", quantity="20", proxy_fen=1_000_000, deadweight_pct="25", attribution_pct="20",
                  displacement_pct="0", drop_off_pct="50", duration_years=2)
    fields.update(overrides)
    return OutcomeInput(**fields)

