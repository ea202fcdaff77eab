"""Applicants apply; nominators nominate; referees upload their letters.

- :func:`nomination_submit`: an invited nominator (private link) names a candidate, who is
  emailed a link to apply on the nomination route.
- :func:`application_submit`: a signed-in applicant applies while the call is open, on a route
  the call offers, with the number of referees that route requires. Eligibility is checked rule
  by rule (``grants.eligibility``); an ineligible application is refused with every reason. Each
  referee is emailed a private upload link on commit.
- :func:`referee_link_resend`: the applicant (or a program manager) has a referee who lost the
  email sent a new link; the old one stops working. At most once per ``RESEND_INTERVAL``.
- :func:`referee_letter_upload`: the referee uploads the letter (JPEG, PNG, WebP or PDF, checked
  by content with ``disclosure.evidence``) into private storage; a new upload replaces the old.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.divisions import mainland_province
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.timeutil import shanghai_date
from commonweal.disclosure.evidence import evidence_clean, evidence_read
from commonweal.programs.grants.custom_fields import answers_clean
from commonweal.programs.grants.eligibility import REGION_CODES, RuleResult, eligibility_check
from commonweal.programs.grants.models import (
    MAX_REFEREES,
    Application,
    ApplicationStatus,
    Call,
    Gender,
    Nomination,
    Nominator,
    Referee,
    Route,
)
from commonweal.programs.grants.services.setup import link_for
from commonweal.programs.grants.tokens import token_new
from commonweal.programs.services.validation import check_text

__all__ = ["Ineligible", "call_is_open", "nomination_submit", "application_submit", "referee_link_resend", "referee_letter_upload"]

logger = logging.getLogger("commonweal.programs.grants")

MAX_COAUTHORS = 100
RESEND_INTERVAL = dt.timedelta(hours=1)
"""A referee's link is sent again at most this often: the email goes to a third party."""


class Ineligible(Conflict):
    """The applicant fails at least one eligibility rule; ``results`` holds every verdict."""

    code = "ineligible"

    def __init__(self, results: list[RuleResult]):
        failed = ", ".join(r.rule for r in results if not r.ok)
        super().__init__(f"not eligible for this call: {failed}")
        self.results = results


def call_is_open(call: Call, today: dt.date) -> bool:
    return call.opens_on <= today <= call.closes_on


def _require_open(call: Call, now: dt.datetime) -> None:
    today = shanghai_date(now)
    if not call_is_open(call, today):
        raise Conflict(
            f"the call is open from {call.opens_on} to {call.closes_on}, today is {today}", code="call_closed"
        )


def _email(value: str, field: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"a valid email address is needed, got {email!r}", code="invalid_email", field=field) from None
    return email


def nomination_submit(*, nominator: Nominator, nominee_name: str, nominee_email: str, statement: str,
                      now: dt.datetime | None = None) -> Nomination:
    """A nominator names a candidate; the candidate is emailed a link to apply."""
    now = now or timezone.now()
    call = nominator.call
    if not call.nomination:
        raise Conflict("this call takes no nominations", code="route_closed")
    _require_open(call, now)
    email = _email(nominee_email, "nominee_email")
    with transaction.atomic(durable=True):
        if Nomination.objects.filter(nominator=nominator, nominee_email=email).exists():
            raise Conflict("you have already nominated this candidate", code="duplicate_nomination", field="nominee_email")
        nomination = Nomination.objects.create(
            nominator=nominator, nominee_name=check_text(nominee_name, field="nominee_name", max_length=100),
            nominee_email=email, statement=check_text(statement, field="statement", max_length=5000),
        )
        audit_record(actor=None, action="grant_nomination.submit", target=nomination, data={"nominator": nominator.public_id})
        transaction.on_commit(lambda: _mail_nominee(nomination))
    return nomination


def _mail_nominee(nomination: Nomination) -> None:
    call = nomination.nominator.call
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('grants-apply', args=[call.public_id])}?nomination={nomination.public_id}"
    send_mail(
        subject=f"Commonweal: 您已被提名 / you were nominated: {call.title_zh}",
        message=(
            f"{nomination.nominee_name}：\n{nomination.nominator.name} 提名您申请“{call.title_zh}”。请用本邮箱注册登录后通过以下链接提交申请：\n"
            f"{nomination.nominator.name} nominated you for \"{call.title_en or call.title_zh}\". Sign in with this "
            f"email address and apply here:\n\n{link}\n"
        ),
        from_email=None, recipient_list=[nomination.nominee_email],
    )


