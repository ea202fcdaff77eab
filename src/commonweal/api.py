"""The REST API root: /api/v1, one error shape for every error, OpenAPI at /api/v1/openapi.json.

Every answer that is not a success has the body ``{"error": {"code", "message"}}``: domain errors
(with their own ``http_status``), validation errors (422 ``invalid_request``), malformed bodies
(400 ``malformed_body``), missing sign-in (401 ``not_authenticated``), failed CSRF (403
``csrf_failed``), unknown routes under /api/v1 (404 ``not_found``), wrong methods (405
``method_not_allowed``, with ``Allow``) and unexpected failures (500 ``internal_error``). The one
exception is the payment-notification endpoint, which answers each provider in its own format.

Routers are registered when the URLs or the OpenAPI document are first built, not at import
time, so the app routers can import the shared pieces below without an import cycle.
"""

import json
import logging
from decimal import Decimal
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, re_path
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from pydantic import BeforeValidator, StrictInt

from commonweal.core.errors import DomainError

__all__ = [
    "api",
    "ErrorDetail",
    "ErrorOut",
    "PageIn",
    "PAGE_DEFAULT_LIMIT",
    "PAGE_MAX_LIMIT",
    "PAGE_MAX_OFFSET",
    "TEXT_PATTERN",
    "WholeNumber",
    "error_body",
    "error_responses",
]

logger = logging.getLogger("commonweal.api")

PAGE_DEFAULT_LIMIT = 20
PAGE_MAX_LIMIT = 100
PAGE_MAX_OFFSET = 1_000_000
"""Deeper pages are refused (422); the databases reject absurd offsets with a server error."""

TEXT_PATTERN = r"^[^\x00]*$"
"""Free text may hold anything but NUL, which PostgreSQL cannot store."""


class ExactJSONParser(Parser):
    """JSON bodies parsed exactly: numbers with a fraction or exponent become Decimal, never
    float, and NaN/Infinity are refused (400 malformed_body)."""

    def parse_body(self, request: HttpRequest):
        return json.loads(request.body, parse_float=Decimal, parse_constant=_refuse_constant)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


_WHOLE_NUMBER_LIMIT = 10**20


def _whole_number(value):
    # JSON Schema's "integer" includes 100.0 and 1e2; as exact Decimals they are the integer
    # 100. Anything with a fraction (100.5, 100.000000000000001) stays a Decimal and is refused.
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        if abs(value) <= _WHOLE_NUMBER_LIMIT:  # int() of 1e999999999 would take forever
            return int(value)
    return value


WholeNumber = Annotated[StrictInt, BeforeValidator(_whole_number)]
"""A JSON integer, also written 100.0 or 1e2; never a string, a bool or a fraction."""


class ErrorDetail(Schema):
    code: str = Field(..., description="Stable, machine-readable error code, e.g. amount_out_of_range.")
    message: str = Field(..., description="What went wrong, for people; names the limit and the value.")


class ErrorOut(Schema):
    """The body of every error answer."""

    error: ErrorDetail


class PageIn(Schema):
    """Limit/offset pagination; lists answer ``{"count", "items"}``."""

    limit: int = Field(PAGE_DEFAULT_LIMIT, ge=1, le=PAGE_MAX_LIMIT, description="Items per page.")
    offset: int = Field(0, ge=0, le=PAGE_MAX_OFFSET, description="Items to skip.")


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_responses(*statuses: int) -> dict[int, type[ErrorOut]]:
    """``{status: ErrorOut}`` for an operation's ``response=`` mapping."""
    return {status: ErrorOut for status in statuses}


_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

_HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
}


