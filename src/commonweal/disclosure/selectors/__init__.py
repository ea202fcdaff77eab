"""Disclosure reads, one module per concern: spending, reporting, complaints."""

from commonweal.disclosure.selectors.spending import *  # noqa: F401,F403
