"""Working days: the platform answers complaints within five of them (DESIGN.md, "Rules of the domain").

Pure date maths, no Django. A working day is Monday to Friday, minus the dates in ``holidays``,
plus the dates in ``workdays``. Both sets are empty unless the caller passes them:

- China's public holidays, and the weekend days worked in exchange for them (调休), are
  **not modelled by default**. They are announced by the State Council each year, so they cannot
  be computed; a deployment that wants them passes the year's dates (the complaint service reads
  ``COMMONWEAL_HOLIDAYS`` and ``COMMONWEAL_EXTRA_WORKDAYS`` from settings, or from the environment
  as comma-separated ISO dates; both empty when unset). Without them, a deadline near a public holiday is computed as if
  the holiday were a working day (so it comes earlier than the official calendar's), and a
  weekend worked in exchange is treated as a weekend.

The day a complaint arrives does not count: :func:`add_working_days` returns the ``n``-th working
day *after* ``start``. Received on Friday, due the next Friday; received on Saturday or Sunday,
due the Friday after.
"""

import datetime as dt
from collections.abc import Collection

__all__ = ["is_working_day", "add_working_days", "working_days_between"]

_MAX_DAYS = 3660
"""Search limit (ten years), so a holiday set covering every day cannot loop forever."""


def is_working_day(day: dt.date, *, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()) -> bool:
    """Monday to Friday and not a holiday, or a listed extra working day (a 调休 Saturday)."""
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start_date: dt.date, n: int, *, holidays: Collection[dt.date] = (),
                     workdays: Collection[dt.date] = ()) -> dt.date:
    """The ``n``-th working day after ``start_date`` (``n`` ≥ 1); ``start_date`` itself never counts.

    Without holidays the result is never a Saturday or Sunday, and exactly ``n`` weekdays lie in
    (``start_date``, result].
    """
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__}")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if isinstance(start_date, dt.datetime) or not isinstance(start_date, dt.date):
        raise TypeError(f"start_date must be a date, got {type(start_date).__name__}")
    day, counted = start_date, 0
    for _ in range(_MAX_DAYS + n * 7):
        day += dt.timedelta(days=1)
        if is_working_day(day, holidays=holidays, workdays=workdays):
            counted += 1
            if counted == n:
                return day
    raise ValueError(f"no {n} working days within {_MAX_DAYS} days after {start_date.isoformat()}")


def working_days_between(start: dt.date, end: dt.date, *, holidays: Collection[dt.date] = (),
                         workdays: Collection[dt.date] = ()) -> int:
    """Working days in (``start``, ``end``]; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start, holidays=holidays, workdays=workdays)
    days = (end - start).days
    return sum(
        1 for offset in range(1, days + 1)
        if is_working_day(start + dt.timedelta(days=offset), holidays=holidays, workdays=workdays)
    )
