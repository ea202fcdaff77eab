"""`commonweal release_matches`: release the pending matches of campaigns whose review window has
closed (frozen ones stay frozen). Run it daily, like `charge_monthly` (docs/operations.md)."""

from django.core.management.base import BaseCommand

from commonweal.matching.services import matches_release_due


class Command(BaseCommand):
    help = "Release pending matches of campaigns whose review window has closed."

    def handle(self, *args, **options):
        self.stdout.write(f"released {matches_release_due()} match(es)")
