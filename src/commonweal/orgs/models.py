"""Charity organizations, their members and their own payment-provider credentials."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonweal.core.identifiers import new_public_id


class OrgType(models.TextChoices):
    FOUNDATION = "foundation", _("Foundation")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization")
    SOCIAL_SERVICE = "social_service", _("Social service institution")
    OTHER = "other", _("Other")


class VerificationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Organization(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    name_zh = models.CharField(_("name (Chinese)"), max_length=128)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    certificate_number = models.CharField(_("registration certificate number"), max_length=64)
    registration_date = models.DateField(_("registration date"))
    org_type = models.CharField(_("type"), max_length=32, choices=OrgType.choices)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64)
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    contact_email = models.EmailField(_("contact email"))
    address = models.CharField(_("address"), max_length=255, blank=True)
    website = models.URLField(_("website"), blank=True)

    verification_status = models.CharField(max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.SUBMITTED)
    verified_until = models.DateField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    # Charity Law Art. 22: granted only to organizations registered for at least one year.
    fundraising_qualified = models.BooleanField(_("public fundraising qualification"), default=False)
    fundraising_qualified_on = models.DateField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_zh"]
        constraints = [
            models.CheckConstraint(condition=Q(credit_code__regex=r"^[0-9A-HJ-NP-RTUWXY]{18}$"), name="org_credit_code_shape"),
            models.CheckConstraint(
                condition=~Q(verification_status="verified") | Q(verified_until__isnull=False),
                name="org_verified_has_expiry",
            ),
            models.CheckConstraint(
                condition=Q(fundraising_qualified=False) | Q(fundraising_qualified_on__isnull=False),
                name="org_qualification_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.name_zh

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_zh


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    FINANCE = "finance", _("Finance")
    EDITOR = "editor", _("Editor")


class Membership(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "user"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org} ({self.role})"


class Invitation(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)


class ProviderCredential(models.Model):
    """An organization's own merchant credentials: donations are paid straight to it."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="provider_credentials")
    provider = models.CharField(max_length=16)
    sealed = models.TextField(help_text="AES-256-GCM sealed JSON; see core.sealing")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "provider"], name="credential_one_per_provider")]
