"""Reporting use cases: publish a report, keep the clock, remind staff, tell followers.

- :func:`report_publish` writes a ``projects.ProjectUpdate`` (progress report, final report or
  donations received) with its figures and photos, in one transaction with its audit row and
  the project's stored next deadline; followers are emailed after commit, by a task.
- :func:`reminders_send` is the daily job: it refreshes every project's stored deadline and
  emails the organization's administrators and editors before a deadline and, once it has
  passed, the day after and then weekly; a :class:`ReminderSent` row per (project, duty, due
  date, step) makes every reminder go out once, however often the job runs.
- :func:`report_send_to_followers` emails a new report to its project's followers and to the
  signed-in donors who gave to it, each with a one-click unsubscribe link (RFC 8058).
- :func:`follow_start`, :func:`follow_stop`, :func:`follow_unsubscribe`: who receives reports.

The reports are stored by ``projects`` but written here, because only ``disclosure`` knows the
clock and the followers (as ``giving.services.credentials_set`` writes ``orgs`` credentials).
"""

import datetime as dt
import io
import logging
import re
import secrets
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from PIL import Image

from commonweal.core.audit import audit_record
from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.identifiers import new_public_id
from commonweal.core.timeutil import shanghai_date
from commonweal.disclosure.compliance import Deadline, Duty, deadlines
from commonweal.disclosure.evidence import EvidenceRejected, evidence_clean, evidence_read
from commonweal.disclosure.models import EvidenceType, Follow, FollowSource, ReminderSent, ReminderStep
from commonweal.disclosure.selectors.reporting import (
    CLOCK_STATUSES,
    clocks_of,
    follow_by_token,
    project_clock_facts,
    project_under_clock,
)
from commonweal.giving.models import Donation
from commonweal.orgs.models import Membership, Role
from commonweal.orgs.permissions import member_role
from commonweal.projects.models import Project, ProjectStatus, ProjectUpdate, ProjectUpdatePhoto, ReportKind
from commonweal.projects.permissions import project_is_public

__all__ = [
    "TITLE_MAX",
    "BODY_MAX",
    "MAX_FIGURES",
    "MAX_PHOTOS",
    "REMINDER_LEAD_DAYS",
    "STAFF_ROLES",
    "report_publish",
    "clock_store",
    "reminder_step",
    "reminders_send",
    "report_send_to_followers",
    "follow_start",
    "follow_stop",
    "follow_unsubscribe",
]

logger = logging.getLogger("commonweal.disclosure")

TITLE_MAX = 120
BODY_MAX = 20_000
MAX_FIGURES = 20
"""Figures per report."""
MAX_PHOTOS = 9
"""Photos per report."""
FIGURE_LABEL_MAX = 80
FIGURE_UNIT_MAX = 16
_FIGURE_VALUE = re.compile(r"(?:0|[1-9][0-9]{0,14})(?:\.[0-9]{1,4})?")
"""A figure's value: a plain decimal number (ASCII digits, at most 4 decimals), kept as text."""

REMINDER_LEAD_DAYS: dict[Duty, int] = {Duty.PROGRESS: 7, Duty.FINAL: 7, Duty.RECEIPTS: 2}
"""Staff are reminded this many days before a due date (receipts come every five days)."""
OVERDUE_REMINDER_EVERY_DAYS = 7
STAFF_ROLES = (Role.ADMIN, Role.EDITOR)
"""Who is reminded of deadlines and may publish reports."""


# --- publishing ----------------------------------------------------------------------------

def _figures_clean(figures: Iterable[dict]) -> list[dict]:
    figures = list(figures)
    if len(figures) > MAX_FIGURES:
        raise InvalidInput(f"a report has at most {MAX_FIGURES} figures, got {len(figures)}", code="too_many_figures", field="figures")
    cleaned = []
    for number, figure in enumerate(figures, start=1):
        label = str(figure.get("label", "")).strip()
        value = str(figure.get("value", "")).strip()
        unit = str(figure.get("unit", "")).strip()
        if not label or len(label) > FIGURE_LABEL_MAX:
            raise InvalidInput(
                f"figure {number} needs a name of 1 to {FIGURE_LABEL_MAX} characters, got {len(label)}",
                code="figure_label", field="figures",
            )
        if not _FIGURE_VALUE.fullmatch(value):
            raise InvalidInput(
                f"figure {number} must be a number such as 1200 or 3.5, got {value!r}", code="figure_value", field="figures"
            )
        if len(unit) > FIGURE_UNIT_MAX:
            raise InvalidInput(
                f"figure {number} has a unit of at most {FIGURE_UNIT_MAX} characters, got {len(unit)}",
                code="figure_unit", field="figures",
            )
        cleaned.append({"label": label, "value": value, "unit": unit})
    return cleaned


