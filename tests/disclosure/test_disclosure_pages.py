"""Financial disclosure on the public pages: the project page's block, its CSV and chart, the
API figures and the organization's annual report. Totals equal the sums of the underlying
records and of the ledger entries; no description or person ever shows."""

import csv
import datetime as dt
import io
import json
import re
from collections import defaultdict

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweal.core.timeutil import SHANGHAI
from commonweal.disclosure.models.spending import Disbursement
from commonweal.disclosure.selectors.spending import (
    MATCHED_SOURCES,
    Ratio,
    org_annual_report,
    project_financial_summary,
)
from commonweal.giving.models import Donation, Refund
from commonweal.giving.services import refund_create
from commonweal.ledger.models import OutboxEntry
from commonweal.orgs.models import OrgType
from tests.disclosure.spending_support import make_world, paid, record, walk
from tests.factories import donate, make_project

pytestmark = pytest.mark.django_db


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _busy_world():
    """Donations, a refund, paid disbursements on both lines, and some not paid (yet)."""
    world = make_world()  # ¥80,000 donated
    donation = donate(world.project, 1_234_567)
    refund_create(donation=donation, amount_fen=34_567, reason="退款", actor=world.admin)
    paid(world, 1_000_000, line=0, description="采购图书，收款人王五")
    paid(world, 255_050, line=0, kind="logistics")
    paid(world, 400_000, line=1, kind="staff")
    walk(world, record(world, 111_111, line=1), "approved")  # approved, not paid: not spent
    walk(world, record(world, 222_222, line=1), "rejected")
    record(world, 333_333)  # a draft
    world.project.refresh_from_db()
    return world


def _entries(project) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in OutboxEntry.objects.all():
        entry = json.loads(bytes(row.canonical_json))
        if entry.get("project") == project.public_id:
            totals[entry["type"]] += entry["amount_fen"]
    return totals


def test_totals_equal_the_records_and_the_ledger_entries():
    world = _busy_world()
    summary = project_financial_summary(world.project)
    donations = sum(Donation.objects.filter(project=world.project).values_list("amount_fen", flat=True))
    refunds = sum(Refund.objects.filter(donation__project=world.project).values_list("amount_fen", flat=True))
    spent = sum(Disbursement.objects.filter(project=world.project, status="paid").values_list("amount_fen", flat=True))
    entries = _entries(world.project)
    assert summary.raised_fen == donations == entries["donation"] == 8_000_000 + 1_234_567
    assert summary.refunded_fen == refunds == entries["refund"] == 34_567
    assert summary.matched_fen == 0
    assert summary.net_fen == donations - refunds
    assert summary.spent_fen == spent == entries["disbursement"] == 1_655_050
    assert summary.balance_fen == summary.net_fen - summary.spent_fen
    assert summary.approved_fen == 111_111
    lines = {line.position: line for line in summary.lines}
    assert (lines[0].spent_fen, lines[1].spent_fen) == (1_255_050, 400_000)
    per_line_entries = defaultdict(int)
    for row in OutboxEntry.objects.filter(entry_type="disbursement"):
        entry = json.loads(bytes(row.canonical_json))
        per_line_entries[entry["budget_line"]] += entry["amount_fen"]
    assert {p: line.spent_fen for p, line in lines.items()} == dict(per_line_entries)
    assert summary.paid_count == 3 and sum(line.paid_count for line in summary.lines) == 3


def test_matched_funds_are_summed_from_whatever_sources_exist():
    world = make_world()
    MATCHED_SOURCES.append(lambda ids: {world.project.pk: 500_000} if world.project.pk in ids else {})
    try:
        summary = project_financial_summary(world.project)
    finally:
        MATCHED_SOURCES.pop()
    assert (summary.matched_fen, summary.net_fen) == (500_000, 8_000_000 + 500_000)


