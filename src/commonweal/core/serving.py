"""What a serving worker does once, when its server says it is about to serve (ASGI lifespan
startup in ``giving.intake.front``)."""

import gc

__all__ = ["GEN0_THRESHOLD", "tune_gc"]

GEN0_THRESHOLD = 50_000
"""Allocations between young collections: Python's default is 700."""


def tune_gc() -> None:
    """Keep the cyclic garbage collector from walking what never becomes garbage.

    With Python's defaults a worker under the donation burst spent 7–9.5% of its CPU in the
    collector (bench/matching_load.py, docs/performance.md), much of it in full collections
    walking every module, class and function Django had loaded. ``gc.freeze()`` moves everything
    alive at startup out of the collector's sight, and a larger first generation makes young
    collections 70 times rarer: 2.2–2.6% together. Memory is still reclaimed: reference counting
    frees almost every object; the collector only breaks reference cycles, now less often.
    """
    gc.freeze()
    gc.set_threshold(GEN0_THRESHOLD, 20, 100)
