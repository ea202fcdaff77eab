"""360Giving export: the package validates against the official 1.4 schemas, amounts are exact,
individuals are not named, and a broken grant is reported with the field at fault."""

import io
import json

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from commonweal.opendata.conf import publisher
from commonweal.opendata.models import ValidationRun
from commonweal.opendata.standards import threesixty_grant_validator
from commonweal.opendata.threesixty import threesixty_grants, write_package
from commonweal.opendata.validation import grant_problems
from commonweal.programs.models import Commitment
from tests.opendata.conftest import GRANTEE_NAME

pytestmark = pytest.mark.django_db


def _official_package_validator(standards_dir) -> Draft202012Validator:
    """Built here from ../shared/standards, with the package's own format checker."""
    grant = json.loads((standards_dir / "360giving" / "360-giving-schema.json").read_text())
    package = json.loads((standards_dir / "360giving" / "360-giving-package-schema.json").read_text())
    registry = Registry().with_resources([(grant["$id"], DRAFT202012.create_resource(grant))])
    return Draft202012Validator(package, registry=registry, format_checker=threesixty_grant_validator().format_checker)


def _package() -> dict:
    return json.loads(b"".join(write_package(threesixty_grants(batch_size=1))))


def test_the_package_validates_against_the_official_schema(dataset, standards_dir):
    package = _package()
    errors = list(_official_package_validator(standards_dir).iter_errors(package))
    assert errors == []
    assert package["version"] == "1.4"
    assert len(package["grants"]) == Commitment.objects.count() == 2
    assert all(grant_problems(g) == [] for g in package["grants"])


def test_grants_carry_identifiers_amounts_and_no_personal_names(dataset):
    pub = publisher()
    grants = {g["id"]: g for g in _package()["grants"]}
    to_org = grants[f"360G-CN-USCI-{pub.credit_code}-{dataset['org_commitment'].public_id}"]
    org = dataset["org_commitment"].recipient_org
    assert to_org["recipientOrganization"] == [{"id": f"CN-USCI-{org.credit_code}", "name": org.name_zh}]
    assert (to_org["amountAwarded"], to_org["amountDisbursed"]) == (1_000_000, 400_000)
    assert to_org["fundingOrganization"][0]["id"] == f"CN-USCI-{pub.credit_code}"
    person = grants[f"360G-CN-USCI-{pub.credit_code}-{dataset['person_commitment'].public_id}"]
    assert person["recipientIndividual"]["name"] == "Individual Recipient"
    assert "recipientOrganization" not in person
    assert person["plannedDates"] == [{"startDate": person["awardDate"], "endDate": "2030-06-01"}]
    assert [t["value"] for t in person["disbursementTransaction"]] == [600_000]
    assert GRANTEE_NAME not in json.dumps(grants, ensure_ascii=False)


def test_a_broken_grant_is_reported_with_the_field_at_fault(dataset):
    grant = next(threesixty_grants())
    grant["amountAwarded"] = "1,000,000"
    grant["awardDate"] = "2026/03/01"
    problems = grant_problems(grant)
    assert {(p.record, p.path) for p in problems} >= {(grant["id"], "$.amountAwarded"), (grant["id"], "$.awardDate")}
    assert any(p.path == "$.amountAwarded" and "is not of type 'number'" in p.message for p in problems)


def test_export_360giving_validate(dataset, tmp_path):
    out = io.StringIO()
    target = tmp_path / "grants.json"
    call_command("export", "360giving", "--validate", "--output", str(target), stdout=out)
    assert "360giving: 2 records checked, 0 problems" in out.getvalue()
    assert len(json.loads(target.read_bytes())["grants"]) == 2
    assert ValidationRun.objects.get(dataset="360giving").valid
