"""Disclosure models, one module per concern: spending, reporting, complaints."""

from commonweal.disclosure.models.complaints import *  # noqa: F401,F403
from commonweal.disclosure.models.reporting import *  # noqa: F401,F403
from commonweal.disclosure.models.spending import *  # noqa: F401,F403
