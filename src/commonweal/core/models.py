"""Audit records shared by every app: who did what to which thing, and why."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded decision or change (a review, a transition, a refund, an invitation)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=32)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id", "at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}:{self.target_id}"
