"""Pages of prize and grant programs. Views parse, call one service or selector, and render.

Public: call list and call page. Signed-in: apply, my applications, the application's status,
installment reports. Private links (no account): referee upload, nominator page. Reviewers:
their assignments, conflict declaration, rubric. Program managers: calls, rounds, assignments,
ranking, decisions, awards. Program finance: installments to propose and approve.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from commonweal.core.errors import Conflict, DomainError, NotFound
from commonweal.core.identifiers import is_public_id
from commonweal.core.timeutil import shanghai_date
from commonweal.programs.grants import selectors
from commonweal.programs.grants.conflicts import conflict_message
from commonweal.programs.grants.eligibility import position_label, region_label, rule_message
from commonweal.programs.grants.forms import (
    ApplicationForm,
    CallForm,
    ApproveForm,
    AssignForm,
    ConflictForm,
    DecisionForm,
    LetterForm,
    NominationForm,
    NominatorForm,
    ProgramForm,
    ReportForm,
    ReturnForm,
    ReviewerForm,
    ReviewForm,
    RoundForm,
    grants_error_text,
    label_for,
)
from commonweal.programs.grants.models import (
    Application,
    AssignmentStatus,
    Nomination,
    Program,
    Referee,
    Reviewer,
    Round,
    Route,
)
from commonweal.programs.grants.permissions import (
    access_application_by_public_id,
    access_assignment_by_public_id,
    access_call_by_public_id,
    access_installment_by_public_id,
    access_nominator_by_token,
    access_referee_by_token,
    is_finance,
    is_manager,
    require_finance,
    require_manager,
)
from commonweal.programs.grants.rubric import format_average, review_average
from commonweal.programs.grants import services
from commonweal.programs.grants.services.applications import Ineligible, call_is_open
from commonweal.programs.grants.schedule import payment_schedule
from commonweal.programs.models import Fund
from commonweal.programs.selectors import subject_indicators
from commonweal.programs.views import indicator_new_url


def _http404(error: NotFound):
    return Http404(error.message)


def _private(response):
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # the token never leaves the site; forms keep their Origin
    return response


# --- public --------------------------------------------------------------------------------

@require_http_methods(["GET"])
def call_list(request):
    today = shanghai_date(timezone.now())
    calls = [(call, call_is_open(call, today)) for call in selectors.call_list_public()]
    return render(request, "grants/call_list.html", {"calls": calls})


@require_http_methods(["GET"])
def call_detail(request, public_id: str):
    try:
        call = selectors.call_get_public(public_id=public_id)
    except NotFound as error:
        raise _http404(error) from error
    schedule = payment_schedule(amount_fen=call.award_amount_fen, count=call.installments, first_due_on=call.closes_on)
    context = {
        "call": call, "program": call.program, "is_open": call_is_open(call, shanghai_date(timezone.now())),
        "installment_fen": schedule[0].amount_fen,
        "form_fields": [label_for(d) for d in call.form_fields],
        "rubric": [label_for(c) for c in call.rubric],
        "regions": _region_labels(call.eligible_regions),
    }
    return render(request, "grants/call_detail.html", context)


def _region_labels(codes):
    return [region_label(code) for code in codes]


# --- applicants ----------------------------------------------------------------------------

def _nomination_for(request, call) -> Nomination | None:
    public_id = request.GET.get("nomination") or request.POST.get("nomination") or ""
    if not public_id:
        return None
    if not is_public_id(public_id):
        raise Http404("no such nomination")
    nomination = Nomination.objects.select_related("nominator").filter(
        public_id=public_id, nominator__call=call, nominee_email=request.user.email.lower()
    ).first()
    if nomination is None:
        raise Http404("no such nomination")
    return nomination


@login_required
@require_http_methods(["GET", "POST"])
def apply(request, public_id: str):
    try:
        call = selectors.call_get_public(public_id=public_id)
    except NotFound as error:
        raise _http404(error) from error
    nomination = _nomination_for(request, call)
    route = Route.NOMINATION if nomination else Route.SELF
    referees = call.referees_nomination if nomination else call.referees_self
    form = ApplicationForm(request.POST or None, call=call, referees=referees)
    eligibility = None
    if request.method == "POST" and form.is_valid():
        try:
            application = services.application_submit(
                applicant=request.user, call=call, route=route, nomination=nomination, **form.service_arguments()
            )
        except Ineligible as error:
            form.add_domain_error(error)
            eligibility = [{"ok": r.ok, "message": rule_message(r.as_json())} for r in error.results]
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, gettext("Your application was submitted. Your referees have been emailed their upload links."))
            return redirect("grants-application", application.public_id)
    context = {
        "call": call, "form": form, "nomination": nomination, "route": route, "eligibility": eligibility,
        "is_open": call_is_open(call, shanghai_date(timezone.now())),
    }
    return render(request, "grants/apply.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET"])
def my_grants(request):
    context = {
        "applications": selectors.applications_of(request.user),
        "assignments": selectors.assignments_of_reviewer(request.user),
        "is_manager": is_manager(request.user), "is_finance": is_finance(request.user),
    }
    return render(request, "grants/mine.html", context)


@login_required
@require_http_methods(["GET"])
def application_detail(request, public_id: str):
    try:
        application = access_application_by_public_id(request.user, public_id)
    except NotFound as error:
        raise _http404(error) from error
    award = getattr(application, "award", None)  # the reverse one-to-one raises an AttributeError when absent
    installments = list(award.installments.all()) if award else []
    next_due = next((i for i in installments if i.status == "due"), None)
    context = {
        "application": application, "call": application.call,
        "eligibility": [{"ok": item["ok"], "message": rule_message(item)} for item in application.eligibility],
        "referees": application.referees.all(), "required": selectors.referees_required(application),
        "decisions": application.decisions.select_related("round").all(), "award": award,
        "installments": installments, "report_for": next_due if application.applicant_id == request.user.pk else None,
        "report_form": ReportForm(), "answers": [(label_for(d), application.answers.get(d["key"], "")) for d in application.call.form_fields],
        "manager": is_manager(request.user), "indicators": subject_indicators(award) if award else [],
        "indicator_new_url": indicator_new_url(request.user, "award", award) if award else "",
    }
    return _private(render(request, "grants/application.html", context))


@login_required
@require_POST
def installment_report(request, public_id: str):
    try:
        installment = access_installment_by_public_id(request.user, public_id)
    except NotFound as error:
        raise _http404(error) from error
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            services.installment_report(actor=request.user, installment=installment, report=form.cleaned_data["report"])
            messages.success(request, gettext("Your report was received."))
        except NotFound as error:
            raise _http404(error) from error
        except DomainError as error:
            messages.error(request, grants_error_text(error))
    else:
        messages.error(request, gettext("Write your report first."))
    return redirect("grants-application", installment.award.application.public_id)


@login_required
@require_POST
def referee_resend(request, public_id: str, referee: str):
    """The applicant (or a manager) has a referee's lost link sent again."""
    try:
        application = access_application_by_public_id(request.user, public_id)
        found = application.referees.filter(public_id=referee).first()
        if found is None:
            raise NotFound("no such referee")
        services.referee_link_resend(referee=found, actor=request.user)
        messages.success(request, gettext("A new link was emailed to %(name)s; the earlier link no longer works.") % {"name": found.name})
    except NotFound as error:
        raise _http404(error) from error
    except DomainError as error:
        messages.error(request, grants_error_text(error))
    return redirect("grants-application", public_id)