def test_the_project_page_shows_the_figures_without_descriptions_or_people(client):
    world = _busy_world()
    html = _html(client, reverse("project-detail", args=[world.project.public_id]))
    assert "善款去向" in html
    net = "¥92,000.00"  # 80,000 + 12,345.67 − 345.67
    assert net in html and "¥16,550.50" in html and "¥75,449.50" in html
    assert "捐赠 ¥92,345.67 + 配捐 ¥0.00 − 退款 ¥345.67" in html
    assert "¥12,550.50" in html and "¥47,449.50" in html  # 图书: spent, remaining
    for private in ("王五", "采购图书", world.finance.email, world.admin2.email):
        assert private not in html
    assert f'href="/ledger/projects/{world.project.public_id}/"' in html
    assert f'src="/projects/{world.project.public_id}/finances.svg"' in html
    assert f'href="/projects/{world.project.public_id}/finances.csv"' in html
    assert f'href="/orgs/{world.org.public_id}/annual/"' in html
    # Three paid disbursements, not yet sequenced: no index yet.
    assert html.count("等待记账") == 3
    OutboxEntry.objects.filter(entry_type="disbursement").update(log_index=None)
    for n, row in enumerate(OutboxEntry.objects.order_by("pk")):
        OutboxEntry.objects.filter(pk=row.pk).update(log_index=n)
    html = _html(client, reverse("project-detail", args=[world.project.public_id]))
    indexes = [
        OutboxEntry.objects.get(subject_id=d.public_id).log_index
        for d in Disbursement.objects.filter(status="paid")
    ]
    for index in indexes:
        assert f'href="/ledger/entries/{index}/">账本条目 {index}</a>' in html


