"""Forms of the receipt pages; they only parse. Service errors become text in one place,
:func:`receipt_error_text`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import DomainError
from commonweal.giving.forms import domain_error_text
from commonweal.giving.services.receipts import RECEIPT_NAME_MAX_LENGTH

__all__ = [
    "ReceiptNameForm",
    "YearReceiptForm",
    "ReceiptVoidForm",
    "DonorDisplayForm",
    "receipt_error_text",
    "add_receipt_error",
]

_MESSAGES_BY_CODE = {
    "receipt_exists": _("This gift already has a receipt or a request for one."),
    "receipt_nothing_to_cover": _(
        "There is nothing left to receipt: the gifts were refunded in full or already have a receipt."
    ),
    "donation_locked_by_receipt": _("An issued receipt covers this gift, so it can no longer be edited."),
    "illegal_transition": _("This step is not possible in the current state."),
    "receipt_stale": _("The gifts changed since the request was made. Decline it; the donor can ask again."),
    "required": _("Please give the name to print on the receipt."),
}


def receipt_error_text(error: DomainError) -> str:
    """The error as people read it, translated where its code is known."""
    known = _MESSAGES_BY_CODE.get(error.code)
    if known is not None and not (error.code == "required" and error.field not in ("donor_name", None)):
        return str(known)
    if error.field == "reason":
        return str(_("A reason is required."))
    return domain_error_text(error)


def add_receipt_error(form: forms.Form, error: DomainError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, receipt_error_text(error))


class _Form(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ReceiptNameForm(_Form):
    donor_name = forms.CharField(
        label=_("Name on the receipt"),
        max_length=RECEIPT_NAME_MAX_LENGTH,
        help_text=_(
            "Your full name, or your company's name, as it should be printed. It is kept on this receipt only: "
            "it does not change how your gift appears on the project page."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class YearReceiptForm(ReceiptNameForm):
    which = forms.ChoiceField(label=_("Gifts"), widget=forms.RadioSelect)
    field_order = ["which", "donor_name"]

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["which"].choices = choices
        if len(choices) == 1:
            self.fields["which"].initial = choices[0][0]


class ReceiptVoidForm(_Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown to the donor."),
    )


class DonorDisplayForm(_Form):
    donor_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=RECEIPT_NAME_MAX_LENGTH,
        help_text=_("Optional. Leave it empty to give anonymously."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    donor_public = forms.BooleanField(
        label=_("Show my name publicly"),
        required=False,
        help_text=_("Off by default: the project page then shows your name masked, such as 张*."),
    )
