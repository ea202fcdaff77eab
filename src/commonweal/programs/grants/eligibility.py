"""Eligibility of an applicant for a call, rule by rule, with the reason for each.

Rules (each applies only when the call sets it):

- ``age``: at most ``Call.max_age`` on 1 January of the application year (for women,
  ``Call.max_age_women`` from ``Call.women_limit_from_year`` on), read strictly: at most N years
  and no day more, so born on or after 1 January of (year − N). Someone born exactly N years
  before that 1 January is eligible; someone born one day earlier is not.
- ``full_time``: a full-time position, when ``Call.require_full_time``.
- ``region``: the position's region among ``Call.eligible_regions`` (empty list: any region).
- ``field``: the applicant's field among the program's fields, when ``Call.require_field``.

:func:`eligibility_check` is pure; the result is stored on the application as plain data and
:func:`rule_message` words it in the active language on every page that shows it.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy as _

from commonweal.core.divisions import SPECIAL_REGIONS, mainland_province
from commonweal.core.language import is_english

__all__ = ["REGIONS", "RuleResult", "earliest_birth_date", "eligibility_check", "rule_message", "region_label", "position_division",
           "position_label"]

REGIONS: tuple[tuple[str, object], ...] = (
    ("mainland", _("Mainland China")),
    ("hong_kong", _("Hong Kong")),
    ("macao", _("Macao")),
    ("taiwan", _("Taiwan")),
    ("overseas", _("Outside China")),
)
"""Where an applicant's position is; a call lists the eligible ones."""
REGION_CODES = frozenset(code for code, _label in REGIONS)


def region_label(code: str) -> str:
    return str(dict(REGIONS).get(code, code))


def position_label(*, region: str, province: str) -> str:
    """The region and, if named, the province, in the active language: "中国内地 · 广东省"."""
    division = mainland_province(name=province) if province else None
    if division is None:
        return region_label(region)
    name = division.en if is_english() else division.zh
    return f"{region_label(region)} · {name}"


def position_division(*, region: str, province: str) -> str:
    """Where an applicant's position is, as a commitment's region: the mainland province they
    named (or "" if none), the division of Hong Kong, Macao or Taiwan, "" outside China."""
    if region == "mainland":
        return province
    division = SPECIAL_REGIONS.get(region)
    return division.zh if division else ""


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleResult:
    """One rule's verdict."""

    rule: str
    """``age``, ``full_time``, ``region`` or ``field``."""
    ok: bool
    """Whether the applicant meets it."""
    params: dict
    """The values the reason names (JSON-serialisable)."""

    def as_json(self) -> dict:
        return {"rule": self.rule, "ok": self.ok, "params": self.params}


def earliest_birth_date(year: int, limit: int) -> dt.date:
    """The earliest birth date within an age limit of ``limit`` on 1 January of ``year``."""
    return dt.date(year - limit, 1, 1)


def eligibility_check(*, call, program_fields, birth_date: dt.date, gender: str, full_time: bool, region: str,
                      field: str) -> list[RuleResult]:
    """Every rule the call sets, in a fixed order, each with its verdict."""
    results: list[RuleResult] = []
    limit = call.max_age
    women = (
        gender == "female" and call.max_age_women is not None
        and (call.women_limit_from_year is None or call.year >= call.women_limit_from_year)
    )
    if women:
        limit = call.max_age_women
    if limit is not None:
        earliest = earliest_birth_date(call.year, limit)
        results.append(RuleResult(rule="age", ok=birth_date >= earliest, params={
            "born": birth_date.isoformat(), "earliest": earliest.isoformat(), "limit": limit,
            "on": f"{call.year}-01-01", "women": women,
        }))
    if call.require_full_time:
        results.append(RuleResult(rule="full_time", ok=bool(full_time), params={}))
    if call.eligible_regions:
        results.append(RuleResult(rule="region", ok=region in call.eligible_regions,
                                  params={"region": region, "eligible": list(call.eligible_regions)}))
    if call.require_field and program_fields:
        results.append(RuleResult(rule="field", ok=field in program_fields,
                                  params={"field": field, "fields": list(program_fields)}))
    return results


def rule_message(item: dict) -> str:
    """The reason for one stored rule verdict, in the active language."""
    rule, ok, p = item["rule"], item["ok"], item.get("params", {})
    if rule == "age":
        values = {"born": p["born"], "earliest": p["earliest"], "limit": p["limit"], "on": p["on"]}
        if p.get("women"):
            if ok:
                return gettext("Born on %(born)s: within the age limit for women of %(limit)s on %(on)s (born on or after %(earliest)s).") % values
            return gettext("Born on %(born)s: over the age limit for women of %(limit)s on %(on)s (born on or after %(earliest)s).") % values
        if ok:
            return gettext("Born on %(born)s: within the age limit of %(limit)s on %(on)s (born on or after %(earliest)s).") % values
        return gettext("Born on %(born)s: over the age limit of %(limit)s on %(on)s (born on or after %(earliest)s).") % values
    if rule == "full_time":
        return gettext("Full-time position: yes.") if ok else gettext("A full-time position is required.")
    if rule == "region":
        eligible = "、".join(region_label(code) for code in p["eligible"])
        values = {"region": region_label(p["region"]), "eligible": eligible}
        if ok:
            return gettext("Position in %(region)s: eligible.") % values
        return gettext("Position in %(region)s: only positions in %(eligible)s are eligible.") % values
    if rule == "field":
        values = {"field": p["field"], "fields": "、".join(p["fields"])}
        if ok:
            return gettext("Field %(field)s: among the program's fields.") % values
        return gettext("Field %(field)s: not among the program's fields (%(fields)s).") % values
    return rule