# --- private links -------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def referee_upload(request, token: str):
    try:
        referee = access_referee_by_token(token)
    except NotFound as error:
        raise _http404(error) from error
    form = LetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            referee = services.referee_letter_upload(referee=referee, upload=form.cleaned_data["letter"])
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, gettext("Thank you. Your letter was received."))
            return _private(redirect("grants-referee", token))
    context = {"referee": referee, "application": referee.application, "call": referee.application.call, "form": form}
    return _private(render(request, "grants/referee.html", context, status=400 if form.errors else 200))


@require_http_methods(["GET", "POST"])
def nominator_page(request, token: str):
    try:
        nominator = access_nominator_by_token(token)
    except NotFound as error:
        raise _http404(error) from error
    form = NominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.nomination_submit(nominator=nominator, **form.cleaned_data)
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, gettext("Thank you. The candidate has been emailed a link to apply."))
            return _private(redirect("grants-nominator", token))
    context = {"nominator": nominator, "call": nominator.call, "form": form,
               "nominations": nominator.nominations.select_related("application").all(),
               "is_open": call_is_open(nominator.call, shanghai_date(timezone.now()))}
    return _private(render(request, "grants/nominator.html", context, status=400 if form.errors else 200))


@login_required
@require_http_methods(["GET"])
def referee_letter(request, public_id: str):
    """A referee letter, as a download, for program managers and for reviewers assigned to the
    application who are not recused."""
    if not is_public_id(public_id):
        raise Http404("no such letter")
    referee = Referee.objects.select_related("application").filter(public_id=public_id).exclude(letter="").first()
    allowed = referee is not None and (
        is_manager(request.user)
        or referee.application.assignments.filter(reviewer__user_id=request.user.pk)
        .exclude(status=AssignmentStatus.RECUSED).exists()
    )
    if not allowed:
        raise Http404("no such letter")
    extension = referee.letter.name.rsplit(".", 1)[-1]
    response = FileResponse(referee.letter.open("rb"), as_attachment=True, content_type=referee.letter_content_type,
                            filename=f"letter-{referee.public_id}.{extension}")
    return _private(response)


