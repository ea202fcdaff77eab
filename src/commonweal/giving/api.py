"""Giving over the API: donation intents, provider payment notifications, the donor's own gifts.

- ``POST /donation-intents``: anonymous clients may call it without CSRF (there is no session to
  ride on); a signed-in session becomes the donor and must pass Django's CSRF check.
- ``POST /payments/{provider}/{org}/notify``: called by the payment provider; no auth, no CSRF,
  the signature (checked with the organization's own credentials) is the authentication. It
  answers in the provider's own format, never in the API's error shape.
- ``GET /me/donations``: session auth (ninja's ``django_auth``).
"""

import datetime as dt
import functools
import logging
import re

from django.core.exceptions import RequestDataTooBig
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth
from ninja.utils import check_csrf
from pydantic import StrictBool

from commonweal.api import TEXT_PATTERN, ErrorOut, PageIn, WholeNumber, error_responses
from commonweal.core.errors import DomainError, InvalidInput, NotFound, PaymentRejected
from commonweal.core.identifiers import PUBLIC_ID_PATTERN, is_public_id
from commonweal.core.money import MAX_AMOUNT_FEN
from commonweal.giving.models import Donation, DonationIntent, Provider
from commonweal.giving.providers import PROVIDERS
from commonweal.giving.services import intent_create, notification_receive
from commonweal.projects.selectors import project_to_donate

logger = logging.getLogger("commonweal.giving")

router = Router(tags=["giving"])

IDEMPOTENCY_HEADER = "Idempotency-Key"
DEVICE_HEADER = "X-Device-Id"
"""Optional: an app's stable device id, kept only as a keyed fingerprint for risk signals."""
IDEMPOTENCY_KEY_RE = re.compile(r"[\x21-\x7e]{1,64}")


class CsrfFailed(DomainError):
    """A signed-in session posted without a valid CSRF token."""

    code = "csrf_failed"
    http_status = 403


# --- donation intents -----------------------------------------------------------------------


class IntentIn(Schema):
    project: str = Field(..., pattern=PUBLIC_ID_PATTERN, description="Public id of a fundraising project.")
    amount_fen: WholeNumber = Field(
        ..., description="Amount in fen (分), a JSON integer.",
        # Documented here, enforced by the service so the error has its own code and message.
        json_schema_extra={"minimum": 1, "maximum": MAX_AMOUNT_FEN},
    )
    donor_name: str = Field("", max_length=64, pattern=TEXT_PATTERN, description="Name for the receipt.")
    donor_public: StrictBool = Field(False, description="Show the full name publicly (else it is masked).")
    message: str = Field("", max_length=200, pattern=TEXT_PATTERN)
    provider: Provider = Field(Provider.SANDBOX, description="Payment provider.")
    team: str | None = Field(
        None, pattern=PUBLIC_ID_PATTERN, description="Public id of a team page of this project the gift is made through."
    )


class IntentOut(Schema):
    public_id: str = Field(..., description="The intent's id; providers know it as out_trade_no.")
    project: str
    recipient_org: str = Field(..., description="Public id of the organization whose account is paid.")
    amount_fen: int
    currency: str
    provider: str
    status: str = Field(..., description="pending, or paid once the provider confirmed it.")
    donor_public: bool
    created_at: dt.datetime
    pay_url: str | None = Field(..., description="Where the donor pays (sandbox only).")
    notify_url: str = Field(..., description="Where the provider must send its payment notification.")


_IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": IDEMPOTENCY_HEADER,
    "required": True,
    "description": "1 to 64 printable ASCII characters, e.g. a random UUID; a retry with the same key "
    "and the same request returns the same intent (200 instead of 201); the key with any field changed, "
    "or from another donor, is 409 idempotency_key_reused.",
    "schema": {"type": "string", "minLength": 1, "maxLength": 64, "pattern": r"^[\x21-\x7e]+$"},
}


