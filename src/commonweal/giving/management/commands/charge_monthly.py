"""Charge due monthly plans now, or hand the self-renewing job to the task worker."""

from django.core.management.base import BaseCommand

from commonweal.giving.services import monthly_charge_due
from commonweal.giving.tasks import charge_monthly_plans


class Command(BaseCommand):
    help = "Charge due 月捐 monthly plans (or --enqueue the hourly job for `commonweal db_worker`)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="enqueue the self-renewing hourly task instead")

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = charge_monthly_plans.enqueue(reschedule=True)
            self.stdout.write(f"enqueued {result.id}")
            return
        outcome = monthly_charge_due()
        self.stdout.write(" ".join(f"{name}={count}" for name, count in outcome.items()))
