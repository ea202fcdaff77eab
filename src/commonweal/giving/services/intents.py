"""Donation intents: what a donor means to pay, created once per idempotency key."""

from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction

from commonweal.core.bulk import insert_many
from commonweal.core.errors import Conflict, DomainError, InvalidInput
from commonweal.core.money import CURRENCY, validate_fen
from commonweal.core.privacy import fingerprint
from commonweal.giving import hooks
from commonweal.giving.models import DonationIntent, Provider
from commonweal.projects.models import Project, ProjectStatus

MAX_IDEMPOTENCY_KEY = 64


@dataclass(frozen=True)
class IntentRequest:
    """What a donor asks for: see :func:`intent_create`."""

    project: Project
    amount_fen: int
    idempotency_key: str
    donor: object = None
    donor_name: str = ""
    donor_public: bool = False
    message: str = ""
    provider: str = Provider.SANDBOX
    monthly_plan: object = None
    attribution: str = ""
    client_address: str = ""
    device_id: str = ""


def intent_create(*, project: Project, amount_fen: int, idempotency_key: str, **options) -> tuple[DonationIntent, bool]:
    """Create an intent, or return the one this key already made. Returns (intent, created).

    ``attribution`` says what the gift came through (e.g. ``team:<public id>``); the client's
    address and device id are kept only as keyed fingerprints, for risk signals.
    """
    result = intents_create([IntentRequest(project=project, amount_fen=amount_fen, idempotency_key=idempotency_key, **options)])[0]
    if isinstance(result, Exception):
        raise result
    return result


def intents_create(requests: list[IntentRequest]) -> list[tuple[DonationIntent, bool] | Exception]:
    """Create several intents in one transaction (a batch, giving.intake): per request, (intent,
    created) as :func:`intent_create` returns, or the error that refused it (nothing written)."""
    keys = [request.idempotency_key.strip() for request in requests]
    existing = {intent.idempotency_key: intent for intent in DonationIntent.objects.filter(idempotency_key__in=set(keys))}
    results: list = []
    new: dict[str, DonationIntent] = {}
    for request, key in zip(requests, keys):
        try:
            _check(request, key)
            earlier = existing.get(key) or new.get(key)
            if earlier is not None:
                results.append((_same_request(earlier, request), False))
                continue
            _check_project(request)
        except DomainError as exc:
            results.append(exc)
            continue
        intent = new[key] = _intent_of(request, key)
        results.append((intent, True))
    if not new:
        return results
    try:
        with transaction.atomic(durable=True):
            insert_many(list(new.values()))
    except IntegrityError:
        if len(requests) == 1:
            # A concurrent retry with the same key won the race: answer with its intent.
            earlier = DonationIntent.objects.filter(idempotency_key=keys[0]).first()
            if earlier is None:
                raise
            try:
                return [(_same_request(earlier, requests[0]), False)]
            except DomainError as exc:
                return [exc]
        return [_alone(request) for request in requests]
    return results


def _alone(request: IntentRequest) -> tuple[DonationIntent, bool] | Exception:
    try:
        return intents_create([request])[0]
    except DatabaseError as exc:
        return exc


def _check(request: IntentRequest, key: str) -> None:
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(f"idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY} characters, got {len(key)}", field="idempotency_key")
    validate_fen(request.amount_fen)
    if request.provider not in Provider.values:
        raise InvalidInput(f"provider must be one of {', '.join(Provider.values)}, got {request.provider!r}", field="provider")
    if len(request.donor_name) > 64:
        raise InvalidInput(f"name must be at most 64 characters, got {len(request.donor_name)}", field="donor_name")
    if len(request.attribution) > 40:
        raise InvalidInput(f"attribution must be at most 40 characters, got {len(request.attribution)}", field="attribution")
    if len(request.message) > 200:
        raise InvalidInput(f"message must be at most 200 characters, got {len(request.message)}", field="message")


def _check_project(request: IntentRequest) -> None:
    project = request.project
    if project.status != ProjectStatus.FUNDRAISING:
        raise Conflict(f"this project is not raising funds (status {project.status})", code="project_not_fundraising")
    if request.attribution:
        for check in hooks.ATTRIBUTION_CHECKS:
            check(project, request.attribution)


def _intent_of(request: IntentRequest, key: str) -> DonationIntent:
    project, donor = request.project, request.donor
    return DonationIntent(
        idempotency_key=key,
        project=project,
        recipient_org=project.recipient_org,
        amount_fen=request.amount_fen,
        currency=CURRENCY,
        provider=request.provider,
        donor=donor if getattr(donor, "is_authenticated", False) else None,
        donor_name=request.donor_name.strip(),
        donor_public=request.donor_public,
        message=request.message.strip(),
        monthly_plan=request.monthly_plan,
        attribution=request.attribution,
        client_fingerprint=fingerprint("address", request.client_address),
        device_fingerprint=fingerprint("device", request.device_id[:128]),
    )


_SAME_REQUEST = ("project_id", "amount_fen", "provider", "donor_id", "donor_name", "donor_public", "message", "attribution",
                 "monthly_plan_id")
"""What a retry must ask for again (the client's address and device may change between tries)."""


def _same_request(intent: DonationIntent, request: IntentRequest) -> DonationIntent:
    """A retry must ask for the very gift its key made, by the same donor: a key reused by another
    client or for another gift is refused, never answered with someone else's intent."""
    asked = _intent_of(request, intent.idempotency_key)
    different = [name.removesuffix("_id") for name in _SAME_REQUEST if getattr(asked, name) != getattr(intent, name)]
    if different:
        raise Conflict(f"this idempotency key was already used for a different donation (its {', '.join(different)} differed)",
                       code="idempotency_key_reused")
    return intent
