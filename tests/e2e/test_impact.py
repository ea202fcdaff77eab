"""Impact in a browser: an editor of an organization records a quarter's result with an evidence
photo, on a phone; the public impact page then shows the value, its status against the target,
the chart and the SROI result with its assumptions."""

import re

import pytest

from commonweal.impact.models import Result
from commonweal.impact.services import sroi_save
from tests.factories import add_member, make_org, make_project, make_user
from tests.e2e.test_finance import _sign_in  # the same sign-in steps as the other browser tests
from tests.impact.support import jpeg_bytes, outcome, people_reached, with_results

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_editor_records_a_result_and_the_public_page_shows_it(live_server, mobile_page, desktop_page, screenshot):
    base = live_server.url
    org = make_org(make_user("admin@qingshui.example.org"), name="清水乡村发展基金会")
    project = make_project(org, title_zh="山区学校净水计划", domain="few")
    admin = org.memberships.get().user
    editor = add_member(org, "editor", user=make_user("bianji@qingshui.example.org"))
    indicator = with_results(
        people_reached(project, admin, name="饮用安全饮水的学生", framework="sdg", code="6.1"), admin,
        targets={"2026-Q1": "500", "2026-Q2": "800"}, results={"2026-Q1": "520"},
    )
    sroi_save(project=project, actor=admin, investment_fen=10_000_000, outcomes=[outcome()])

    # 1. The editor records the second quarter on a phone, with a photo as evidence.
    page = mobile_page
    path = f"/impact/console/{org.public_id}/indicators/{indicator.public_id}/"
    _sign_in(page, base, path, editor.email)
    page.get_by_label("期间").fill("2026-Q2")
    page.get_by_label("实际值").fill("812")
    page.get_by_label("证明材料").fill("各校饮水登记表汇总")
    page.get_by_label("证明文件").set_input_files(files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes(exif=True)}])
    screenshot(page, "impact-record-result")
    page.get_by_role("button", name="登记该结果").click()
    page.get_by_text("结果已登记").wait_for()
    result = Result.objects.get(period="2026-Q2")
    assert (result.value, result.recorded_by, result.evidence_content_type) == (812, editor, "image/jpeg")
    assert page.errors == []

    # 2. Anyone sees it on the public impact page, on track against the target of 800.
    public = desktop_page
    public.goto(f"{base}/impact/projects/{project.public_id}/")
    block = public.get_by_role("article").filter(has_text="饮用安全饮水的学生")
    block.get_by_text("达标", exact=True).wait_for()
    row = block.get_by_role("row").filter(has_text="2026-Q2")
    assert "812 人" in row.inner_text() and "800 人" in row.inner_text() and "各校饮水登记表汇总" in row.inner_text()
    chart = block.get_by_role("img", name=re.compile("目标值与实际值"))
    public.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert "1.72 : 1" in public.get_by_role("region", name="社会投资回报（SROI）").inner_text()
    screenshot(public, "impact-public-page")
    assert public.errors == []

    # 3. The domain overview counts it.
    public.goto(f"{base}/impact/")
    card = public.get_by_role("region", name="食物、能源与水")
    assert "1 项达标" in card.inner_text() and "1,332" in card.inner_text()
    screenshot(public, "impact-index")
    assert public.errors == []
