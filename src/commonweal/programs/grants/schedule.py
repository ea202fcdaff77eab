"""Award payment schedules: equal annual installments in exact fen."""

import datetime as dt
from dataclasses import dataclass

from commonweal.core.timeutil import add_months

__all__ = ["ScheduledPayment", "payment_schedule"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduledPayment:
    """One installment of a schedule."""

    number: int
    """1-based."""
    due_on: dt.date
    """The first on the award's first due date, then one year apart."""
    amount_fen: int
    """Equal shares; the fen that do not divide go to the first installments, one each."""


def payment_schedule(*, amount_fen: int, count: int, first_due_on: dt.date) -> list[ScheduledPayment]:
    """``count`` annual installments adding up to exactly ``amount_fen``."""
    if count < 1 or amount_fen < count:
        raise ValueError(f"cannot split {amount_fen} fen into {count} installments")
    share, remainder = divmod(amount_fen, count)
    return [
        ScheduledPayment(number=i + 1, due_on=add_months(first_due_on, 12 * i), amount_fen=share + (1 if i < remainder else 0))
        for i in range(count)
    ]
