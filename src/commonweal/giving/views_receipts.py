"""Donation receipts and annual statements: the donor's pages, the finance console, the public check.

- Donors (signed in) ask for a receipt for one gift or for a year's gifts to one organization,
  read and print their receipts and annual statements, and change how a gift is shown until a
  receipt is issued for it.
- The recipient organization's finance members work through the queue of requests (console
  routes in ``commonweal/console_urls.py``, resolved by ``console_view``: anyone else gets 404).
- Anyone holding a receipt can check it at its verification address (printed as a QR code).

Views parse, call one selector or service, and render.
"""

from typing import NoReturn

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods

from commonweal.core.errors import DomainError, NotFound
from commonweal.core.privacy import public_donor_name
from commonweal.giving import pdf
from commonweal.giving import selectors_receipts as selectors
from commonweal.giving.capitals import fen_in_capitals
from commonweal.giving.forms_receipts import (
    DonorDisplayForm,
    ReceiptNameForm,
    ReceiptVoidForm,
    YearReceiptForm,
    add_receipt_error,
    receipt_error_text,
)
from commonweal.giving.services.receipts import (
    donation_update_donor_display,
    receipt_issue,
    receipt_request_gift,
    receipt_request_year,
    receipt_void,
)
from commonweal.orgs.models import Role
from commonweal.orgs.console import org_context
from commonweal.projects.console import console_view

FINANCE = frozenset({Role.FINANCE})
CONSOLE_PAGE_SIZE = 30


def _not_found(error: NotFound) -> NoReturn:
    raise Http404(error.message) from error


def _verify_url(receipt) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('receipt-verify', args=[receipt.public_id])}"


