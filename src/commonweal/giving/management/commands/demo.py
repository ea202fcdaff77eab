"""`commonweal demo`: generate the demo dataset, or say it is already there."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commonweal.core.money import format_fen
from commonweal.demo import (
    DEFAULT_SEED,
    DEMO_PASSWORD,
    DemoInLog,
    DemoSize,
    demo_generate,
    demo_logins,
    demo_present,
    demo_wipe,
)

_DEFAULTS = DemoSize()


class Command(BaseCommand):
    help = (
        "Generate realistic demo data (organizations, projects, donations, refunds, monthly plans) "
        "in one transaction. Does nothing if the demo data is already present, unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        parser.add_argument("--orgs", type=int, default=_DEFAULTS.orgs, help=f"organizations (default {_DEFAULTS.orgs})")
        parser.add_argument("--projects", type=int, default=_DEFAULTS.projects,
                            help=f"projects (default {_DEFAULTS.projects})")
        parser.add_argument("--donations", type=int, default=_DEFAULTS.donations,
                            help=f"donations (default {_DEFAULTS.donations:,})")
        parser.add_argument("--force", action="store_true", help="delete the demo data first and generate it again")

    def handle(self, *args, seed: int, orgs: int, projects: int, donations: int, force: bool, **options):
        if orgs < 3 or projects < 8 or donations < 0:
            raise CommandError(f"need --orgs >= 3, --projects >= 8 and --donations >= 0, got {orgs}, {projects}, {donations}")
        try:
            if demo_present():
                if not force:
                    self.stdout.write("demo data already present (use --force to generate it again)")
                    self._logins(demo_logins())
                    return
                started = time.perf_counter()
                deleted = demo_wipe()
                self.stdout.write(f"deleted the demo data ({deleted:,} rows) in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            result = demo_generate(seed=seed, size=DemoSize(orgs=orgs, projects=projects, donations=donations))
        except DemoInLog as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        counts = result.counts
        self.stdout.write(
            f"demo data generated in {elapsed:.1f} s (seed {seed}): "
            f"{counts.get('orgs.Organization', 0):,} organizations, {counts.get('projects.Project', 0):,} projects, "
            f"{counts.get('giving.Donation', 0):,} donations ({format_fen(result.raised_fen)}), "
            f"{counts.get('giving.Refund', 0):,} refunds ({format_fen(result.refunded_fen)}), "
            f"{counts.get('giving.MonthlyPlan', 0):,} monthly plans, {counts.get('accounts.User', 0):,} users, "
            f"{counts.get('ledger.OutboxEntry', 0):,} ledger outbox entries"
        )
        self._logins(result.logins)

    def _logins(self, logins: tuple[tuple[str, str], ...]) -> None:
        width = max(len(email) for email, _ in logins)
        self.stdout.write(f"Sign in at {settings.SITE_URL}/accounts/login/ with password {DEMO_PASSWORD!r}:")
        for email, what in logins:
            self.stdout.write(f"  {email:<{width}}  {what}")
        self.stdout.write("Operators must set up a TOTP authenticator the first time they open /admin/.")
