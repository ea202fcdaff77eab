"""Release pending matches whose review window has closed now, or hand the self-renewing hourly
job to the task worker (docs/operations.md)."""

from django.core.management.base import BaseCommand

from commonweal.matching.services import matches_release_due
from commonweal.matching.tasks import release_matches


class Command(BaseCommand):
    help = "Release pending matches of campaigns whose review window has closed (or --enqueue the hourly job for `commonweal db_worker`)."

    def add_arguments(self, parser):
        parser.add_argument("--enqueue", action="store_true", help="enqueue the self-renewing hourly task instead")

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = release_matches.enqueue(reschedule=True)
            self.stdout.write(f"enqueued {result.id}")
            return
        self.stdout.write(f"released {matches_release_due()} match(es)")