@router.post(
    "/donation-intents",
    response={200: IntentOut, 201: IntentOut, **error_responses(400, 403, 404, 409, 422)},
    summary="Create a donation intent (idempotent)",
    openapi_extra={"parameters": [_IDEMPOTENCY_PARAMETER]},
)
def create_donation_intent(request: HttpRequest, data: IntentIn):
    key = _idempotency_key(request)
    donor = _session_donor(request)
    project = project_to_donate(public_id=data.project)  # the schema's pattern already checked its shape
    intent, created = intent_create(
        project=project,
        amount_fen=data.amount_fen,
        idempotency_key=key,
        donor=donor,
        donor_name=data.donor_name,
        donor_public=data.donor_public,
        message=data.message,
        provider=data.provider.value,
        attribution=f"team:{data.team}" if data.team else "",
        client_address=request.META.get("REMOTE_ADDR", ""),
        device_id=request.headers.get(DEVICE_HEADER, ""),
    )
    return Status(201 if created else 200, intent_out(intent))


def _idempotency_key(request: HttpRequest) -> str:
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
    if not key:
        raise InvalidInput(
            f"the {IDEMPOTENCY_HEADER} header is required: send a random key (a UUID) and reuse it on retries",
            code="idempotency_key_required",
            field="idempotency_key",
        )
    if not IDEMPOTENCY_KEY_RE.fullmatch(key):
        raise InvalidInput(
            f"the {IDEMPOTENCY_HEADER} header must be 1 to 64 printable ASCII characters without spaces, "
            f"got {len(key)} characters",
            code="idempotency_key_invalid",
            field="idempotency_key",
        )
    return key


def _session_donor(request: HttpRequest):
    """The signed-in user, after Django's CSRF check; None for anonymous clients.

    ninja marks its views csrf_exempt and leaves CSRF to cookie-based auth (``django_auth``),
    which would refuse anonymous clients; this endpoint takes both, so it checks here."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if check_csrf(request) is not None:
        raise CsrfFailed("CSRF check failed: a signed-in session must send the csrftoken cookie's value in X-CSRFToken")
    return user


def intent_out(intent: DonationIntent) -> dict:
    return {
        "public_id": intent.public_id,
        "project": intent.project.public_id,
        "recipient_org": intent.recipient_org.public_id,
        "amount_fen": intent.amount_fen,
        "currency": intent.currency,
        "provider": intent.provider,
        "status": intent.status,
        "donor_public": intent.donor_public,
        "created_at": intent.created_at,
        "pay_url": _sandbox_pay_url(intent) if intent.provider == Provider.SANDBOX else None,
        "notify_url": _notify_url(get_script_prefix(), intent.provider, intent.recipient_org.public_id),
    }


@functools.lru_cache(maxsize=4096)
def _notify_url(_script_prefix: str, provider: str, org_public_id: str) -> str:
    """Where the provider notifies an organization (remembered: a burst asks for it per intent)."""
    return reverse("api-v1:payment_notify", kwargs={"provider": provider, "org_public_id": org_public_id})


_ANY_INTENT = "0" * 26


def _sandbox_pay_url(intent: DonationIntent) -> str:
    return _sandbox_pay_path(get_script_prefix()).replace(_ANY_INTENT, intent.public_id)


@functools.lru_cache(maxsize=16)
def _sandbox_pay_path(_script_prefix: str) -> str:
    """The sandbox payment page's path for some intent (reversed once, like _notify_url)."""
    return reverse("sandbox-pay", args=[_ANY_INTENT])


# --- payment notifications ------------------------------------------------------------------

