"""``commonweal audit URL --vkey VKEY --state DIR``: audit a deployment's public log over HTTP.

Exit status 0 only if nothing is wrong; 1 if the audit found a problem (each printed as
``FAIL <where>: <reason>``); 2 if the deployment could not be fetched or the usage is wrong.
No database is used. docs/ledger.md, "commonweal audit".
"""

import base64
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commonweal.ledger.audit import AuditFetchError, HttpFetcher, audit_log, split_deployment_url
from commonweal.tlog import NoteError, parse_verifier_key

MAX_PRINTED = 100


class Command(BaseCommand):
    help = "Audit a Commonweal deployment's public log: signature, consistency, every entry and tile, money."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("url", help="the deployment (https://example.org), or its log (…/log)")
        parser.add_argument("--vkey", required=True, help="the log's verifier key (as served at /log/vkey)")
        parser.add_argument("--state", required=True, metavar="DIR", help="directory keeping the last audited checkpoint")
        parser.add_argument("--origin", help="the log's origin (default: the name of --vkey)")
        parser.add_argument("--no-totals", action="store_true", help="do not compare project totals with the platform")
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds per HTTP request (default 30)")

    def handle(self, *args, url, vkey, state, origin, no_totals, timeout, **options):
        try:
            key = parse_verifier_key(vkey.strip())
        except NoteError as exc:
            raise CommandError(f"malformed --vkey: {exc}", returncode=2) from None
        try:
            site_url, log_url = split_deployment_url(url)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        try:
            report = audit_log(
                site_url=site_url, log_url=log_url, vkey=key, state_dir=Path(state), origin=origin,
                fetch=HttpFetcher(timeout=timeout), check_totals=not no_totals,
            )
        except AuditFetchError as exc:
            raise CommandError(f"cannot fetch the log: {exc}", returncode=2) from None
        out = self.stdout.write
        if report.checkpoint is not None:
            cp = report.checkpoint
            out(f"checkpoint   {cp.origin}: {cp.size} entries, root {base64.b64encode(cp.root_hash).decode()}, "
                f"signed by {key.name}+{key.key_id:08x}")
        if report.previous is not None:
            out(f"previous     {report.previous.size} entries, kept by the last audit in {state}")
        out(f"entries      {report.entries} re-hashed, {report.tiles} tiles compared"
            + (f", {report.other_types} of other types" if report.other_types else ""))
        if not no_totals:
            out(f"projects     {len(report.projects)} checked against the platform's totals")
        for failure in report.failures[:MAX_PRINTED]:
            out(f"FAIL {failure}")
        if len(report.failures) > MAX_PRINTED:
            out(f"… and {len(report.failures) - MAX_PRINTED} more")
        if report.stored:
            out(f"kept this checkpoint in {state} for the next audit")
        if not report.ok:
            raise CommandError(f"audit FAILED: {len(report.failures)} problem(s)", returncode=1)
        out("audit passed")
