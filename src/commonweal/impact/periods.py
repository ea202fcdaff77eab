"""Reporting periods of an indicator: a year, a half, a quarter or a month, written canonically.

    period = year / year "-H" ("1" / "2") / year "-Q" ("1" / "2" / "3" / "4") / year "-" month
    year   = 4DIGIT (2000 to 2100)      month = "01" to "12"

"2026", "2026-H1", "2026-Q3", "2026-05". Lowercase "h"/"q" and surrounding spaces are forgiven;
everything else is refused naming the text. Periods sort by their last day, then by length.
"""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from commonweal.core.errors import InvalidInput

__all__ = ["Period", "parse_period", "PERIOD_MAX_LENGTH", "YEAR_MIN", "YEAR_MAX"]

PERIOD_MAX_LENGTH = 7
YEAR_MIN = 2000
YEAR_MAX = 2100

_PERIOD_RE = re.compile(r"(?P<year>[0-9]{4})(?:-(?:H(?P<half>[12])|Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?")


@dataclass(frozen=True, slots=True, kw_only=True)
class Period:
    """A reporting period."""

    label: str
    """Canonical text: "2026", "2026-H1", "2026-Q3" or "2026-05"."""
    starts_on: dt.date
    """Its first day."""
    ends_on: dt.date
    """Its last day."""


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str, *, field: str = "period") -> Period:
    """Parse a period typed by a person; see the module docstring for the grammar."""
    if not isinstance(text, str):
        raise InvalidInput(f"a period must be text such as '2026-Q1', got {type(text).__name__}", code="invalid_period", field=field)
    canonical = text.strip().upper()
    match = _PERIOD_RE.fullmatch(canonical) if len(canonical) <= PERIOD_MAX_LENGTH else None
    if match is None:
        shown = text.strip()[:20]
        raise InvalidInput(
            f"a period is a year (2026), a half (2026-H1), a quarter (2026-Q1) or a month (2026-05), got {shown!r}",
            code="invalid_period", field=field,
        )
    year = int(match["year"])
    if not YEAR_MIN <= year <= YEAR_MAX:
        raise InvalidInput(f"the year must be between {YEAR_MIN} and {YEAR_MAX}, got {year}", code="invalid_period", field=field)
    if match["half"]:
        first = 1 + 6 * (int(match["half"]) - 1)
        last = first + 5
    elif match["quarter"]:
        first = 1 + 3 * (int(match["quarter"]) - 1)
        last = first + 2
    elif match["month"]:
        first = last = int(match["month"])
    else:
        first, last = 1, 12
    return Period(label=canonical, starts_on=dt.date(year, first, 1), ends_on=_last_day(year, last))
