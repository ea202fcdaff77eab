"""Open data: IATI 2.03, 360Giving and CSV exports, streamed and validated.

The exports themselves are computed on request from the other apps' tables; the only rows kept
here are the outcomes of validation runs, shown on ``/opendata/``.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Dataset(models.TextChoices):
    IATI = "iati", _("IATI activities")
    THREESIXTY = "360giving", _("360Giving grants")


class ValidationRun(models.Model):
    """One check of a whole export against its standard (``commonweal export ... --validate``)."""

    dataset = models.CharField(max_length=16, choices=Dataset.choices)
    checked_at = models.DateTimeField(db_index=True)
    records = models.PositiveIntegerField(help_text="records checked")
    problem_count = models.PositiveIntegerField()
    problems = models.JSONField(default=list, blank=True, help_text="the first problems: record, path, message, source")

    class Meta:
        ordering = ["-checked_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(dataset__in=Dataset.values), name="opendata_run_dataset_known")]

    @property
    def valid(self) -> bool:
        return self.problem_count == 0
