"""`commonweal sequencer`: the log sequencer worker (docs/ledger.md, "The sequencer").

Runs recovery, then integrates outbox rows and signs checkpoints until SIGTERM or SIGINT (the
current step finishes first). ``--once`` integrates what is waiting, signs it and exits;
``--check`` only runs the start-up checks. Exit status 2: the sequencer refused to sign, and
says why and how to recover.
"""

import signal
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commonweal.ledger.keys import KeyFileError, log_signer_load, verifier_key_of
from commonweal.ledger.sequencer import DEFAULT_BATCH, LogRefused, Sequencer
from commonweal.ledger.storage import tile_store


class Command(BaseCommand):
    help = "Run the public log's sequencer: outbox rows to log entries, tiles and signed checkpoints."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="integrate and sign what is waiting, then exit")
        parser.add_argument("--check", action="store_true", help="run the start-up checks only, then exit")
        parser.add_argument("--interval", type=float, default=0.25, help="seconds between polls of the outbox (0.25)")
        parser.add_argument("--batch", type=int, default=DEFAULT_BATCH, help=f"outbox rows per transaction ({DEFAULT_BATCH})")

    def handle(self, *args, once, check, interval, batch, **options):
        if interval <= 0 or batch < 1:
            raise CommandError("--interval must be positive and --batch at least 1")
        path = Path(settings.LOG_SIGNING_KEY_PATH)
        origin = settings.LOG_ORIGIN
        try:
            signer, created = log_signer_load(path=path, origin=origin, create_missing=not settings.PRODUCTION)
        except KeyFileError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if created:
            self.stderr.write(
                f"sequencer: created a development signing key at {path} (verifier key {verifier_key_of(signer)})"
            )
        store = tile_store()
        sequencer = Sequencer(signer=signer, origin=origin, store=store, batch_size=batch)
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        try:
            if check:
                state = sequencer.recover()
                self.stdout.write(f"sequencer: log {origin} is consistent: size {state.size}, signed {state.signed_size}")
                return
            self.stderr.write(f"sequencer: log {origin}, store {store!r}, key {path}")
            started = time.monotonic()
            sequencer.run(stop=stop, interval=interval, once=once, sleep=stop.wait if not once else time.sleep)
        except LogRefused as exc:
            raise CommandError(exc.report(), returncode=2) from None
        if once:
            self.stderr.write(f"sequencer: done in {time.monotonic() - started:.1f} s")
        else:
            self.stderr.write("sequencer: stopped")
