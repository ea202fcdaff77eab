"""The public complaint form; it only parses. :func:`complaint_error_text` turns a service
error into a sentence in the active language (evidence errors as the spending forms word them)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import DomainError, RateLimited
from commonweal.core.timeutil import to_shanghai
from commonweal.disclosure.forms_spending import EVIDENCE_ACCEPT, spending_error_text
from commonweal.disclosure.models.complaints import COMPLAINT_DETAILS_MAX_LENGTH, ComplaintReason

__all__ = ["ComplaintForm", "complaint_error_text"]

_BY_CODE = {
    "invalid_email": _("Enter an email address: the platform sends the answer there."),
    "illegal_transition": _("This step is not possible in the current state."),
}
# disclosure.services.complaints.complaint_limits by name, who was counted, and when to come back.
_RATE_LIMITED = {
    "per_hour": _("At most %(most)s complaints in an hour from one %(identity)s."),
    "per_day": _("At most %(most)s complaints in 24 hours from one %(identity)s."),
    "per_project_per_day": _("At most %(most)s complaints about one project in 24 hours from one %(identity)s."),
}
_IDENTITY = {"account": _("account"), "email": _("email address"), "address": _("network address")}
_TRY_AGAIN = _("Please try again after %(time)s (Beijing time).")
_REQUIRED_BY_FIELD = {
    "details": _("Please describe what is wrong."),
    "reason": _("A note for the reporter is required."),
}


def complaint_error_text(exc: DomainError) -> str:
    if exc.code.startswith("evidence_"):
        return spending_error_text(exc)
    if isinstance(exc, RateLimited) and exc.limit in _RATE_LIMITED:
        limit = _RATE_LIMITED[exc.limit] % {"most": exc.most, "identity": _IDENTITY[exc.identity]}
        time = f"{to_shanghai(exc.retry_at):%Y-%m-%d %H:%M}"
        return f"{limit} {_TRY_AGAIN % {'time': time}}"
    if exc.code == "required" and exc.field in _REQUIRED_BY_FIELD:
        return str(_REQUIRED_BY_FIELD[exc.field])
    known = _BY_CODE.get(exc.code)
    return str(known) if known is not None else exc.message


class ComplaintForm(forms.Form):
    reason = forms.ChoiceField(label=_("What is wrong?"), choices=ComplaintReason.choices, widget=forms.RadioSelect)
    details = forms.CharField(
        label=_("Details"),
        max_length=COMPLAINT_DETAILS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What did you see, where and when? The organization does not learn who you are."),
    )
    reporter_email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("The platform tells you the outcome there. It is not shown to anyone else."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("One photo (JPEG, PNG or WebP) or PDF, at most 10 MB. Photo location data is removed."),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, complaint_error_text(exc))
