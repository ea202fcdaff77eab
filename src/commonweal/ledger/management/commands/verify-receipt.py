"""``commonweal verify-receipt FILE --vkey VKEY``: check a donor's receipt offline (docs/ledger.md).

No model is imported and no database connection is opened: the command runs on a machine with no
database configured. Exit status 0 only if every check passes, 1 if one fails, 2 on bad usage.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commonweal.ledger.verify import MAX_COMMONWEAL_RECEIPT_SIZE, verify_commonweal_receipt
from commonweal.tlog import NoteError


class Command(BaseCommand):
    help = "Verify a Commonweal receipt offline: log signature, inclusion proof and donor commitment."
    requires_system_checks = []  # offline: nothing here depends on the project's configuration

    def add_arguments(self, parser):
        parser.add_argument("file", help="the receipt file (.commonweal-receipt), or - for standard input")
        parser.add_argument("--vkey", required=True, help="the log's verifier key, as served at /log/vkey")
        parser.add_argument("--origin", help="the log's origin line (default: the name of --vkey)")
        parser.add_argument(
            "--witness", action="append", default=[], metavar="VKEY",
            help="also require a cosignature by this witness key (repeatable)",
        )

    def handle(self, *args, file, vkey, origin, witness, **options):
        data = _read(file)
        try:
            result = verify_commonweal_receipt(data, vkey=vkey.strip(), origin=origin, witness_vkeys=witness)
        except NoteError as exc:
            raise CommandError(f"malformed key: {exc}", returncode=2) from None
        width = max(len(r.check.value) for r in result.checks)
        for r in result.checks:
            status = {True: "ok", False: "FAILED", None: "not checked"}[r.ok]
            detail = r.message.removeprefix("not checked: ")
            self.stdout.write(f"{r.check.value:<{width}}  {status}: {detail}")
        if not result.ok:
            failed = ", ".join(r.check.value for r in result.failures) or "incomplete"
            raise CommandError(f"the receipt does NOT verify ({failed})", returncode=1)
        self.stdout.write(f"the receipt verifies: entry {result.index} is in the log and belongs to this donor")


def _read(file: str) -> bytes:
    limit = MAX_COMMONWEAL_RECEIPT_SIZE + 1
    try:
        if file == "-":
            return sys.stdin.buffer.read(limit)
        with Path(file).open("rb") as fh:
            return fh.read(limit)
    except OSError as exc:
        raise CommandError(f"cannot read {file}: {exc.strerror}", returncode=2) from None
