"""Each organization's own merchant credentials, sealed at rest (the platform never holds funds)."""

from django.db import transaction

from commonweal.core.audit import audit_record
from commonweal.core.errors import InvalidInput, NotFound
from commonweal.core.sealing import seal_json, unseal_json
from commonweal.giving.models import Provider
from commonweal.giving.providers import validate_credentials
from commonweal.orgs.models import Organization, ProviderCredential, Role
from commonweal.orgs.services import require_role


def credentials_set(*, org: Organization, actor, provider: str, credentials: dict) -> ProviderCredential:
    """Admins or finance store credentials; only which provider changed is audited."""
    if provider not in Provider.values:
        raise InvalidInput(f"provider must be one of {', '.join(Provider.values)}, got {provider!r}", field="provider")
    validate_credentials(provider, credentials)
    with transaction.atomic(durable=True):
        require_role(org, actor, {Role.ADMIN, Role.FINANCE})
        row, _created = ProviderCredential.objects.update_or_create(
            org=org, provider=provider, defaults={"sealed": seal_json(credentials)}
        )
        audit_record(actor=actor, action="credentials.set", target=org, data={"provider": provider})
    return row


def credentials_get(*, org: Organization, provider: str) -> dict:
    """Decrypted credentials for verifying notifications; never shown on any page."""
    found = credentials_of(orgs=[org], provider=provider).get(org.pk)
    if found is None:
        raise NotFound(f"organization {org.public_id} has no {provider} credentials", code="no_credentials")
    return found


def credentials_of(*, orgs: list[Organization], provider: str) -> dict[int, dict]:
    """Decrypted credentials of several organizations (one query), by organization id; those
    without any are left out."""
    rows = ProviderCredential.objects.filter(org__in=orgs, provider=provider).values_list("org_id", "sealed")
    return {org_id: unseal_json(sealed) for org_id, sealed in rows}
