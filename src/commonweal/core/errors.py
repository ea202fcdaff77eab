"""Domain errors with stable codes.

Services raise these; the API maps them once to ``{"error": {"code", "message"}}`` and the web
maps them once to form errors. Messages name the limit and the value that broke it.
"""

__all__ = [
    "DomainError",
    "InvalidInput",
    "NotFound",
    "Conflict",
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


class PaymentRejected(DomainError):
    """A payment notification was refused: forged, stale, mismatched or unknown.

    Codes: ``signature_invalid``, ``timestamp_stale``, ``amount_mismatch``,
    ``currency_mismatch``, ``unknown_intent``, ``malformed_notification``, ``decrypt_failed``,
    ``merchant_mismatch`` (notification for another mchid/appid/app_id), ``not_paid`` (the trade
    state is not a successful payment), ``charge_declined`` (a recurring charge was refused).
    """

    code = "payment_rejected"
    http_status = 400
