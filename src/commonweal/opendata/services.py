"""Writes of the open-data app: recording a validation run."""

from django.db import transaction
from django.utils import timezone

from commonweal.opendata.models import Dataset, ValidationRun
from commonweal.opendata.validation import Report

__all__ = ["validation_run_record", "RUN_PROBLEMS_KEPT"]

RUN_PROBLEMS_KEPT = 50
"""Problems stored with a run (the page shows them; the command prints all it found)."""


def validation_run_record(*, report: Report) -> ValidationRun:
    """Store the outcome of checking one export, for the open-data page."""
    if report.dataset not in Dataset.values:
        raise ValueError(f"unknown dataset {report.dataset!r}")
    with transaction.atomic(durable=True):
        return ValidationRun.objects.create(
            dataset=report.dataset, checked_at=timezone.now(), records=report.checked, problem_count=report.problem_count,
            problems=[p.as_dict() for p in report.problems[:RUN_PROBLEMS_KEPT]],
        )
