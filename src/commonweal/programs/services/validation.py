"""Input checks shared by the program office's services."""

from commonweal.core.domains import Domain
from commonweal.core.errors import Conflict, InvalidInput
from commonweal.programs.permissions import office_role

__all__ = ["MAX_FUND_FEN", "check_fen", "check_year", "check_domain", "check_text", "require_office"]

MAX_FUND_FEN = 10**15
"""The largest fund (and any amount in it): ¥10 trillion, far above any real fund, far below
the 64-bit column's limit."""
_MIN_YEAR, _MAX_YEAR = 2000, 2100


def check_fen(value, *, field: str, maximum: int = MAX_FUND_FEN) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"amount must be a whole number of fen, got {type(value).__name__}", field=field, code="invalid_amount")
    if not 1 <= value <= maximum:
        raise InvalidInput(f"amount must be between 1 and {maximum:,} fen, got {value}", field=field, code="amount_out_of_range")
    return value


def check_year(value, *, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not _MIN_YEAR <= value <= _MAX_YEAR:
        raise InvalidInput(f"year must be between {_MIN_YEAR} and {_MAX_YEAR}, got {value!r}", field=field, code="invalid_year")
    return value


def check_domain(value, *, field: str = "domain") -> str:
    if value not in Domain.values:
        raise InvalidInput(f"domain must be one of {', '.join(Domain.values)}, got {value!r}", field=field, code="invalid_domain")
    return value


def check_text(value: str, *, field: str, max_length: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{field} is required", field=field, code="required")
    if len(value) > max_length:
        raise InvalidInput(f"{field} must be at most {max_length} characters, got {len(value)}", field=field, code="too_long")
    return value


def require_office(actor, *roles: str) -> str:
    role = office_role(actor)
    if role not in roles:
        wanted = " or ".join(roles)
        raise Conflict(f"only a program {wanted} may do this; your office role is {role or 'none'}", code="office_role_required")
    return role