def _photo_clean(upload) -> tuple[bytes, str, int, int]:
    """A photo checked by content by ``disclosure.evidence`` (metadata removed): bytes, file
    extension, width, height. PDFs are evidence, not photos."""
    try:
        clean = evidence_clean(evidence_read(upload))
    except EvidenceRejected as exc:
        exc.field = "photos"
        raise
    if clean.content_type == EvidenceType.PDF:
        raise InvalidInput("report photos must be JPEG, PNG or WebP images, got a PDF", code="photo_not_image", field="photos")
    with Image.open(io.BytesIO(clean.data)) as image:
        width, height = image.size
    return clean.data, clean.extension, width, height


def report_publish(
    *,
    project: Project,
    actor,
    title: str,
    body: str,
    kind: str = ReportKind.PROGRESS,
    figures: Iterable[dict] = (),
    photos: Sequence = (),
    photo_descriptions: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> ProjectUpdate:
    """An administrator or editor publishes a report on a public project.

    ``figures``: ``{"label", "value", "unit"}`` dicts toward the project's indicators.
    ``photos``: uploaded files, checked by content and stored without metadata;
    ``photo_descriptions`` gives each its text alternative, in order.
    """
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise InvalidInput("an update needs a title and text", field="title" if not title else "body")
    if len(title) > TITLE_MAX:
        raise InvalidInput(f"a report's title has at most {TITLE_MAX} characters, got {len(title)}", field="title")
    if len(body) > BODY_MAX:
        raise InvalidInput(f"a report's text has at most {BODY_MAX:,} characters, got {len(body):,}", field="body")
    if kind not in ReportKind.values:
        raise InvalidInput(f"kind must be one of {', '.join(ReportKind.values)}, got {kind!r}", field="kind")
    clean_figures = _figures_clean(figures)
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(f"a report has at most {MAX_PHOTOS} photos, got {len(photos)}", code="too_many_photos", field="photos")
    clean_photos = [_photo_clean(upload) for upload in photos]  # the slow part, before any lock
    descriptions = [(text or "").strip()[:200] for text in photo_descriptions]
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        project = Project.objects.select_for_update(of=("self",)).select_related("org").get(pk=project.pk)
        if member_role(actor, project.org) not in STAFF_ROLES:
            raise NotFound(f"no project {project.public_id!r} in your console")
        if not project_under_clock(project):
            raise Conflict("updates are published on public projects", code="project_not_public")
        if kind == ReportKind.FINAL and project.status == ProjectStatus.FUNDRAISING:
            raise Conflict("a final report is published once fundraising has ended", code="final_while_fundraising", field="kind")
        update = ProjectUpdate.objects.create(
            project=project, kind=kind, title=title, body=body, figures=clean_figures, published_at=now, author=actor
        )
        for position, (data, extension, width, height) in enumerate(clean_photos):
            photo = ProjectUpdatePhoto(
                update=update, position=position, width=width, height=height,
                description=descriptions[position] if position < len(descriptions) else "",
            )
            photo.image.save(f"{new_public_id()}.{extension}", ContentFile(data), save=True)
        audit_record(
            actor=actor, action="project.publish_update", target=project,
            data={"update": update.public_id, "kind": kind, "photos": len(clean_photos), "figures": len(clean_figures)},
        )
        clock_store(project=project, today=shanghai_date(now))
        transaction.on_commit(lambda: _enqueue_report_notice(update.public_id))
    logger.info("report_published project=%s update=%s kind=%s", project.public_id, update.public_id, kind)
    return update


def _enqueue_report_notice(update_public_id: str) -> None:
    from commonweal.disclosure.tasks import report_notify  # tasks import this module

    report_notify.enqueue(update_public_id=update_public_id)


def clock_store(*, project: Project, today: dt.date) -> dt.date | None:
    """Store the project's next due date (``Project.report_due_on``) from its facts now."""
    with transaction.atomic(savepoint=False):
        facts = project_clock_facts(project)
        found = deadlines(facts, today=today) if facts is not None else ()
        due_on = found[0].due_on if found else None
        if project.report_due_on != due_on:
            Project.objects.filter(pk=project.pk).update(report_due_on=due_on)
            project.report_due_on = due_on
    return due_on


# --- reminders -----------------------------------------------------------------------------

def reminder_step(deadline: Deadline) -> tuple[str, int] | None:
    """Which reminder ``deadline`` calls for today: ``("before", 0)`` within the lead days,
    ``("overdue", week)`` once overdue (week 0 from the day after the due date), else None."""
    if 0 <= deadline.days_left <= REMINDER_LEAD_DAYS[deadline.duty]:
        return ReminderStep.BEFORE, 0
    if deadline.days_left < 0:
        return ReminderStep.OVERDUE, (-deadline.days_left - 1) // OVERDUE_REMINDER_EVERY_DAYS
    return None


def _staff_emails(project: Project) -> list[str]:
    rows = Membership.objects.filter(org_id=project.org_id, role__in=STAFF_ROLES, user__is_active=True).exclude(user__email="")
    return sorted(set(rows.values_list("user__email", flat=True)))


def reminders_send(*, today: dt.date) -> dict[str, int]:
    """The daily job: store each project's next due date and send the reminders due today.

    Idempotent: a reminder already recorded in :class:`ReminderSent` is not sent again, and
    the unique constraint settles two runs racing. Returns counts for the log.
    """
    outcome = {"projects": 0, "stored": 0, "sent": 0, "already_sent": 0}
    for project, found in list(clocks_of(today=today)):
        outcome["projects"] += 1
        due_on = found[0].due_on if found else None
        if project.report_due_on != due_on:
            # Compare-and-set: a report published meanwhile stored a fresher date; keep it.
            outcome["stored"] += Project.objects.filter(pk=project.pk, report_due_on=project.report_due_on).update(report_due_on=due_on)
        for deadline in found:
            step = reminder_step(deadline)
            if step is None:
                continue
            if _reminder_send(project=project, deadline=deadline, step=step, today=today):
                outcome["sent"] += 1
            else:
                outcome["already_sent"] += 1
    # Projects that left the clock (a draft closed, say) keep no due date.
    outcome["stored"] += _clear_due_dates_off_the_clock()
    logger.info("reminders_sent today=%s %s", today.isoformat(), " ".join(f"{k}={v}" for k, v in outcome.items()))
    return outcome


def _clear_due_dates_off_the_clock() -> int:
    with_date = Project.objects.filter(report_due_on__isnull=False)
    off = with_date.exclude(status__in=CLOCK_STATUSES) | with_date.filter(status=ProjectStatus.CLOSED, raised_fen=0)
    return off.update(report_due_on=None)


def _reminder_send(*, project: Project, deadline: Deadline, step: tuple[str, int], today: dt.date) -> bool:
    """Record and send one reminder; False if it was already sent."""
    name, week = step
    key = {"project": project, "duty": deadline.duty.value, "due_on": deadline.due_on, "step": name, "week": week}
    if ReminderSent.objects.filter(**key).exists():
        return False
    recipients = _staff_emails(project)
    try:
        with transaction.atomic(durable=True):
            ReminderSent.objects.create(**key, sent_on=today, recipients=len(recipients))
            if recipients:
                transaction.on_commit(lambda: _reminder_email(project, deadline, name, recipients).send())
    except IntegrityError:
        return False
    logger.info(
        "reminder_sent project=%s duty=%s due_on=%s step=%s week=%s recipients=%s",
        project.public_id, deadline.duty.value, deadline.due_on.isoformat(), name, week, len(recipients),
    )
    return True


def _site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _both_languages(render) -> tuple[str, str]:
    """``render()`` in Chinese, then in English, as one subject and one body."""
    subjects, bodies = [], []
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            subject, body = render()
            subjects.append(subject)
            bodies.append(body.strip())
    return " / ".join(subjects), "\n\n— — —\n\n".join(bodies) + "\n"


def _reminder_email(project: Project, deadline: Deadline, step: str, recipients: list[str]) -> EmailMessage:
    console = _site_url(reverse("console-project", kwargs={"org": project.org.public_id, "project": project.public_id}))
    context = {"project": project, "deadline": deadline, "overdue": step == ReminderStep.OVERDUE, "console_url": console}

    def render():
        title = project.title(translation.get_language())
        if step == ReminderStep.OVERDUE:
            subject = gettext("Overdue: report for “%(title)s” was due on %(day)s")
        else:
            subject = gettext("Reminder: report for “%(title)s” due on %(day)s")
        subject = subject % {"title": title, "day": deadline.due_on.isoformat()}
        return subject, render_to_string("disclosure/reporting/email/reminder.txt", {**context, "title": title})

    subject, body = _both_languages(render)
    return EmailMessage(subject=subject, body=body, to=recipients)


# --- followers -----------------------------------------------------------------------------

def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _follow_donors(project: Project) -> None:
    """Give every signed-in donor with an email address a follow row, unless they have one."""
    donors = set(
        Donation.objects.filter(project=project, donor__isnull=False, donor__is_active=True)
        .exclude(donor__email="")
        .values_list("donor_id", flat=True)
    )
    donors -= set(Follow.objects.filter(project=project, user_id__in=donors).values_list("user_id", flat=True))
    Follow.objects.bulk_create(
        [Follow(project=project, user_id=user_id, token=_new_token(), source=FollowSource.DONATION) for user_id in sorted(donors)],
        ignore_conflicts=True,
    )


def _report_email(update: ProjectUpdate, follow: Follow, address: str) -> EmailMessage:
    project = update.project
    unsubscribe = _site_url(reverse("unsubscribe", args=[follow.token]))
    page = _site_url(reverse("project-detail", args=[project.public_id])) + f"#report-{update.public_id}"
    context = {"update": update, "project": project, "page_url": page, "unsubscribe_url": unsubscribe,
               "as_donor": follow.source == FollowSource.DONATION}

    def render():
        title = project.title(translation.get_language())
        subject = gettext("New report from “%(title)s”: %(report)s") % {"title": title, "report": update.title}
        return subject, render_to_string("disclosure/reporting/email/report.txt", {**context, "title": title})

    subject, body = _both_languages(render)
    return EmailMessage(
        subject=subject, body=body, to=[address],
        headers={
            # RFC 2369 and RFC 8058: mail clients offer "unsubscribe" and POST to the link.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def report_send_to_followers(*, update: ProjectUpdate) -> int:
    """Email ``update`` to every active follower of its project (donors included); the count sent."""
    project = update.project
    _follow_donors(project)
    follows = Follow.objects.filter(project=project, unsubscribed_at__isnull=True).select_related("user").order_by("pk")
    messages = []
    for follow in follows:
        if follow.user_id is not None:
            address = follow.user.email if follow.user.is_active else ""
        else:
            address = follow.email
        if address:
            messages.append(_report_email(update, follow, address))
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    logger.info("report_mailed update=%s recipients=%s", update.public_id, len(messages))
    return len(messages)


def follow_start(*, project: Project, user) -> Follow:
    """A signed-in user follows a public project (again, if they had unsubscribed)."""
    if not getattr(user, "is_authenticated", False):
        raise InvalidInput("sign in to follow a project", code="login_required")
    if not user.email:
        raise InvalidInput("your account needs an email address to receive reports", code="email_missing")
    with transaction.atomic(durable=True):
        if not project_is_public(project):
            raise NotFound(f"no project {project.public_id!r}")
        follow, created = Follow.objects.select_for_update().get_or_create(
            project=project, user=user, defaults={"token": _new_token(), "source": FollowSource.FOLLOW}
        )
        if not created and not follow.active:
            follow.unsubscribed_at = None
            follow.source = FollowSource.FOLLOW
            follow.save(update_fields=["unsubscribed_at", "source"])
    return follow


def follow_stop(*, project: Project, user) -> Follow:
    """A signed-in user stops receiving a project's reports (also as a donor)."""
    if not getattr(user, "is_authenticated", False):
        raise InvalidInput("sign in to follow a project", code="login_required")
    with transaction.atomic(durable=True):
        follow, _created = Follow.objects.select_for_update().get_or_create(
            project=project, user=user,
            defaults={"token": _new_token(), "source": FollowSource.FOLLOW, "unsubscribed_at": timezone.now()},
        )
        if follow.active:
            follow.unsubscribed_at = timezone.now()
            follow.save(update_fields=["unsubscribed_at"])
    return follow


def follow_unsubscribe(*, token: str) -> Follow:
    """The one-click unsubscribe: the follow the token names stops; nothing else changes."""
    follow = follow_by_token(token)
    if follow is None:
        raise NotFound("no subscription for this link")
    with transaction.atomic(durable=True):
        updated = Follow.objects.filter(pk=follow.pk, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
    if updated:
        follow.refresh_from_db(fields=["unsubscribed_at"])
    return follow
