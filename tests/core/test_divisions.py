"""The provincial-level divisions: the list regions are checked against."""

from commonweal.core.divisions import MAINLAND_PROVINCES, SPECIAL_REGIONS, mainland_province
from commonweal.programs.grants.eligibility import REGION_CODES


def test_the_31_mainland_divisions_have_distinct_province_level_codes():
    assert len(MAINLAND_PROVINCES) == 31
    codes = [d.code for d in MAINLAND_PROVINCES]
    assert codes == sorted(codes) and len(set(codes)) == 31
    assert all(len(c) == 6 and c.endswith("0000") for c in codes)
    assert len({d.zh for d in MAINLAND_PROVINCES}) == 31
    # None of the three divisions outside the mainland's 31 is in the list.
    assert not {d.code for d in SPECIAL_REGIONS.values()} & set(codes)


def test_lookup_by_full_name_or_code():
    assert mainland_province(name="云南省").code == "530000"
    assert mainland_province(code="650000").zh == "新疆维吾尔自治区"
    assert mainland_province(name="云南") is None
    assert mainland_province(name="香港特别行政区") is None
    assert mainland_province() is None


def test_special_regions_are_keyed_by_application_region_codes():
    assert set(SPECIAL_REGIONS) < REGION_CODES
