"""Console forms: they only parse input. Every rule lives in the services they feed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweal.core.credit_code import validate_credit_code
from commonweal.core.domains import Domain
from commonweal.core.errors import DomainError
from commonweal.core.identifiers import new_public_id
from commonweal.core.language import is_english
from commonweal.core.money import fen_to_yuan_str, parse_yuan
from commonweal.core.sdg import sdg_goals, validate_sdg_tags
from commonweal.orgs.models import OrgType, Role
from commonweal.orgs.selectors import org_by_credit_code

__all__ = [
    "ConsoleForm",
    "OrgRegisterForm",
    "OrgProfileForm",
    "InviteForm",
    "RemoveMemberForm",
    "credential_form_class",
    "ProjectForm",
    "ProjectPublicEditForm",
    "TransitionForm",
    "RefundForm",
    "budget_text",
    "error_text",
]

COVER_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
COVER_MAX_BYTES = 5 * 1024 * 1024
COVER_MAX_SIDE = 6000
BUDGET_MAX_LINES = 50


# What people read for a service error, by its stable code. Where the detail names the value
# that broke a rule (a check character, an amount), it follows the translated sentence.
_ERROR_TEXTS = {
    "invalid_credit_code": (_("This is not a valid unified social credit code"), True),
    "duplicate_credit_code": (_("An organization with this credit code is already registered."), False),
    "invalid_amount": (_("This amount cannot be read"), True),
    "amount_precision": (_("Amounts have at most two decimal places"), True),
    "amount_out_of_range": (_("This amount is out of range"), True),
    "unknown_sdg": (_("Unknown SDG goal or target"), True),
    "illegal_transition": (_("This step is not possible in the current state."), False),
    "partner_required": (
        _("Your organization has no public-fundraising qualification: name a qualified partner organization "
          "that receives the funds (Charity Law Art. 26)."),
        False,
    ),
    "partner_not_qualified": (
        _("The partner organization must be verified and hold the public-fundraising qualification."), False
    ),
    "org_not_verified": (_("Your organization must be verified before its projects can be submitted for review."), False),
    "budget_missing": (_("Add at least one budget line before submitting."), False),
    "project_not_editable": (_("Only drafts can change this; a public project can still change its story and cover."), False),
    "project_not_public": (_("Updates can be published once the project is public."), False),
    "already_member": (_("This person is already a member."), False),
    "last_admin": (_("An organization keeps at least one administrator."), False),
    "refund_exceeds_donation": (_("The refund is more than what remains of this donation"), True),
    "not_eligible_for_qualification": (_("Public fundraising needs one year of registration"), True),
    "not_verified": (_("Only verified organizations can be qualified."), False),
}


def error_text(exc: DomainError) -> str:
    """A service error as people read it: translated where the code is known."""
    known = _ERROR_TEXTS.get(exc.code)
    if known is None:
        return exc.message
    text, with_detail = known
    if not with_detail:
        return str(text)
    return _("%(problem)s: %(detail)s") % {"problem": text, "detail": exc.message}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ConsoleForm(forms.Form):
    """A form that can take a service's DomainError: ``service_fields`` maps service field names
    (``goal_fen``) to the form fields that carry them (``goal_yuan``)."""

    service_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels sit above their inputs; no trailing colon
        super().__init__(*args, **kwargs)

    def add_domain_error(self, exc: DomainError) -> None:
        name = self.service_fields.get(exc.field, exc.field)
        self.add_error(name if name in self.fields else None, error_text(exc))


def _domain_error_to_validation(exc: DomainError) -> forms.ValidationError:
    return forms.ValidationError(error_text(exc), code=exc.code)


# --- organizations ------------------------------------------------------------------------

class OrgProfileForm(ConsoleForm):
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=128)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    certificate_number = forms.CharField(label=_("registration certificate number"), max_length=64)
    registration_date = forms.DateField(label=_("registration date"), widget=DateInput())
    org_type = forms.ChoiceField(label=_("type"), choices=OrgType.choices)
    description_zh = forms.CharField(label=_("description (Chinese)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    description_en = forms.CharField(label=_("description (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=64)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=32)
    contact_email = forms.EmailField(label=_("contact email"))
    address = forms.CharField(label=_("address"), max_length=255, required=False)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    @classmethod
    def initial_for(cls, org) -> dict:
        return {name: getattr(org, name) for name in cls.base_fields}


class OrgRegisterForm(OrgProfileForm):
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        max_length=32,
        help_text=_("18 characters, as printed on the registration certificate."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
    )
    field_order = ["credit_code"]

    def clean_credit_code(self) -> str:
        try:
            return validate_credit_code(self.cleaned_data["credit_code"])
        except DomainError as exc:
            raise _domain_error_to_validation(exc) from None


class InviteForm(ConsoleForm):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.EDITOR)


class RemoveMemberForm(ConsoleForm):
    membership = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- payment credentials ------------------------------------------------------------------

_MULTILINE_CREDENTIALS = {"platform_certificate_pem", "alipay_public_key_pem"}
_CHOICE_CREDENTIALS = {"decline_recurring": [("", "—"), ("false", "false"), ("true", "true")]}


def credential_form_class(provider: str, required: tuple[str, ...], optional: tuple[str, ...]) -> type[ConsoleForm]:
    """A form with one field per credential key; secrets never render their value back."""
    fields: dict[str, forms.Field] = {}
    for name in (*required, *optional):
        if name in _CHOICE_CREDENTIALS:
            field = forms.ChoiceField(choices=_CHOICE_CREDENTIALS[name], required=False)
        elif name in _MULTILINE_CREDENTIALS:
            field = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "autocomplete": "off"}), strip=True)
        else:
            field = forms.CharField(widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}), strip=True)
        field.label = name
        field.required = name in required
        fields[name] = field

    def credentials(self) -> dict[str, str]:
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    attrs = {**fields, "credentials": credentials, "provider": provider}
    return type(f"{provider.title()}CredentialForm", (ConsoleForm,), attrs)


# --- projects -----------------------------------------------------------------------------

def budget_text(lines) -> str:
    """Budget lines as the textarea shows them: "name | 1234.56" per line."""
    return "\n".join(f"{line.name} | {fen_to_yuan_str(line.amount_fen)}" for line in lines)


def _goal_choices():
    en = is_english()
    return [(goal.tag, f"{goal.number}. {goal.short_en if en else goal.short_zh}") for goal in sdg_goals()]


class CoverField(forms.ImageField):
    """An image checked by its content (Pillow), not its name; stored under a random name."""

    def clean(self, data, initial=None):
        image_file = super().clean(data, initial)
        if image_file is None or image_file is False or not hasattr(image_file, "image"):
            return image_file
        image = image_file.image
        if image.format not in COVER_FORMATS:
            raise forms.ValidationError(
                _("The cover must be a JPEG, PNG or WebP image, got %(format)s.") % {"format": image.format or "?"},
                code="cover_format",
            )
        if image_file.size > COVER_MAX_BYTES:
            raise forms.ValidationError(
                _("The cover must be at most 5 MB, got %(size)s bytes.") % {"size": image_file.size}, code="cover_size"
            )
        width, height = image.size
        if max(width, height) > COVER_MAX_SIDE:
            raise forms.ValidationError(
                _("The cover must be at most %(max)s pixels wide and high, got %(w)s×%(h)s.")
                % {"max": COVER_MAX_SIDE, "w": width, "h": height},
                code="cover_dimensions",
            )
        image_file.name = f"{new_public_id()}.{COVER_FORMATS[image.format]}"
        return image_file


class ProjectPublicEditForm(ConsoleForm):
    """What may still change once a project is public: the story and the cover."""

    story_zh = forms.CharField(label=_("story (Chinese)"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    story_en = forms.CharField(label=_("story (English)"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    cover = CoverField(
        label=_("cover image"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Leave empty to keep the current image."),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("cover"):
            data.pop("cover", None)
        return data

    @classmethod
    def initial_for(cls, project) -> dict:
        return {"story_zh": project.story_zh, "story_en": project.story_en}


class ProjectForm(ProjectPublicEditForm):
    service_fields = {
        "goal_fen": "goal_yuan",
        "budget_lines": "budget",
        "sdg_tags": "sdg_targets",
        "partner_org": "partner_credit_code",
    }

    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=120)
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)
    summary_zh = forms.CharField(label=_("summary (Chinese)"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    summary_en = forms.CharField(label=_("summary (English)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    domain = forms.ChoiceField(label=_("domain"), choices=[("", "—"), *Domain.choices])
    sdg_goals = forms.MultipleChoiceField(
        label=_("Sustainable Development Goals"), required=False, widget=forms.CheckboxSelectMultiple
    )
    sdg_targets = forms.CharField(
        label=_("SDG targets"),
        required=False,
        max_length=200,
        help_text=_('Optional, separated by commas, for example "4.1, 4.a".'),
    )
    goal_yuan = forms.CharField(
        label=_("Fundraising goal (yuan)"), max_length=32, help_text=_('For example "100000" or "12,345.60".'),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    budget = forms.CharField(
        label=_("Budget"),
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=_('One item per line: "name | amount in yuan", for example "Books | 60000".'),
    )
    beneficiaries = forms.CharField(label=_("beneficiaries"), max_length=255)
    beneficiary_count = forms.IntegerField(label=_("number of beneficiaries"), min_value=0, initial=0)
    region = forms.CharField(label=_("region"), max_length=64)
    fundraising_plan = forms.CharField(label=_("fundraising plan"), widget=forms.Textarea(attrs={"rows": 4}))
    starts_on = forms.DateField(label=_("fundraising starts"), widget=DateInput())
    ends_on = forms.DateField(label=_("fundraising ends"), widget=DateInput())
    partner_credit_code = forms.CharField(
        label=_("Fundraising partner (credit code)"),
        max_length=32,
        required=False,
        help_text=_(
            "Your organization has no public-fundraising qualification: name a qualified partner "
            "organization that receives the funds (Charity Law Art. 26)."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
    )

    field_order = [
        "title_zh", "title_en", "summary_zh", "summary_en", "domain", "sdg_goals", "sdg_targets", "goal_yuan",
        "budget", "beneficiaries", "beneficiary_count", "region", "fundraising_plan", "starts_on", "ends_on",
        "partner_credit_code", "story_zh", "story_en", "cover",
    ]

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.org = org
        self.fields["sdg_goals"].choices = _goal_choices()
        if org.fundraising_qualified:
            del self.fields["partner_credit_code"]

    @classmethod
    def initial_for(cls, project) -> dict:
        goals = [tag for tag in project.sdg_tags if "." not in tag]
        targets = [tag for tag in project.sdg_tags if "." in tag]
        return {
            **{name: getattr(project, name) for name in (
                "title_zh", "title_en", "summary_zh", "summary_en", "story_zh", "story_en", "domain",
                "beneficiaries", "beneficiary_count", "region", "fundraising_plan", "starts_on", "ends_on",
            )},
            "sdg_goals": goals,
            "sdg_targets": ", ".join(targets),
            "goal_yuan": fen_to_yuan_str(project.goal_fen),
            "budget": budget_text(project.budget_lines.all()),
            "partner_credit_code": project.partner_org.credit_code if project.partner_org else "",
        }

    def clean_goal_yuan(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["goal_yuan"], field="goal_yuan")
        except DomainError as exc:
            raise _domain_error_to_validation(exc) from None

    def clean_budget(self) -> list[tuple[str, int]]:
        lines = []
        raw_lines = [line for line in self.cleaned_data["budget"].splitlines() if line.strip()]
        if len(raw_lines) > BUDGET_MAX_LINES:
            raise forms.ValidationError(
                _("At most %(max)s budget lines, got %(n)s.") % {"max": BUDGET_MAX_LINES, "n": len(raw_lines)}
            )
        for number, line in enumerate(raw_lines, start=1):
            name, sep, amount = line.rpartition("|")
            if not sep or not name.strip():
                raise forms.ValidationError(
                    _('Line %(n)s: write "name | amount in yuan", got "%(line)s".') % {"n": number, "line": line.strip()[:80]}
                )
            if len(name.strip()) > 120:
                raise forms.ValidationError(_("Line %(n)s: the name is longer than 120 characters.") % {"n": number})
            try:
                amount_fen = parse_yuan(amount, field="budget")
            except DomainError as exc:
                raise forms.ValidationError(
                    _("Line %(n)s: %(error)s") % {"n": number, "error": error_text(exc)}
                ) from None
            lines.append((name.strip(), amount_fen))
        if not lines:
            raise forms.ValidationError(_("Add at least one budget line."))
        return lines

    def clean_partner_credit_code(self):
        text = self.cleaned_data.get("partner_credit_code", "").strip()
        if not text:
            return None
        try:
            code = validate_credit_code(text, field="partner_credit_code")
        except DomainError as exc:
            raise _domain_error_to_validation(exc) from None
        if code == self.org.credit_code:
            raise forms.ValidationError(_("The partner must be another organization."))
        partner = org_by_credit_code(code)
        if partner is None:
            raise forms.ValidationError(
                _("No organization with credit code %(code)s is registered on Commonweal.") % {"code": code}
            )
        return partner

    def clean(self):
        data = super().clean()
        tags = list(data.get("sdg_goals") or [])
        tags += [tag.strip() for tag in (data.get("sdg_targets") or "").split(",") if tag.strip()]
        try:
            data["sdg_tags"] = validate_sdg_tags(tags, field="sdg_targets")
        except DomainError as exc:
            self.add_error("sdg_targets", error_text(exc))
        return data

    def service_kwargs(self) -> dict:
        """Keyword arguments for project_create / project_update."""
        data = self.cleaned_data
        kwargs = {
            name: data[name]
            for name in (
                "title_zh", "title_en", "summary_zh", "summary_en", "story_zh", "story_en", "domain",
                "beneficiaries", "beneficiary_count", "region", "fundraising_plan", "starts_on", "ends_on",
            )
        }
        kwargs["sdg_tags"] = data["sdg_tags"]
        kwargs["goal_fen"] = data["goal_yuan"]
        if "partner_credit_code" in self.fields:
            kwargs["partner_org"] = data.get("partner_credit_code")
        if data.get("cover"):
            kwargs["cover"] = data["cover"]
        return kwargs


class TransitionForm(ConsoleForm):
    to = forms.CharField(widget=forms.HiddenInput, max_length=16)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class RefundForm(ConsoleForm):
    service_fields = {"amount": "amount_yuan"}

    amount_yuan = forms.CharField(
        label=_("Refund amount (yuan)"), max_length=32, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def clean_amount_yuan(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["amount_yuan"], field="amount_yuan")
        except DomainError as exc:
            raise _domain_error_to_validation(exc) from None
