"""Checks every exported record against the published standards and says what is wrong, where.

- IATI: each activity is validated on its own against the 2.03 XSD (inside an
  ``iati-activities`` root, so memory stays bounded), then its codes against the codelists
  (:data:`CODELIST_RULES`) and its organisation identifiers against the registration agencies
  and, for CN-USCI, the credit code's check characters.
- 360Giving: each grant against the 1.4 grant schema.

A :class:`Problem` names the record (activity identifier or grant id), the field at fault (an
XPath such as ``/iati-activities/iati-activity/tag[2]/@code``, or a JSON path such as
``$.recipientOrganization[0].id``) and the message of the XSD, the codelist or the schema.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from commonweal.core.credit_code import validate_credit_code
from commonweal.core.errors import InvalidInput
from commonweal.opendata.iati import REGISTRATION_AGENCY, activities_root
from commonweal.opendata.standards import codelist, iati_schema, threesixty_grant_validator

__all__ = [
    "CODELIST_RULES",
    "MAX_PROBLEMS_KEPT",
    "Problem",
    "Report",
    "activity_problems",
    "grant_problems",
    "checked",
]

MAX_PROBLEMS_KEPT = 1000
"""A report keeps the first problems only (and counts all of them), so it stays small."""

CODELIST_RULES: tuple[tuple[str, str, str], ...] = (
    ("activity-status", "code", "ActivityStatus"),
    ("activity-date", "type", "ActivityDateType"),
    ("participating-org", "role", "OrganisationRole"),
    ("recipient-country", "code", "Country"),
    ("recipient-region[not(@vocabulary) or @vocabulary='1']", "code", "Region"),
    ("sector[not(@vocabulary) or @vocabulary='1']", "code", "Sector"),
    ("tag[@vocabulary='2']", "code", "UNSDG-Goals"),
    ("tag[@vocabulary='3']", "code", "UNSDG-Targets"),
    ("budget", "type", "BudgetType"),
    ("transaction/transaction-type", "code", "TransactionType"),
    ("transaction/recipient-country", "code", "Country"),
)
"""(XPath relative to the activity, attribute, codelist): every matching value must be active."""

_ORG_REFS = ("reporting-org/@ref", "participating-org/@ref", "transaction/provider-org/@ref", "transaction/receiver-org/@ref")


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with one record."""

    record: str
    """The activity's iati-identifier, or the grant's id."""
    path: str
    """Where: an XPath into the IATI document, or a JSON path into the grant."""
    message: str
    """What the XSD, the codelist or the schema says."""
    source: str
    """"xsd", "codelist", "identifier" or "360giving"."""

    def as_dict(self) -> dict:
        return {"record": self.record, "path": self.path, "message": self.message, "source": self.source}


@dataclass(slots=True, kw_only=True)
class Report:
    """The outcome of checking one export."""

    dataset: str
    """"iati" or "360giving"."""
    checked: int = 0
    """Records checked."""
    problem_count: int = 0
    """Problems found (all of them)."""
    problems: list[Problem] = field(default_factory=list)
    """The first :data:`MAX_PROBLEMS_KEPT` problems."""

    @property
    def valid(self) -> bool:
        return self.problem_count == 0

    def add(self, problems: list[Problem]) -> None:
        self.checked += 1
        self.problem_count += len(problems)
        room = MAX_PROBLEMS_KEPT - len(self.problems)
        if room > 0:
            self.problems.extend(problems[:room])

    def lines(self) -> list[str]:
        """The report as text, one problem a line."""
        head = f"{self.dataset}: {self.checked} records checked, {self.problem_count} problems"
        return [head] + [f"{p.record}  {p.path}  [{p.source}] {p.message}" for p in self.problems]


def _identifier(activity: etree._Element) -> str:
    return (activity.findtext("iati-identifier") or "").strip() or "(no iati-identifier)"


def _org_ref_problem(ref: str) -> str | None:
    agencies = codelist("OrganisationRegistrationAgency")
    parts = ref.split("-", 2)
    agency = "-".join(parts[:2])
    if len(parts) < 3 or agency not in agencies["active"]:
        return f"{ref!r} does not start with an active OrganisationRegistrationAgency code and an identifier"
    if agency == REGISTRATION_AGENCY:
        try:
            validate_credit_code(parts[2][:18])
        except InvalidInput as exc:
            return f"{ref!r}: {exc.message}"
    return None


def activity_problems(activity: etree._Element) -> list[Problem]:
    """Every problem of one ``iati-activity`` element (XSD, codelists, identifiers)."""
    record = _identifier(activity)
    root = activities_root()
    root.append(activity)
    try:
        schema = iati_schema()
        problems = []
        if not schema.validate(root):
            problems += [Problem(record=record, path=error.path or "/", message=error.message, source="xsd")
                         for error in schema.error_log]
        tree = root.getroottree()
        for xpath, attribute, name in CODELIST_RULES:
            values = codelist(name)
            for element in activity.xpath(xpath):
                code = element.get(attribute)
                if code is None or code in values["active"]:
                    continue
                state = "withdrawn from" if code in values["withdrawn"] else "not in"
                problems.append(Problem(record=record, path=f"{tree.getpath(element)}/@{attribute}",
                                        message=f"{code!r} is {state} the {name} codelist", source="codelist"))
        for xpath in _ORG_REFS:
            for ref in activity.xpath(xpath):
                message = _org_ref_problem(str(ref))
                if message:
                    problems.append(Problem(record=record, path=f"{tree.getpath(ref.getparent())}/@ref",
                                            message=message, source="identifier"))
        reporting = activity.find("reporting-org")
        if reporting is not None and not record.startswith(f"{reporting.get('ref')}-"):
            problems.append(Problem(record=record, path=tree.getpath(activity.find("iati-identifier")),
                                    message=f"the identifier does not start with the reporting-org's ref {reporting.get('ref')!r}",
                                    source="identifier"))
        return problems
    finally:
        root.remove(activity)


def grant_problems(grant: dict) -> list[Problem]:
    """Every problem of one 360Giving grant against the grant schema."""
    record = str(grant.get("id") or "(no id)")
    errors = sorted(threesixty_grant_validator().iter_errors(grant), key=lambda e: list(e.absolute_path))
    problems = []
    for error in errors:
        # oneOf failures of the top level name the alternatives: show the deepest reasons.
        causes = [c for c in (error.context or [])] or [error]
        for cause in causes:
            problems.append(Problem(record=record, path=cause.json_path, message=cause.message, source="360giving"))
    return problems


def checked(records: Iterable, report: Report, check) -> Iterator:
    """Yield ``records`` unchanged, adding ``check(record)``'s problems to ``report`` on the way."""
    for record in records:
        report.add(check(record))
        yield record
