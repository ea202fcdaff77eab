"""Demo data of the apps above ``giving`` (matching, programs, impact, ...), written after the
base dataset and in its transaction.

Each module listed here has ``generate(*, seed: int, now: datetime) -> dict[str, int]`` (rows per
model label, as ``DemoResult.counts``; it reads the organizations, projects and people the base
dataset made) and ``wipe() -> int`` (deletes what ``generate`` wrote, before the base dataset is
wiped; returns rows deleted), and may have ``LOGINS``: ((email, what the account is for), …) to
print after the base dataset's. The base dataset knows nothing of them.
"""

import datetime as dt
import importlib

EXTENSION_MODULES: tuple[str, ...] = (
    "commonweal.matching.demo",
    "commonweal.programs.demo",
    "commonweal.programs.grants.demo",
    "commonweal.impact.demo",
)


def _modules():
    return [importlib.import_module(name) for name in EXTENSION_MODULES]


def extensions_generate(*, seed: int, now: dt.datetime) -> dict[str, int]:
    counts: dict[str, int] = {}
    for module in _modules():
        for label, count in module.generate(seed=seed, now=now).items():
            counts[label] = counts.get(label, 0) + count
    return counts


def extensions_wipe() -> int:
    return sum(module.wipe() for module in reversed(_modules()))


def extensions_logins() -> tuple[tuple[str, str], ...]:
    return tuple(login for module in _modules() for login in getattr(module, "LOGINS", ()))
