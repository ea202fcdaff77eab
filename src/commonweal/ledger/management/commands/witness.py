"""``commonweal witness``: run a minimal c2sp.org/tlog-witness (docs/ledger.md, "Witnesses").

    commonweal witness --listen 127.0.0.1:7380 --key witness.key --log-vkey VKEY --state DIR
    commonweal witness --generate-key witness.key --name witness.example.org

No database is used: the witness keeps its state in DIR.
"""

import os
import re
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commonweal.ledger.witness import Witness, serve_witness
from commonweal.tlog import (
    NoteError,
    format_cosigner_key,
    generate_cosigner_key,
    parse_cosigner_signer_key,
    parse_verifier_key,
)

_LISTEN = re.compile(r"(?P<host>[^\s:]+|\[[0-9a-fA-F:]+\]):(?P<port>[0-9]{1,5})")


class Command(BaseCommand):
    help = "Run a c2sp.org/tlog-witness that cosigns checkpoints of the given logs, or generate its key."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--listen", metavar="HOST:PORT", help="address to serve POST /add-checkpoint on")
        parser.add_argument("--key", metavar="FILE", help="the witness's signer key file")
        parser.add_argument(
            "--log-vkey", action="append", default=[], metavar="VKEY",
            help="verifier key of a log to witness; its name is the log's origin (repeatable)",
        )
        parser.add_argument("--state", metavar="DIR", help="directory for the last cosigned checkpoint of each log")
        parser.add_argument("--generate-key", metavar="FILE", help="write a new witness signer key to FILE and exit")
        parser.add_argument("--name", help="the witness's name, with --generate-key (e.g. witness.example.org)")

    def handle(self, *args, listen, key, log_vkey, state, generate_key, name, **options):
        if generate_key:
            self._generate(Path(generate_key), name)
            return
        if not (listen and key and log_vkey and state):
            raise CommandError("give --listen, --key, --log-vkey and --state (or --generate-key FILE --name NAME)", returncode=2)
        match = _LISTEN.fullmatch(listen)
        if not match or int(match["port"]) > 65535:
            raise CommandError(f"--listen must be HOST:PORT, got {listen!r}", returncode=2)
        try:
            signer = parse_cosigner_signer_key(Path(key).read_text(encoding="utf-8").strip())
        except OSError as exc:
            raise CommandError(f"cannot read {key}: {exc.strerror}", returncode=2) from None
        except NoteError as exc:
            raise CommandError(f"{key} is not a witness signer key: {exc}", returncode=2) from None
        try:
            logs = [parse_verifier_key(v.strip()) for v in log_vkey]
        except NoteError as exc:
            raise CommandError(f"malformed --log-vkey: {exc}", returncode=2) from None
        witness = Witness(signer=signer, log_keys=logs, state_dir=Path(state))
        server = serve_witness(witness, (match["host"].strip("[]"), int(match["port"])))
        host, port = server.server_address[:2]
        self.stdout.write(f"witness {format_cosigner_key(signer.verifier())}")
        self.stdout.write(f"witnessing {', '.join(sorted(witness.logs))}")
        self.stdout.write(f"listening on http://{host}:{port}/add-checkpoint")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()

    def _generate(self, path: Path, name: str | None) -> None:
        if not name:
            raise CommandError("--generate-key needs --name", returncode=2)
        try:
            skey, vkey = generate_cosigner_key(name)
        except NoteError as exc:
            raise CommandError(f"invalid witness name: {exc}", returncode=2) from None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise CommandError(f"{path} exists; not overwriting a key", returncode=2) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(skey + "\n")
        self.stdout.write(vkey)
