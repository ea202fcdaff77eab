"""`commonweal export iati|360giving|csv`: write an open-data export, or check it.

    commonweal export iati --output iati.xml            # IATI 2.03 activities
    commonweal export iati --validate                   # check only: report, exit 1 when invalid
    commonweal export iati --validate --output iati.xml # both, in one pass
    commonweal export 360giving --output grants.json
    commonweal export csv --table donations --output donations.csv

``--output -`` (the default when not validating) writes to standard output. A validation run is
recorded for the open-data page unless ``--no-record`` is given.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from commonweal.opendata import selectors
from commonweal.opendata.csv import CSV_TABLES, write_csv
from commonweal.opendata.exports import iati_activities
from commonweal.opendata.iati import write_activities
from commonweal.opendata.services import validation_run_record
from commonweal.opendata.threesixty import threesixty_grants, write_package
from commonweal.opendata.validation import Report, activity_problems, checked, grant_problems


class Command(BaseCommand):
    help = "Export open data (IATI 2.03 XML, 360Giving JSON, CSV) and check it against the standards."

    def add_arguments(self, parser):
        parser.add_argument("dataset", choices=["iati", "360giving", "csv"])
        parser.add_argument("--output", help="file to write, or - for standard output")
        parser.add_argument("--validate", action="store_true", help="check every record; exit 1 if any is invalid")
        parser.add_argument("--no-record", action="store_true", help="do not store the validation run")
        parser.add_argument("--table", choices=sorted(CSV_TABLES), help="the CSV table (with csv)")
        parser.add_argument("--batch-size", type=int, default=selectors.DEFAULT_BATCH_SIZE)

    def handle(self, *args, dataset: str, output: str | None, validate: bool, no_record: bool, table: str | None,
               batch_size: int, **options):
        if batch_size < 1:
            raise CommandError(f"--batch-size must be at least 1, got {batch_size}")
        if dataset == "csv":
            if table is None:
                raise CommandError(f"csv needs --table, one of: {', '.join(sorted(CSV_TABLES))}")
            if validate:
                raise CommandError("--validate applies to iati and 360giving")
            self._write(write_csv(CSV_TABLES[table]), output or "-")
            return
        report = Report(dataset=dataset)
        if dataset == "iati":
            records = iati_activities(batch_size=batch_size)
            if validate:
                records = checked(records, report, activity_problems)
            chunks = write_activities(records)
        else:
            records = threesixty_grants(batch_size=batch_size)
            if validate:
                records = checked(records, report, grant_problems)
            chunks = write_package(records)
        if output is None and validate:
            for _ in chunks:  # check only: build and serialize every record, write nothing
                pass
        else:
            self._write(chunks, output or "-")
        if not validate:
            return
        if not no_record:
            validation_run_record(report=report)
        to = self.stderr if output == "-" else self.stdout  # never mixed into data on standard output
        for line in report.lines():
            to.write(line)
        if not report.valid:
            raise CommandError(f"{dataset}: {report.problem_count} problems in {report.checked} records", returncode=1)

    def _write(self, chunks, output: str) -> None:
        if output == "-":
            stream = getattr(self.stdout, "_out", sys.stdout)
            binary = getattr(stream, "buffer", None)
            for chunk in chunks:
                if binary is not None:
                    binary.write(chunk)
                else:
                    stream.write(chunk.decode("utf-8"))
            stream.flush()
            return
        with open(output, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
