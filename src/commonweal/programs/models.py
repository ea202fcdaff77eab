"""The program office: funds and their portfolio, labs, stage gates and spun-off studios."""

from django.db import models  # noqa: F401
