"""Complaint use cases: anyone reports a project; an operator records the outcome.

- :func:`complaint_submit`: reason, details, an email address for the answer, and optionally one
  evidence file, checked by content (``disclosure.evidence``: JPEG, PNG, WebP or PDF, at most
  10 MB, image metadata removed) and stored privately. The response deadline is five working
  days after the day of receipt in Beijing time (``disclosure.workdays``).
- :func:`complaint_decide`: an operator records upheld, not upheld or needs more information,
  always with a note, along ``disclosure.complaints_lifecycle``. The reporter is emailed after
  commit, and the organization's scorecard is recomputed.

Signed-in reporters are remembered on the complaint; nobody else ever sees who complained.

Rate limits (:func:`complaint_limits`) stop anyone flooding an organization: each of the sender's
identities (account, email address, keyed hash of the network address) may send only so many
complaints in any hour, in any 24 hours, and about one project in any 24 hours. They are counted
in the database, inside the submitting transaction, because several worker processes serve the
form; on PostgreSQL an advisory lock per identity makes concurrent submissions take turns.
"""

import dataclasses
import datetime as dt
import hashlib
import logging
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound, RateLimited
from commonweal.core.privacy import fingerprint
from commonweal.core.timeutil import shanghai_date, to_shanghai
from commonweal.disclosure.complaints_lifecycle import COMPLAINT_TRANSITIONS, OUTCOMES
from commonweal.disclosure.evidence import evidence_clean, evidence_read
from commonweal.disclosure.models.complaints import (
    COMPLAINT_DETAILS_MAX_LENGTH,
    RESPONSE_WORKING_DAYS,
    Complaint,
    ComplaintReason,
    ComplaintStatus,
)
from commonweal.disclosure.workdays import add_working_days
from commonweal.projects.models import Project
from commonweal.projects.permissions import project_is_public

__all__ = [
    "ComplaintLimit",
    "complaint_limits",
    "complaint_holidays",
    "complaint_respond_by",
    "complaint_submit",
    "complaint_decide",
    "mailbox_key",
]

logger = logging.getLogger("commonweal.disclosure")


def _dates(name: str) -> frozenset[dt.date]:
    """ISO dates from ``settings.<name>`` (a list), else from the environment variable ``<name>``
    (comma-separated), else none."""
    values = getattr(settings, name, None)
    if values is None:
        values = [text for text in os.environ.get(name, "").split(",") if text.strip()]
    try:
        return frozenset(dt.date.fromisoformat(str(text).strip()) for text in values)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must list ISO dates such as 2026-10-01: {exc}") from None


def complaint_holidays() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """(public holidays, weekend days worked instead) from settings or the environment
    (``COMMONWEAL_HOLIDAYS``, ``COMMONWEAL_EXTRA_WORKDAYS``); both empty unless configured:
    holidays are not modelled by default (see ``disclosure.workdays``)."""
    return _dates("COMMONWEAL_HOLIDAYS"), _dates("COMMONWEAL_EXTRA_WORKDAYS")


def complaint_respond_by(received_on: dt.date) -> dt.date:
    """The last day to respond: five working days after ``received_on``."""
    holidays, workdays = complaint_holidays()
    return add_working_days(received_on, RESPONSE_WORKING_DAYS, holidays=holidays, workdays=workdays)


def _clean_email(text: str) -> str:
    email = (text or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"an email address is needed to send you the answer, got {email!r}",
                           code="invalid_email", field="reporter_email") from None
    return email


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintLimit:
    """At most ``most`` complaints from one identity of a sender within a sliding window."""

    name: str
    """Stable name, carried by :class:`RateLimited`."""
    most: int
    """Complaints allowed within the window."""
    window: dt.timedelta
    """How far back from the moment of submission complaints count."""
    wording: str
    """The window in an English sentence ("at most 5 complaints <wording>")."""
    per_project: bool = False
    """Count only complaints about the same project."""


