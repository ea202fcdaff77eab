"""What the demo generator decides before it writes anything: one sketch per organization,
project and monthly plan, the next free ids, and time helpers (times are Unix seconds or aware
UTC datetimes; calendar days are days in Shanghai)."""

import datetime as dt
from dataclasses import dataclass, field

from commonweal.accounts.models import User
from commonweal.core.timeutil import SHANGHAI, UTC
from commonweal.demo import vocab
from commonweal.giving.models import MonthlyPlan
from commonweal.orgs.models import Organization
from commonweal.projects.models import BudgetLine, Project

__all__ = ["HISTORY_DAYS", "Ids", "OrgSketch", "PlanSketch", "ProjectSketch", "epoch", "local", "utc"]

HISTORY_DAYS = 540
"""Donations reach back about 18 months."""


@dataclass(slots=True, kw_only=True, eq=False)
class OrgSketch:
    """An organization and what the generator knows about it beyond its row."""

    obj: Organization
    kind: str
    """qualified, unqualified, young (registered < 1 year), submitted or rejected."""
    province: vocab.Province
    focus: tuple[str, str]
    joined: dt.datetime
    admin: User
    secret: str
    ready_on: dt.date | None = None
    """The first day its projects may be approved (verified, and qualified or partnered)."""


@dataclass(slots=True, kw_only=True, eq=False)
class ProjectSketch:
    """A project while it is planned: its organization, period, history and money so far."""

    index: int
    org: OrgSketch
    status: str
    domain: str = ""
    partner: OrgSketch | None = None
    creator: User | None = None
    concept: vocab.Concept | None = None
    province: vocab.Province | None = None
    place: vocab.Place | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    created_at: dt.datetime | None = None
    history: list[tuple[dt.datetime, str, User | None]] = field(default_factory=list)
    """(time, status reached, actor) for each transition."""
    lo: int = 0
    """Donations possible from this Unix time ..."""
    hi: int = 0
    """... to this one (0, 0: none)."""
    giving_days: tuple[int, ...] = ()
    weight: float = 0.0
    raised: int = 0
    refunded: int = 0
    count: int = 0
    budget: list[BudgetLine] = field(default_factory=list)
    obj: Project | None = None

    @property
    def recipient(self) -> OrgSketch:
        return self.partner or self.org


@dataclass(slots=True, kw_only=True, eq=False)
class PlanSketch:
    """A monthly plan and its successful charges."""

    obj: MonthlyPlan
    project: ProjectSketch
    donor: User
    charges: list[tuple[dt.date, int]] = field(default_factory=list)
    """(due day, Unix time charged) of the successful charges."""
    declined: list[tuple[int, str]] = field(default_factory=list)
    """(Unix time, period) of each period whose charges were declined: its intent stays pending."""


@dataclass(slots=True, eq=False)
class Ids:
    """Next free primary key per model."""

    next: dict[type, int]

    def take(self, model: type) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def epoch(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, UTC)


def local(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """That wall-clock time in Shanghai, as an aware UTC datetime."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI).astimezone(UTC)
