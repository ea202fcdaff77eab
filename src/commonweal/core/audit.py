"""Writing audit records, always inside the caller's transaction."""

from django.db import transaction

from commonweal.core.models import AuditEvent

__all__ = ["audit_record"]


def audit_record(*, actor, action: str, target, reason: str = "", data: dict | None = None) -> AuditEvent:
    """Record ``action`` on ``target`` (a model instance with ``public_id`` or ``pk``)."""
    with transaction.atomic(savepoint=False):
        return AuditEvent.objects.create(
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            target_type=target._meta.model_name,
            target_id=str(getattr(target, "public_id", None) or target.pk),
            reason=reason,
            data=data or {},
        )
