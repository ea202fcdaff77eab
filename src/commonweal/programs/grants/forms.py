"""Forms of the grants pages. They only parse; every rule lives in ``grants.services``.
:func:`grants_error_text` turns a service error into a sentence in the active language."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commonweal.core.divisions import MAINLAND_PROVINCES
from commonweal.core.errors import DomainError
from commonweal.core.language import is_english
from commonweal.core.money import parse_yuan
from commonweal.disclosure.forms_spending import EVIDENCE_ACCEPT, spending_error_text
from commonweal.programs.grants.eligibility import REGIONS
from commonweal.core.domains import Domain
from commonweal.programs.grants.models import Gender, Outcome, ProgramKind, RoundKind, SCORE_MAX

__all__ = [
    "grants_error_text",
    "ApplicationForm",
    "LetterForm",
    "NominationForm",
    "ConflictForm",
    "ReviewForm",
    "DecisionForm",
    "AssignForm",
    "ReviewerForm",
    "NominatorForm",
    "RoundForm",
    "ReportForm",
    "ApproveForm",
    "ReturnForm",
]

_BY_CODE = {
    "call_closed": _("This call is not open for applications."),
    "route_closed": _("This call does not take applications on this route."),
    "duplicate_application": _("You have already applied to this call."),
    "referees_missing": _("Name every referee this route requires."),
    "self_referee": _("You cannot be your own referee."),
    "duplicate_referee": _("Each referee can be named once."),
    "invalid_email": _("Enter a valid email address."),
    "ineligible": _("You do not meet every eligibility rule of this call; the reasons are listed below."),
    "recused": _("You are recused from this application because of a conflict of interest, so you cannot score it."),
    "already_submitted": _("You have already submitted this review."),
    "already_recused": _("You have already declared a conflict."),
    "round_closed": _("This round is over for the application."),
    "letters_missing": _("Some referee letters are still missing."),
    "not_last_round": _("Awards are made in the last round."),
    "no_next_round": _("This is the last round: award or reject."),
    "already_decided": _("A decision was already recorded in this round."),
    "call_budget_exceeded": _("Another award would exceed the call's budget."),
    "no_allocation": _("The fund has no allocation for this domain and year."),
    "allocation_exceeded": _("The domain's allocation for the year is not enough for this award."),
    "fund_exceeded": _("The fund has not enough left to commit for this award."),
    "duplicate_assignment": _("This reviewer is already assigned."),
    "not_in_round": _("The application is not in this round."),
    "wrong_program": _("This person does not review for this program."),
    "duplicate_reviewer": _("Already a reviewer of this program."),
    "duplicate_nominator": _("This person is already a nominator for the call."),
    "duplicate_nomination": _("You have already nominated this candidate."),
    "report_out_of_order": _("Report on the earlier installment first."),
    "four_eyes": _("You proposed this payment: another finance member must approve it."),
    "overpayment": _("This payment is more than what remains of the commitment."),
    "illegal_transition": _("This step is not possible in the current state."),
    "after_final": _("The final round is the last one."),
    "application_closed": _("The application is no longer in review."),
    "letter_received": _("This referee's letter was already received."),
    "invalid_province": _("Choose a province from the list."),
    "province_outside_mainland": _("Leave the province empty for a position outside mainland China."),
    "link_sent_recently": _("The link was sent less than an hour ago. Ask the referee to check their spam folder, or try again later."),
    "required": _("This field is required."),
    "duplicate_field": _("List each field once."),
}


def grants_error_text(exc: DomainError) -> str:
    if exc.code.startswith("evidence_"):
        return spending_error_text(exc)
    known = _BY_CODE.get(exc.code)
    return str(known) if known is not None else exc.message


def _province_choices() -> list[tuple[str, str]]:
    """The 31 mainland provinces by their stored (Chinese) names, labelled in the active language."""
    en = is_english()
    return [("", "—")] + [(d.zh, d.en if en else d.zh) for d in MAINLAND_PROVINCES]


class GrantsForm(forms.Form):
    """Labels above inputs; service errors land on the field they name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_domain_error(self, exc: DomainError) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, grants_error_text(exc))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ApplicationForm(GrantsForm):
    """Personal facts, referees (as many as the route requires) and the call's own questions."""

    full_name = forms.CharField(label=_("Full name"), max_length=100)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(label=_("Date of birth"), widget=DateInput())
    institution = forms.CharField(label=_("Institution"), max_length=200)
    region = forms.ChoiceField(label=_("Where your position is"), choices=REGIONS)
    province = forms.ChoiceField(
        label=_("Province"), required=False, choices=_province_choices,
        help_text=_("For a position in mainland China. An award is counted under this province in the fund's figures."),
    )
    full_time = forms.BooleanField(label=_("I hold a full-time position"), required=False)
    field = forms.ChoiceField(label=_("Field"))
    coauthors = forms.CharField(
        label=_("Co-authors"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line. Reviewers who are your co-authors are recused automatically."),
    )

    def __init__(self, *args, call, referees: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.referee_count = referees
        fields = list(call.program.fields)
        self.fields["field"].choices = [(f, f) for f in fields] + [("other", _("Another field"))]
        for i in range(referees):
            self.fields[f"referee_{i}_name"] = forms.CharField(label=_("Referee %(n)s: name") % {"n": i + 1}, max_length=100)
            self.fields[f"referee_{i}_email"] = forms.EmailField(
                label=_("Referee %(n)s: email") % {"n": i + 1},
                help_text=_("The referee receives a private link there to upload the letter."),
            )
            self.fields[f"referee_{i}_institution"] = forms.CharField(
                label=_("Referee %(n)s: institution") % {"n": i + 1}, max_length=200, required=False)
        self.custom_keys = []
        for definition in call.form_fields:
            label = label_for(definition)
            name = f"answer_{definition['key']}"
            required = definition["required"]
            kind = definition["type"]
            if kind == "textarea":
                field = forms.CharField(label=label, required=required, max_length=definition.get("max_length"),
                                        widget=forms.Textarea(attrs={"rows": 5}))
            elif kind == "integer":
                field = forms.CharField(label=label, required=required, max_length=13,
                                        widget=forms.TextInput(attrs={"inputmode": "numeric"}))
            elif kind == "url":
                field = forms.CharField(label=label, required=required, max_length=definition.get("max_length"),
                                        widget=forms.URLInput())
            elif kind == "choice":
                field = forms.ChoiceField(label=label, required=required,
                                          choices=[("", "—")] + [(c, c) for c in definition["choices"]])
            else:
                field = forms.CharField(label=label, required=required, max_length=definition.get("max_length"))
            self.fields[name] = field
            self.custom_keys.append(definition["key"])

    def referee_fields(self):
        return [[self[f"referee_{i}_{part}"] for part in ("name", "email", "institution")] for i in range(self.referee_count)]

    def personal_fields(self):
        return [self[n] for n in ("full_name", "gender", "birth_date", "institution", "region", "province", "full_time", "field", "coauthors")]

    def custom_fields(self):
        return [self[f"answer_{k}"] for k in self.custom_keys]

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "full_name": data["full_name"], "gender": data["gender"], "birth_date": data["birth_date"],
            "institution": data["institution"], "region": data["region"], "province": data["province"],
            "full_time": data["full_time"],
            "field": data["field"],
            "coauthors": [line.strip() for line in data["coauthors"].splitlines() if line.strip()],
            "referees": [
                {"name": data[f"referee_{i}_name"], "email": data[f"referee_{i}_email"],
                 "institution": data[f"referee_{i}_institution"]}
                for i in range(self.referee_count)
            ],
            "answers": {k: data[f"answer_{k}"] for k in self.custom_keys if data.get(f"answer_{k}") not in (None, "")},
        }


class LetterForm(GrantsForm):
    letter = forms.FileField(
        label=_("Your letter"), help_text=_("A PDF, or a photo (JPEG, PNG or WebP), at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )


class NominationForm(GrantsForm):
    nominee_name = forms.CharField(label=_("Candidate's name"), max_length=100)
    nominee_email = forms.EmailField(label=_("Candidate's email"),
                                     help_text=_("The candidate receives a link there to apply."))
    statement = forms.CharField(label=_("Why you nominate this candidate"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 6}))


class ConflictForm(GrantsForm):
    reason = forms.CharField(label=_("Describe the conflict of interest"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


_SCORE_CHOICES = [("", "—")] + [(str(i), str(i)) for i in range(SCORE_MAX + 1)] + [("na", _("n/a"))]


class ReviewForm(GrantsForm):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, rubric: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rubric_keys = []
        for criterion in rubric:
            label = label_for(criterion)
            self.fields[f"score_{criterion['key']}"] = forms.ChoiceField(
                label=label, choices=_SCORE_CHOICES, help_text=_("0 (poor) to 5 (excellent), or n/a"))
            self.rubric_keys.append(criterion["key"])
        self.order_fields([f"score_{k}" for k in self.rubric_keys] + ["comment"])

    def scores(self) -> dict:
        return {k: None if self.cleaned_data[f"score_{k}"] == "na" else int(self.cleaned_data[f"score_{k}"]) for k in self.rubric_keys}


class DecisionForm(GrantsForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices)
    reason = forms.CharField(label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    first_due_on = forms.DateField(label=_("First installment due (awards)"), required=False, widget=DateInput())


class AssignForm(GrantsForm):
    reviewer = forms.ChoiceField(label=_("Reviewer"))

    def __init__(self, *args, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].choices = [(str(r.pk), f"{r.name} · {r.institution}") for r in reviewers]


class ReviewerForm(GrantsForm):
    email = forms.EmailField(label=_("Email of a registered user"))
    name = forms.CharField(label=_("Name"), max_length=100)
    institution = forms.CharField(label=_("Institution"), max_length=200)


class NominatorForm(GrantsForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("Email"))
    institution = forms.CharField(label=_("Institution"), max_length=200, required=False)


class RoundForm(GrantsForm):
    kind = forms.ChoiceField(label=_("Kind of round"), choices=RoundKind.choices)
    defence_at = forms.DateTimeField(label=_("Defence (final round)"), required=False,
                                     widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    defence_place = forms.CharField(label=_("Defence place"), required=False, max_length=200)


class ReportForm(GrantsForm):
    report = forms.CharField(label=_("Your report for this installment"), max_length=20000,
                             widget=forms.Textarea(attrs={"rows": 6}),
                             help_text=_("What you did with the previous funds and what comes next."))


class ApproveForm(GrantsForm):
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())


class ReturnForm(GrantsForm):
    reason = forms.CharField(label=_("Why it goes back"), max_length=2000)


def label_for(definition: dict) -> str:
    """A custom field's or rubric criterion's label: English if active and given, else Chinese."""
    return definition["label_en"] if is_english() and definition["label_en"] else definition["label_zh"]


__all__ += ["label_for"]


def _lines(text: str) -> list[list[str]]:
    """Non-empty lines split on "|", each part trimmed."""
    return [[part.strip() for part in line.split("|")] for line in (text or "").splitlines() if line.strip()]


class CallForm(GrantsForm):
    """A new call. Amounts in yuan; the rubric and the questions one per line, parts split by "|"."""

    program = forms.ChoiceField(label=_("Program"))
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=120)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    year = forms.IntegerField(label=_("Application year"), min_value=2000, max_value=2100)
    opens_on = forms.DateField(label=_("Opens on"), widget=DateInput())
    closes_on = forms.DateField(label=_("Closes on"), widget=DateInput())
    budget_yuan = forms.CharField(label=_("Budget (yuan)"), max_length=32)
    award_yuan = forms.CharField(label=_("Award per grantee (yuan)"), max_length=32)
    installments = forms.IntegerField(label=_("Annual installments"), min_value=1, max_value=10, initial=1)
    max_age = forms.IntegerField(label=_("Maximum age on 1 January"), required=False, min_value=16, max_value=100)
    max_age_women = forms.IntegerField(label=_("Maximum age for women"), required=False, min_value=16, max_value=100)
    women_limit_from_year = forms.IntegerField(label=_("Women's limit applies from"), required=False, min_value=2000, max_value=2100)
    require_full_time = forms.BooleanField(label=_("Full-time position required"), required=False)
    eligible_regions = forms.MultipleChoiceField(label=_("Eligible regions"), choices=REGIONS, required=False,
                                                 widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: any region."))
    self_application = forms.BooleanField(label=_("Self-application open"), required=False, initial=True)
    referees_self = forms.IntegerField(label=_("Referees for self-application"), min_value=0, max_value=5, initial=2)
    nomination = forms.BooleanField(label=_("Nomination open"), required=False)
    referees_nomination = forms.IntegerField(label=_("Referees for nominees"), min_value=0, max_value=5, initial=2)
    rubric = forms.CharField(
        label=_("Rubric"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One criterion per line: key | Chinese label | English label. Scored 0–5 or n/a."),
    )
    form_fields = forms.CharField(
        label=_("Questions of this call"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: key | type (text, textarea, integer, url, choice) | required (yes/no) | Chinese label | English label | choices separated by commas."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    service_fields = {"budget_fen": "budget_yuan", "award_amount_fen": "award_yuan"}

    def __init__(self, *args, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].choices = [(p.public_id, p.name_zh) for p in programs]

    def add_domain_error(self, exc: DomainError) -> None:
        field = self.service_fields.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, grants_error_text(exc))

    def service_arguments(self) -> dict:
        """The service's keyword arguments; InvalidInput from the amounts, as every amount is parsed here."""
        data = dict(self.cleaned_data)
        rubric = [{"key": p[0], "label_zh": p[1] if len(p) > 1 else p[0], "label_en": p[2] if len(p) > 2 else ""}
                  for p in _lines(data.pop("rubric"))]
        questions = []
        for p in _lines(data.pop("form_fields")):
            p += [""] * (6 - len(p))
            question = {"key": p[0], "type": p[1] or "text", "required": p[2].lower() in ("yes", "y", "是", "true", "1"),
                        "label_zh": p[3] or p[0], "label_en": p[4]}
            if p[5]:
                question["choices"] = [c.strip() for c in p[5].replace("，", ",").split(",") if c.strip()]
            questions.append(question)
        data.pop("program")
        budget_fen = parse_yuan(data.pop("budget_yuan"), field="budget_fen")
        award_amount_fen = parse_yuan(data.pop("award_yuan"), field="award_amount_fen")
        return {**data, "rubric": rubric, "form_fields": questions, "budget_fen": budget_fen, "award_amount_fen": award_amount_fen}


__all__ += ["CallForm"]


class ProgramForm(GrantsForm):
    """A new prize or challenge program: its domain, the fund that pays it and the fields
    (disciplines) it funds, one per line (the service's ``fields``)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ProgramKind.choices, widget=forms.RadioSelect)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    fund = forms.ChoiceField(label=_("Paid from the fund"))
    disciplines = forms.CharField(
        label=_("Fields funded"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One field (discipline) per line; an applicant's field must be one of them."),
    )
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.public_id, f.name_zh) for f in funds]

    def service_arguments(self) -> dict:
        """The service's keyword arguments but the fund; the fields one per line, blank lines left out."""
        data = dict(self.cleaned_data)
        data.pop("fund")
        disciplines = data.pop("disciplines") or ""
        return {**data, "fields": [line.strip() for line in disciplines.splitlines() if line.strip()]}

    def add_domain_error(self, exc: DomainError) -> None:
        field = {"fields": "disciplines"}.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, grants_error_text(exc))


__all__ += ["ProgramForm"]
