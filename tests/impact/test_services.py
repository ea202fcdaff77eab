"""Impact use cases through the services: the rows written, the audit trail, and refusals."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from PIL import Image

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.disclosure.evidence import EvidenceRejected
from commonweal.impact.models import Indicator, Result, SroiOutcome, SroiWorksheet, Target
from commonweal.impact.services import IndicatorInput, indicator_create, indicator_targets_set, result_record, sroi_save
from commonweal.ledger.models import OutboxEntry
from tests.factories import add_member, make_org, make_project, make_user
from tests.impact.support import jpeg_bytes, outcome, people_reached

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    org = make_org()
    project = make_project(org)
    return {"org": org, "project": project, "admin": org.memberships.get().user, "editor": add_member(org, "editor"),
            "finance": add_member(org, "finance"), "outsider": make_org().memberships.get().user}


def test_indicator_on_a_project_takes_its_org_and_domain(world):
    indicator = indicator_create(actor=world["editor"], subject=world["project"], data=IndicatorInput(
        framework="sdg", code="4.A", name_zh="配备阅读角的学校", name_en="Schools with a reading corner", unit="所",
        baseline_value="3", baseline_on=dt.date(2025, 9, 1),
    ))
    row = Indicator.objects.get()
    assert (row.project, row.org, row.domain, row.code, row.baseline_value, row.subject_type) == (
        world["project"], world["org"], "education_innovation", "4.a", D("3"), None)
    event = AuditEvent.objects.get(action="impact.indicator_create")
    assert event.target_id == indicator.public_id and event.data["code"] == "4.a"
    assert not OutboxEntry.objects.exists()  # not a money event


@pytest.mark.parametrize("who", ["finance", "outsider"])
def test_only_admins_and_editors_add_indicators(world, who):
    with pytest.raises(NotFound):
        people_reached(world["project"], world[who])
    assert not Indicator.objects.exists()


def test_a_generic_subject_through_contenttypes(world):
    """A lab or grant of the programs app: here another model instance stands in for it."""
    lab = make_org()  # any saved model instance
    keeper = world["org"]
    indicator = indicator_create(actor=world["admin"], subject=lab, org=keeper, domain="carbon_neutrality", data=IndicatorInput(
        framework="iris", code="oi1479", name_zh="减排量", unit="tCO2e"))
    assert (indicator.project, indicator.subject, indicator.org, indicator.domain, indicator.code) == (
        None, lab, keeper, "carbon_neutrality", "OI1479")
    with pytest.raises(InvalidInput) as exc:
        indicator_create(actor=world["admin"], subject=lab, org=keeper, domain="space", data=IndicatorInput(
            framework="custom", code="", name_zh="x", unit="个"))
    assert exc.value.code == "unknown_domain"
    # Without an organization only platform staff keep it.
    with pytest.raises(NotFound):
        indicator_create(actor=world["admin"], subject=lab, domain="few", data=IndicatorInput(framework="custom", code="", name_zh="x", unit="个"))
    staff = make_user(staff=True)
    assert indicator_create(actor=staff, subject=lab, domain="few", data=IndicatorInput(
        framework="custom", code="", name_zh="x", unit="个")).org is None


@pytest.mark.parametrize(("data", "field", "code"), [
    ({"framework": "sdg", "code": "4.9"}, "code", "unknown_sdg"),
    ({"framework": "iris", "code": "PI40"}, "code", "invalid_iris_code"),
    ({"name_zh": "  "}, "name_zh", "required"),
    ({"unit": ""}, "unit", "required"),
    ({"unit": "x" * 33}, "unit", "too_long"),
    ({"direction": "sideways"}, "direction", "invalid_direction"),
    ({"baseline_value": "12"}, "baseline_on", "baseline_incomplete"),
    ({"baseline_value": "1e3", "baseline_on": dt.date(2025, 1, 1)}, "baseline_value", "invalid_value"),
])
def test_indicator_refusals_name_the_field(world, data, field, code):
    fields = {"framework": "custom", "code": "", "name_zh": "人数", "unit": "人"} | data
    with pytest.raises(InvalidInput) as exc:
        indicator_create(actor=world["admin"], subject=world["project"], data=IndicatorInput(**fields))
    assert (exc.value.field, exc.value.code) == (field, code)
    assert not Indicator.objects.exists()


def test_database_refuses_an_indicator_with_two_subjects_or_none(world):
    from django.contrib.contenttypes.models import ContentType

    base = dict(org=world["org"], domain="few", framework="custom", name_zh="x", unit="个")
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(**base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(project=world["project"], subject_type=ContentType.objects.get_for_model(Indicator), subject_id=1, **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(project=world["project"], **(base | {"framework": "sdg"}))  # SDG without its code


def test_targets_replace_the_previous_ones(world):
    indicator = people_reached(world["project"], world["admin"])
    indicator_targets_set(indicator=indicator, actor=world["editor"], targets={"2026-q2": "300", "2026-Q1": "100"})
    assert list(Target.objects.values_list("period", "value")) == [("2026-Q1", D(100)), ("2026-Q2", D(300))]
    indicator_targets_set(indicator=indicator, actor=world["editor"], targets={"2026": D("1000.5")})
    assert list(Target.objects.values_list("period", "ends_on", "value")) == [("2026", dt.date(2026, 12, 31), D("1000.5"))]
    event = AuditEvent.objects.filter(action="impact.targets_set").latest("pk")
    assert event.data == {"before": {"2026-Q1": "100.0000", "2026-Q2": "300.0000"}, "after": {"2026": "1000.5"}}
    with pytest.raises(InvalidInput):
        indicator_targets_set(indicator=indicator, actor=world["editor"], targets={"2026-Q1": "1", "2026-q1": "2"})
    with pytest.raises(NotFound):
        indicator_targets_set(indicator=indicator, actor=world["finance"], targets={})
    assert Target.objects.count() == 1


def test_result_with_a_link(world):
    indicator = people_reached(world["project"], world["admin"])
    result = result_record(indicator=indicator, actor=world["editor"], period="2026-q1", value="1,250",
                           evidence_text="  各校签到表汇总  ", evidence_url="https://example.org/q1.pdf")
    row = Result.objects.get()
    assert (row.period, row.ends_on, row.value, row.evidence_text, row.evidence_url, row.evidence_file.name) == (
        "2026-Q1", dt.date(2026, 3, 31), D(1250), "各校签到表汇总", "https://example.org/q1.pdf", "")
    assert AuditEvent.objects.get(action="impact.result_record").data["result"] == result.public_id
    with pytest.raises(Conflict) as exc:
        result_record(indicator=indicator, actor=world["editor"], period="2026-Q1", value="1", evidence_text="x",
                      evidence_url="https://example.org/")
    assert exc.value.code == "result_exists"


def test_result_with_a_photo_is_cleaned_and_kept_private(world, settings):
    indicator = people_reached(world["project"], world["admin"])
    upload = SimpleUploadedFile("photo.jpg", jpeg_bytes(exif=True), content_type="image/jpeg")
    result = result_record(indicator=indicator, actor=world["admin"], period="2026-Q1", value="10", evidence_text="合影",
                           evidence_file=upload)
    assert result.evidence_content_type == "image/jpeg" and result.evidence_size > 0 and len(result.evidence_sha256) == 64
    path = result.evidence_file.path
    assert str(settings.VAR_DIR / "private") in path and str(settings.MEDIA_ROOT) not in path
    with Image.open(path) as stored:
        assert dict(stored.getexif()) == {}


@pytest.mark.parametrize(("kwargs", "field", "code"), [
    ({"evidence_url": ""}, "evidence_url", "evidence_missing"),
    ({"evidence_url": "javascript:alert(1)"}, "evidence_url", "invalid_url"),
    ({"evidence_text": " "}, "evidence_text", "required"),
    ({"period": "Q1 2026"}, "period", "invalid_period"),
    ({"value": "12.5.1"}, "value", "invalid_value"),
])
def test_result_refusals(world, kwargs, field, code):
    indicator = people_reached(world["project"], world["admin"])
    fields = {"period": "2026-Q1", "value": "10", "evidence_text": "记录", "evidence_url": "https://example.org/"} | kwargs
    with pytest.raises(InvalidInput) as exc:
        result_record(indicator=indicator, actor=world["admin"], **fields)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert not Result.objects.exists()


def test_an_executable_is_refused_as_evidence_and_nothing_is_stored(world, settings):
    indicator = people_reached(world["project"], world["admin"])
    before = _private_files(settings)
    upload = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(EvidenceRejected) as exc:
        result_record(indicator=indicator, actor=world["admin"], period="2026", value="1", evidence_text="x", evidence_file=upload)
    assert exc.value.code == "evidence_executable"
    assert not Result.objects.exists()
    assert _private_files(settings) == before


def test_a_refused_second_result_stores_no_file(world, settings):
    indicator = people_reached(world["project"], world["admin"])
    result_record(indicator=indicator, actor=world["admin"], period="2026", value="1", evidence_text="x",
                  evidence_url="https://example.org/")
    before = _private_files(settings)
    upload = SimpleUploadedFile("p.png", _png())
    with pytest.raises(Conflict):
        result_record(indicator=indicator, actor=world["admin"], period="2026", value="2", evidence_text="x", evidence_file=upload)
    assert _private_files(settings) == before


def _private_files(settings) -> set:
    private = settings.VAR_DIR / "private" / "impact"
    return {p for p in private.rglob("*") if p.is_file()} if private.exists() else set()


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="PNG")
    return out.getvalue()


def test_sroi_save_replaces_the_worksheet(world):
    worksheet = sroi_save(project=world["project"], actor=world["editor"], investment_fen=10_000_000, outcomes=[outcome()])
    assert (worksheet.discount_rate_pct, worksheet.investment_fen) == (D("3.5"), 10_000_000)
    row = SroiOutcome.objects.get()
    assert (row.quantity, row.proxy_fen, row.deadweight_pct, row.attribution_pct, row.drop_off_pct, row.duration_years) == (
        D(20), 1_000_000, D(25), D(20), D(50), 2)
    sroi_save(project=world["project"], actor=world["admin"], investment_fen=5_000_000, discount_rate_pct="0",
              outcomes=[outcome(description="甲"), outcome(description="乙", quantity="1.5")])
    assert SroiWorksheet.objects.count() == 1
    assert list(SroiOutcome.objects.values_list("position", "description")) == [(0, "甲"), (1, "乙")]
    assert AuditEvent.objects.filter(action="impact.sroi_save").count() == 2


@pytest.mark.parametrize(("kwargs", "field", "code"), [
    ({"outcomes": []}, "outcomes", "outcomes_missing"),
    ({"investment_fen": 0}, "investment_fen", "amount_out_of_range"),
    ({"discount_rate_pct": "51"}, "discount_rate_pct", "invalid_percentage"),
    ({"outcomes": [outcome(deadweight_pct="100.5")]}, "outcomes.0.deadweight_pct", "invalid_percentage"),
    ({"outcomes": [outcome(), outcome(drop_off_pct="-1")]}, "outcomes.1.drop_off_pct", "invalid_percentage"),
    ({"outcomes": [outcome(attribution_pct="12.345")]}, "outcomes.0.attribution_pct", "invalid_percentage"),
    ({"outcomes": [outcome(quantity="0")]}, "outcomes.0.quantity", "invalid_quantity"),
    ({"outcomes": [outcome(duration_years=31)]}, "outcomes.0.duration_years", "invalid_duration"),
    ({"outcomes": [outcome(proxy_fen=0)]}, "outcomes.0.proxy_fen", "amount_out_of_range"),
])
def test_sroi_refusals(world, kwargs, field, code):
    fields = {"investment_fen": 1_000_000, "outcomes": [outcome()]} | kwargs
    with pytest.raises(InvalidInput) as exc:
        sroi_save(project=world["project"], actor=world["admin"], **fields)
    assert (exc.value.field, exc.value.code) == (field, code)
    assert not SroiWorksheet.objects.exists()


def test_sroi_save_needs_an_admin_or_editor(world):
    for who in ("finance", "outsider"):
        with pytest.raises(NotFound):
            sroi_save(project=world["project"], actor=world[who], investment_fen=1_000, outcomes=[outcome()])
    assert not SroiWorksheet.objects.exists()
