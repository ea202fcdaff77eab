"""The program office's impact pages: program managers add indicators to labs, lab projects,
studios and grant awards, set their targets and record results with evidence, under
/programs/office/indicators/. The rules are impact's (``impact.services``); these indicators are
kept by no organization, and ``impact.permissions`` lets program managers keep them.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.utils.translation import gettext as _

from commonweal.core.errors import DomainError, NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.impact.forms import IndicatorForm
from commonweal.impact.models import Indicator
from commonweal.impact.services import indicator_create
from commonweal.impact.views_console import evidence_response, indicator_manage_context, result_post, targets_post
from commonweal.programs.indicator_subjects import is_office_subject, subject_domain, subject_get, subject_page
from commonweal.programs.models import OfficeRole
from commonweal.programs.views import office_view

__all__ = ["office_indicator_new", "office_indicator", "office_indicator_targets", "office_indicator_result", "office_indicator_evidence"]

MANAGER = OfficeRole.MANAGER


def _indicator(public_id: str) -> Indicator:
    """An indicator on a program office subject (kept by no organization)."""
    indicator = Indicator.objects.filter(public_id=public_id, org__isnull=True).select_related("subject_type").first() if is_public_id(public_id) else None
    if indicator is None or not is_office_subject(indicator.subject):
        raise NotFound(f"no indicator {public_id[:40]!r} in the program office")
    return indicator


def _url(indicator: Indicator) -> str:
    return reverse("programs-office-indicator", args=[indicator.public_id])


def _page(request, indicator: Indicator, **forms):
    context = indicator_manage_context(request, indicator, indicator_url=_url(indicator), **forms)
    return render(request, "programs/office/indicator.html", {**context, "subject_url": subject_page(indicator.subject)})


@office_view(MANAGER)
def office_indicator_new(request, kind: str, public_id: str):
    subject = subject_get(kind, public_id)
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = indicator_create(actor=request.user, subject=subject, data=form.to_input(), domain=subject_domain(subject))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, _("The indicator is added. Set its targets next."))
            return redirect(_url(indicator))
    return render(request, "programs/office/indicator_new.html", {"form": form, "subject": subject, "subject_url": subject_page(subject)})


@office_view(MANAGER)
@require_GET
def office_indicator(request, public_id: str):
    return _page(request, _indicator(public_id))


@office_view(MANAGER)
@require_POST
def office_indicator_targets(request, public_id: str):
    indicator = _indicator(public_id)
    form = targets_post(request, indicator)
    return redirect(_url(indicator)) if form is None else _page(request, indicator, targets_form=form)


@office_view(MANAGER)
@require_POST
def office_indicator_result(request, public_id: str):
    indicator = _indicator(public_id)
    form = result_post(request, indicator)
    return redirect(_url(indicator)) if form is None else _page(request, indicator, result_form=form)


@office_view(MANAGER)
@require_GET
def office_indicator_evidence(request, public_id: str, result: str):
    return evidence_response(_indicator(public_id), result)
