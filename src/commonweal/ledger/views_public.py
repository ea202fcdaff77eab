"""Public ledger pages: the verify page and the explorer (its home, entries and their proofs).

The pages that join the log with donations and projects (a donation's entry, the "recorded"
fragment, the donor's receipt download, a project's ledger) are giving's: ``giving.views_ledger``.
Views parse input, call one selector or service, and render; docs/ledger.md, "Public pages",
lists the URLs.
"""

import re

import segno
from django import forms
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from commonweal.core.identifiers import is_public_id
from commonweal.ledger import explorer
from commonweal.ledger.receipts import public_proof
from commonweal.ledger.verify import MAX_COMMONWEAL_RECEIPT_SIZE, Check, verify_commonweal_receipt
from commonweal.tlog import NoteError, ReceiptError, parse_verifier_key, verify_receipt

__all__ = [
    "entry_detail",
    "entry_proof",
    "ledger_home",
    "qr_svg",
    "verify",
    "verify_url",
]

RECENT = 20
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


def qr_svg(url: str, *, scale: int) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, light="#fff", svgclass="qr-code", lineclass=None)


def verify_url(request, index: int) -> str:
    return request.build_absolute_uri(reverse("ledger-verify") + f"?index={index}")


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
