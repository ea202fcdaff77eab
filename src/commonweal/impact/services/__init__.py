"""Impact use cases: indicators, targets and results (``indicators``), SROI worksheets (``sroi``)."""

from commonweal.impact.services.indicators import (
    MAX_TARGETS,
    IndicatorInput,
    indicator_create,
    indicator_targets_set,
    result_record,
)
from commonweal.impact.services.sroi import MAX_OUTCOMES, OutcomeInput, sroi_save

__all__ = [
    "MAX_TARGETS",
    "MAX_OUTCOMES",
    "IndicatorInput",
    "OutcomeInput",
    "indicator_create",
    "indicator_targets_set",
    "result_record",
    "sroi_save",
]
