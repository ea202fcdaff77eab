"""Builders for the reporting tests: an organization with an admin, an editor and a finance
member, and public projects whose clock is known (all through the services)."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from commonweal.core.timeutil import add_months
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project
from tests.factories import add_member, make_org, make_project


@dataclass
class Team:
    org: Organization
    admin: object
    editor: object
    finance: object


def make_team(name: str = "春苗助学基金会") -> Team:
    org = make_org(name=name)
    return Team(
        org=org, admin=org.memberships.get(role="admin").user, editor=add_member(org, "editor"),
        finance=add_member(org, "finance"),
    )


def today() -> dt.date:
    return timezone.localdate()


def long_project(team: Team, *, started_days_ago: int = 10, **overrides) -> Project:
    """A fundraising project running a year from ``started_days_ago`` days ago: its first progress
    report is due three months after the start."""
    starts_on = today() - dt.timedelta(days=started_days_ago)
    return make_project(team.org, starts_on=starts_on, ends_on=add_months(starts_on, 12), **overrides)


def first_due(project: Project) -> dt.date:
    return add_months(project.starts_on, 3)
