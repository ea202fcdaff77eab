"""Recompute organization scorecards now, or hand the nightly job to the task worker."""

from django.core.management.base import BaseCommand, CommandError

from commonweal.disclosure.scorecard_tasks import recompute_scorecards
from commonweal.disclosure.services.scorecard import scorecard_recompute, scorecards_recompute_all
from commonweal.orgs.models import Organization


class Command(BaseCommand):
    help = "Recompute organization scorecards (or --enqueue the nightly job for `commonweal db_worker`)."

    def add_arguments(self, parser):
        parser.add_argument("--org", help="only this organization (public id)")
        parser.add_argument("--enqueue", action="store_true", help="enqueue the self-renewing nightly task instead")

    def handle(self, *args, org: str | None, enqueue: bool, **options):
        if enqueue:
            result = recompute_scorecards.enqueue(reschedule=True)
            self.stdout.write(f"enqueued {result.id}")
            return
        if org:
            found = Organization.objects.filter(public_id=org).first()
            if found is None:
                raise CommandError(f"no organization {org!r}")
            card = scorecard_recompute(org=found)
            self.stdout.write(f"org={found.public_id} score={card.score if card.score is not None else '-'}")
            return
        self.stdout.write(f"recomputed={scorecards_recompute_all()}")
