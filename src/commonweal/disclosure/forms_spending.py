"""Console forms for disbursements, and the one place spending errors become text for people.

Forms only parse (the amount through ``core.money.parse_yuan``); every rule lives in
``disclosure.services.spending``. :func:`spending_error_text` turns a service error into a
translated sentence, with the figures it names (limits, totals, sizes) formatted for the
active language.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import DomainError
from commonweal.core.language import active_language
from commonweal.core.money import format_fen, parse_yuan
from commonweal.disclosure.evidence import IMAGE_MAX_PIXELS
from commonweal.disclosure.models.spending import EVIDENCE_MAX_BYTES, DisbursementKind, DisbursementStatus
from commonweal.disclosure.services.spending import DESCRIPTION_MAX_LENGTH, MAX_EVIDENCE_PER_REQUEST, Overspend
from commonweal.orgs.forms import ConsoleForm, error_text

__all__ = ["DisbursementForm", "EvidenceForm", "DisbursementTransitionForm", "spending_error_text", "EVIDENCE_ACCEPT"]

EVIDENCE_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"
"""A hint for the file picker; the server checks the content whatever the browser sends."""

_BY_CODE = {
    "role_not_allowed": _("Your role in the organization cannot take this step."),
    "four_eyes": _("You recorded this disbursement: another administrator must approve or reject it."),
    "evidence_missing": _("Attach at least one invoice, receipt or photo before submitting."),
    "project_not_spending": _("Disbursements can be recorded once the project is public: raising funds, executing or completed."),
    "unknown_budget_line": _("Choose one of the project's budget items."),
    "disbursement_rejected": _("Evidence cannot be added to a rejected disbursement."),
    "reason_required": _("A reason is required."),
    "illegal_transition": _("This step is not possible in the current state."),
    "evidence_empty": _("The file is empty."),
    "evidence_corrupt_pdf": _("This PDF is damaged or incomplete (it has no end-of-file marker)."),
    "invalid_kind": _("Choose a kind of disbursement."),
}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"  # display only, never money


def _overspend_text(exc: Overspend) -> str:
    lang = active_language()
    parts = []
    for problem in exc.problems:
        values = {"limit": format_fen(problem.limit_fen, lang=lang), "total": format_fen(problem.total_fen, lang=lang)}
        if problem.limit == "budget_line":
            parts.append(
                gettext("The budget item “%(item)s” is %(limit)s; approved and paid spending on it would be %(total)s.")
                % {**values, "item": problem.line_name}
            )
        else:
            parts.append(
                gettext("Funds received (donations + matching − refunds) are %(limit)s; approved and paid spending would be %(total)s.")
                % values
            )
    parts.append(gettext("An administrator can go ahead only by recording a reason for the overspend."))
    return " ".join(parts)


def _evidence_text(exc: DomainError) -> str | None:
    params = getattr(exc, "params", {})
    if exc.code == "evidence_too_large":
        return gettext("Evidence files are at most %(limit)s MB; this one is %(size)s MB.") % {
            "limit": _megabytes(EVIDENCE_MAX_BYTES), "size": _megabytes(params.get("size", 0)),
        }
    if exc.code == "evidence_executable":
        return gettext("This file is a program, an archive or a script (%(what)s), not an image or a PDF. Only JPEG, PNG, WebP and PDF files are accepted.") % {
            "what": params.get("what", "")
        }
    if exc.code == "evidence_unsupported_type":
        return gettext("Only JPEG, PNG, WebP and PDF files are accepted, whatever the file is called.")
    if exc.code == "evidence_corrupt_image":
        return gettext("This %(kind)s image is damaged or incomplete and cannot be read.") % {"kind": params.get("kind", "")}
    if exc.code == "evidence_image_too_large":
        return gettext("Images are at most %(limit)s million pixels; this one is %(width)s × %(height)s.") % {
            "limit": IMAGE_MAX_PIXELS // 1_000_000, "width": params.get("width"), "height": params.get("height"),
        }
    if exc.code == "evidence_pdf_active_content":
        return gettext("PDFs with scripts or launch actions are not accepted (found %(action)s).") % {"action": params.get("action", "")}
    if exc.code == "evidence_too_many":
        return gettext("At most %(n)s files at a time.") % {"n": MAX_EVIDENCE_PER_REQUEST}
    return None


def spending_error_text(exc: DomainError) -> str:
    """A spending service error in the active language, with its figures."""
    if isinstance(exc, Overspend):
        return _overspend_text(exc)
    evidence = _evidence_text(exc)
    if evidence is not None:
        return evidence
    known = _BY_CODE.get(exc.code)
    if known is not None:
        return str(known)
    return error_text(exc)


class _SpendingForm(ConsoleForm):
    def add_domain_error(self, exc: DomainError) -> None:
        name = self.service_fields.get(exc.field, exc.field)
        self.add_error(name if name in self.fields else None, spending_error_text(exc))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class DisbursementForm(_SpendingForm):
    service_fields = {"amount_fen": "amount_yuan", "budget_line": "budget_line", "evidence": "evidence"}

    budget_line = forms.TypedChoiceField(label=_("Budget item"), coerce=int)
    kind = forms.ChoiceField(label=_("Kind of disbursement"), choices=DisbursementKind.choices)
    amount_yuan = forms.CharField(
        label=_("Amount (yuan)"), max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text=_('For example "1280" or "12,345.60".'),
    )
    description = forms.CharField(
        label=_("What was paid for"), max_length=DESCRIPTION_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by your organization and the platform only. Do not write beneficiaries' names."),
    )
    evidence = MultipleFileField(
        label=_("Invoices, receipts or photos"), required=False,
        help_text=_("JPEG, PNG, WebP or PDF, at most 10 MB each. Photos are stored without their EXIF and GPS data."),
    )

    def __init__(self, *args, budget_lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].choices = [(line.position, f"{line.name} ({format_fen(line.amount_fen, lang=active_language())})") for line in budget_lines]

    def clean_amount_yuan(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["amount_yuan"], field="amount_yuan")
        except DomainError as exc:
            raise forms.ValidationError(error_text(exc), code=exc.code) from None


class EvidenceForm(_SpendingForm):
    file = forms.FileField(
        label=_("Add an invoice, receipt or photo"),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=_("JPEG, PNG, WebP or PDF, at most 10 MB each. Photos are stored without their EXIF and GPS data."),
    )
    service_fields = {"evidence": "file"}


class DisbursementTransitionForm(_SpendingForm):
    to = forms.ChoiceField(choices=DisbursementStatus.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    overspend_reason = forms.CharField(
        label=_("Reason for going over the budget or the funds received"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
