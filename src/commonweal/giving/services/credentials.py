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
    row = ProviderCredential.objects.filter(org=org, provider=provider).first()
    if row is None:
        raise NotFound(f"organization {org.public_id} has no {provider} credentials", code="no_credentials")
    return unseal_json(row.sealed)
