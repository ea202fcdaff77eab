"""The standards shipped in the package are the official ones, and the domain -> sector table
only uses live DAC codes."""

import json
import xml.etree.ElementTree as ElementTree
from decimal import Decimal
from importlib import resources

import pytest

from commonweal.core.domains import Domain
from commonweal.opendata.iati import fen_value, xml_text
from commonweal.opendata.sectors import DOMAIN_SECTORS
from commonweal.opendata.standards import CODELIST_NAMES, codelists_from_xml
from commonweal.opendata.threesixty import yuan

DATA = resources.files("commonweal.opendata") / "data"


@pytest.mark.parametrize("name, shared", [
    ("iati-activities-schema.xsd", "iati/2.03/iati-activities-schema.xsd"),
    ("iati-common.xsd", "iati/2.03/iati-common.xsd"),
    ("xml.xsd", "iati/2.03/xml.xsd"),
    ("360-giving-schema.json", "360giving/360-giving-schema.json"),
    ("360-giving-package-schema.json", "360giving/360-giving-package-schema.json"),
])
def test_packaged_schemas_are_the_official_files(standards_dir, name, shared):
    assert (DATA / name).read_bytes() == (standards_dir / shared).read_bytes()


def test_packaged_codelists_are_rebuilt_from_the_official_xml(standards_dir):
    packaged = json.loads((DATA / "iati-codelists.json").read_text(encoding="utf-8"))
    assert packaged == codelists_from_xml(standards_dir / "iati" / "codelists")
    assert set(packaged) == set(CODELIST_NAMES)


def _sector_statuses(standards_dir) -> dict[str, str]:
    root = ElementTree.parse(standards_dir / "iati" / "codelists" / "Sector.xml").getroot()
    return {item.findtext("code"): item.get("status", "active") for item in root.iter("codelist-item")}


def test_every_domain_maps_to_active_dac_sectors_summing_to_100(standards_dir):
    statuses = _sector_statuses(standards_dir)
    assert set(DOMAIN_SECTORS) == set(Domain.values)
    for domain, sectors in DOMAIN_SECTORS.items():
        assert sum(pct for _, pct in sectors) == 100, domain
        for code, _ in sectors:
            assert len(code) == 5 and code.isdigit(), code
            assert statuses.get(code) == "active", f"{domain}: {code} is {statuses.get(code, 'not in the Sector codelist')}"


@pytest.mark.parametrize("fen, text", [(0, "0.00"), (5, "0.05"), (123456, "1234.56"), (-5, "-0.05"), (-100, "-1.00"),
                                       (5_000_000_000_000, "50000000000.00")])
def test_fen_value_is_exact(fen, text):
    assert fen_value(fen) == text
    assert Decimal(text) * 100 == fen


@pytest.mark.parametrize("fen", [0, 1, 7, 10, 99, 100, 123456, 999_999_999_999, 5_000_000_000_00])
def test_yuan_json_numbers_are_exact(fen):
    printed = json.dumps(yuan(fen))
    assert Decimal(printed) * 100 == fen


def test_yuan_refuses_amounts_it_cannot_print_exactly():
    with pytest.raises(ValueError):
        yuan(10**13)


def test_xml_text_drops_characters_xml_cannot_carry():
    assert xml_text("a\x00b\x07c\td\ne\x1f") == "abc\td\ne"