def complaint_limits() -> tuple[ComplaintLimit, ...]:
    """The limits in force, from ``settings.COMPLAINTS_PER_HOUR``, ``COMPLAINTS_PER_DAY`` and
    ``COMPLAINTS_PER_PROJECT_PER_DAY``; a limit set to 0 is off."""
    limits = (
        ComplaintLimit(name="per_hour", most=settings.COMPLAINTS_PER_HOUR, window=dt.timedelta(hours=1),
                       wording="in an hour"),
        ComplaintLimit(name="per_day", most=settings.COMPLAINTS_PER_DAY, window=dt.timedelta(days=1),
                       wording="in 24 hours"),
        ComplaintLimit(name="per_project_per_day", most=settings.COMPLAINTS_PER_PROJECT_PER_DAY,
                       window=dt.timedelta(days=1), wording="about one project in 24 hours", per_project=True),
    )
    return tuple(limit for limit in limits if limit.most > 0)


_IDENTITY_WORDS = {"account": "account", "email": "email address", "address": "network address"}


# Providers that ignore dots in the local part: "a.li@gmail.com" reaches "ali@gmail.com".
_DOTLESS_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


def mailbox_key(email: str) -> str:
    """The mailbox an address delivers to, as the rate limits count it: lower case, without a
    "+tag" (Gmail, Outlook, iCloud, Fastmail and others deliver "ali+2@…" to "ali@…"), and
    without dots at Gmail. So one person cannot pass for many senders by varying the address."""
    local, _at, domain = email.strip().lower().rpartition("@")
    local = local.partition("+")[0] or local
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "") or local
        domain = "gmail.com"
    return f"{local}@{domain}"


def _sender_identities(*, reporter_id: int | None, mailbox: str, client_fingerprint: str) -> dict[str, tuple[str, Q]]:
    """Each identity of the sender: its kind, its value and the complaints it sent. Email
    addresses count by their mailbox (:func:`mailbox_key`, index ``complaint_mailbox_time``)."""
    identities = {"email": (mailbox, Q(reporter_mailbox=mailbox))}
    if reporter_id is not None:
        identities["account"] = (str(reporter_id), Q(reporter_id=reporter_id))
    if client_fingerprint:
        identities["address"] = (client_fingerprint, Q(client_fingerprint=client_fingerprint))
    return identities


def _take_turns(identities: dict[str, tuple[str, Q]]) -> None:
    """Make concurrent submissions by the same identity wait for each other, so that none slips
    past the count. SQLite already runs one write transaction at a time (IMMEDIATE); PostgreSQL
    takes transaction-level advisory locks, in a fixed order so that two senders cannot deadlock."""
    if connection.vendor != "postgresql":
        return
    keys = (f"complaint-limit:{kind}:{value}".encode() for kind, (value, _match) in identities.items())
    lock_ids = sorted(int.from_bytes(hashlib.sha256(key).digest()[:8], "big", signed=True) for key in keys)
    with connection.cursor() as cursor:
        for lock_id in lock_ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _next_minute(moment: dt.datetime) -> dt.datetime:
    """``moment`` rounded up to a whole minute, so "try again after 14:05" is never too early."""
    past = dt.timedelta(seconds=moment.second, microseconds=moment.microsecond)
    return moment - past + dt.timedelta(minutes=1) if past else moment