_NOTIFY_OPENAPI = {
    "description": (
        "Called by the payment provider, never by API clients. The body is read raw and verified with "
        "the organization's own credentials (sandbox: HMAC headers; wechatpay: APIv3 signature and "
        "AES-GCM resource; alipay: RSA2 form). Answers in the provider's own format: sandbox "
        '`{"status":"ok"}`, WeChat Pay `{"code":"SUCCESS"}`, Alipay `success`; a refused '
        "notification gets the provider's failure answer with status 400 and changes nothing. "
        "An unknown provider is a 404 in the API's error shape."
    ),
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
        },
    },
    "responses": {
        "200": {
            "description": "Recorded (or already recorded): the provider stops retrying.",
            "content": {"application/json": {"schema": {}}, "text/plain": {"schema": {"type": "string"}}},
        },
        "400": {
            "description": "Refused (forged, stale, mismatched, unknown intent or merchant); nothing written.",
            "content": {"application/json": {"schema": {}}, "text/plain": {"schema": {"type": "string"}}},
        },
        "404": {"description": "Unknown provider.", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}},
    },
}


@router.post(
    "/payments/{provider}/{org_public_id}/notify",
    url_name="payment_notify",
    summary="Payment notification from a provider",
    openapi_extra=_NOTIFY_OPENAPI,
)
def payment_notify(request: HttpRequest, provider: str, org_public_id: str):
    implementation = PROVIDERS.get(provider)
    if implementation is None:
        raise NotFound(f"unknown payment provider {provider[:40]!r}; expected one of {', '.join(PROVIDERS)}")
    try:
        if not is_public_id(org_public_id):  # checked before any query sees the text
            logger.warning("payment_rejected provider=%s org=<malformed> code=unknown_merchant", provider)
            raise PaymentRejected(f"unknown merchant {org_public_id[:40]!r}", code="unknown_merchant")
        try:
            body = request.body
        except RequestDataTooBig:
            raise PaymentRejected("the notification body is too large", code="malformed_notification") from None
        result = notification_receive(provider=provider, org_public_id=org_public_id, headers=request.headers, body=body)
    except Exception as exc:  # noqa: BLE001 - answered in the provider's format
        result = exc
    status, content_type, answer = notify_answer(implementation, provider, org_public_id, result)
    return HttpResponse(answer, status=status, content_type=content_type)


def notify_answer(implementation, provider: str, org_public_id: str, result) -> tuple[int, str, bytes]:
    """The provider's answer to a notification: success for a donation (new or repeated), its
    failure answer otherwise (400 for a refusal; 5xx for a failure, so the provider retries)."""
    if not isinstance(result, Exception):
        return implementation.success_response()
    if not isinstance(result, PaymentRejected):
        # Misconfigured credentials or a database failure.
        logger.error("payment_notify_failed provider=%s org=%s", provider, org_public_id, exc_info=result)
    return implementation.failure_response(result)


# --- the donor's own donations --------------------------------------------------------------


class ProjectRef(Schema):
    public_id: str
    title_zh: str
    title_en: str


class MyDonationOut(Schema):
    public_id: str
    project: ProjectRef
    amount_fen: int
    refunded_fen: int
    net_fen: int
    currency: str
    confirmed_at: dt.datetime
    donor_public: bool


class MyDonationPageOut(Schema):
    count: int
    items: list[MyDonationOut]


def _donations_of(user) -> QuerySet[Donation]:
    """API-only read: the user's own donations, newest first."""
    return Donation.objects.filter(donor=user).select_related("project").order_by("-confirmed_at", "-pk")


@router.get(
    "/me/donations",
    auth=django_auth,
    response={200: MyDonationPageOut, 401: ErrorOut, **error_responses(422)},
    summary="My donations",
)
def my_donations(request: HttpRequest, page: Query[PageIn]):
    donations = _donations_of(request.auth)
    items = donations[page.offset : page.offset + page.limit]
    return {
        "count": donations.count(),
        "items": [
            {
                "public_id": d.public_id,
                "project": {"public_id": d.project.public_id, "title_zh": d.project.title_zh, "title_en": d.project.title_en},
                "amount_fen": d.amount_fen,
                "refunded_fen": d.refunded_fen,
                "net_fen": d.net_fen,
                "currency": d.currency,
                "confirmed_at": d.confirmed_at,
                "donor_public": d.donor_public,
            }
            for d in items
        ],
    }
