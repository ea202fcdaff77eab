"""The console form that publishes a report, and the one place reporting errors become text.

The form only parses: figures from "name | value | unit" lines, photo descriptions from lines.
Every rule (sizes, counts, file contents, who may publish when) lives in
``disclosure.services.reporting.report_publish``.
"""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from commonweal.core.errors import DomainError
from commonweal.disclosure.forms_spending import MultipleFileField, MultipleFileInput, spending_error_text
from commonweal.disclosure.services.reporting import BODY_MAX, MAX_FIGURES, MAX_PHOTOS, TITLE_MAX
from commonweal.orgs.forms import ConsoleForm
from commonweal.projects.models import ReportKind

__all__ = ["ReportForm", "reporting_error_text", "PHOTO_ACCEPT"]

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp"
"""A hint for the file picker; the server checks the content whatever the browser sends."""

_BY_CODE = {
    "final_while_fundraising": _("A final report is published once fundraising has ended."),
    "too_many_photos": _("A report has at most 9 photos."),
    "too_many_figures": _("A report has at most 20 figures."),
    "photo_not_image": _("Photos must be JPEG, PNG or WebP images."),
}
_FIGURE_CODES = {
    "figure_label": _("Figure %(n)s needs a name of at most 80 characters."),
    "figure_value": _("Figure %(n)s must be a number such as 1200 or 3.5."),
    "figure_unit": _("Figure %(n)s has a unit longer than 16 characters."),
}


def reporting_error_text(exc: DomainError) -> str:
    """A reporting service error in the active language."""
    known = _BY_CODE.get(exc.code)
    if known is not None:
        return str(known)
    figure = _FIGURE_CODES.get(exc.code)
    if figure is not None:
        number = exc.message.removeprefix("figure ").split(" ", 1)[0]
        return str(figure) % {"n": number}
    return spending_error_text(exc)  # evidence checks, then the console's texts


class ReportForm(ConsoleForm):
    kind = forms.ChoiceField(
        label=_("kind of report"), choices=ReportKind.choices, required=False, initial=ReportKind.PROGRESS,
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("title"), max_length=TITLE_MAX)
    body = forms.CharField(label=_("text"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 5}))
    figures = forms.CharField(
        label=_("figures"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: progress toward the project's indicators, one per line as name | value | unit, for example: books delivered | 1200 | copies."),
    )
    photos = MultipleFileField(
        label=_("photos"), required=False, widget=MultipleFileInput(attrs={"accept": PHOTO_ACCEPT}),
        help_text=_("Optional: up to 9 JPEG, PNG or WebP photos, at most 10 MB each. Location and camera data are removed."),
    )
    photo_descriptions = forms.CharField(
        label=_("photo descriptions"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One line per photo, in order: what it shows, for people who cannot see it."),
    )

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or ReportKind.PROGRESS

    def clean_figures(self) -> list[dict]:
        lines = [line.strip() for line in self.cleaned_data["figures"].splitlines() if line.strip()]
        if len(lines) > MAX_FIGURES:
            raise forms.ValidationError(_("A report has at most 20 figures."))
        figures = []
        for number, line in enumerate(lines, start=1):
            parts = [part.strip() for part in line.split("|")]
            if len(parts) not in (2, 3):
                raise forms.ValidationError(
                    gettext('Line %(n)s: write "name | value | unit", got "%(line)s".') % {"n": number, "line": line[:80]}
                )
            label, value, unit = (parts + [""])[:3]
            figures.append({"label": label, "value": value, "unit": unit})
        return figures

    def clean_photos(self) -> list:
        photos = self.cleaned_data["photos"]
        if len(photos) > MAX_PHOTOS:
            raise forms.ValidationError(_("A report has at most 9 photos."))
        return photos

    def clean_photo_descriptions(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["photo_descriptions"].splitlines()]

    def add_domain_error(self, exc: DomainError) -> None:
        self.add_error(exc.field if exc.field in self.fields else None, reporting_error_text(exc))
