"""Eligibility rules on their boundaries, as a pure function and through application_submit."""

import datetime as dt

import pytest
from django.utils import translation

from commonweal.core.errors import InvalidInput
from commonweal.programs.grants.eligibility import earliest_birth_date, eligibility_check, rule_message
from commonweal.programs.grants.models import Application, Call
from commonweal.programs.grants.services.applications import Ineligible
from tests.programs.grants.factories import YEAR, apply, make_world


def _call(**overrides) -> Call:
    fields = dict(year=YEAR, max_age=45, max_age_women=48, women_limit_from_year=2024, require_full_time=True,
                  eligible_regions=["mainland", "hong_kong", "macao"], require_field=True)
    fields.update(overrides)
    return Call(**fields)


def _check(call: Call, **facts):
    values = dict(program_fields=["物理", "数学"], birth_date=dt.date(1990, 5, 5), gender="male", full_time=True,
                  region="mainland", field="物理")
    values.update(facts)
    return {r.rule: r for r in eligibility_check(call=call, **values)}


def test_the_limit_is_a_birth_date_on_1_january():
    assert earliest_birth_date(2026, 45) == dt.date(1981, 1, 1)
    assert earliest_birth_date(2026, 48) == dt.date(1978, 1, 1)


@pytest.mark.parametrize("birth, ok", [
    (dt.date(YEAR - 45, 1, 1), True),     # exactly 45 years before 1 January: 45 on the day
    (dt.date(YEAR - 46, 12, 31), False),  # one day earlier: 46 on the day
    (dt.date(YEAR - 45, 1, 2), True),
])
def test_age_limit_boundary(birth, ok):
    result = _check(_call(), birth_date=birth)["age"]
    assert result.ok is ok
    assert result.params["limit"] == 45 and result.params["on"] == f"{YEAR}-01-01"
    assert result.params["earliest"] == f"{YEAR - 45}-01-01"


@pytest.mark.parametrize("birth, ok", [(dt.date(YEAR - 48, 1, 1), True), (dt.date(YEAR - 49, 12, 31), False)])
def test_women_limit_is_48_from_2024(birth, ok):
    result = _check(_call(), birth_date=birth, gender="female")["age"]
    assert (result.ok, result.params["limit"], result.params["women"]) == (ok, 48, True)
    # The same woman is held to the general limit of 45 before 2024.
    before = _check(_call(year=2023), birth_date=birth.replace(year=birth.year - 3), gender="female")["age"]
    assert (before.params["limit"], before.params["women"], before.ok) == (45, False, False)


def test_women_limit_boundary_in_2024_itself():
    assert _check(_call(year=2024), birth_date=dt.date(1976, 1, 1), gender="female")["age"].ok is True
    assert _check(_call(year=2024), birth_date=dt.date(1975, 12, 31), gender="female")["age"].ok is False


def test_men_and_undisclosed_use_the_general_limit():
    for gender in ("male", "undisclosed"):
        assert _check(_call(), birth_date=dt.date(YEAR - 47, 1, 1), gender=gender)["age"].ok is False


def test_full_time_region_and_field():
    results = _check(_call(), full_time=False, region="overseas", field="化学")
    assert [results[r].ok for r in ("full_time", "region", "field")] == [False, False, False]
    results = _check(_call(), region="macao")
    assert all(r.ok for r in results.values())


def test_rules_not_set_are_not_checked():
    results = _check(_call(max_age=None, max_age_women=None, require_full_time=False, eligible_regions=[], require_field=False),
                     birth_date=dt.date(1900, 1, 1), full_time=False, region="overseas", field="化学")
    assert results == {}


def test_reasons_name_the_values_in_both_languages():
    item = _check(_call(), birth_date=dt.date(YEAR - 46, 12, 31))["age"].as_json()
    with translation.override("en"):
        assert rule_message(item) == (
            f"Born on {YEAR - 46}-12-31: over the age limit of 45 on {YEAR}-01-01 (born on or after {YEAR - 45}-01-01)."
        )
    with translation.override("zh-hans"):
        text = rule_message(item)
        assert f"{YEAR - 46}-12-31" in text and "45" in text and "Born" not in text


@pytest.mark.django_db
def test_submission_refuses_one_day_too_old_and_accepts_the_boundary():
    world = make_world()
    with pytest.raises(Ineligible) as refused:
        apply(world.call, birth_date=dt.date(YEAR - 46, 12, 31))
    assert refused.value.code == "ineligible"
    assert [(r.rule, r.ok) for r in refused.value.results] == [("age", False), ("full_time", True), ("region", True), ("field", True)]
    assert not Application.objects.exists()
    application = apply(world.call, birth_date=dt.date(YEAR - 45, 1, 1))
    assert application.eligibility[0] == {"rule": "age", "ok": True, "params": {
        "born": f"{YEAR - 45}-01-01", "earliest": f"{YEAR - 45}-01-01", "limit": 45, "on": f"{YEAR}-01-01", "women": False}}


@pytest.mark.django_db
@pytest.mark.parametrize(("region", "province", "code"), [
    ("mainland", "云南", "invalid_province"),  # the short name is not a division's name
    ("mainland", "香港特别行政区", "invalid_province"),
    ("hong_kong", "广东省", "province_outside_mainland"),
])
def test_a_province_must_be_a_mainland_one_for_a_mainland_position(region, province, code):
    world = make_world()
    with pytest.raises(InvalidInput) as refused:
        apply(world.call, region=region, province=province)
    assert (refused.value.code, refused.value.field) == (code, "province")
    assert not Application.objects.exists()
    assert apply(world.call, region="mainland", province=" 云南省 ").province == "云南省"
