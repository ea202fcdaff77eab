"""Disclosure: reporting on the Charity Law's clock.

The reports themselves are ``projects.ProjectUpdate`` rows (with their photos and figures),
written by ``disclosure.services.reporting.report_publish``. Here: who receives new reports by
email (:class:`Follow`) and which deadline reminders were already sent (:class:`ReminderSent`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from commonweal.projects.models import Project

__all__ = ["FollowSource", "Follow", "ReminderStep", "ReminderSent"]


class FollowSource(models.TextChoices):
    FOLLOW = "follow", _("Followed the project")
    DONATION = "donation", _("Gave to the project")


class Follow(models.Model):
    """One recipient of a project's new reports: a signed-in user, or an email address.

    Donors who gave while signed in get a row (``source=donation``) when the first report after
    their gift is sent, so that they, too, have a token to unsubscribe with. Unsubscribing keeps
    the row, with ``unsubscribed_at`` set, so a donor's later gift does not subscribe them again.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="follows")
    email = models.EmailField(blank=True)
    """For followers without an account (kept for a later double opt-in); empty for users."""
    token = models.CharField(max_length=64, unique=True)
    """Secret of the one-click unsubscribe link (``/unsubscribe/<token>/``)."""
    source = models.CharField(max_length=16, choices=FollowSource.choices, default=FollowSource.FOLLOW)
    created_at = models.DateTimeField(auto_now_add=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(email="")) | (Q(user__isnull=True) & ~Q(email="")),
                name="follow_user_or_email",
            ),
            models.UniqueConstraint(fields=["project", "user"], condition=Q(user__isnull=False), name="follow_unique_user"),
            models.UniqueConstraint(fields=["project", "email"], condition=~Q(email=""), name="follow_unique_email"),
        ]

    @property
    def active(self) -> bool:
        return self.unsubscribed_at is None


class ReminderStep(models.TextChoices):
    """When a reminder goes out: before the due date, then weekly once overdue."""

    BEFORE = "before", _("Before the due date")
    OVERDUE = "overdue", _("Overdue")


class ReminderSent(models.Model):
    """A deadline reminder already emailed to the organization's staff: at most one per project,
    duty, due date and step (``overdue`` steps are numbered by week: 0 the day after the due
    date, 1 a week later, ...)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders_sent")
    duty = models.CharField(max_length=16)
    """``disclosure.compliance.Duty`` value: receipts, final or progress."""
    due_on = models.DateField()
    step = models.CharField(max_length=16, choices=ReminderStep.choices)
    week = models.PositiveSmallIntegerField(default=0)
    """For ``overdue``: whole weeks past the day after the due date; 0 for ``before``."""
    sent_on = models.DateField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "duty", "due_on", "step", "week"], name="reminder_sent_once"),
            models.CheckConstraint(condition=Q(duty__in=["receipts", "final", "progress"]), name="reminder_duty_known"),
        ]
