"""Matching campaigns: sponsors, pools, rules, match decisions, risk signals, teams."""

from django.db import models  # noqa: F401
