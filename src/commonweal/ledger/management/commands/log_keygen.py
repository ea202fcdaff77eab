"""`commonweal log_keygen`: create the public log's Ed25519 signing key (docs/ledger.md, "Keys").

Writes a signed-note signer key named after the log's origin to a file with mode 0600 and prints
only the verifier key. Refuses to replace an existing key file without ``--force``.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commonweal.ledger.keys import KeyFileError, log_key_generate


class Command(BaseCommand):
    help = "Create the log signing key file (mode 0600) and print its verifier key."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--path", help="key file (default: COMMONWEAL_LOG_KEY)")
        parser.add_argument("--origin", help="log origin, the key's name (default: COMMONWEAL_LOG_ORIGIN)")
        parser.add_argument("--force", action="store_true", help="replace an existing key file (key rotation)")

    def handle(self, *args, path, origin, force, **options):
        path = Path(path or settings.LOG_SIGNING_KEY_PATH)
        origin = origin or settings.LOG_ORIGIN
        try:
            vkey = log_key_generate(path=path, origin=origin, force=force)
        except KeyFileError as exc:
            raise CommandError(str(exc)) from None
        except ValueError as exc:  # a malformed origin (NoteError)
            raise CommandError(f"cannot make a key named {origin!r}: {exc}") from None
        self.stderr.write(f"log_keygen: wrote the signing key to {path} (mode 0600); keep a copy offline")
        self.stdout.write(vkey)
