"""Web forms of the donate flow, and the one place domain errors become form errors.

Forms only parse: the amount through :func:`commonweal.core.money.parse_yuan`, everything else
is checked by the services. :func:`domain_error_text` shows a service's or parser's message in
the active language; :func:`add_domain_error` puts it on the field it names.
"""

import secrets

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import DomainError, InvalidInput
from commonweal.core.identifiers import PUBLIC_ID_PATTERN
from commonweal.core.money import parse_yuan

__all__ = [
    "PRESET_AMOUNTS_FEN",
    "OTHER_AMOUNT",
    "DonateForm",
    "domain_error_text",
    "add_domain_error",
    "new_idempotency_key",
]

PRESET_AMOUNTS_FEN: tuple[int, ...] = (1_00, 10_00, 50_00, 100_00)
"""The amounts offered as one tap: ¥1, ¥10, ¥50, ¥100."""
DEFAULT_AMOUNT_FEN = 10_00
OTHER_AMOUNT = "other"

# Domain errors whose messages carry values of their own are shown by code instead.
_MESSAGES_BY_CODE = {
    "project_not_fundraising": _("This project is not raising funds at the moment."),
    "idempotency_key_reused": _(
        "This form was already used for a different donation. Please check the amount and submit again."
    ),
    "login_required": _("Sign in to give monthly."),
}
_VALUE_SEPARATOR = ", got "


def new_idempotency_key() -> str:
    """A fresh key for one rendering of the donate form (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def domain_error_text(error: DomainError) -> str:
    """The error's message for people, in the active language.

    Messages follow one shape, "what is wrong, got <value>" ("amount must have at most 2 decimal
    places, got '1.234'"): the part before ", got" is the msgid, and the value is shown after
    the translation. A message without a translation is shown as the service wrote it.
    """
    by_code = _MESSAGES_BY_CODE.get(error.code)
    if by_code is not None:
        return str(by_code)
    head, separator, value = error.message.partition(_VALUE_SEPARATOR)
    translated = gettext(head) if head else head
    if translated == head:
        return error.message
    if not separator:
        return translated
    return gettext("%(message)s (you entered %(value)s)") % {"message": translated, "value": value}


def add_domain_error(
    form: forms.Form, error: DomainError, *, fields: dict[str, str] | None = None, default: str | None = None
) -> None:
    """Attach ``error`` to the form field it names (renamed through ``fields``); an error that names
    no field of the form goes to ``default``, or to the whole form."""
    field = (fields or {}).get(error.field, error.field) if error.field else None
    if field not in form.fields:
        field = default
    form.add_error(field, domain_error_text(error))


class DonateForm(forms.Form):
    """One gift, or a monthly one: a preset or typed amount, how the donor wants to appear."""

    amount = forms.ChoiceField(
        label=_("Amount"),
        choices=[(str(fen), f"¥{fen // 100}") for fen in PRESET_AMOUNTS_FEN]
        + [(OTHER_AMOUNT, _("Other amount"))],
        widget=forms.RadioSelect,
        required=False,
        initial=str(DEFAULT_AMOUNT_FEN),
    )
    custom_amount = forms.CharField(
        label=_("Other amount (yuan)"),
        required=False,
        max_length=40,
        help_text=_("For example 20 or 8.88: at most two decimal places."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "class": "yuan"}),
    )
    donor_name = forms.CharField(
        label=_("Your name"),
        required=False,
        max_length=64,
        help_text=_("Optional. Leave it empty to give anonymously."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    donor_public = forms.BooleanField(
        label=_("Show my name publicly"),
        required=False,
        help_text=_("Off by default: the project page then shows your name masked, such as 张*."),
    )
    message = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=200,
        help_text=_("Optional, at most 200 characters. Shown only with your name, if you make it public."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    monthly = forms.BooleanField(
        label=_("Give this amount every month"),
        required=False,
        help_text=_("Monthly giving needs an account; you can cancel it at any time under My donations."),
    )
    # Tencent's pre-payment confirmation (2018): the donor has seen the project's start date, its
    # latest progress report and its finances (disclosure/reporting/_pre_payment.html) and says so.
    confirm_read = forms.BooleanField(
        label=_("I have read the project's information"),
        error_messages={"required": _("Please confirm that you have read the project's information before paying.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    team = forms.RegexField(regex=PUBLIC_ID_PATTERN, required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        custom = (data.get("custom_amount") or "").strip()
        choice = data.get("amount") or ""
        if custom or choice in ("", OTHER_AMOUNT):
            # A typed amount wins over a preset: without JavaScript a preset may still be ticked.
            try:
                data["amount_fen"] = parse_yuan(custom, field="custom_amount")
            except InvalidInput as error:
                add_domain_error(self, error)
        else:
            try:
                amount_fen = int(choice)
            except ValueError:
                amount_fen = None
            if amount_fen not in PRESET_AMOUNTS_FEN:
                self.add_error("amount", gettext("Choose one of the amounts offered."))
            else:
                data["amount_fen"] = amount_fen
        return data