class CommonwealAPI(NinjaAPI):
    """NinjaAPI with the platform's error shape on Django-level answers too (unknown routes,
    wrong methods, the API root) and the error schema declared on every operation."""

    _routers_registered = False

    def _register_routers(self) -> None:
        if self._routers_registered:
            return
        self._routers_registered = True
        from commonweal.giving.api import router as giving_router
        from commonweal.projects.api_orgs import router as orgs_router
        from commonweal.projects.api import router as projects_router

        self.add_router("/projects", projects_router)
        self.add_router("/organizations", orgs_router)
        self.add_router("/", giving_router)
        from commonweal.disclosure.api_spending import router as spending_router

        self.add_router("/", spending_router)
        from commonweal.impact.api import router as impact_router

        self.add_router("/", impact_router)

    def _get_urls(self):
        self._register_routers()
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _with_error_shape(pattern.callback)
        # Last: anything else under /api/v1/ is a JSON 404, whatever the method.
        patterns.append(re_path(r"^", _with_error_shape(_unknown_route), name="api-unknown"))
        return patterns

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        self._register_routers()
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        if "ErrorOut" not in components:
            definition = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(definition.pop("$defs", {}))
            components["ErrorOut"] = definition
        for path_item in schema.get("paths", {}).values():
            for operation in path_item.values():
                operation.setdefault("responses", {}).setdefault(
                    "4XX",
                    {
                        "description": "Any other client error, in the platform's error shape",
                        "content": {"application/json": {"schema": _ERROR_REF}},
                    },
                )
        return schema


def _loggable_path(request: HttpRequest) -> str:
    """The path on one log line: escaped (no newlines from the client) and cut to 200 characters."""
    return request.path[:200].encode("unicode_escape").decode("ascii")


def _unknown_route(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    raise Http404


def _json_error(status: int, code: str, message: str) -> HttpResponse:
    body = json.dumps(error_body(code, message), ensure_ascii=False)
    return HttpResponse(body, status=status, content_type="application/json; charset=utf-8")


def _with_error_shape(view):
    """Wrap a URL callback so Django-level 404s and 405s use the error shape."""

    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            logger.info("api_rejected path=%s code=not_found", _loggable_path(request))
            return _json_error(404, "not_found", f"no API endpoint at {request.path}")
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            logger.info("api_rejected path=%s code=method_not_allowed", _loggable_path(request))
            answer = _json_error(
                405, "method_not_allowed", f"method {request.method} is not allowed here; allowed: {allowed}"
            )
            answer["Allow"] = allowed
            return answer
        return response

    # Django's CSRF middleware reads this from the callback: ninja views are exempt and do
    # their own checks (session auth), and the catch-all must answer 404, not 403.
    wrapper.csrf_exempt = getattr(view, "csrf_exempt", view is _unknown_route)
    return wrapper


api = CommonwealAPI(
    title="Commonweal API",
    version="1",
    description=(
        "Projects, organizations and donations on Commonweal. Money is integer fen (分) with "
        'currency "CNY". Errors are `{"error": {"code", "message"}}`. See docs/api.md.'
    ),
    urls_namespace="api-v1",
    parser=ExactJSONParser(),
)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    logger.info("api_rejected path=%s code=%s", _loggable_path(request), exc.code)
    return api.create_response(request, error_body(exc.code, exc.message), status=exc.http_status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    source, *loc = first.get("loc", ()) or ("",)
    if source == "body":
        # ("body", <handler parameter name>, field, ...): the parameter name means nothing to clients.
        loc = loc[1:] or ["body"]
    where = ".".join(str(part) for part in loc)
    what = first.get("msg", "invalid request")
    message = f"{where}: {what}" if where else what
    logger.info("api_rejected path=%s code=invalid_request", _loggable_path(request))
    return api.create_response(request, error_body("invalid_request", message), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    logger.info("api_rejected path=%s code=not_authenticated", _loggable_path(request))
    return api.create_response(request, error_body("not_authenticated", "sign in first"), status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    status = exc.status_code
    code = _HTTP_ERROR_CODES.get(status, "error")
    message = str(exc)
    if status == 400 and exc.__cause__ is not None:
        # ninja raises HttpError(400) from the parser's exception when a body is not JSON.
        code, message = "malformed_body", "the request body is not valid JSON"
    elif status == 403 and "CSRF" in message:
        code, message = "csrf_failed", "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken"
    logger.info("api_rejected path=%s code=%s", _loggable_path(request), code)
    return api.create_response(request, error_body(code, message), status=status)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "not found"), status=404)


@api.exception_handler(Exception)
def on_unexpected(request, exc):
    logger.exception("api_error path=%s", _loggable_path(request))
    return api.create_response(request, error_body("internal_error", "internal error"), status=500)
