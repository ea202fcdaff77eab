"""Time helpers: stored in UTC, shown in Asia/Shanghai, written as RFC 3339.

Pure standard library, so it works without Django settings. ``utcnow`` calls
``datetime.now(UTC)``, which is what ``django.utils.timezone.now()`` returns with
``USE_TZ = True``, and which time-freezing tools (time-machine, freezegun) patch.
"""

import calendar
from datetime import UTC, date, datetime
from typing import TypeVar
from zoneinfo import ZoneInfo

__all__ = ["SHANGHAI", "UTC", "utcnow", "to_shanghai", "shanghai_date", "add_months", "rfc3339"]

SHANGHAI = ZoneInfo("Asia/Shanghai")

_D = TypeVar("_D", bound=date)


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


def _require_aware(dt: datetime) -> None:
    if not isinstance(dt, datetime):
        raise TypeError(f"expected a datetime, got {type(dt).__name__}")
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {dt.isoformat()}")


def to_shanghai(dt: datetime) -> datetime:
    """The same instant in Asia/Shanghai (UTC+8, no daylight saving since 1991). Naive input
    raises ``ValueError``: guessing its zone is how off-by-eight-hours bugs start."""
    _require_aware(dt)
    return dt.astimezone(SHANGHAI)


def shanghai_date(dt: datetime) -> date:
    """The calendar date in Shanghai at instant ``dt`` (what "today" means for deadlines)."""
    return to_shanghai(dt).date()


def add_months(d: _D, months: int) -> _D:
    """``d`` moved by ``months`` calendar months (may be negative), the day clamped to the end
    of the target month: Jan 31 + 1 -> Feb 29 in leap years, Feb 28 otherwise.

    Works for ``date`` and ``datetime`` (time and tzinfo are kept). Raises ``OverflowError``
    beyond year 1..9999.
    """
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months must be an int, got {type(months).__name__}")
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    if not 1 <= year <= 9999:
        raise OverflowError(f"{d.isoformat()} plus {months} months is outside years 1-9999")
    month = month0 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return d.replace(year=year, month=month, day=day)


def rfc3339(dt: datetime, *, timespec: str = "seconds") -> str:
    """RFC 3339 text of the instant in UTC with a "Z": "2024-09-05T00:00:00Z".

    One instant always gives one string, whatever zone ``dt`` carries. ``timespec`` is as for
    ``datetime.isoformat`` ("seconds", "milliseconds", "microseconds"); naive input raises.
    """
    _require_aware(dt)
    if timespec not in {"seconds", "milliseconds", "microseconds"}:
        raise ValueError(f"timespec must be seconds, milliseconds or microseconds, got {timespec!r}")
    text = dt.astimezone(UTC).replace(tzinfo=None).isoformat(timespec=timespec)
    return text + "Z"