def test_the_project_page_query_count_does_not_grow_with_disbursements(client):
    world = make_world()
    url = reverse("project-detail", args=[world.project.public_id])
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(6):
        paid(world, 10_000 + n, line=n % 2)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_csv_has_the_same_figures(client):
    world = _busy_world()
    response = client.get(reverse("project-finances-csv", args=[world.project.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{world.project.public_id}-finances.csv"'
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    pid = world.project.public_id
    figures = {(r["figure"], r["budget_line"]): (int(r["amount_fen"]), r["amount_yuan"], r["budget_item"]) for r in rows}
    assert all(r["project"] == pid and r["currency"] == "CNY" for r in rows)
    assert figures[("donations", "")] == (9_234_567, "92345.67", "")
    assert figures[("matched", "")] == (0, "0.00", "")
    assert figures[("refunded", "")] == (34_567, "345.67", "")
    assert figures[("funds_received", "")] == (9_200_000, "92000.00", "")
    assert figures[("budget", "0")] == (6_000_000, "60000.00", "图书")
    assert figures[("spent", "0")] == (1_255_050, "12550.50", "图书")
    assert figures[("spent", "1")] == (400_000, "4000.00", "书架")
    assert figures[("spent_total", "")] == (1_655_050, "16550.50", "")
    assert figures[("balance", "")] == (9_200_000 - 1_655_050, "75449.50", "")
    assert list(rows[0]) == ["project", "figure", "budget_line", "budget_item", "amount_fen", "amount_yuan", "currency"]


def test_csv_cells_cannot_become_spreadsheet_formulas(client):
    from commonweal.disclosure.views_spending import finances_csv_rows
    from commonweal.disclosure.selectors.spending import BudgetLineFigures, ProjectFinancialSummary

    summary = ProjectFinancialSummary(
        project="p", currency="CNY", raised_fen=0, refunded_fen=0, matched_fen=0, net_fen=0, spent_fen=0, approved_fen=0,
        balance_fen=0, budget_fen=1, paid_count=0,
        lines=(BudgetLineFigures(position=0, name='=HYPERLINK("http://evil")', budget_fen=1, spent_fen=0, approved_fen=0, paid_count=0),),
    )
    names = {row[3] for row in finances_csv_rows(summary)}
    assert "'=HYPERLINK(\"http://evil\")" in names and '=HYPERLINK("http://evil")' not in names


def test_the_chart_is_a_static_accessible_svg(client):
    world = _busy_world()
    response = client.get(reverse("project-finances-svg", args=[world.project.public_id]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml; charset=utf-8"
    svg = response.content.decode()
    assert "<script" not in svg and "<!--" not in svg
    chart_id = f"finances-{world.project.public_id}"
    assert f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"' in svg
    assert re.search(rf'<title id="{chart_id}-title">各预算项目的预算与支出</title><desc id="{chart_id}-desc">', svg)
    assert "图书：预算 ¥60,000.00，已支出 ¥12,550.50" in svg and "已筹 ¥92,000.00，已支出 ¥16,550.50，结余 ¥75,449.50" in svg
    assert "script-src" in response["Content-Security-Policy"] or "default-src 'none'" in response["Content-Security-Policy"]
    assert client.get(reverse("project-finances-svg", args=[world.project.public_id])).content.decode() == svg  # stable bytes


@pytest.mark.parametrize("name", ["project-finances-csv", "project-finances-svg"])
def test_drafts_and_unknown_projects_have_no_finances(client, name):
    draft = make_project(status="draft")
    for public_id in (draft.public_id, "01jnosuchprojectxxxxxxxxxx"):
        assert client.get(reverse(name, args=[public_id])).status_code == 404


def test_the_api_gives_the_same_figures(client):
    world = _busy_world()
    body = client.get(f"/api/v1/projects/{world.project.public_id}/finances").json()
    summary = project_financial_summary(world.project)
    assert (body["net_fen"], body["spent_fen"], body["balance_fen"]) == (summary.net_fen, summary.spent_fen, summary.balance_fen)
    assert [(line["position"], line["spent_fen"]) for line in body["lines"]] == [(0, 1_255_050), (1, 400_000)]
    assert body["ledger_url"] == f"/ledger/projects/{world.project.public_id}/"
    assert client.get("/api/v1/projects/01jnosuchprojectxxxxxxxxxx/finances").status_code == 404


# --- the annual report ------------------------------------------------------------------------

def _at(year: int, month: int = 6) -> dt.datetime:
    return dt.datetime(year, month, 15, 12, 0, tzinfo=SHANGHAI)


def _annual_world(org_type=OrgType.FOUNDATION):
    """2024: ¥1,000 in. 2025: ¥10,000 in, ¥1,000 refunded (of a 2024 gift); spent ¥6,000 charitable
    (purchase ¥4,000, grant ¥1,500, logistics ¥500) and ¥800 management (staff ¥500, other ¥300)."""
    world = make_world(raised_fen=0)
    world.org.org_type = org_type
    world.org.save(update_fields=["org_type"])
    old = donate(world.project, 100_000)
    Donation.objects.filter(pk=old.pk).update(confirmed_at=_at(2024))
    new = donate(world.project, 1_000_000)
    Donation.objects.filter(pk=new.pk).update(confirmed_at=_at(2025, 3))
    refund = refund_create(donation=old, amount_fen=100_000, reason="退款", actor=world.admin)
    Refund.objects.filter(pk=refund.pk).update(created_at=_at(2025, 4))
    for amount, kind in ((400_000, "purchase"), (150_000, "grant"), (50_000, "logistics"), (50_000, "staff"), (30_000, "other")):
        d = paid(world, amount, kind=kind, line=0 if kind != "staff" else 1)
        Disbursement.objects.filter(pk=d.pk).update(paid_at=_at(2025, 9))
    late = paid(world, 1_000, kind="purchase")
    Disbursement.objects.filter(pk=late.pk).update(paid_at=dt.datetime(2026, 1, 1, 0, 0, tzinfo=SHANGHAI))  # next year in Beijing
    return world


def test_annual_report_ratios_on_constructed_data():
    world = _annual_world()
    report = org_annual_report(org=world.org, year=2025)
    assert (report.donations_fen, report.refunds_fen, report.funds_in_fen) == (1_000_000, 100_000, 900_000)
    assert report.previous_funds_in_fen == 100_000
    assert (report.spent_fen, report.charitable_fen, report.management_fen) == (680_000, 600_000, 80_000)
    assert report.charitable_ratio == Ratio(numerator_fen=600_000, denominator_fen=900_000)
    assert report.charitable_ratio.percent_text == "66.6%"  # 66.67% rounded down
    assert report.charitable_ok is False
    assert report.management_ratio.percent_text == "11.7%"  # 80,000 / 680,000 = 11.76%
    assert report.management_ok is False
    by_kind = {k.kind: (k.amount_fen, k.charitable) for k in report.by_kind}
    assert by_kind == {"purchase": (400_000, True), "grant": (150_000, True), "logistics": (50_000, True),
                       "staff": (50_000, False), "other": (30_000, False)}
    [row] = report.projects
    assert (row.funds_in_fen, row.spent_fen) == (900_000, 680_000)
    assert org_annual_report(org=world.org, year=2026).spent_fen == 1_000


def test_ratio_boundaries_are_exact():
    assert Ratio(numerator_fen=70, denominator_fen=100).at_least(70)
    assert not Ratio(numerator_fen=6_999_999, denominator_fen=10_000_000).at_least(70)
    assert Ratio(numerator_fen=6_999_999, denominator_fen=10_000_000).percent_text == "69.9%"
    assert Ratio(numerator_fen=10, denominator_fen=100).at_most(10)
    assert not Ratio(numerator_fen=1_000_001, denominator_fen=10_000_000).at_most(10)


def test_annual_report_page(client):
    world = _annual_world()
    html = _html(client, reverse("org-annual-report", args=[world.org.public_id, 2025]))
    for text in ("2025 年度报告", "《慈善法》第六十一条", "慈善活动支出比例", "66.6%", "11.7%", "未达标",
                 "¥9,000.00", "¥6,800.00", "采购物资或服务", "人员费用", "其他行政管理费用", "上一年度收入：¥1,000.00。",
                 world.project.title_zh, "募捐中"):
        assert text in html, text
    assert f'href="/orgs/{world.org.public_id}/annual/2024/"' in html
    assert f'href="/orgs/{world.org.public_id}/annual/2026/"' in html


def test_annual_report_for_other_organizations_is_for_reference(client):
    world = _annual_world(org_type=OrgType.SOCIAL_ORGANIZATION)
    html = _html(client, reverse("org-annual-report", args=[world.org.public_id, 2025]))
    assert "第六十一条的比例要求针对基金会；本机构的比例仅供参考。" in html and "未达标" not in html


def test_annual_report_current_year_and_bounds(client):
    world = make_world()
    html = _html(client, reverse("org-annual-report-current", args=[world.org.public_id]))
    assert f"{timezone.localdate().year} 年度报告" in html
    assert client.get(reverse("org-annual-report", args=[world.org.public_id, 1999])).status_code == 404
    assert client.get(reverse("org-annual-report", args=[world.org.public_id, timezone.localdate().year + 1])).status_code == 404
    assert client.get(reverse("org-annual-report", args=["01jnosuchorgxxxxxxxxxxxxxx", 2025])).status_code == 404


def test_annual_report_query_count_is_fixed(django_assert_num_queries, monkeypatch):
    """Four queries of its own (the reporting selectors' compliance state comes on top)."""
    import commonweal.disclosure.selectors.spending as selectors

    monkeypatch.setattr(selectors, "_reporting_compliance", lambda: None)
    world = _annual_world()
    with django_assert_num_queries(4):
        org_annual_report(org=world.org, year=2025)


def test_ledger_links_point_at_the_explorer():
    from django.urls import resolve

    from commonweal.disclosure.selectors.spending import ledger_entry_url, ledger_project_url

    assert resolve(ledger_project_url("01m84d2qejt1p9hycfd3g541rv")).url_name == "ledger-project"
    assert resolve(ledger_entry_url(42)).url_name == "ledger-entry"
    assert ledger_entry_url(None) is None


def test_the_block_in_english(client):
    world = _busy_world()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = _html(client, reverse("project-detail", args=[world.project.public_id]))
    assert "Where the money goes" in html
    assert "Raised = donations ¥92,345.67 + matching funds ¥0.00 − refunds ¥345.67." in html
    assert "图书 · Purchase of goods or services" in html
    svg = client.get(reverse("project-finances-svg", args=[world.project.public_id])).content.decode()
    assert "Budget and spending per budget item" in svg and "图书: budget ¥60,000.00, spent ¥12,550.50" in svg


def test_summaries_of_many_projects_take_a_fixed_number_of_queries(django_assert_num_queries):
    from commonweal.disclosure.selectors.spending import project_financial_summaries
    from commonweal.projects.models import Project

    worlds = [_busy_world(), make_world()]
    paid(worlds[1], 12_345, line=1)
    projects = list(Project.objects.filter(pk__in=[w.project.pk for w in worlds]))
    # budget lines, disbursements per line, and one per matched-funds source (matching's)
    with django_assert_num_queries(2 + len(MATCHED_SOURCES)):
        summaries = project_financial_summaries(projects)
    for world in worlds:
        world.project.refresh_from_db()
        assert summaries[world.project.pk] == project_financial_summary(world.project)
    assert project_financial_summaries([]) == {}
