"""Prize and grant programs: calls, applications, referees, review rounds, awards and payments."""

from django.db import models  # noqa: F401
