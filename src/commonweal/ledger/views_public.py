"""Public ledger pages: the verify page, the explorer, the donor's receipt download.

These pages join the log with donations and projects, so, like ``commonweal.urls``, this module
sits above the giving and projects apps (the rest of ``ledger`` never imports them). Views parse
input, call one selector or service, and render; docs/ledger.md, "Public pages", lists the URLs.
"""

import re

import segno
from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.core.errors import NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.giving.models import Donation, Refund
from commonweal.giving.selectors import donation_get_for_viewer
from commonweal.giving.views import SESSION_PAID
from commonweal.ledger import explorer
from commonweal.ledger.receipts import donation_recorded_status, public_proof, receipt_for_donation
from commonweal.ledger.verify import MAX_COMMONWEAL_RECEIPT_SIZE, Check, verify_commonweal_receipt
from commonweal.projects.selectors import project_get_public
from commonweal.tlog import NoteError, ReceiptError, parse_verifier_key, verify_receipt

__all__ = [
    "donation_lookup",
    "donation_recorded",
    "donation_receipt",
    "entry_detail",
    "entry_proof",
    "ledger_home",
    "project_ledger",
    "verify",
]

RECENT = 20
PROJECT_PAGE_SIZE = 50
_INDEX = re.compile(r"0|[1-9][0-9]{0,18}", re.ASCII)

# What each check establishes, for people (the technical detail follows it on the page).
CHECK_TITLES = {
    Check.FORMAT: _("Receipt format"),
    Check.SIGNATURE: _("Signature of the public ledger"),
    Check.INCLUSION: _("Inclusion in the ledger"),
    Check.ENTRY: _("Donation entry"),
    Check.COMMITMENT: _("Donor commitment"),
}
CHECK_PASSED = {
    Check.FORMAT: _("The file is a Commonweal receipt."),
    Check.SIGNATURE: _("The checkpoint was signed by this platform's ledger key."),
    Check.INCLUSION: _("The Merkle proof shows the entry is in the signed ledger."),
    Check.ENTRY: _("The entry is a donation record."),
    Check.COMMITMENT: _("The salt in the receipt opens the donor commitment: this gift is yours."),
}
CHECK_FAILED = {
    Check.FORMAT: _("This is not a valid Commonweal receipt."),
    Check.SIGNATURE: _("The checkpoint is not validly signed by this platform's ledger key."),
    Check.INCLUSION: _("The Merkle proof does not show the entry in the signed ledger: the entry or the proof was altered."),
    Check.ENTRY: _("The entry is not a well-formed donation record."),
    Check.COMMITMENT: _("The salt and donor reference do not match the entry's donor commitment."),
}


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and _INDEX.fullmatch(text) else None


def _qr_svg(url: str, *, scale: int) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, light="#fff", svgclass="qr-code", lineclass=None)


def _verify_url(request, index: int) -> str:
    return request.build_absolute_uri(reverse("ledger-verify") + f"?index={index}")


# --- the donor's receipt ---------------------------------------------------------------------

@require_safe
def donation_receipt(request, public_id: str):
    """The donor's Commonweal receipt: only the signed-in donor or the browser session that paid."""
    try:
        donation = donation_get_for_viewer(
            public_id=public_id, user=request.user, session_donation_ids=request.session.get(SESSION_PAID, [])
        )
    except NotFound as error:
        raise Http404(error.message) from error
    text = receipt_for_donation(donation)
    if text is None:
        return render(request, "ledger/receipt_pending.html", {"donation": donation}, status=409)
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{donation.public_id}.commonweal-receipt"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- the "recorded in the ledger" block of the thank-you and my-donations pages --------------

@require_safe
def donation_recorded(request, public_id: str):
    """The block saying where a donation is in the public ledger (an htmx fragment; no personal data)."""
    if not is_public_id(public_id):
        raise Http404("not a donation id")
    status = donation_recorded_status(donation_public_id=public_id)
    if status.index is None and not _donation_exists(public_id):
        raise Http404(f"no donation {public_id}")
    compact = request.GET.get("compact") == "1"
    context = {"public_id": public_id, "status": status, "compact": compact}
    if status.recorded:
        url = _verify_url(request, status.index)
        context.update(verify_url=url, qr_svg=_qr_svg(url, scale=2 if compact else 3))
    response = render(request, "ledger/_recorded_status.html", context)
    response["Cache-Control"] = "no-store"
    return response


# --- the verify page -------------------------------------------------------------------------