# --- reviewers -----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def review_page(request, public_id: str):
    try:
        assignment = access_assignment_by_public_id(request.user, public_id)
    except NotFound as error:
        raise _http404(error) from error
    call = assignment.round.call
    form = ReviewForm(request.POST or None, rubric=call.rubric)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_submit(actor=request.user, assignment=assignment, scores=form.scores(),
                                   comment=form.cleaned_data["comment"])
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, gettext("Your review was submitted."))
            return redirect("grants-review", assignment.public_id)
    assignment.refresh_from_db()
    own = getattr(assignment, "review", None) if assignment.status == AssignmentStatus.SUBMITTED else None
    try:
        others = selectors.round_reviews_for_reviewer(actor=request.user, assignment=assignment)
    except Conflict:
        others = None
    rubric = [(c["key"], label_for(c)) for c in call.rubric]

    def rows(review):
        return [(label, review.scores.get(key)) for key, label in rubric]

    application = assignment.application
    context = {
        "assignment": assignment, "application": application, "call": call, "form": form,
        "conflict_form": ConflictForm(), "conflicts": [conflict_message(c) for c in assignment.conflicts],
        "own": own, "own_rows": rows(own) if own else [], "own_average": format_average(review_average(own.scores)) if own else "",
        "others": [{"rows": rows(r), "average": format_average(review_average(r.scores)), "comment": r.comment} for r in others]
        if others is not None else None,
        "answers": [(label_for(d), application.answers.get(d["key"], "")) for d in call.form_fields],
        "position": position_label(region=application.region, province=application.province),
        "referees": application.referees.all(), "recused": assignment.status == AssignmentStatus.RECUSED,
    }
    return _private(render(request, "grants/review.html", context, status=400 if form.errors else 200))