def _check_limits(*, project: Project, identities: dict[str, tuple[str, Q]], now: dt.datetime) -> None:
    """Raise :class:`RateLimited` if one more complaint would break a limit for any identity,
    naming the one that frees up last: only then may the sender try again."""
    limits = complaint_limits()
    if not limits:
        return
    longest = max(limit.window for limit in limits)

    def within(limit: ComplaintLimit) -> Q:
        return Q(received_at__gt=now - limit.window) & (Q(project=project) if limit.per_project else Q())

    refusals = []
    for identity, (_value, match) in identities.items():
        recent = Complaint.objects.filter(match, received_at__gt=now - longest, received_at__lte=now)
        counts = recent.aggregate(**{limit.name: Count("pk", filter=within(limit)) for limit in limits})
        for limit in limits:
            excess = counts[limit.name] - limit.most
            if excess >= 0:
                # One more fits once the oldest ``excess + 1`` of them have left the window.
                times = recent.filter(within(limit)).order_by("received_at").values_list("received_at", flat=True)
                refusals.append((_next_minute(times[excess] + limit.window), identity, limit))
    if refusals:
        retry_at, identity, limit = max(refusals, key=lambda refusal: refusal[0])
        logger.info("complaint_rate_limited project=%s limit=%s identity=%s", project.public_id, limit.name, identity)
        raise RateLimited(
            f"at most {limit.most} complaints {limit.wording} from one {_IDENTITY_WORDS[identity]}; "
            f"try again after {to_shanghai(retry_at):%Y-%m-%d %H:%M} Beijing time",
            limit=limit.name, identity=identity, most=limit.most, retry_at=retry_at,
        )


def complaint_submit(*, project: Project, reason: str, details: str, reporter_email: str = "", reporter=None,
                     evidence=None, client_address: str = "", now: dt.datetime | None = None) -> Complaint:
    """Anyone reports a public project. ``evidence`` is an uploaded file (or any binary file
    object) or None; ``client_address`` is the sender's network address (kept only as a keyed
    hash). Returns the complaint with its response deadline; raises :class:`RateLimited` when
    the sender already sent too many (:func:`complaint_limits`)."""
    now = now or timezone.now()
    if reason not in ComplaintReason.values:
        raise InvalidInput(f"reason must be one of {', '.join(ComplaintReason.values)}, got {reason!r}", field="reason")
    details = (details or "").strip()
    if not details:
        raise InvalidInput("please describe what is wrong", code="required", field="details")
    if len(details) > COMPLAINT_DETAILS_MAX_LENGTH:
        raise InvalidInput(f"details must be at most {COMPLAINT_DETAILS_MAX_LENGTH} characters, got {len(details)}",
                           field="details")
    signed_in = getattr(reporter, "is_authenticated", False)
    email = _clean_email(reporter_email or (reporter.email if signed_in else ""))
    client_fingerprint = fingerprint("address", client_address)
    mailbox = mailbox_key(email)
    identities = _sender_identities(reporter_id=reporter.pk if signed_in else None, mailbox=mailbox,
                                    client_fingerprint=client_fingerprint)
    clean = evidence_clean(evidence_read(evidence)) if evidence is not None else None
    received_on = shanghai_date(now)
    with transaction.atomic(durable=True):
        project = Project.objects.select_related("org").filter(pk=project.pk).first()
        if project is None or not project_is_public(project):
            raise NotFound("no such public project")
        _take_turns(identities)
        _check_limits(project=project, identities=identities, now=now)
        complaint = Complaint(
            project=project, org=project.org, reason=reason, details=details, reporter=reporter if signed_in else None,
            reporter_email=email, reporter_mailbox=mailbox, client_fingerprint=client_fingerprint,
            received_at=now, received_on=received_on, respond_by=complaint_respond_by(received_on),
        )
        if clean is not None:
            complaint.evidence_content_type = clean.content_type
            complaint.evidence_sha256 = clean.sha256
            complaint.evidence.save(
                f"{received_on:%Y/%m}/{complaint.public_id}.{clean.extension}", ContentFile(clean.data), save=False
            )
        complaint.save()
        audit_record(
            actor=reporter, action="complaint.submit", target=complaint,
            data={"project": project.public_id, "reason": reason, "evidence": clean is not None},
        )
        transaction.on_commit(lambda: _acknowledge(complaint))
    logger.info("complaint_received id=%s project=%s reason=%s respond_by=%s", complaint.public_id,
                project.public_id, reason, complaint.respond_by.isoformat())
    return complaint