def _pdf_response(receipt) -> HttpResponse:
    """The numbered receipt as a PDF, shown in the browser and saved as ``receipt-<number>.pdf``."""
    if not receipt.number:
        raise Http404("a request not yet issued has no PDF")
    response = HttpResponse(pdf.receipt_pdf(receipt, receipt.lines.all(), verify_url=_verify_url(receipt)), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{receipt.number}.pdf"'
    return response


def _document_context(receipt) -> dict:
    """What the printable receipt shows, for the donor's and the console's copy alike."""
    verify_url = _verify_url(receipt) if receipt.number else ""
    return {
        "receipt": receipt,
        "lines": list(receipt.lines.all()),
        "capitals": fen_in_capitals(receipt.amount_fen),
        "verify_url": verify_url,
        # Inline SVG (no script, no style attribute): the verification address as a QR code.
        "qr_svg": segno.make(verify_url, error="m").svg_inline(scale=3, omitsize=True) if verify_url else "",
    }


# --- donors ----------------------------------------------------------------------------------

@login_required
@require_http_methods(["GET"])
def my_receipts(request):
    page = Paginator(selectors.donor_receipts(donor=request.user), CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unreceipted": selectors.donor_unreceipted_years(donor=request.user),
        "years": selectors.donor_statement_years(donor=request.user),
    }
    return render(request, "giving/receipts/mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def gift_receipt(request, public_id: str):
    """One gift: its receipt if it has one, else the request form."""
    try:
        donation = selectors.donation_get_for_donor(donor=request.user, public_id=public_id)
    except NotFound as error:
        _not_found(error)
    live = selectors.donation_live_receipt(donation)
    form = ReceiptNameForm(request.POST or None, initial={"donor_name": donation.donor_name})
    if request.method == "POST" and live is None and form.is_valid():
        try:
            receipt = receipt_request_gift(donation=donation, actor=request.user, donor_name=form.cleaned_data["donor_name"])
        except DomainError as error:
            add_receipt_error(form, error)
        else:
            messages.success(request, gettext("Your request was sent to the organization's finance team."))
            return redirect("receipt-detail", receipt.public_id)
    context = {"donation": donation, "live": live, "form": form if donation.net_fen > 0 else None}
    return render(request, "giving/receipts/gift.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def year_receipt(request):
    """One receipt for all of a year's gifts to one organization."""
    options = selectors.donor_unreceipted_years(donor=request.user)
    choices = [(f"{o.org.public_id}:{o.year}", o) for o in options]
    form = YearReceiptForm(
        request.POST or None,
        choices=[(key, f"{o.year} · {o.org.name_zh}") for key, o in choices],
        initial={"which": request.GET.get("which", "")},
    )
    if request.method == "POST" and form.is_valid():
        chosen = dict(choices)[form.cleaned_data["which"]]
        try:
            receipt = receipt_request_year(
                org=chosen.org, year=chosen.year, actor=request.user, donor_name=form.cleaned_data["donor_name"]
            )
        except DomainError as error:
            add_receipt_error(form, error)
        else:
            messages.success(request, gettext("Your request was sent to the organization's finance team."))
            return redirect("receipt-detail", receipt.public_id)
    rows = [{"key": key, "option": o, "radio": radio} for (key, o), radio in zip(choices, form["which"])]
    return render(request, "giving/receipts/year.html", {"form": form, "rows": rows}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET"])
def receipt_detail(request, public_id: str):
    """The donor's copy: printable once issued; a request shows its state."""
    try:
        receipt = selectors.receipt_get_for_donor(donor=request.user, public_id=public_id)
    except NotFound as error:
        _not_found(error)
    return render(request, "giving/receipts/document.html", {**_document_context(receipt), "copy": "donor"})


@login_required
@require_http_methods(["GET"])
def receipt_detail_pdf(request, public_id: str):
    try:
        receipt = selectors.receipt_get_for_donor(donor=request.user, public_id=public_id)
    except NotFound as error:
        _not_found(error)
    return _pdf_response(receipt)


def _statement_year(year: int) -> int:
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404(f"no statement for {year}")
    return year


@login_required
@require_http_methods(["GET"])
def statement(request, year: int):
    context = {
        "statement": selectors.donor_statement(donor=request.user, year=_statement_year(year)),
        "years": selectors.donor_statement_years(donor=request.user),
        "today": timezone.localdate(),
    }
    return render(request, "giving/receipts/statement.html", context)


@login_required
@require_http_methods(["GET"])
def statement_pdf(request, year: int):
    found = selectors.donor_statement(donor=request.user, year=_statement_year(year))
    user = request.user
    document = pdf.statement_pdf(found, donor_name=user.display_name or user.email, today=timezone.localdate())
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{year}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def gift_display(request, public_id: str):
    """Change the name a gift shows on the project page, until a receipt is issued for it."""
    try:
        donation = selectors.donation_get_for_donor(donor=request.user, public_id=public_id)
    except NotFound as error:
        _not_found(error)
    form = DonorDisplayForm(
        request.POST or None, initial={"donor_name": donation.donor_name, "donor_public": donation.donor_public}
    )
    live = selectors.donation_live_receipt(donation)
    locked = live is not None and live.status == "issued"
    if request.method == "POST" and form.is_valid():
        try:
            donation_update_donor_display(donation=donation, actor=request.user, **form.cleaned_data)
        except DomainError as error:
            add_receipt_error(form, error)
        else:
            messages.success(request, gettext("Saved. The project page now shows your gift as: %(name)s") % {
                "name": public_donor_name(name=form.cleaned_data["donor_name"], opted_in=form.cleaned_data["donor_public"], lang=get_language()),
            })
            return redirect("my-donations")
    context = {"donation": donation, "form": form, "locked": locked, "live": live}
    return render(request, "giving/receipts/display.html", context, status=400 if form.errors else 200)


# --- anyone holding a receipt ----------------------------------------------------------------

@require_http_methods(["GET"])
def receipt_verify(request, public_id: str):
    """Is this receipt genuine and still valid? Number, organization, amount, date, status; the
    donor's name is masked (Charity Law Art. 82)."""
    try:
        receipt = selectors.receipt_get_public(public_id=public_id)
    except NotFound as error:
        _not_found(error)
    context = {
        "receipt": receipt,
        "masked_name": public_donor_name(name=receipt.donor_name, opted_in=False, lang=get_language()),
    }
    return render(request, "giving/receipts/verify.html", context)


# --- the finance console -----------------------------------------------------------------------

@console_view(roles=FINANCE, methods=("GET",))
def console_receipts(request, org):
    done = Paginator(selectors.org_receipts_done(org=org), CONSOLE_PAGE_SIZE).get_page(request.GET.get("page"))
    context = org_context(
        request, org, queue=list(selectors.org_receipt_queue(org=org)[:200]), done=done, void_form=ReceiptVoidForm(),
    )
    return render(request, "giving/receipts/console.html", context)


def _org_receipt(request, org, public_id, *, methods):
    """The organization's receipt, found before the method is checked, so an outsider's
    mismatched URL is a 404 whatever the method (as ``console_view`` does for projects)."""
    try:
        found = selectors.receipt_get_for_org(org=org, public_id=public_id)
    except NotFound as error:
        _not_found(error)
    if request.method not in methods:
        return None
    return found


@console_view(roles=FINANCE)
def console_receipt_detail(request, org, receipt):
    found = _org_receipt(request, org, receipt, methods=("GET",))
    if found is None:
        return HttpResponseNotAllowed(["GET"])
    return render(request, "giving/receipts/document.html", {**_document_context(found), "copy": "org", "org": org})


@console_view(roles=FINANCE)
def console_receipt_pdf(request, org, receipt):
    found = _org_receipt(request, org, receipt, methods=("GET",))
    if found is None:
        return HttpResponseNotAllowed(["GET"])
    return _pdf_response(found)


@console_view(roles=FINANCE)
def console_receipt_issue(request, org, receipt):
    found = _org_receipt(request, org, receipt, methods=("POST",))
    if found is None:
        return HttpResponseNotAllowed(["POST"])
    try:
        issued = receipt_issue(receipt=found, actor=request.user)
    except DomainError as error:
        messages.error(request, receipt_error_text(error))
        return redirect("console-receipts", org=org.public_id)
    messages.success(request, gettext("Receipt %(number)s is issued.") % {"number": issued.number})
    return redirect("console-receipt", org=org.public_id, receipt=issued.public_id)


@console_view(roles=FINANCE)
def console_receipt_void(request, org, receipt):
    found = _org_receipt(request, org, receipt, methods=("POST",))
    if found is None:
        return HttpResponseNotAllowed(["POST"])
    form = ReceiptVoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("A reason is required."))
    else:
        try:
            receipt_void(receipt=found, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, receipt_error_text(error))
        else:
            messages.success(request, gettext("The receipt is void. The donor was told why."))
    return redirect("console-receipts", org=org.public_id)