class VerifyForm(forms.Form):
    """Paste a receipt or upload its file."""

    receipt_text = forms.CharField(
        label=_("Paste your receipt"), required=False, max_length=MAX_COMMONWEAL_RECEIPT_SIZE,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off", "class": "code"}),
    )
    receipt_file = forms.FileField(label=_("Or upload the receipt file"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("receipt_file")
        if upload is not None:
            if upload.size > MAX_COMMONWEAL_RECEIPT_SIZE:
                raise forms.ValidationError(
                    gettext("The file is too large: a receipt is at most %(max)s bytes.") % {"max": MAX_COMMONWEAL_RECEIPT_SIZE}
                )
            data["text"] = upload.read(MAX_COMMONWEAL_RECEIPT_SIZE + 1).replace(b"\r\n", b"\n")
        elif data.get("receipt_text", "").strip():
            # Browsers send textarea line breaks as CRLF and often drop the final newline.
            data["text"] = data["receipt_text"].replace("\r\n", "\n").strip() + "\n"
        else:
            raise forms.ValidationError(gettext("Paste a receipt or choose its file."))
        return data


def _public_entry_check(index: int, signed: explorer.LatestCheckpoint) -> dict:
    """Entry ``index`` and the check of its inclusion proof against the latest checkpoint."""
    entry = explorer.entry_at(index=index, size=signed.size)
    if entry is None:
        return {"index": index, "entry": None}
    proof = public_proof(index=index)
    try:
        verify_receipt(
            proof, origin=signed.checkpoint.origin, log_verifiers=[parse_verifier_key(signed.verifier_key)]
        )
        ok, detail = True, ""
    except (ReceiptError, NoteError, TypeError) as exc:
        ok, detail = False, str(exc)
    return {"index": index, "entry": entry, "ok": ok, "detail": detail}


@require_http_methods(["GET", "POST"])
def verify(request):
    """Check a pasted or uploaded receipt with this log's key; ``?index=N`` checks entry N publicly."""
    signed = explorer.latest_checkpoint()
    context = {"signed": signed, "result": None, "entry_check": None}
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if form.is_valid():
            if signed is None:
                form.add_error(None, gettext("The ledger has not signed any checkpoint yet."))
            else:
                result = verify_commonweal_receipt(form.cleaned_data["text"], vkey=signed.verifier_key)
                context["result"] = result
                context["checks"] = [
                    {
                        "result": r,
                        "title": CHECK_TITLES[r.check],
                        "summary": CHECK_PASSED[r.check] if r.ok else CHECK_FAILED[r.check] if r.ok is False else "",
                    }
                    for r in result.checks
                ]
    else:
        form = VerifyForm()
        index = _int_or_none(request.GET.get("index"))
        if index is not None and signed is not None:
            context["entry_check"] = _public_entry_check(index, signed)
    context["form"] = form
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "ledger/verify.html", context, status=status)


# --- the explorer ----------------------------------------------------------------------------

@require_safe
def ledger_home(request):
    """Latest checkpoint, recent entries, and look-up by index or donation id (``?q=``)."""
    query = request.GET.get("q", "").strip()
    if query:
        if _int_or_none(query) is not None:
            return redirect("ledger-entry", int(query))
        if is_public_id(query.lower()):
            return redirect("ledger-donation", query.lower())
    signed = explorer.latest_checkpoint()
    context = {
        "signed": signed,
        "entries": explorer.recent_entries(size=signed.size, limit=RECENT) if signed else [],
        "query": query,
        "query_invalid": bool(query),
    }
    return render(request, "ledger/explorer.html", context, status=400 if query else 200)


def _signed_or_404() -> explorer.LatestCheckpoint:
    signed = explorer.latest_checkpoint()
    if signed is None:
        raise Http404("the ledger has no signed checkpoint yet")
    return signed


@require_safe
def entry_detail(request, index: int):
    """One entry of the signed log."""
    signed = _signed_or_404()
    entry = explorer.entry_at(index=index, size=signed.size)
    if entry is None:
        raise Http404(f"no entry {index} in the signed ledger of {signed.size} entries")
    return render(request, "ledger/entry.html", {"signed": signed, "entry": entry})


@require_safe
def entry_proof(request, index: int):
    """The entry's c2sp.org/tlog-proof, for any tlog-proof verifier (no donor data in it)."""
    text = public_proof(index=index)
    if text is None:
        raise Http404(f"no entry {index} in the signed ledger")
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{index}.tlog-proof"'
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def donation_lookup(request, public_id: str):
    """A donation's entry, by the donation's public id."""
    if not is_public_id(public_id):
        raise Http404("not a donation id")
    status = donation_recorded_status(donation_public_id=public_id)
    if status.recorded:
        return redirect("ledger-entry", status.index)
    if status.index is None and not _donation_exists(public_id):
        raise Http404(f"no donation {public_id}")
    return render(request, "ledger/donation_waiting.html", {"public_id": public_id})


def _donation_exists(public_id: str) -> bool:
    return Donation.objects.filter(public_id=public_id).exists()


@require_safe
def project_ledger(request, public_id: str):
    """A project's donations and refunds as the ledger records them, and donations − refunds."""
    try:
        project = project_get_public(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    signed = explorer.latest_checkpoint()
    rows = explorer.project_entries(
        size=signed.size if signed else 0,
        donation_ids=Donation.objects.filter(project=project).values("public_id"),
        refund_ids=Refund.objects.filter(donation__project=project).values("public_id"),
    )
    totals = explorer.money_totals(explorer.explorer_entries(rows))
    page = Paginator(rows, PROJECT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "project": project,
        "signed": signed,
        "totals": totals,
        "page": page,
        "entries": explorer.explorer_entries(page.object_list),
    }
    return render(request, "ledger/project.html", context)
