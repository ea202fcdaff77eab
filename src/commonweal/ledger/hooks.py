"""Extension points for the apps above ``ledger``.

- ``SEQUENCER_TICK``: called by the sequencer on every pass of its loop (and once with
  ``--once``), outside its own transactions, for housekeeping that must run continuously (giving
  folds waiting project totals). An exception is logged, never stops the sequencer.
"""

from collections.abc import Callable

SEQUENCER_TICK: list[Callable[[], object]] = []
