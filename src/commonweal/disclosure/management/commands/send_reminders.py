"""Send today's reporting reminders now, or hand the self-renewing daily job to the task worker."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from commonweal.core.timeutil import shanghai_date
from commonweal.disclosure.services.reporting import reminders_send
from commonweal.disclosure.tasks import send_reminders


class Command(BaseCommand):
    help = "Email organization staff about disclosure deadlines (or --enqueue the daily job for `commonweal db_worker`)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="enqueue the self-renewing daily task instead")
        parser.add_argument("--today", help="the day to act for, YYYY-MM-DD (default: today in Shanghai)")

    def handle(self, *args, enqueue: bool, today: str | None, **options):
        if enqueue:
            result = send_reminders.enqueue(reschedule=True)
            self.stdout.write(f"enqueued {result.id}")
            return
        try:
            day = dt.date.fromisoformat(today) if today else shanghai_date(timezone.now())
        except ValueError:
            raise CommandError(f"--today must be a date such as 2025-03-31, got {today!r}") from None
        outcome = reminders_send(today=day)
        self.stdout.write(" ".join(f"{name}={count}" for name, count in outcome.items()))
