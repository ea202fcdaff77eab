"""Disclosure write use cases, one module per concern: spending, reporting, complaints."""

from commonweal.disclosure.services.spending import *  # noqa: F401,F403