@login_required
@require_POST
def conflict_declare(request, public_id: str):
    try:
        assignment = access_assignment_by_public_id(request.user, public_id)
    except NotFound as error:
        raise _http404(error) from error
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            services.conflict_declare(actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"])
            messages.success(request, gettext("Your conflict of interest was recorded. You are recused from this application."))
        except DomainError as error:
            messages.error(request, grants_error_text(error))
    else:
        messages.error(request, gettext("Describe the conflict of interest."))
    return redirect("grants-review", assignment.public_id)


# --- program managers ----------------------------------------------------------------------

@login_required
@require_http_methods(["GET"])
def office_home(request):
    try:
        calls = selectors.calls_for_manager(actor=request.user)
    except NotFound as error:
        raise _http404(error) from error
    return render(request, "grants/office/home.html", {"calls": calls})


@login_required
@require_http_methods(["GET", "POST"])
def office_call(request, public_id: str):
    try:
        call = access_call_by_public_id(request.user, public_id)
    except NotFound as error:
        raise _http404(error) from error
    action = request.POST.get("action")
    forms = {"round": RoundForm(prefix="round"), "reviewer": ReviewerForm(prefix="reviewer"),
             "nominator": NominatorForm(prefix="nominator")}
    if request.method == "POST" and action in forms:
        form = forms[action] = type(forms[action])(request.POST, prefix=action)
        if form.is_valid():
            try:
                _office_call_action(request, call, action, form.cleaned_data)
            except DomainError as error:
                form.add_domain_error(error)
            else:
                return redirect("grants-office-call", call.public_id)
    applications = (Application.objects.filter(call=call).select_related("current_round", "award")
                    .prefetch_related("referees", "award__installments").order_by("submitted_at"))
    context = {
        "call": call, "rounds": call.rounds.all(), "applications": applications, "forms": forms,
        "reviewers": Reviewer.objects.filter(program=call.program).select_related("user"),
        "nominators": call.nominators.all(),
    }
    status = 400 if any(f.errors for f in forms.values()) else 200
    return render(request, "grants/office/call.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def office_call_new(request):
    try:
        require_manager(request.user)
    except NotFound as error:
        raise _http404(error) from error
    programs = list(Program.objects.order_by("-created_at"))
    form = CallForm(request.POST or None, programs=programs)
    if request.method == "POST" and form.is_valid():
        program = next(p for p in programs if p.public_id == form.cleaned_data["program"])
        try:
            call = services.call_create(actor=request.user, program=program, **form.service_arguments())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, gettext("Call created. Add its review rounds next."))
            return redirect("grants-office-call", call.public_id)
    return render(request, "grants/office/call_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def office_program_new(request):
    try:
        require_manager(request.user)
    except NotFound as error:
        raise _http404(error) from error
    funds = list(Fund.objects.order_by("name_zh", "pk"))
    form = ProgramForm(request.POST or None, funds=funds)
    if request.method == "POST" and form.is_valid():
        fund = next(f for f in funds if f.public_id == form.cleaned_data["fund"])
        try:
            services.program_create(actor=request.user, fund=fund, **form.service_arguments())
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(request, gettext("Program created. Open its first call next."))
            return redirect("grants-office-call-new")
    return render(request, "grants/office/program_new.html", {"form": form}, status=400 if form.errors else 200)


def _office_call_action(request, call, action: str, data: dict) -> None:
    if action == "round":
        services.round_create(actor=request.user, call=call, kind=data["kind"], defence_at=data["defence_at"],
                              defence_place=data["defence_place"])
        messages.success(request, gettext("Round added."))
    elif action == "reviewer":
        user = get_user_model().objects.filter(email__iexact=data["email"]).first()
        if user is None:
            raise NotFound("no registered user with this email", field="email")
        services.reviewer_add(actor=request.user, program=call.program, user=user, name=data["name"],
                              institution=data["institution"])
        messages.success(request, gettext("Reviewer added."))
    else:
        services.nominator_invite(actor=request.user, call=call, **data)
        messages.success(request, gettext("The nominator has been emailed a private link."))


def _round_for_manager(request, public_id: str) -> Round:
    require_manager(request.user)
    if not is_public_id(public_id):
        raise NotFound("no such round")
    found = Round.objects.select_related("call__program").filter(public_id=public_id).first()
    if found is None:
        raise NotFound("no such round")
    return found


@login_required
@require_http_methods(["GET", "POST"])
def office_round(request, public_id: str):
    try:
        review_round = _round_for_manager(request, public_id)
    except NotFound as error:
        raise _http404(error) from error
    reviewers = list(Reviewer.objects.filter(program=review_round.call.program))
    error_for: dict[str, str] = {}
    if request.method == "POST":
        application = Application.objects.filter(public_id=request.POST.get("application", ""), call=review_round.call).first() \
            if is_public_id(request.POST.get("application", "")) else None
        if application is None:
            raise Http404("no such application")
        action = request.POST.get("action")
        form = AssignForm(request.POST, reviewers=reviewers) if action == "assign" else DecisionForm(request.POST)
        if form.is_valid():
            try:
                if action == "assign":
                    reviewer = next(r for r in reviewers if str(r.pk) == form.cleaned_data["reviewer"])
                    assignment = services.assignment_create(actor=request.user, round=review_round,
                                                            application=application, reviewer=reviewer)
                    if assignment.status == AssignmentStatus.RECUSED:
                        messages.warning(request, gettext("A conflict of interest was detected: the reviewer is recused."))
                    else:
                        messages.success(request, gettext("Reviewer assigned."))
                else:
                    services.decision_record(actor=request.user, application=application, **form.cleaned_data)
                    messages.success(request, gettext("Decision recorded."))
                return redirect("grants-office-round", review_round.public_id)
            except DomainError as error:
                error_for[application.public_id] = grants_error_text(error)
        else:
            error_for[application.public_id] = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    ranking = selectors.round_ranking(actor=request.user, round=review_round)
    rows = []
    for line in ranking:
        assignments = list(line.application.assignments.all())
        rows.append({
            "line": line, "average": format_average(line.average),
            "assignments": [(a, [conflict_message(c) for c in a.conflicts]
                             + ([conflict_message({"rule": "declared", "detail": a.declared_conflict})] if a.declared_conflict else []))
                            for a in assignments],
            "letters": sum(1 for r in line.application.referees.all() if r.letter),
            "required": selectors.referees_required(line.application),
            "error": error_for.get(line.application.public_id, ""),
        })
    context = {
        "round": review_round, "call": review_round.call, "rows": rows,
        "assign_form": AssignForm(reviewers=reviewers), "decision_form": DecisionForm(),
        "is_last": not review_round.call.rounds.filter(position__gt=review_round.position).exists(),
    }
    return render(request, "grants/office/round.html", context, status=400 if error_for else 200)


# --- program finance -----------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def finance_page(request):
    try:
        require_finance(request.user)
    except NotFound as error:
        raise _http404(error) from error
    if request.method == "POST":
        try:
            installment = access_installment_by_public_id(request.user, request.POST.get("installment", ""))
            action = request.POST.get("action")
            if action == "propose":
                services.installment_propose(actor=request.user, installment=installment)
                messages.success(request, gettext("Payment proposed. Another finance member approves it."))
            elif action == "approve":
                form = ApproveForm(request.POST)
                if not form.is_valid():
                    raise Conflict("enter the payment date", code="required")
                services.installment_approve(actor=request.user, installment=installment, paid_on=form.cleaned_data["paid_on"])
                messages.success(request, gettext("Payment approved and recorded in the public ledger."))
            elif action == "return":
                form = ReturnForm(request.POST)
                if not form.is_valid():
                    raise Conflict("give a reason", code="required")
                services.installment_return(actor=request.user, installment=installment, reason=form.cleaned_data["reason"])
                messages.success(request, gettext("The proposal went back."))
            else:
                raise Http404("no such action")
        except NotFound as error:
            raise _http404(error) from error
        except DomainError as error:
            messages.error(request, grants_error_text(error))
        return redirect("grants-finance")
    today = shanghai_date(timezone.now())
    context = {"installments": selectors.installments_for_finance(actor=request.user),
               "approve_form": ApproveForm(initial={"paid_on": today}), "return_form": ReturnForm()}
    return render(request, "grants/finance.html", context)
