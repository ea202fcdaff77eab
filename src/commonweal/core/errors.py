"""Domain errors with stable codes.

Services raise these; the API maps them once to ``{"error": {"code", "message"}}`` and the web
maps them once to form errors. Messages name the limit and the value that broke it.
"""

import datetime as dt

__all__ = [
    "DomainError",
    "InvalidInput",
    "NotFound",
    "Conflict",
    "RateLimited",
    "PaymentRejected",
]


class DomainError(Exception):
    """A business rule refused the request. ``code`` is stable; ``message`` is for people."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code
        self.field = field

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    """The input cannot be accepted as given (bad amount, bad credit code, bad date)."""

    code = "invalid_input"
    http_status = 400


class NotFound(DomainError):
    """The thing does not exist, or the actor may not see it (we answer both the same way)."""

    code = "not_found"
    http_status = 404


class Conflict(DomainError):
    """The request is valid but the current state forbids it (illegal transition, overspend)."""

    code = "conflict"
    http_status = 409


class RateLimited(DomainError):
    """Too many requests from one identity within a time window. ``limit`` names the rule (e.g.
    ``per_hour``), ``identity`` what was counted (``account``, ``email``, ``address``), ``most`` how
    many the rule allows, ``retry_at`` the first moment another request fits."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, limit: str, identity: str, most: int, retry_at: dt.datetime):
        super().__init__(message)
        self.limit, self.identity, self.most, self.retry_at = limit, identity, most, retry_at


class PaymentRejected(DomainError):
    """A payment notification was refused: forged, stale, mismatched or unknown.

    Codes: ``signature_invalid``, ``timestamp_stale``, ``amount_mismatch``,
    ``currency_mismatch``, ``unknown_intent``, ``malformed_notification``, ``decrypt_failed``,
    ``merchant_mismatch`` (notification for another mchid/appid/app_id), ``not_paid`` (the trade
    state is not a successful payment), ``charge_declined`` (a recurring charge was refused).
    """

    code = "payment_rejected"
    http_status = 400
