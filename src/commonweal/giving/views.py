"""The project page and the donate flow: donate form, sandbox payment page, thanks, my donations.

The project page lives here rather than in ``projects.views`` because it lists donations, and
projects sit below giving in the dependency order. Views parse input, call one selector or
service, and render; domain errors become form errors or messages through ``giving.forms``.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_http_methods, require_POST

from commonweal.core.errors import DomainError, NotFound
from commonweal.core.privacy import public_donor_name
from commonweal.giving import hooks, selectors
from commonweal.giving.forms import DonateForm, add_domain_error, domain_error_text, new_idempotency_key
from commonweal.giving.models import Donation, DonationIntent, IntentStatus, Provider
from commonweal.giving.providers import sandbox_build_notification
from commonweal.giving.services import credentials_get, intent_create, notification_receive, plan_create
from commonweal.giving.services import plan_cancel as _plan_cancel
from commonweal.projects.models import Project, ProjectStatus
from commonweal.projects.selectors import project_get_public, project_progress_get

SESSION_PAID = "giving.paid_donations"
"""Session key: public ids of the donations this browser session paid (newest last)."""
SESSION_PLAN_KEYS = "giving.plan_keys"
"""Session key: donate-form idempotency keys already turned into monthly plans."""
MAX_REMEMBERED = 50
RECENT_DONATIONS = 10
MY_DONATIONS_PAGE_SIZE = 20
SANDBOX_PAYER = "sandbox-web-payer"
DEVICE_COOKIE = "cw_device"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600

# Fields of the services' errors that are called differently on the donate form.
_DONATE_FIELDS = {"amount": "custom_amount"}


def _project_or_404(public_id: str) -> Project:
    try:
        return project_get_public(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _paid_in_this_session(request) -> list[str]:
    return request.session.get(SESSION_PAID, [])


def _remember_paid(request, donation: Donation) -> None:
    """Let this browser session open the donation's thanks page (the newest MAX_REMEMBERED)."""
    paid = [public_id for public_id in _paid_in_this_session(request) if public_id != donation.public_id]
    request.session[SESSION_PAID] = (paid + [donation.public_id])[-MAX_REMEMBERED:]


def _remember_plan_key(request, key: str, plan_public_id: str) -> None:
    """Remember that this form's key made a plan, so a repeated submission makes no second plan."""
    keys = dict(request.session.get(SESSION_PLAN_KEYS, {}))
    keys[key] = plan_public_id
    request.session[SESSION_PLAN_KEYS] = dict(list(keys.items())[-MAX_REMEMBERED:])


# --- the project page ----------------------------------------------------------------------

def project_detail(request, public_id: str):
    project = _project_or_404(public_id)
    context = {
        "project": project,
        "fundraising": project.status == ProjectStatus.FUNDRAISING,
        "recent": selectors.project_recent_donations(project=project, lang=get_language(), limit=RECENT_DONATIONS),
        "sdg_goals": [tag for tag in project.sdg_tags if "." not in tag],
        "sdg_targets": [tag for tag in project.sdg_tags if "." in tag],
        "panels": [html for html in (panel(request, project) for panel in hooks.PROJECT_PANELS) if html],
    }
    return render(request, "giving/project_detail.html", context)


def project_progress(request, public_id: str):
    """The live progress block, polled by the project page every few seconds (one query)."""
    try:
        project = project_progress_get(public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    context = {"project": project, "fundraising": project.status == ProjectStatus.FUNDRAISING}
    return render(request, "giving/project_detail.html#progress", context)


# --- donating ------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def donate(request, public_id: str):
    project = _project_or_404(public_id)
    if project.status != ProjectStatus.FUNDRAISING:
        messages.info(request, gettext("This project is not raising funds at the moment."))
        return redirect("project-detail", project.public_id)
    if request.method == "POST":
        form = DonateForm(request.POST)
        if form.is_valid():
            if form.cleaned_data["monthly"]:
                response = _start_monthly(request, project, form)
            else:
                response = _start_donation(request, project, form)
            if response is not None:
                return response
        if "idempotency_key" in form.errors:
            # A missing or mangled key: this submission made nothing, the next one gets a fresh key.
            form.data = form.data.copy()
            form.data["idempotency_key"] = new_idempotency_key()
            form.add_error(None, gettext("Please check the form and submit it again."))
    else:
        form = DonateForm(initial={"idempotency_key": new_idempotency_key(), "team": request.GET.get("team", "")})
    panels = [panel(request, project) for panel in hooks.DONATE_PANELS]
    response = render(request, "giving/donate.html", {"project": project, "form": form, "panels": [p for p in panels if p]})
    if DEVICE_COOKIE not in request.COOKIES:
        # A random id per browser, so risk signals can count gifts per device (kept only hashed).
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(16), max_age=DEVICE_COOKIE_MAX_AGE, httponly=True, samesite="Lax")
    return response


