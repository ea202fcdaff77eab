"""The demo dataset behind ``commonweal demo``: realistic, consistent, generated in seconds.

Above ``giving`` in the dependency order (it writes organizations, projects and gifts); nothing in
the product imports it.
"""

from commonweal.demo.generate import (
    DEFAULT_SEED,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DemoResult,
    DemoSize,
    demo_generate,
    demo_logins,
)
from commonweal.demo.wipe import DemoInLog, demo_present, demo_wipe

__all__ = [
    "DEFAULT_SEED",
    "DEMO_EMAIL_DOMAIN",
    "DEMO_PASSWORD",
    "DemoInLog",
    "DemoResult",
    "DemoSize",
    "demo_generate",
    "demo_logins",
    "demo_present",
    "demo_wipe",
]
