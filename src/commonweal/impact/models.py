"""Impact: indicators, targets and results, SROI worksheets."""

from django.db import models  # noqa: F401
