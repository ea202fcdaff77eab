"""Console forms of impact: they only parse. Every rule lives in ``impact.services``."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import DomainError
from commonweal.core.money import parse_yuan
from commonweal.disclosure.forms_spending import spending_error_text
from commonweal.impact.frameworks import Direction, Framework
from commonweal.impact.services import MAX_OUTCOMES, MAX_TARGETS, IndicatorInput, OutcomeInput
from commonweal.impact.sroi import MAX_DURATION_YEARS
from commonweal.orgs.forms import ConsoleForm, DateInput

__all__ = ["IndicatorForm", "TargetsForm", "ResultForm", "WorksheetForm", "OutcomeForm", "outcome_formset", "impact_error_text"]

EVIDENCE_ACCEPT = "image/jpeg,image/png,image/webp,application/pdf"

_BY_CODE = {
    "invalid_period": _("Write a period as a year (2026), a half (2026-H1), a quarter (2026-Q1) or a month (2026-05)."),
    "invalid_value": _("Write a number such as 1200, 3.5 or -2, with at most 4 decimals."),
    "invalid_iris_code": _("An IRIS+ identifier is two letters and four digits, such as PI4060."),
    "result_exists": _("A result for this period is already recorded."),
    "evidence_missing": _("Add a link or a file as evidence."),
    "invalid_url": _("The evidence link must start with http:// or https://."),
    "baseline_incomplete": _("A baseline needs both its value and its date."),
    "invalid_percentage": _("Percentages are from 0 to 100, with at most 2 decimals."),
    "too_many_indicators": _("A project has at most 50 indicators."),
    "duplicate_period": _("Each period has one target."),
}


def impact_error_text(exc: DomainError) -> str:
    """An impact service error in the active language."""
    known = _BY_CODE.get(exc.code)
    if known is not None:
        return str(known)
    return spending_error_text(exc)  # evidence file checks, SDG tags, amounts


class _ImpactForm(ConsoleForm):
    def add_domain_error(self, exc: DomainError) -> None:
        name = self.service_fields.get(exc.field, exc.field)
        self.add_error(name if name in self.fields else None, impact_error_text(exc))


class IndicatorForm(_ImpactForm):
    framework = forms.ChoiceField(label=_("framework"), choices=Framework.choices, initial=Framework.CUSTOM)
    code = forms.CharField(
        label=_("identifier"), required=False, max_length=16,
        help_text=_("For an SDG indicator the goal or target, such as 4 or 4.1; for IRIS+ the metric id, such as PI4060; empty for a custom one."),
    )
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("name (English)"), max_length=200, required=False)
    unit = forms.CharField(label=_("unit"), max_length=32, help_text=_("For example: people, tCO2e, %."))
    additive = forms.BooleanField(
        label=_("values add up"), required=False, initial=True,
        help_text=_("Counts such as people reached or tonnes of CO2e add up across periods and projects; rates and shares do not."),
    )
    direction = forms.ChoiceField(label=_("direction"), choices=Direction.choices, initial=Direction.HIGHER)
    baseline_value = forms.CharField(label=_("baseline"), required=False, max_length=32)
    baseline_on = forms.DateField(label=_("baseline date"), required=False, widget=DateInput())

    def to_input(self) -> IndicatorInput:
        return IndicatorInput(**self.cleaned_data)


class TargetsForm(_ImpactForm):
    targets = forms.CharField(
        label=_("targets"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line as period | value, for example: 2026-Q1 | 300. Replaces the current targets."),
    )
    service_fields = {"targets": "targets"}

    def clean_targets(self) -> dict[str, str]:
        lines = [line.strip() for line in self.cleaned_data["targets"].splitlines() if line.strip()]
        if len(lines) > MAX_TARGETS:
            raise forms.ValidationError(gettext("An indicator has at most %(n)s targets.") % {"n": MAX_TARGETS})
        targets: dict[str, str] = {}
        for number, line in enumerate(lines, start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) != 2 or not all(parts):
                raise forms.ValidationError(
                    gettext('Line %(n)s: write "period | value", got "%(line)s".') % {"n": number, "line": line[:60]}
                )
            if parts[0].upper() in targets:
                raise forms.ValidationError(gettext("Each period has one target."))
            targets[parts[0].upper()] = parts[1]
        return targets


class ResultForm(_ImpactForm):
    period = forms.CharField(label=_("period"), max_length=16, help_text=_("2026, 2026-H1, 2026-Q1 or 2026-05."))
    value = forms.CharField(label=_("actual value"), max_length=32)
    evidence_text = forms.CharField(label=_("evidence"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                                    help_text=_("How the value was measured and by whom."))
    evidence_url = forms.CharField(label=_("evidence link"), required=False, max_length=500,
                                   widget=forms.URLInput(attrs={"inputmode": "url"}))
    evidence_file = forms.FileField(
        label=_("evidence file"), required=False, widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
        help_text=_("A link or a file is required. JPEG, PNG, WebP or PDF, at most 10 MB; photo location data is removed."),
    )


class WorksheetForm(_ImpactForm):
    investment_yuan = forms.CharField(label=_("investment (yuan)"), max_length=32)
    discount_rate_pct = forms.CharField(label=_("discount rate (%)"), max_length=8, initial="3.5")
    notes = forms.CharField(label=_("notes on the assumptions"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))
    service_fields = {"investment_fen": "investment_yuan"}

    def clean_investment_yuan(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["investment_yuan"], field="investment_fen")
        except DomainError as exc:
            raise forms.ValidationError(impact_error_text(exc)) from None


class OutcomeForm(forms.Form):
    description = forms.CharField(label=_("outcome"), max_length=200)
    stakeholder = forms.CharField(label=_("stakeholder"), max_length=120, required=False)
    quantity = forms.CharField(label=_("quantity"), max_length=32)
    proxy_yuan = forms.CharField(label=_("financial proxy (yuan per unit)"), max_length=32)
    proxy_source = forms.CharField(label=_("source of the proxy"), max_length=200, required=False)
    deadweight_pct = forms.CharField(label=_("deadweight (%)"), max_length=8, initial="0")
    attribution_pct = forms.CharField(label=_("attribution to others (%)"), max_length=8, initial="0")
    displacement_pct = forms.CharField(label=_("displacement (%)"), max_length=8, initial="0")
    drop_off_pct = forms.CharField(label=_("drop-off per year (%)"), max_length=8, initial="0")
    duration_years = forms.IntegerField(label=_("duration (years)"), min_value=1, max_value=MAX_DURATION_YEARS, initial=1)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean_proxy_yuan(self) -> int:
        try:
            return parse_yuan(self.cleaned_data["proxy_yuan"], field="proxy_fen")
        except DomainError as exc:
            raise forms.ValidationError(impact_error_text(exc)) from None

    def to_input(self) -> OutcomeInput:
        data = dict(self.cleaned_data)
        data.pop("DELETE", None)
        data["proxy_fen"] = data.pop("proxy_yuan")
        return OutcomeInput(**data)


def outcome_formset(*, data=None, initial=None):
    """Outcomes of a worksheet: the existing ones and two empty rows; a row left empty is skipped."""
    factory = forms.formset_factory(OutcomeForm, extra=2, max_num=MAX_OUTCOMES, absolute_max=MAX_OUTCOMES,
                                    validate_max=True, can_delete=True)
    return factory(data=data, initial=initial, prefix="outcomes")
