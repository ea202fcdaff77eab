"""IATI 2.03 export: the whole document validates against the official XSD, every activity
passes the codelists, the figures match the records, and broken records are reported with the
activity identifier and the field at fault."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from lxml import etree

from commonweal.giving.models import Donation, Refund
from commonweal.opendata.conf import publisher
from commonweal.opendata.exports import iati_activities
from commonweal.opendata.iati import activity_identifier, fen_value, project_activity, write_activities
from commonweal.opendata.models import ValidationRun
from commonweal.opendata.selectors import project_batch_facts
from commonweal.opendata.threesixty import threesixty_grants
from commonweal.opendata.validation import activity_problems, grant_problems
from commonweal.orgs.models import Organization
from commonweal.programs.grants.models import Award
from commonweal.programs.models import Commitment, Fund, GrantPayment, Lab, LabMember, Studio
from commonweal.projects.models import Project
from commonweal.projects.permissions import PUBLIC_STATUSES
from tests.opendata.conftest import GRANTEE_NAME

pytestmark = pytest.mark.django_db

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _document() -> bytes:
    return b"".join(write_activities(iati_activities(batch_size=3)))


def _official_schema(standards_dir) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(standards_dir / "iati" / "2.03" / "iati-activities-schema.xsd")))


def _activity(document: etree._Element, identifier: str) -> etree._Element:
    (activity,) = document.xpath("iati-activity[iati-identifier=$id]", id=identifier)
    return activity


def _values(activity, type_code: str) -> list[Decimal]:
    return [Decimal(v) for v in activity.xpath(f"transaction[transaction-type/@code='{type_code}']/value/text()")]


def test_the_export_validates_against_the_official_xsd(dataset, standards_dir):
    document = etree.fromstring(_document())
    schema = _official_schema(standards_dir)
    assert schema.validate(document), schema.error_log
    public = Project.objects.filter(status__in=PUBLIC_STATUSES).count()
    assert len(document.findall("iati-activity")) == public + 2  # + the fund and the award
    assert document.get("version") == "2.03"
    assert b"\xe8\x8d\x89\xe7\xa8\xbf" not in etree.tostring(document)  # 草稿: the draft project is not public


def test_every_activity_passes_the_codelists_and_identifier_checks(dataset):
    activities = list(iati_activities())
    assert activities
    for activity in activities:
        assert activity_problems(activity) == []


def test_the_demo_dataset_exports_valid_iati_and_360giving(demo, standards_dir):
    document = etree.fromstring(_document())
    assert _official_schema(standards_dir).validate(document)
    activities = list(iati_activities())
    labs, studios = Lab.objects.filter(commitment__isnull=False).count(), Studio.objects.count()
    assert labs and studios
    expected = Project.objects.filter(status__in=PUBLIC_STATUSES).count() + Fund.objects.count() + Award.objects.count()
    assert len(activities) == expected + labs + studios
    assert [p for a in activities for p in activity_problems(a)] == []
    grants = list(threesixty_grants())
    assert len(grants) == Commitment.objects.count()
    assert [p for g in grants for p in grant_problems(g)] == []


def test_labs_and_studios_are_activities_under_their_fund(demo):
    document = etree.fromstring(_document())
    pub = publisher()
    for lab in Lab.objects.filter(commitment__isnull=False).select_related("fund", "commitment"):
        fund_id = activity_identifier(pub.credit_code, lab.fund.public_id)
        activity = _activity(document, activity_identifier(pub.credit_code, lab.public_id))
        assert (activity.get("hierarchy"), activity.find("related-activity").get("ref")) == ("2", fund_id)
        assert _values(activity, "2") == [Decimal(lab.commitment.amount_fen) / 100]
        assert [Decimal(b.findtext("value")) for b in activity.findall("budget")] == [Decimal(lab.budget_fen) / 100]
        paid = GrantPayment.objects.filter(commitment=lab.commitment)
        assert sum(_values(activity, "3")) == sum(p.amount_fen for p in paid) / Decimal(100)
        # The fund's commitment to the lab points at the lab's activity.
        fund = _activity(document, fund_id)
        assert fund.xpath("transaction[receiver-org/@receiver-activity-id=$id]/value/text()",
                          id=activity.findtext("iati-identifier")) == [fen_value(lab.commitment.amount_fen)]
    studio = Studio.objects.select_related("project__lab", "commitment").first()
    activity = _activity(document, activity_identifier(pub.credit_code, studio.public_id))
    assert activity.get("hierarchy") == "3"
    assert activity.find("related-activity").get("ref") == activity_identifier(pub.credit_code, studio.project.lab.public_id)
    assert activity.findtext("title/narrative") == studio.name
    assert _values(activity, "2") == [Decimal(studio.commitment.amount_fen) / 100]
    # No lab team member is named.
    names = set(LabMember.objects.values_list("name", flat=True))
    assert names and not any(name in etree.tostring(document, encoding="unicode") for name in names)


def test_a_project_activity_carries_its_records(dataset):
    project = dataset["world"].project
    org = project.org
    identifier = f"CN-USCI-{org.credit_code}-{project.public_id}"
    activity = _activity(etree.fromstring(_document()), identifier)
    assert activity.find("reporting-org").get("ref") == f"CN-USCI-{org.credit_code}"
    titles = {n.get(XML_LANG, "zh"): n.text for n in activity.findall("title/narrative")}
    assert titles == {"zh": project.title_zh, "en": project.title_en}
    assert activity.get(XML_LANG) == "zh"
    assert activity.find("activity-status").get("code") == "1"  # fundraising
    assert activity.find("recipient-country").get("code") == "CN"
    assert activity.findtext("location/name/narrative") == project.region
    assert [(s.get("code"), s.get("percentage")) for s in activity.findall("sector")] == [("11182", "100")]
    tags = {(t.get("vocabulary"), t.get("code")) for t in activity.findall("tag")}
    assert tags == {("2" if "." not in str(t) else "3", str(t)) for t in project.sdg_tags}
    # Type 1: donations (gross, by month), refunds (negative) and the fund's payment.
    donations = sum(d.amount_fen for d in Donation.objects.filter(project=project))
    refunds = sum(r.amount_fen for r in Refund.objects.filter(donation__project=project))
    incoming = _values(activity, "1")
    fund_payment = Decimal(dataset["org_payment"].amount_fen) / 100
    assert sum(incoming) == (Decimal(donations - refunds) / 100) + fund_payment
    assert -Decimal(refunds) / 100 in incoming
    (from_fund,) = activity.xpath("transaction[transaction-type/@code='1'][provider-org/@provider-activity-id]")
    assert from_fund.find("provider-org").get("provider-activity-id") == activity_identifier(
        publisher().credit_code, dataset["fund"].public_id)
    # Type 2: approved (and paid) disbursements; 3: the paid grant; 4: the paid purchase.
    assert sorted(_values(activity, "2")) == [Decimal("300.00"), Decimal("500.00"), Decimal("1000.00")]
    assert _values(activity, "3") == [Decimal("500.00")]
    assert _values(activity, "4") == [Decimal("1000.00")]
    # Results from impact: baseline, target and actual of the indicator.
    indicator = activity.find("result/indicator")
    assert indicator.find("baseline").get("value") == "0"
    period = indicator.find("period")
    assert (period.find("period-start").get("iso-date"), period.find("period-end").get("iso-date")) == ("2026-01-01", "2026-12-31")
    assert (period.find("target").get("value"), period.find("actual").get("value")) == ("1200", "950.5")


def test_fund_and_award_activities(dataset):
    document = etree.fromstring(_document())
    pub = publisher()
    fund = _activity(document, activity_identifier(pub.credit_code, dataset["fund"].public_id))
    assert sorted(_values(fund, "2")) == [Decimal("1000000.00"), Decimal("3000000.00")]
    assert sorted(_values(fund, "3")) == [Decimal("400000.00"), Decimal("600000.00")]
    assert sum(Decimal(s.get("percentage")) for s in fund.findall("sector")) == 100
    assert [b.findtext("value") for b in fund.findall("budget")] == ["40000000.00", "10000000.00"]
    award = _activity(document, activity_identifier(pub.credit_code, dataset["award"].public_id))
    assert award.find("related-activity").get("ref") == fund.findtext("iati-identifier")
    assert len(award.findall("budget")) == 5
    assert _values(award, "3") == [Decimal("600000.00")]
    # Located by its commitment's region: the province of the grantee's position.
    assert award.findtext("location/name/narrative") == dataset["person_commitment"].region == "北京市"
    # The grantee is a person: never named.
    assert GRANTEE_NAME not in etree.tostring(document, encoding="unicode")


def test_a_bad_sdg_tag_is_reported_at_its_tag(dataset):
    project = dataset["world"].project
    Project.objects.filter(pk=project.pk).update(sdg_tags=["4", "18"])  # a row written around the service
    identifier = activity_identifier(project.org.credit_code, project.public_id)
    (activity,) = [a for a in iati_activities() if a.findtext("iati-identifier") == identifier]
    problems = activity_problems(activity)
    assert [(p.record, p.path, p.source) for p in problems] == [
        (identifier, "/iati-activities/iati-activity/tag[2]/@code", "codelist")]
    assert problems[0].message == "'18' is not in the UNSDG-Goals codelist"


def test_a_credit_code_with_a_wrong_check_character_is_reported_at_the_reporting_org(dataset):
    org = dataset["world"].project.org
    last = org.credit_code[-1]
    wrong = org.credit_code[:-1] + ("0" if last != "0" else "1")
    Organization.objects.filter(pk=org.pk).update(credit_code=wrong)
    problems = [p for a in iati_activities() for p in activity_problems(a)]
    project = dataset["world"].project
    fund = activity_identifier(publisher().credit_code, dataset["fund"].public_id)
    assert {(p.record, p.path, p.source) for p in problems} == {
        (f"CN-USCI-{wrong}-{project.public_id}", "/iati-activities/iati-activity/reporting-org/@ref", "identifier"),
        (f"CN-USCI-{wrong}-{project.public_id}", "/iati-activities/iati-activity/participating-org[2]/@ref", "identifier"),
        (f"CN-USCI-{wrong}-{project.public_id}", "/iati-activities/iati-activity/participating-org[3]/@ref", "identifier"),
        # It receives the donations (first transaction: the month's donations) ...
        (f"CN-USCI-{wrong}-{project.public_id}", "/iati-activities/iati-activity/transaction[1]/receiver-org/@ref", "identifier"),
        # ... and the fund's commitment and payment.
        (fund, "/iati-activities/iati-activity/transaction[1]/receiver-org/@ref", "identifier"),
        (fund, "/iati-activities/iati-activity/transaction[3]/receiver-org/@ref", "identifier"),
    }
    assert all("check character" in p.message and wrong in p.message for p in problems), problems


def test_a_missing_required_element_is_reported_by_the_xsd(dataset):
    project = Project.objects.select_related("org", "partner_org").get(pk=dataset["world"].project.pk)
    activity = project_activity(project, project_batch_facts([project])[project.pk])
    activity.remove(activity.find("activity-status"))
    problems = activity_problems(activity)
    assert problems and all(p.source == "xsd" for p in problems)
    assert problems[0].record == activity.findtext("iati-identifier")
    assert problems[0].path == "/iati-activities/iati-activity/activity-date[1]"
    assert "activity-status" in problems[0].message


def test_export_validate_reports_and_exits_nonzero_when_invalid(dataset):
    project = dataset["world"].project
    Project.objects.filter(pk=project.pk).update(sdg_tags=["99"])
    out = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("export", "iati", "--validate", stdout=out, stderr=io.StringIO())
    assert raised.value.returncode == 1
    text = out.getvalue()
    identifier = activity_identifier(project.org.credit_code, project.public_id)
    assert f"{identifier}  /iati-activities/iati-activity/tag/@code  [codelist] '99' is not in the UNSDG-Goals codelist" in text
    run = ValidationRun.objects.get()
    assert (run.dataset, run.problem_count, run.valid) == ("iati", 1, False)
    assert run.problems[0]["record"] == identifier


def test_export_validate_passes_and_writes_the_file(dataset, tmp_path, standards_dir):
    out = io.StringIO()
    target = tmp_path / "iati.xml"
    call_command("export", "iati", "--validate", "--output", str(target), "--batch-size", "2", stdout=out)
    assert "0 problems" in out.getvalue()
    assert _official_schema(standards_dir).validate(etree.parse(str(target)))
    run = ValidationRun.objects.get()
    assert run.valid and run.records == Project.objects.filter(status__in=PUBLIC_STATUSES).count() + 2
