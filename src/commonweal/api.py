"""The REST API root: /api/v1, one error shape, OpenAPI at /api/v1/openapi.json."""

import logging

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from commonweal.core.errors import DomainError

logger = logging.getLogger("commonweal.api")

api = NinjaAPI(
    title="Commonweal API",
    version="1",
    description="Projects, organizations and donations on Commonweal. Money is integer fen (分).",
    urls_namespace="api-v1",
)


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    logger.info("api_rejected path=%s code=%s", request.path, exc.code)
    return api.create_response(request, error_body(exc.code, exc.message), status=exc.http_status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path"))
    message = f"{where}: {first.get('msg', 'invalid')}" if where else first.get("msg", "invalid request")
    logger.info("api_rejected path=%s code=invalid_request", request.path)
    return api.create_response(request, error_body("invalid_request", message), status=422)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, error_body("not_authenticated", "sign in first"), status=401)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return api.create_response(request, error_body("not_found", "not found"), status=404)


def _register_routers() -> None:
    from commonweal.giving.api import router as giving_router
    from commonweal.orgs.api import router as orgs_router
    from commonweal.projects.api import router as projects_router

    api.add_router("/projects", projects_router)
    api.add_router("/organizations", orgs_router)
    api.add_router("/", giving_router)


_register_routers()