def _clean_referees(referees: list[dict], *, required: int, applicant_email: str) -> list[dict]:
    if len(referees) < required:
        raise InvalidInput(f"this route needs {required} referees, got {len(referees)}", code="referees_missing", field="referees")
    if len(referees) > MAX_REFEREES:
        raise InvalidInput(f"at most {MAX_REFEREES} referees, got {len(referees)}", code="too_many_referees", field="referees")
    clean, seen = [], set()
    for index, referee in enumerate(referees):
        email = _email(referee.get("email", ""), f"referee_{index}_email")
        if email == applicant_email:
            raise InvalidInput("you cannot be your own referee", code="self_referee", field=f"referee_{index}_email")
        if email in seen:
            raise InvalidInput(f"each referee once: {email} is listed twice", code="duplicate_referee", field=f"referee_{index}_email")
        seen.add(email)
        clean.append({
            "name": check_text(referee.get("name", ""), field=f"referee_{index}_name", max_length=100),
            "email": email,
            "institution": check_text(referee.get("institution", ""), field=f"referee_{index}_institution", max_length=200, required=False),
        })
    return clean


def application_submit(
    *, applicant, call: Call, route: str, full_name: str, gender: str, birth_date: dt.date, institution: str,
    region: str, full_time: bool, field: str, referees: list[dict], coauthors: list[str] | None = None,
    answers: dict | None = None, nomination: Nomination | None = None, now: dt.datetime | None = None,
    province: str = "",
) -> Application:
    """Submit an application (see the module docstring). ``province``, optional, is the full name
    of the mainland province where the position is; an award's commitment is counted there.
    Raises ``Ineligible`` with every rule's verdict when a rule fails."""
    now = now or timezone.now()
    if not getattr(applicant, "is_authenticated", False):
        raise NotFound("sign in to apply")
    _require_open(call, now)
    if route == Route.SELF:
        if not call.self_application:
            raise Conflict("this call takes nominations only", code="route_closed", field="route")
        if nomination is not None:
            raise InvalidInput("a self-application has no nomination", field="route")
        required = call.referees_self
    elif route == Route.NOMINATION:
        if not call.nomination:
            raise Conflict("this call takes no nominations", code="route_closed", field="route")
        if nomination is None or nomination.nominator.call_id != call.pk or nomination.nominee_email != applicant.email.lower():
            raise NotFound("no nomination of you for this call")
        required = call.referees_nomination
    else:
        raise InvalidInput(f"route must be one of {', '.join(Route.values)}, got {route!r}", field="route")
    if gender not in Gender.values:
        raise InvalidInput(f"gender must be one of {', '.join(Gender.values)}, got {gender!r}", field="gender")
    if region not in REGION_CODES:
        raise InvalidInput(f"unknown region {region!r}", field="region", code="invalid_region")
    province = (province or "").strip()
    if province and mainland_province(name=province) is None:
        raise InvalidInput(f"unknown province {province!r}", field="province", code="invalid_province")
    if province and region != "mainland":
        raise InvalidInput(f"a province is named only for a position in mainland China, not in {region!r}",
                           field="province", code="province_outside_mainland")
    if not isinstance(birth_date, dt.date) or isinstance(birth_date, dt.datetime) or not dt.date(1900, 1, 1) <= birth_date <= shanghai_date(now):
        raise InvalidInput(f"date of birth must be a past date, got {birth_date!r}", field="birth_date", code="invalid_date")
    coauthors = [check_text(c, field="coauthors", max_length=100) for c in (coauthors or []) if (c or "").strip()]
    if len(coauthors) > MAX_COAUTHORS:
        raise InvalidInput(f"at most {MAX_COAUTHORS} co-authors, got {len(coauthors)}", field="coauthors")
    clean_answers = answers_clean(call.form_fields, answers or {})
    clean_referees = _clean_referees(referees, required=required, applicant_email=applicant.email.lower())
    field = check_text(field, field="field", max_length=100)
    results = eligibility_check(
        call=call, program_fields=call.program.fields, birth_date=birth_date, gender=gender,
        full_time=bool(full_time), region=region, field=field,
    )
    if not all(r.ok for r in results):
        raise Ineligible(results)
    tokens: list[tuple[Referee, str]] = []
    try:
        with transaction.atomic(durable=True):
            first_round = call.rounds.order_by("position").first()
            application = Application.objects.create(
                call=call, applicant=applicant, route=route, nomination=nomination,
                full_name=check_text(full_name, field="full_name", max_length=100), gender=gender, birth_date=birth_date,
                institution=check_text(institution, field="institution", max_length=200), region=region,
                province=province, full_time=bool(full_time), field=field, coauthors=coauthors, answers=clean_answers,
                eligibility=[r.as_json() for r in results], status=ApplicationStatus.IN_REVIEW,
                current_round=first_round, submitted_at=now,
            )
            for referee in clean_referees:
                token, digest = token_new()
                tokens.append((Referee.objects.create(application=application, token_hash=digest, link_sent_at=now, **referee), token))
            audit_record(actor=applicant, action="grant_application.submit", target=application,
                         data={"call": call.public_id, "route": route, "referees": len(tokens)})
            transaction.on_commit(lambda: [_mail_referee(referee, token) for referee, token in tokens])
    except IntegrityError:
        if Application.objects.filter(call=call, applicant=applicant).exists():
            raise Conflict("you have already applied to this call", code="duplicate_application") from None
        raise
    logger.info("grant_application_submit call=%s application=%s route=%s", call.public_id, application.public_id, route)
    return application


