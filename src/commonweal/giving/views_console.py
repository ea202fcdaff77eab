"""Console pages that read or change money (/console/<org>/...): the dashboard with its totals,
payment credentials, donations received and refunds. The routes are in ``commonweal/console_urls.py``.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from commonweal.core.errors import DomainError
from commonweal.core.language import active_language
from commonweal.core.privacy import public_donor_name
from commonweal.giving import selectors as giving_selectors
from commonweal.giving.providers import PROVIDERS
from commonweal.giving.services import credentials_set, refund_create
from commonweal.orgs import selectors
from commonweal.orgs.console import ADMIN_FINANCE, console_money, console_view, org_context
from commonweal.orgs.forms import RefundForm, credential_form_class, error_text
from commonweal.projects import selectors as project_selectors
from commonweal.projects.models import ProjectStatus
from commonweal.projects.views_console import project_row

DONATIONS_PER_PAGE = 50


@console_view(methods=("GET",))
def dashboard(request, org):
    counts = project_selectors.org_project_counts(org=org)
    by_status = [{"status": value, "label": label, "count": counts.get(value, 0)} for value, label in ProjectStatus.choices]
    totals = {key: (console_money(value) if key.endswith("_fen") else value) for key, value in giving_selectors.org_totals(org=org).items()}
    projects = [project_row(p) for p in project_selectors.org_projects(org=org)[:50]]
    context = org_context(request, org, by_status=by_status, totals=totals, projects=projects)
    return render(request, "orgs/dashboard.html", context)


def notification_url(provider: str, org) -> str:
    """Where the provider must send payment notifications for this organization."""
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/payments/{provider}/{org.public_id}/notify"


@console_view(roles=ADMIN_FINANCE)
def credentials(request, org):
    posted = request.POST.get("provider") if request.method == "POST" else None
    if request.method == "POST" and posted not in PROVIDERS:
        messages.error(request, _("Choose a payment provider."))
        return redirect("console-credentials", org=org.public_id)
    status = {row.provider: row for row in selectors.org_credential_status(org=org, providers=PROVIDERS)}
    sections = []
    for name, provider in PROVIDERS.items():
        form_class = credential_form_class(name, provider.credential_fields, provider.optional_credential_fields)
        form = form_class(request.POST if name == posted else None, prefix=name)
        if name == posted and form.is_valid():
            try:
                credentials_set(org=org, actor=request.user, provider=name, credentials=form.credentials())
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(request, _("The %(provider)s credentials are saved.") % {"provider": name})
                return redirect("console-credentials", org=org.public_id)
        sections.append({"name": name, "status": status[name], "form": form, "notify_url": notification_url(name, org)})
    return render(request, "orgs/credentials.html", org_context(request, org, sections=sections))


# --- donations -----------------------------------------------------------------------------

@console_view(roles=ADMIN_FINANCE, methods=("GET",))
def donations(request, org):
    lang = active_language()
    page = Paginator(giving_selectors.org_donations(org=org), DONATIONS_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "donation": d,
            "donor": public_donor_name(name=d.donor_name, opted_in=d.donor_public, lang=lang),
            "amount": console_money(d.amount_fen),
            "refunded": console_money(d.refunded_fen) if d.refunded_fen else "",
            "project": d.project.title(lang),
            "refundable": d.recipient_org_id == org.pk and d.refunded_fen < d.amount_fen,
            "form": RefundForm(prefix=d.public_id),
        }
        for d in page
    ]
    return render(request, "orgs/donations.html", org_context(request, org, page=page, rows=rows))


@console_view(roles=ADMIN_FINANCE, methods=("POST",))
def refund(request, org, donation):
    found = giving_selectors.org_received_donation(org=org, public_id=donation)
    if found is None:
        raise Http404("no such donation")
    form = RefundForm(request.POST, prefix=found.public_id)
    if form.is_valid():
        try:
            refund_create(donation=found, amount_fen=form.cleaned_data["amount_yuan"], reason=form.cleaned_data["reason"], actor=request.user)
        except DomainError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("A refund of %(amount)s was recorded.") % {"amount": console_money(form.cleaned_data["amount_yuan"])})
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors))
    return redirect("console-donations", org=org.public_id)
