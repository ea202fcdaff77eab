"""Extension points for the apps above ``giving`` (matching): giving calls them, never imports them.

- ``DONATION_CONFIRMED``: called with the list of newly confirmed donations (one, or a batch from
  ``giving.intake``) inside ``donations_confirm``'s transaction once the donations, the intents
  and the ``donation`` outbox rows are written, before the projects' totals are updated
  (so the project row, the hottest lock, is taken last and held only until commit). Raising
  rolls the whole confirmation back.
- ``REFUND_RECORDED``: called inside ``refund_create``'s transaction with the refund and the
  donation's refunded total after it.
- ``ATTRIBUTION_CHECKS``: called by ``intent_create`` with the project and a non-empty
  attribution (e.g. ``team:<public id>``); raises ``InvalidInput`` if it names nothing valid there.
- ``PROJECT_PANELS``: like ``DONATE_PANELS``, shown beside a project's page (e.g. its campaign
  and team pages).
- ``DONATE_PANELS``: each returns HTML (already escaped) to show on the donation form of a project,
  or "" (for example the expected match during a campaign).

An app appends its functions in its ``AppConfig.ready``.
"""

from collections.abc import Callable

DONATION_CONFIRMED: list[Callable] = []
REFUND_RECORDED: list[Callable] = []
ATTRIBUTION_CHECKS: list[Callable] = []
DONATE_PANELS: list[Callable] = []
PROJECT_PANELS: list[Callable] = []
