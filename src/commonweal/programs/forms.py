"""Forms of the program office's pages: they parse input; the services decide."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweal.core.domains import Domain
from commonweal.programs.models import GateDecision, KpiKind, RecipientKind, Stage
from commonweal.programs.services import Kpi, TeamMember

__all__ = ["BigYuanField", "FundForm", "AllocationForm", "CommitmentForm", "GateForm", "LabProjectForm", "LabForm", "LAB_ERRORS", "FilterForm"]

_BIG_YUAN_RE = re.compile(r"(?P<int>0|[1-9][0-9]{0,12})(?:\.(?P<frac>[0-9]{1,2}))?")


class BigYuanField(forms.CharField):
    """A yuan amount for fund-sized sums ("50000000000", "1234.5"): up to ¥9,999,999,999,999.99,
    written with ASCII digits, at most two decimals, commas allowed as thousands separators."""

    max_text_length = 24

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        if len(text) > self.max_text_length:
            raise forms.ValidationError(_("Enter an amount in yuan such as 1234.56, with at most two decimals."))
        text = text.replace(",", "")
        match = _BIG_YUAN_RE.fullmatch(text)
        if match is None:
            raise forms.ValidationError(_("Enter an amount in yuan such as 1234.56, with at most two decimals."))
        fen = int(match["int"]) * 100 + int((match["frac"] or "").ljust(2, "0"))
        if fen < 1:
            raise forms.ValidationError(_("Enter an amount of at least 0.01 yuan."))
        return fen


class FundForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    total = BigYuanField(label=_("Total (yuan)"))
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class AllocationForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = BigYuanField(label=_("Amount (yuan)"))


class CommitmentForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    amount = BigYuanField(label=_("Amount (yuan)"))
    program = forms.CharField(label=_("Funding program"), max_length=120)
    recipient_name = forms.CharField(label=_("Recipient"), max_length=200)
    recipient_kind = forms.ChoiceField(label=_("The recipient is"), choices=RecipientKind.choices)
    recipient_org = forms.CharField(
        label=_("Organization's public id on this platform (optional)"), max_length=26, required=False
    )
    region = forms.CharField(label=_("Region (province)"), max_length=64, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input (Django's documented recipe): a list of uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class GateForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to stage"), choices=[])
    decision = forms.ChoiceField(label=_("Decision"), choices=GateDecision.choices, widget=forms.RadioSelect)
    criteria = forms.CharField(label=_("Criteria"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("Evidence presented"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence_links = forms.CharField(
        label=_("Evidence links (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence_files = MultipleFileField(
        label=_("Evidence files"), required=False,
        help_text=_("Up to 5 files: JPEG, PNG, WebP or PDF, at most 10 MB each. Only the program office can open them."),
    )
    reviewers = forms.MultipleChoiceField(label=_("Reviewers"), choices=[], widget=forms.CheckboxSelectMultiple)
    reasons = forms.CharField(label=_("Reasons for the decision"), widget=forms.Textarea(attrs={"rows": 3}))
    studio_name = forms.CharField(label=_("Studio name (spin-off only)"), max_length=200, required=False)
    studio_budget = BigYuanField(label=_("Studio budget in yuan (spin-off only)"), required=False)

    def __init__(self, *args, stages: list[str], reviewers: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s, Stage(s).label) for s in stages]
        self.fields["reviewers"].choices = reviewers


class LabProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


def _parts(text: str) -> list[list[str]]:
    return [[part.strip() for part in line.split("|")] for line in (text or "").splitlines() if line.strip()]


LAB_ERRORS = {
    "team_departments": _("A lab's team draws on at least two departments."),
    "invalid_kpi": _("A KPI is an output or a reach figure (never revenue)."),
    "no_allocation": _("The fund has no allocation for this domain and year."),
    "allocation_exceeded": _("The lab's budget is more than the domain's allocation for the year has left."),
    "fund_exceeded": _("The lab's budget is more than the fund has left to commit."),
}
"""Sentences, in the reader's language, for what ``lab_create`` refuses most often."""


class LabForm(forms.Form):
    """A new lab. The team and the KPIs one per line, parts split by "|"; the service checks the
    rest (two departments at least, the budget against the domain's allocation)."""

    fund = forms.ChoiceField(label=_("Fund"))
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    mission = forms.CharField(label=_("Mission"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    budget = BigYuanField(label=_("Budget (yuan)"))
    year = forms.IntegerField(label=_("Year the budget is committed"), min_value=2000, max_value=2100)
    region = forms.CharField(label=_("Region (province)"), max_length=64, required=False)
    team = forms.CharField(
        label=_("Team"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One person per line: name | department | role on the team. At least two departments."),
    )
    kpis = forms.CharField(
        label=_("Mission KPIs"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: output or reach | what is counted | target | unit | reached so far."),
    )

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.public_id, f.name_zh) for f in funds]

    def clean_team(self) -> list[TeamMember]:
        members = []
        for parts in _parts(self.cleaned_data["team"]):
            if len(parts) < 2 or not parts[0] or not parts[1]:
                raise forms.ValidationError(_("Write each person as: name | department | role."))
            members.append(TeamMember(name=parts[0], department=parts[1], role=parts[2] if len(parts) > 2 else ""))
        return members

    def clean_kpis(self) -> list[Kpi]:
        kpis = []
        for parts in _parts(self.cleaned_data["kpis"]):
            parts += [""] * (5 - len(parts))
            kind, label, target, unit, actual = parts[:5]
            if kind not in KpiKind.values:
                raise forms.ValidationError(_("A KPI is an output or a reach figure (never revenue)."))
            if not target.isascii() or not target.isdigit() or not (actual == "" or (actual.isascii() and actual.isdigit())):
                raise forms.ValidationError(_("A KPI's target and figure reached are whole numbers."))
            kpis.append(Kpi(kind=kind, label=label, target=int(target), unit=unit, actual=int(actual or 0)))
        return kpis


class FilterForm(forms.Form):
    """The portfolio's drill-down, parsed from the query string; unknown values are dropped."""

    domain = forms.ChoiceField(label=_("Domain"), required=False, choices=[("", _("All domains")), *Domain.choices])
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    program = forms.ChoiceField(label=_("Funding program"), required=False)
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, years: list[int], programs: list[str], regions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(str(y), str(y)) for y in years]
        self.fields["program"].choices = [("", _("All programs"))] + [(p, p) for p in programs]
        self.fields["region"].choices = [("", _("All regions"))] + [(r, r) for r in regions]

    def values(self) -> dict:
        self.is_valid()
        data = self.cleaned_data
        return {
            "domain": data.get("domain") or "", "year": data.get("year"), "program": data.get("program") or "",
            "region": data.get("region") or "",
        }