def _mail_referee(referee: Referee, token: str) -> None:
    application = referee.application
    call = application.call
    send_mail(
        subject=f"Commonweal: 推荐信邀请 / reference letter for {application.full_name}: {call.title_zh}",
        message=(
            f"{referee.name}：\n{application.full_name} 申请“{call.title_zh}”，请您作为推荐人上传推荐信（PDF 或图片）。"
            f"这是您的专用链接，无需注册，请勿转发：\n"
            f"{application.full_name} applied to \"{call.title_en or call.title_zh}\" and named you as a referee. "
            f"Please upload your letter (PDF or image) through this private link; no account is needed. Do not forward it.\n\n"
            f"{link_for('grants-referee', token)}\n"
        ),
        from_email=None, recipient_list=[referee.email],
    )


def referee_link_resend(*, referee: Referee, actor, now: dt.datetime | None = None) -> Referee:
    """Email the referee a new private link while their letter is awaited; the old link stops
    working (a lost email may have reached someone else). ``actor`` is the applicant or a program
    manager (the caller checked it with ``access_application_by_public_id``)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = Referee.objects.select_for_update(of=("self",)).select_related("application__call").get(pk=referee.pk)
        if locked.application.status != ApplicationStatus.IN_REVIEW:
            raise Conflict("the application is no longer in review", code="application_closed")
        if locked.has_letter:
            raise Conflict("this referee's letter was already received", code="letter_received")
        if locked.link_sent_at is not None and now < locked.link_sent_at + RESEND_INTERVAL:
            again = timezone.localtime(locked.link_sent_at + RESEND_INTERVAL)
            raise Conflict(f"the link was sent at {timezone.localtime(locked.link_sent_at):%H:%M}; it can be sent again from {again:%H:%M}",
                           code="link_sent_recently")
        token, locked.token_hash = token_new()
        locked.link_sent_at = now
        locked.save(update_fields=["token_hash", "link_sent_at"])
        audit_record(actor=actor, action="grant_referee.link_resend", target=locked, data={"application": locked.application.public_id})
        transaction.on_commit(lambda: _mail_referee(locked, token))
    return locked


def referee_letter_upload(*, referee: Referee, upload, now: dt.datetime | None = None) -> Referee:
    """Store the referee's letter privately (replacing an earlier one) while the application is in review."""
    now = now or timezone.now()
    clean = evidence_clean(evidence_read(upload))
    storage = Referee._meta.get_field("letter").storage
    new_name = None
    try:
        with transaction.atomic(durable=True):
            locked = Referee.objects.select_for_update(of=("self",)).select_related("application").get(pk=referee.pk)
            if locked.application.status != ApplicationStatus.IN_REVIEW:
                raise Conflict("the application is no longer in review", code="application_closed")
            old_name = locked.letter.name if locked.letter else ""
            locked.letter.save(
                f"{locked.application.public_id}/{locked.public_id}-{clean.sha256[:12]}.{clean.extension}",
                ContentFile(clean.data), save=False,
            )
            new_name = locked.letter.name
            locked.letter_content_type = clean.content_type
            locked.letter_sha256 = clean.sha256
            locked.letter_uploaded_at = now
            locked.save(update_fields=["letter", "letter_content_type", "letter_sha256", "letter_uploaded_at"])
            audit_record(actor=None, action="grant_referee.letter_upload", target=locked,
                         data={"application": locked.application.public_id, "sha256": clean.sha256, "replaced": bool(old_name)})
            if old_name and old_name != new_name:
                transaction.on_commit(lambda: storage.delete(old_name))
    except BaseException:
        if new_name:
            storage.delete(new_name)
        raise
    return locked
