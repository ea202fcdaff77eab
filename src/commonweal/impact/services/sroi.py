"""SROI worksheet use case: save a project's worksheet (outcomes, discount rate, investment).

The computation is ``impact.sroi``; this module validates the assumptions and stores them.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from commonweal.core.audit import audit_record
from commonweal.core.errors import InvalidInput, NotFound
from commonweal.core.money import validate_fen
from commonweal.impact.models import SroiOutcome, SroiWorksheet
from commonweal.impact.permissions import ADMIN_EDITOR
from commonweal.impact.inputs import clean_text, clean_value
from commonweal.impact.sroi import MAX_DURATION_YEARS, PERCENT_ASSUMPTIONS
from commonweal.orgs.permissions import member_role
from commonweal.projects.models import Project

__all__ = ["MAX_OUTCOMES", "OutcomeInput", "sroi_save"]

MAX_OUTCOMES = 20
_DISCOUNT_MAX = Decimal(50)


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeInput:
    """One outcome as typed: numbers as text or Decimal, the proxy in fen."""

    description: str
    """What changed ("young people in stable work")."""
    quantity: str | Decimal
    """How many."""
    proxy_fen: int
    """Value of one, in fen."""
    deadweight_pct: str | Decimal
    """0–100."""
    attribution_pct: str | Decimal
    """0–100."""
    displacement_pct: str | Decimal
    """0–100."""
    drop_off_pct: str | Decimal
    """0–100."""
    duration_years: int
    """1 to :data:`impact.sroi.MAX_DURATION_YEARS`."""
    stakeholder: str = ""
    """Who experiences it."""
    proxy_source: str = ""
    """Where the proxy comes from."""


def _percent(value, *, field: str, limit: Decimal = Decimal(100)) -> Decimal:
    number = clean_value(value, field=field)
    if not Decimal(0) <= number <= limit or number != number.quantize(Decimal("0.01")):
        raise InvalidInput(f"{field} must be a percentage from 0 to {limit} with at most 2 decimals, got {number}",
                           code="invalid_percentage", field=field)
    return number


def _outcome(index: int, item: OutcomeInput) -> SroiOutcome:
    prefix = f"outcomes.{index}."
    quantity = clean_value(item.quantity, field=prefix + "quantity")
    if quantity <= 0:
        raise InvalidInput(f"outcome {index + 1}: the quantity must be more than 0, got {quantity}", code="invalid_quantity",
                           field=prefix + "quantity")
    validate_fen(item.proxy_fen, field=prefix + "proxy_fen")
    years = item.duration_years
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_DURATION_YEARS:
        raise InvalidInput(f"outcome {index + 1}: the duration is 1 to {MAX_DURATION_YEARS} years, got {years!r}",
                           code="invalid_duration", field=prefix + "duration_years")
    return SroiOutcome(
        position=index,
        description=clean_text(item.description, field=prefix + "description", limit=200, required=True),
        stakeholder=clean_text(item.stakeholder, field=prefix + "stakeholder", limit=120, required=False),
        proxy_source=clean_text(item.proxy_source, field=prefix + "proxy_source", limit=200, required=False),
        quantity=quantity, proxy_fen=item.proxy_fen, duration_years=years,
        **{name: _percent(getattr(item, name), field=prefix + name) for name in PERCENT_ASSUMPTIONS},
    )


def sroi_save(
    *, project: Project, actor, investment_fen: int, outcomes: Sequence[OutcomeInput],
    discount_rate_pct: str | Decimal | None = None, notes: str = "",
) -> SroiWorksheet:
    """Create or replace ``project``'s worksheet (administrators and editors). The discount
    rate defaults to 3.5%; at least one and at most :data:`MAX_OUTCOMES` outcomes."""
    validate_fen(investment_fen, field="investment_fen")
    rate = Decimal("3.5") if discount_rate_pct in (None, "") else _percent(discount_rate_pct, field="discount_rate_pct", limit=_DISCOUNT_MAX)
    if not outcomes:
        raise InvalidInput("add at least one outcome", code="outcomes_missing", field="outcomes")
    if len(outcomes) > MAX_OUTCOMES:
        raise InvalidInput(f"a worksheet has at most {MAX_OUTCOMES} outcomes, got {len(outcomes)}", code="too_many_outcomes",
                           field="outcomes")
    rows = [_outcome(i, item) for i, item in enumerate(outcomes)]
    notes = (notes or "").replace("\x00", "").strip()
    if len(notes) > 4000:
        raise InvalidInput(f"notes must be at most 4000 characters, got {len(notes)}", code="too_long", field="notes")
    with transaction.atomic(durable=True):
        locked = Project.objects.select_for_update().select_related("org").get(pk=project.pk)
        if member_role(actor, locked.org) not in ADMIN_EDITOR:
            raise NotFound(f"no project {locked.public_id!r} in your console")
        worksheet, created = SroiWorksheet.objects.update_or_create(
            project=locked,
            defaults={"investment_fen": investment_fen, "discount_rate_pct": rate, "notes": notes, "updated_by": actor},
        )
        worksheet.outcomes.all().delete()
        for row in rows:
            row.worksheet = worksheet
        SroiOutcome.objects.bulk_create(rows)
        audit_record(actor=actor, action="impact.sroi_save", target=worksheet,
                     data={"project": locked.public_id, "outcomes": len(rows), "investment_fen": investment_fen,
                           "discount_rate_pct": str(rate), "created": created})
    return worksheet
