"""Public impact pages and the console pages, through the test client."""

import re
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from commonweal.impact.models import Indicator, Result, SroiWorksheet, Target
from commonweal.impact.services import sroi_save
from tests.factories import add_member, make_org, make_project, make_project_in
from tests.impact.support import jpeg_bytes, outcome, people_reached, with_results

pytestmark = pytest.mark.django_db


@pytest.fixture
def project():
    project = make_project(title_zh="山区学校净水计划", domain="few")
    admin = project.org.memberships.get().user
    with_results(people_reached(project, admin, name="饮用净水的学生", framework="sdg", code="6.1"), admin,
                 targets={"2026-Q1": "500", "2026-Q2": "800"}, results={"2026-Q1": "620"})
    sroi_save(project=project, actor=admin, investment_fen=10_000_000, outcomes=[outcome()])
    return project


def test_public_project_page_shows_indicators_chart_and_sroi(client, project):
    page = client.get(reverse("impact-project", args=[project.public_id])).content.decode()
    assert "饮用净水的学生" in page and "SDG 6.1" in page
    assert "620 人" in page and "800 人" in page and "签到表" in page and "https://example.org/report.pdf" in page
    assert "1.72 : 1" in page and "¥171,952.67" in page and "¥100,000.00" in page  # the worked example of test_sroi
    indicator = Indicator.objects.get()
    assert reverse("impact-indicator-chart", args=[indicator.public_id]) in page
    assert page.count("<tr>") >= 20  # assumptions and the 20 sensitivity rows
    assert "达标" in page  # the on-track badge, in zh-hans by default


def test_chart_is_a_static_svg_stating_every_figure(client, project):
    indicator = Indicator.objects.get()
    response = client.get(reverse("impact-indicator-chart", args=[indicator.public_id]))
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert "<script" not in svg and 'role="img"' in svg
    desc = re.search(r"<desc id=\"[^\"]+-desc\">(.*?)</desc>", svg).group(1)
    assert "2026-Q1" in desc and "620" in desc and "500" in desc and "800" in desc


def test_drafts_have_no_public_impact(client):
    draft = make_project_in("draft")
    people_reached(draft, draft.org.memberships.get().user)
    assert client.get(reverse("impact-project", args=[draft.public_id])).status_code == 404
    assert client.get(reverse("impact-indicator-chart", args=[Indicator.objects.get().public_id])).status_code == 404
    assert client.get(reverse("impact-project", args=["x" * 5000])).status_code == 404


def test_index_aggregates_per_domain(client, project):
    page = client.get(reverse("impact-index")).content.decode()
    assert "620" in page and "食物、能源与水" in page
    with translation.override("en"):
        client.post(reverse("set_language"), {"language": "en", "next": "/"})
        page = client.get(reverse("impact-index")).content.decode()
    assert "Food, energy and water" in page and "1 on track, 0 off track" in page


def test_console_flow_add_indicator_targets_result(client):
    org = make_org()
    project = make_project(org)
    editor = add_member(org, "editor")
    client.force_login(editor)
    url = reverse("impact-console-indicator-new", kwargs={"org": org.public_id, "project": project.public_id})
    bad = client.post(url, {"framework": "iris", "code": "PI40", "name_zh": "就业人数", "unit": "人", "direction": "higher"})
    assert bad.status_code == 200 and "PI4060" in bad.content.decode()
    response = client.post(url, {"framework": "iris", "code": "pi4060", "name_zh": "就业人数", "unit": "人", "direction": "higher",
                                 "additive": "on"})
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and indicator.code == "PI4060"
    detail = reverse("impact-console-indicator", kwargs={"org": org.public_id, "indicator": indicator.public_id})
    assert response["Location"] == detail

    targets = reverse("impact-console-targets", kwargs={"org": org.public_id, "indicator": indicator.public_id})
    assert client.post(targets, {"targets": "2026-Q1 | 30\n2026-Q2 | 60"}).status_code == 302
    assert list(Target.objects.values_list("period", "value")) == [("2026-Q1", D(30)), ("2026-Q2", D(60))]
    page = client.post(targets, {"targets": "2026-Q1 30"}).content.decode()
    assert "期间 | 数值" in page and Target.objects.count() == 2

    results = reverse("impact-console-result", kwargs={"org": org.public_id, "indicator": indicator.public_id})
    refused = client.post(results, {"period": "2026-Q1", "value": "31", "evidence_text": "劳动合同"})
    assert refused.status_code == 200 and "链接或文件" in refused.content.decode() and not Result.objects.exists()
    photo = SimpleUploadedFile("contract.jpg", jpeg_bytes(exif=True), content_type="image/jpeg")
    assert client.post(results, {"period": "2026-q1", "value": "31", "evidence_text": "劳动合同", "evidence_file": photo}).status_code == 302
    result = Result.objects.get()
    page = client.get(detail).content.decode()
    evidence = reverse("impact-console-evidence", kwargs={"org": org.public_id, "indicator": indicator.public_id,
                                                          "result": result.public_id})
    assert evidence in page and "达标" in page
    file = client.get(evidence)
    assert file["Content-Type"] == "image/jpeg" and file["Cache-Control"] == "private, no-store"
    public = client.get(reverse("impact-project", args=[project.public_id])).content.decode()
    assert evidence not in public and "31 人" in public and "JPEG" in public


def test_console_sroi_form(client):
    org = make_org()
    project = make_project(org)
    client.force_login(org.memberships.get().user)
    url = reverse("impact-console-sroi", kwargs={"org": org.public_id, "project": project.public_id})
    form = client.get(url).content.decode()
    assert 'name="outcomes-TOTAL_FORMS"' in form and 'value="3.5"' in form
    data = {"investment_yuan": "100,000", "discount_rate_pct": "3.5", "notes": "代理值取自当地最低工资。",
            "outcomes-TOTAL_FORMS": "2", "outcomes-INITIAL_FORMS": "0", "outcomes-MIN_NUM_FORMS": "0", "outcomes-MAX_NUM_FORMS": "20",
            "outcomes-0-description": "稳定就业的青年", "outcomes-0-quantity": "20", "outcomes-0-proxy_yuan": "10000",
            "outcomes-0-deadweight_pct": "25", "outcomes-0-attribution_pct": "20", "outcomes-0-displacement_pct": "0",
            "outcomes-0-drop_off_pct": "50", "outcomes-0-duration_years": "2",
            "outcomes-1-deadweight_pct": "0", "outcomes-1-attribution_pct": "0", "outcomes-1-displacement_pct": "0",
            "outcomes-1-drop_off_pct": "0", "outcomes-1-duration_years": "1"}
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    worksheet = SroiWorksheet.objects.get()
    assert (worksheet.investment_fen, worksheet.outcomes.count()) == (10_000_000, 1)
    page = client.get(url).content.decode()
    assert "1.72 : 1" in page and 'value="稳定就业的青年"' in page
    bad = client.post(url, data | {"outcomes-0-deadweight_pct": "120"})
    assert bad.status_code == 200 and "成果 1：百分比须在 0 到 100 之间" in bad.content.decode()
    assert SroiWorksheet.objects.get().outcomes.get().deadweight_pct == D(25)