def _start_donation(request, project: Project, form: DonateForm):
    data = form.cleaned_data
    try:
        intent, _created = intent_create(
            project=project,
            amount_fen=data["amount_fen"],
            idempotency_key=data["idempotency_key"],
            donor=request.user,
            donor_name=data["donor_name"],
            donor_public=data["donor_public"],
            message=data["message"],
            provider=Provider.SANDBOX,
            attribution=f"team:{data['team']}" if data["team"] else "",
            client_address=request.META.get("REMOTE_ADDR", ""),
            device_id=request.COOKIES.get(DEVICE_COOKIE, ""),
        )
    except DomainError as error:
        add_domain_error(form, error, fields=_DONATE_FIELDS)
        if error.code == "idempotency_key_reused":
            form.data = form.data.copy()
            form.data["idempotency_key"] = new_idempotency_key()
        return None
    # A repeated submission (same key) lands on the same intent's payment page.
    return redirect("sandbox-pay", intent.public_id)


def _start_monthly(request, project: Project, form: DonateForm):
    data = form.cleaned_data
    key = data["idempotency_key"]
    if key in request.session.get(SESSION_PLAN_KEYS, {}):
        messages.info(request, gettext("Your monthly gift is already set up."))
        return redirect("my-donations")
    try:
        plan = plan_create(
            donor=request.user,
            project=project,
            amount_fen=data["amount_fen"],
            donor_name=data["donor_name"],
            donor_public=data["donor_public"],
            provider=Provider.SANDBOX,
        )
    except DomainError as error:
        add_domain_error(form, error, fields=_DONATE_FIELDS, default="monthly")
        return None
    _remember_plan_key(request, key, plan.public_id)
    messages.success(
        request,
        gettext("Thank you! Your monthly gift is set up; the first charge is made today."),
    )
    return redirect("my-donations")


# --- the sandbox provider's payment page ---------------------------------------------------

@require_http_methods(["GET", "POST"])
def sandbox_pay(request, intent_public_id: str):
    try:
        intent = selectors.intent_get_for_payment(public_id=intent_public_id)
    except NotFound as error:
        raise Http404(error.message) from error
    if intent.provider != Provider.SANDBOX:
        raise Http404("not a sandbox payment")
    if intent.status == IntentStatus.PAID:
        return _already_paid(request, intent)
    status = 200
    if request.method == "POST":
        try:
            donation = _pay_in_sandbox(intent)
        except DomainError as error:
            messages.error(request, domain_error_text(error))
            status = 400
        else:
            _remember_paid(request, donation)
            return redirect("donation-thanks", donation.public_id)
    return render(request, "giving/sandbox_pay.html", {"intent": intent}, status=status)


def _pay_in_sandbox(intent: DonationIntent) -> Donation:
    """Send a real signed sandbox notification through the path the HTTP endpoint uses.

    The transaction id is derived from the intent, so a second click on "Pay" repeats the same
    payment (one donation) rather than making a second one.
    """
    org = intent.recipient_org
    secret = credentials_get(org=org, provider=Provider.SANDBOX)["secret"]
    now = timezone.now()
    headers, body = sandbox_build_notification(
        secret=secret,
        out_trade_no=intent.public_id,
        transaction_id=f"sbx_p_{intent.public_id}",
        amount_fen=intent.amount_fen,
        currency=intent.currency,
        # One sandbox "payment account" per donor or browser, as a real wallet would be.
        payer=f"{SANDBOX_PAYER}-{intent.donor_id or intent.device_fingerprint or intent.public_id}",
        paid_at=now,
        now=now,
    )
    return notification_receive(
        provider=Provider.SANDBOX, org_public_id=org.public_id, headers=headers, body=body, now=now
    )


def _already_paid(request, intent: DonationIntent):
    donation = selectors.intent_donation(intent=intent)
    if donation is not None and selectors.donation_visible_to(
        donation, user=request.user, session_donation_ids=_paid_in_this_session(request)
    ):
        return redirect("donation-thanks", donation.public_id)
    messages.info(request, gettext("This donation has already been paid."))
    return redirect("project-detail", intent.project.public_id)


# --- after giving --------------------------------------------------------------------------

def donation_thanks(request, public_id: str):
    try:
        donation = selectors.donation_get_for_viewer(
            public_id=public_id, user=request.user, session_donation_ids=_paid_in_this_session(request)
        )
    except NotFound as error:
        raise Http404(error.message) from error
    context = {
        "donation": donation,
        "shown_as": public_donor_name(name=donation.donor_name, opted_in=donation.donor_public, lang=get_language()),
    }
    return render(request, "giving/thanks.html", context)


@login_required
def my_donations(request):
    page = Paginator(selectors.donor_donations(donor=request.user), MY_DONATIONS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    plans = list(selectors.donor_plans(donor=request.user))
    return render(request, "giving/my_donations.html", {"page": page, "plans": plans})


@require_POST
@login_required
def plan_cancel(request, public_id: str):
    try:
        plan = selectors.plan_get_for_donor(donor=request.user, public_id=public_id)
        _plan_cancel(plan=plan, actor=request.user)
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        messages.error(request, domain_error_text(error))
    else:
        messages.success(request, gettext("Your monthly gift is cancelled. No further charges will be made."))
    return redirect("my-donations")
