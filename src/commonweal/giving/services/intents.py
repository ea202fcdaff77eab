"""Donation intents: what a donor means to pay, created once per idempotency key."""

from django.db import IntegrityError, transaction

from commonweal.core.errors import Conflict, InvalidInput
from commonweal.core.money import CURRENCY, validate_fen
from commonweal.core.privacy import fingerprint
from commonweal.giving import hooks
from commonweal.giving.models import DonationIntent, Provider
from commonweal.projects.models import Project, ProjectStatus

MAX_IDEMPOTENCY_KEY = 64


def intent_create(
    *,
    project: Project,
    amount_fen: int,
    idempotency_key: str,
    donor=None,
    donor_name: str = "",
    donor_public: bool = False,
    message: str = "",
    provider: str = Provider.SANDBOX,
    monthly_plan=None,
    attribution: str = "",
    client_address: str = "",
    device_id: str = "",
) -> tuple[DonationIntent, bool]:
    """Create an intent, or return the one this key already made. Returns (intent, created).

    ``attribution`` says what the gift came through (e.g. ``team:<public id>``); the client's
    address and device id are kept only as keyed fingerprints, for risk signals.
    """
    key = idempotency_key.strip()
    if not key or len(key) > MAX_IDEMPOTENCY_KEY:
        raise InvalidInput(f"idempotency key must be 1 to {MAX_IDEMPOTENCY_KEY} characters, got {len(key)}", field="idempotency_key")
    validate_fen(amount_fen)
    if provider not in Provider.values:
        raise InvalidInput(f"provider must be one of {', '.join(Provider.values)}, got {provider!r}", field="provider")
    if len(donor_name) > 64:
        raise InvalidInput(f"name must be at most 64 characters, got {len(donor_name)}", field="donor_name")
    if len(attribution) > 40:
        raise InvalidInput(f"attribution must be at most 40 characters, got {len(attribution)}", field="attribution")
    if len(message) > 200:
        raise InvalidInput(f"message must be at most 200 characters, got {len(message)}", field="message")
    existing = DonationIntent.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _same_request(existing, project=project, amount_fen=amount_fen), False
    if project.status != ProjectStatus.FUNDRAISING:
        raise Conflict(f"this project is not raising funds (status {project.status})", code="project_not_fundraising")
    if attribution:
        for check in hooks.ATTRIBUTION_CHECKS:
            check(project, attribution)
    try:
        with transaction.atomic(durable=True):
            intent = DonationIntent.objects.create(
                idempotency_key=key,
                project=project,
                recipient_org=project.recipient_org,
                amount_fen=amount_fen,
                currency=CURRENCY,
                provider=provider,
                donor=donor if getattr(donor, "is_authenticated", False) else None,
                donor_name=donor_name.strip(),
                donor_public=donor_public,
                message=message.strip(),
                monthly_plan=monthly_plan,
                attribution=attribution,
                client_fingerprint=fingerprint("address", client_address),
                device_fingerprint=fingerprint("device", device_id[:128]),
            )
    except IntegrityError:
        # A concurrent retry with the same key won the race: answer with its intent.
        existing = DonationIntent.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        return _same_request(existing, project=project, amount_fen=amount_fen), False
    return intent, True


def _same_request(intent: DonationIntent, *, project: Project, amount_fen: int) -> DonationIntent:
    if intent.project_id != project.pk or intent.amount_fen != amount_fen:
        raise Conflict("this idempotency key was already used for a different donation", code="idempotency_key_reused")
    return intent
