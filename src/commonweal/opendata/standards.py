"""The published standards the exports are checked against, loaded from ``opendata/data/``.

- IATI 2.03 activity schema (``iati-activities-schema.xsd`` with ``iati-common.xsd`` and
  ``xml.xsd``), copied unchanged from the IATI standard (see ``data/IATI-SCHEMA-LICENSE``).
- IATI codelists, reduced by :func:`codelists_from_xml` to ``data/iati-codelists.json``:
  ``{name: {"active": {code: English name}, "withdrawn": [code, ...]}}``; a test rebuilds it
  from ``../shared/standards/iati/codelists`` and compares.
- 360Giving 1.4 grant and package schemas (JSON Schema 2020-12), copied unchanged; the package
  schema refers to the grant schema by its ``$id``, resolved here to the local copy.
"""

import datetime as dt
import functools
import json
import re
import xml.etree.ElementTree as ElementTree
from importlib import resources
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from lxml import etree
from referencing import Registry
from referencing.jsonschema import DRAFT202012

__all__ = [
    "CODELIST_NAMES",
    "codelist",
    "codelists_from_xml",
    "iati_schema",
    "threesixty_grant_validator",
    "threesixty_package_validator",
]

CODELIST_NAMES: tuple[str, ...] = (
    "ActivityDateType",
    "ActivityStatus",
    "BudgetType",
    "Country",
    "OrganisationRegistrationAgency",
    "OrganisationRole",
    "Region",
    "Sector",
    "TransactionType",
    "UNSDG-Goals",
    "UNSDG-Targets",
)
"""The codelists the exports use and check (their values appear in ``opendata.iati``)."""

_DATA = resources.files("commonweal.opendata") / "data"


def codelists_from_xml(directory: Path) -> dict[str, dict]:
    """Read the IATI codelist XML files named in :data:`CODELIST_NAMES` from ``directory``."""
    out: dict[str, dict] = {}
    for name in CODELIST_NAMES:
        root = ElementTree.parse(directory / f"{name}.xml").getroot()
        active: dict[str, str] = {}
        withdrawn: list[str] = []
        for item in root.iter("codelist-item"):
            code = (item.findtext("code") or "").strip()
            if item.get("status") == "withdrawn":
                withdrawn.append(code)
                continue
            narrative = item.find("name/narrative")
            active[code] = (narrative.text or "").strip() if narrative is not None else ""
        out[name] = {"active": active, "withdrawn": sorted(withdrawn)}
    return out


@functools.cache
def _codelists() -> dict[str, dict]:
    return json.loads((_DATA / "iati-codelists.json").read_text(encoding="utf-8"))


def codelist(name: str) -> dict:
    """One codelist: ``{"active": {code: name}, "withdrawn": [...]}``; KeyError for others."""
    return _codelists()[name]


@functools.cache
def iati_schema() -> etree.XMLSchema:
    """The IATI 2.03 activity schema (parsed once; ``xml.xsd`` is resolved locally)."""
    with resources.as_file(_DATA / "iati-activities-schema.xsd") as path:
        return etree.XMLSchema(etree.parse(str(path)))


@functools.cache
def _threesixty_registry() -> tuple[Registry, dict, dict]:
    grant = json.loads((_DATA / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((_DATA / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resources([
        # The files say "$schema": "http://json-schema.org/draft/2020-12/schema" (http, not the
        # dialect's https id), so the dialect is named here rather than detected.
        (grant["$id"], DRAFT202012.create_resource(grant)),
        (package["$id"], DRAFT202012.create_resource(package)),
    ])
    return registry, grant, package


_RFC3339 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})")


def _format_checker() -> FormatChecker:
    """jsonschema's checker plus a strict RFC 3339 ``date-time``.

    The 360Giving schema says ``awardDate`` is ``oneOf`` a date-time and a YYYY-MM-DD pattern, so
    date-time must really be checked (jsonschema only does so with an optional extra package):
    otherwise a plain date matches both branches and ``oneOf`` fails.
    """
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.fullmatch(value):
            return False
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        return True

    return checker


@functools.cache
def threesixty_grant_validator() -> Draft202012Validator:
    """A validator for one 360Giving grant (1.4 schema, with date formats checked)."""
    registry, grant, _ = _threesixty_registry()
    return Draft202012Validator(grant, registry=registry, format_checker=_format_checker())


@functools.cache
def threesixty_package_validator() -> Draft202012Validator:
    """A validator for a 360Giving package ``{"grants": [...], ...}``."""
    registry, _, package = _threesixty_registry()
    return Draft202012Validator(package, registry=registry, format_checker=_format_checker())
