"""Open data: IATI 2.03, 360Giving and CSV exports, streamed and validated."""

from django.db import models  # noqa: F401