def complaint_decide(*, complaint: Complaint, actor, outcome: str, note: str, now: dt.datetime | None = None) -> Complaint:
    """An operator records an outcome with a note for the reporter (audited, emailed on commit)."""
    now = now or timezone.now()
    if not getattr(actor, "is_operator", False):
        raise NotFound("operators only")
    if outcome not in OUTCOMES:
        raise InvalidInput(f"outcome must be one of {', '.join(OUTCOMES)}, got {outcome!r}", field="outcome")
    with transaction.atomic(durable=True):
        complaint = Complaint.objects.select_for_update(of=("self",)).select_related("project", "org").get(pk=complaint.pk)
        rule = COMPLAINT_TRANSITIONS.get((complaint.status, outcome))
        if rule is None:
            raise Conflict(f"a complaint cannot go from {complaint.status} to {outcome}", code="illegal_transition")
        if rule.note_required and not (note or "").strip():
            raise InvalidInput("a note for the reporter is required", code="required", field="reason")
        late = complaint.first_response_at is None and shanghai_date(now) > complaint.respond_by
        complaint.status = outcome
        complaint.outcome_note = note.strip()
        complaint.decided_at = now
        complaint.decided_by = actor
        complaint.first_response_at = complaint.first_response_at or now
        complaint.save(update_fields=["status", "outcome_note", "decided_at", "decided_by", "first_response_at"])
        audit_record(actor=actor, action=rule.action, target=complaint, reason=note.strip(),
                     data={"outcome": outcome, "late": late})
        transaction.on_commit(lambda: _tell_outcome(complaint))
        transaction.on_commit(lambda: _rescore(complaint.org.public_id))
    logger.info("complaint_decided id=%s outcome=%s late=%s", complaint.public_id, outcome, late)
    return complaint


def _rescore(org_public_id: str) -> None:
    from commonweal.disclosure.scorecard_tasks import recompute_scorecard

    recompute_scorecard.enqueue(org_public_id)


def _acknowledge(complaint: Complaint) -> None:
    """Tell the reporter the complaint arrived and when they will hear back (bilingual)."""
    day = complaint.respond_by.isoformat()
    send_mail(
        subject=f"Commonweal: 我们已收到您的投诉 / we received your complaint ({complaint.public_id})",
        message=(
            f"我们已收到您对项目“{complaint.project.title_zh}”的投诉，编号 {complaint.public_id}。\n"
            f"平台将在 {day} 前（五个工作日内）答复您。\n\n"
            f"We received your complaint about the project \"{complaint.project.title_zh}\", reference "
            f"{complaint.public_id}.\nThe platform will answer by {day} (within five working days).\n"
        ),
        from_email=None,
        recipient_list=[complaint.reporter_email],
    )


_OUTCOME_TEXT = {
    ComplaintStatus.UPHELD: ("成立", "upheld"),
    ComplaintStatus.NOT_UPHELD: ("不成立", "not upheld"),
    ComplaintStatus.NEEDS_INFORMATION: ("需要补充信息", "more information is needed"),
}


def _tell_outcome(complaint: Complaint) -> None:
    """Email the reporter the outcome and the operator's note (bilingual)."""
    zh, en = _OUTCOME_TEXT[complaint.status]
    reply = (
        f"如需补充信息，请在项目页面再次提交投诉并注明编号 {complaint.public_id}。\n"
        f"To add information, report the project again from its page and mention {complaint.public_id}.\n"
    ) if complaint.status == ComplaintStatus.NEEDS_INFORMATION else ""
    send_mail(
        subject=f"Commonweal: 投诉处理结果：{zh} / outcome of your complaint: {en} ({complaint.public_id})",
        message=(
            f"您对项目“{complaint.project.title_zh}”的投诉（编号 {complaint.public_id}）处理结果：{zh}。\n"
            f"Your complaint about \"{complaint.project.title_zh}\" ({complaint.public_id}): {en}.\n\n"
            f"{complaint.outcome_note}\n\n{reply}"
        ),
        from_email=None,
        recipient_list=[complaint.reporter_email],
    )
