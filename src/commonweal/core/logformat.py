"""Log lines stamped in UTC (ISO 8601, "2026-12-07T06:55:01.123Z").

Django sets the process's time zone to ``TIME_ZONE`` (Asia/Shanghai), so ``logging``'s default
stamps would be Beijing time without saying so; the sequencer, the web workers and PostgreSQL
should line up in UTC whatever the machine's zone.
"""

import logging
import time

__all__ = ["UTCFormatter"]


class UTCFormatter(logging.Formatter):
    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"
