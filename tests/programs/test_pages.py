"""Pages: the dashboard's figures equal the database's sums (whole fund and every drill-down),
queries do not grow with the number of commitments, office pages answer 404 to outsiders."""

import datetime as dt
import re

import pytest
from django.db.models import Sum
from django.utils.html import escape
from django.urls import reverse

from commonweal.core.domains import Domain
from commonweal.core.money import format_fen
from commonweal.programs.forms import LAB_ERRORS
from commonweal.programs.models import Commitment, Fund, Lab, FundAllocation, GateReview, GrantPayment, OfficeRole, Stage
from commonweal.programs.services import commitment_create, gate_review_record, grant_payment_record
from tests.factories import make_org, make_user
from tests.programs.factories import make_fund, make_lab, make_lab_project, make_office

pytestmark = pytest.mark.django_db

ALLOC = {Domain.BASIC_SCIENCE: 1_000_000_00, Domain.CARBON_NEUTRALITY: 1_000_000_00, Domain.FEW: 500_000_00}


@pytest.fixture
def portfolio():
    manager, finance = make_office(), make_office(OfficeRole.FINANCE)
    fund = make_fund(total_fen=10_000_000_00, allocations=ALLOC)
    for year in (2025, 2027):
        FundAllocation.objects.create(fund=fund, domain=Domain.BASIC_SCIENCE, year=year, amount_fen=200_000_00)
    org = make_org()
    specs = [
        (Domain.BASIC_SCIENCE, 2026, "XPLORER Prize", "北京市", 300_000_00, 60_000_00),
        (Domain.BASIC_SCIENCE, 2026, "XPLORER Prize", "上海市", 300_000_00, 0),
        (Domain.BASIC_SCIENCE, 2025, "XPLORER Prize", "北京市", 150_000_00, 150_000_00),
        (Domain.CARBON_NEUTRALITY, 2026, "CarbonX", "云南省", 50_000_00, 25_000_00),
        (Domain.CARBON_NEUTRALITY, 2026, "CarbonX", "", 70_000_00, 0),
        (Domain.FEW, 2026, "Direct", "四川省", 123_456_78, 12_345_67),
    ]
    for n, (domain, year, program, region, amount, paid) in enumerate(specs):
        c = commitment_create(
            actor=manager, fund=fund, domain=domain, year=year, amount_fen=amount, program=program, region=region,
            recipient_name=f"Grantee {n}", recipient_org=org if n % 2 else None, source_kind="direct",
        )
        if paid:
            grant_payment_record(commitment=c, amount_fen=paid, paid_on=dt.date(2026, 5, 1), created_by=manager, approved_by=finance)
    return fund


def figures(html: str) -> dict[str, int]:
    """The data-fen figures of the summary block."""
    block = html.split('class="pf-figures"', 1)[1].split("</dl>", 1)[0]
    return {
        label: int(value)
        for label, value in re.findall(r'<dd data-figure="([a-z]+)" data-fen="(-?\d+)"', block)
    }


def db_sums(fund, **filters) -> tuple[int, int]:
    committed = Commitment.objects.filter(fund=fund, **filters).aggregate(s=Sum("amount_fen"))["s"] or 0
    paid = GrantPayment.objects.filter(
        commitment__fund=fund, **{f"commitment__{k}": v for k, v in filters.items()}
    ).aggregate(s=Sum("amount_fen"))["s"] or 0
    return committed, paid


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"domain": Domain.BASIC_SCIENCE},
        {"domain": Domain.CARBON_NEUTRALITY},
        {"year": 2025},
        {"year": 2026},
        {"program": "XPLORER Prize"},
        {"region": "北京市"},
        {"domain": Domain.BASIC_SCIENCE, "year": 2026, "region": "北京市"},
        {"domain": Domain.PUBLIC_EMERGENCY},
    ],
)
def test_dashboard_figures_equal_the_database_sums(client, portfolio, filters):
    response = client.get(reverse("programs-fund", args=[portfolio.public_id]), filters)
    assert response.status_code == 200
    shown = figures(response.content.decode())
    committed, paid = db_sums(portfolio, **filters)
    assert shown == {"committed": committed, "paid": paid, "balance": committed - paid}
    # The commitments table lists exactly the matching rows, each with its paid sum.
    expected = set(Commitment.objects.filter(fund=portfolio, **filters).values_list("public_id", flat=True))
    assert set(re.findall(r'data-commitment="([0-9a-z]{26})"', response.content.decode())) == expected


def test_domain_rows_equal_sums_per_domain(client, portfolio):
    html = client.get(reverse("programs-fund", args=[portfolio.public_id])).content.decode()
    for domain in ALLOC:
        row = html.split(f'data-domain="{domain}"', 1)[1].split("</tr>", 1)[0]
        committed, paid = db_sums(portfolio, domain=domain)
        allocated = FundAllocation.objects.filter(fund=portfolio, domain=domain).aggregate(s=Sum("amount_fen"))["s"]
        cells = re.findall(r'<td class="num">([^<]+)</td>', row)
        assert cells == [format_fen(allocated), format_fen(committed), format_fen(paid)]


def test_individual_grantees_are_not_named_publicly(client, portfolio):
    html = client.get(reverse("programs-fund", args=[portfolio.public_id])).content.decode()
    assert "Grantee 0" not in html and "Grantee 2" not in html  # individuals (no organization)
    client.force_login(make_office())
    html = client.get(reverse("programs-fund", args=[portfolio.public_id])).content.decode()
    assert "Grantee 0" in html


def test_dashboard_queries_do_not_grow_with_commitments(client, portfolio, django_assert_max_num_queries):
    manager = make_office()
    url = reverse("programs-fund", args=[portfolio.public_id])
    client.get(url)  # warm up (sessions, content types)
    with django_assert_max_num_queries(20) as before:
        client.get(url)
    for n in range(30):
        commitment_create(
            actor=manager, fund=portfolio, domain=Domain.FEW, year=2026, amount_fen=1_00 + n, program=f"P{n}", region=f"R{n}",
            recipient_name="Org", recipient_org=make_org(), source_kind="direct",
        )
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("programs-portfolio")).status_code == 200


def test_chart_is_a_static_svg_with_every_figure(client, portfolio, settings):
    settings.LANGUAGE_CODE = "en"
    response = client.get(reverse("programs-fund-chart", args=[portfolio.public_id]), {"domain": Domain.FEW})
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert "<script" not in svg and 'role="img"' in svg
    committed, paid = db_sums(portfolio, domain=Domain.FEW)
    assert f"committed {format_fen(committed, lang='en')}, paid {format_fen(paid, lang='en')}" in svg


def test_unknown_fund_and_bad_filters(client, portfolio):
    assert client.get(reverse("programs-fund", args=["x" * 26])).status_code == 404
    assert client.get(reverse("programs-fund", args=["nope"])).status_code == 404
    response = client.get(reverse("programs-fund", args=[portfolio.public_id]), {"year": "abc", "domain": "nope"})
    assert response.status_code == 200
    committed, _paid = db_sums(portfolio)
    assert figures(response.content.decode())["committed"] == committed


OFFICE_URLS = [
    ("programs-office", False),
    ("programs-office-fund-new", False),
    ("programs-office-lab-new", False),
    ("programs-office-allocations", True),
    ("programs-office-commitment-new", True),
]


@pytest.mark.parametrize(("name", "needs_fund"), OFFICE_URLS)
@pytest.mark.parametrize("who", ["anonymous", "outsider", "finance", "manager"])
def test_office_pages_by_role(client, name, needs_fund, who):
    fund = make_fund()
    url = reverse(name, args=[fund.public_id] if needs_fund else [])
    if who == "outsider":
        client.force_login(make_user())
    elif who != "anonymous":
        client.force_login(make_office(who))
    status = client.get(url).status_code
    if who == "anonymous":
        assert status == 302
    elif who == "manager" or (who == "finance" and name == "programs-office"):
        assert status == 200
    else:
        assert status == 404


def test_manager_creates_a_fund_allocates_and_commits_through_pages(client):
    manager = make_office()
    client.force_login(manager)
    response = client.post(
        reverse("programs-office-fund-new"),
        {"name_zh": "新基金", "total": "50,000,000,000", "start_year": 2026, "end_year": 2030},
    )
    fund = Fund.objects.get(name_zh="新基金")
    assert fund.total_fen == 50_000_000_000_00
    assert response.status_code == 302
    url = reverse("programs-office-allocations", args=[fund.public_id])
    assert client.post(url, {"domain": Domain.FEW, "year": 2026, "amount": "1000"}).status_code == 302
    bad = client.post(url, {"domain": Domain.FEW, "year": 2031, "amount": "1000"})
    assert bad.status_code == 200 and "2026–2030" in bad.content.decode()
    url = reverse("programs-office-commitment-new", args=[fund.public_id])
    data = {"domain": Domain.FEW, "year": 2026, "amount": "600", "program": "Direct", "recipient_name": "某机构", "recipient_kind": "organization"}
    assert client.post(url, data).status_code == 302
    over = client.post(url, data)
    assert over.status_code == 200 and "¥400.00" in over.content.decode()
    assert Commitment.objects.filter(fund=fund).count() == 1


def test_gate_page_records_a_decision_and_the_history_shows_it(client):
    manager = make_office()
    lab = make_lab(manager, make_fund())
    project = make_lab_project(manager, lab)
    client.force_login(manager)
    url = reverse("programs-office-gate", args=[project.public_id])
    response = client.post(url, {
        "to": Stage.PILOT, "decision": "approve", "criteria": "c", "evidence": "e", "reasons": "r", "reviewers": [manager.pk],
    })
    assert response.status_code == 200  # pilot is not a legal next stage: the form says so
    assert Stage.PILOT not in [c[0] for c in response.context["form"].fields["to"].choices]
    response = client.post(url, {
        "to": Stage.INCUBATING, "decision": "approve", "criteria": "Problem validated", "evidence": "Interviews with 40 farmers",
        "evidence_links": "https://example.org/interviews", "reasons": "Strong demand", "reviewers": [manager.pk],
    })
    assert response.status_code == 302
    gate = GateReview.objects.get(project=project)
    assert (gate.from_stage, gate.to_stage, gate.evidence_links) == ("idea", "incubating", ["https://example.org/interviews"])
    client.logout()
    html = client.get(reverse("programs-lab-project", args=[project.public_id])).content.decode()
    assert "Interviews with 40 farmers" in html and "https://example.org/interviews" in html
    assert manager.email not in html  # reviewers are counted, not named, in public


def test_manager_adds_a_lab_project(client):
    manager = make_office()
    lab = make_lab(manager, make_fund())
    url = reverse("programs-office-lab-project-new", args=[lab.public_id])
    client.force_login(make_office(OfficeRole.FINANCE))
    assert client.post(url, {"title": "x"}).status_code == 404
    client.force_login(manager)
    assert client.post(url, {"title": "  "}).status_code == 200
    response = client.post(url, {"title": "方言语音助手", "summary": "为老人"})
    project = lab.projects.get()
    assert response.status_code == 302 and (project.title, project.stage) == ("方言语音助手", Stage.IDEA)


def test_studio_page_shows_the_projects_gate_history(client):
    manager = make_office()
    lab = make_lab(manager, make_fund())
    project = make_lab_project(manager, lab)
    common = {"criteria": "c", "evidence": "e", "reviewers": [manager], "year": 2026}
    for to, reason in [(Stage.INCUBATING, "R1"), (Stage.PILOT, "R2"), (Stage.SCALING, "R3")]:
        gate_review_record(actor=manager, project=project, to=to, decision="approve", reasons=reason, **common)
    gate_review_record(
        actor=manager, project=project, to=Stage.SPUN_OFF, decision="approve", reasons="R4", studio_name="绿光工作室",
        studio_budget_fen=10_000_00, **common,
    )
    studio = project.studio
    html = client.get(reverse("programs-studio", args=[studio.public_id])).content.decode()
    assert all(reason in html for reason in ("R1", "R2", "R3", "R4")) and "绿光工作室" in html
    labs_html = client.get(reverse("programs-labs")).content.decode()
    assert studio.public_id in labs_html and lab.public_id in labs_html
    assert client.get(reverse("programs-lab", args=[lab.public_id])).status_code == 200


def test_nav_links_the_office_for_members_only(client):
    client.force_login(make_user())
    assert reverse("programs-office") not in client.get(reverse("programs-portfolio")).content.decode()
    client.force_login(make_office(OfficeRole.FINANCE))
    assert reverse("programs-office") in client.get(reverse("home")).content.decode()


LAB_DATA = {
    "name_zh": "乡村养老实验室", "name_en": "Rural elderly-care lab", "mission": "Help elders in villages live at home",
    "domain": Domain.BASIC_SCIENCE, "budget": "50,000", "year": 2026, "region": "贵州",
    "team": "王芳 | 研究部 | 负责人\n李雷 | 工程部\n", "kpis": "output | 原型 | 3 | 个\nreach | 老人 | 1000 | 人 | 120",
}


def test_manager_creates_a_lab_through_the_page(client):
    fund = make_fund()
    manager = make_office()
    client.force_login(manager)
    url = reverse("programs-office-lab-new")
    assert url in client.get(reverse("programs-office")).content.decode()
    response = client.post(url, {**LAB_DATA, "fund": fund.public_id})
    lab = Lab.objects.get(name_zh="乡村养老实验室")
    assert response.status_code == 302 and response["Location"] == reverse("programs-lab", args=[lab.public_id])
    assert (lab.name_en, lab.mission, lab.domain, lab.fund, lab.budget_fen) == (
        "Rural elderly-care lab", "Help elders in villages live at home", Domain.BASIC_SCIENCE, fund, 50_000_00,
    )
    assert sorted(lab.members.values_list("name", "department", "role")) == [("李雷", "工程部", ""), ("王芳", "研究部", "负责人")]
    assert sorted(lab.kpis.values_list("kind", "label", "target", "unit", "actual")) == [
        ("output", "原型", 3, "个", 0), ("reach", "老人", 1000, "人", 120),
    ]
    commitment = lab.commitment
    assert (commitment.amount_fen, commitment.year, commitment.region, commitment.source_kind) == (50_000_00, 2026, "贵州", "lab")


@pytest.mark.parametrize(("change", "field"), [
    ({"team": "王芳 | 研究部\n李雷 | 研究部"}, "team"),  # one department only: the service refuses
    ({"team": "王芳"}, "team"),
    ({"kpis": "revenue | 收入 | 100"}, "kpis"),
    ({"budget": "1.001"}, "budget"),
])
def test_bad_lab_input_shows_the_error_and_creates_nothing(client, change, field):
    fund = make_fund()
    client.force_login(make_office())
    response = client.post(reverse("programs-office-lab-new"), {**LAB_DATA, "fund": fund.public_id, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert escape(errors[field][0]) in response.content.decode()
    assert not Lab.objects.exists() and not Commitment.objects.exists()


def test_lab_budget_beyond_the_allocation_is_refused_on_the_form(client):
    fund = make_fund()  # 400,000 yuan allocated to basic science in 2026
    client.force_login(make_office())
    response = client.post(reverse("programs-office-lab-new"), {**LAB_DATA, "fund": fund.public_id, "budget": "400,000.01"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == [str(LAB_ERRORS["allocation_exceeded"])] and escape(errors[0]) in response.content.decode()
    assert not Lab.objects.exists()


def test_only_managers_create_labs(client):
    fund = make_fund()
    url = reverse("programs-office-lab-new")
    data = {**LAB_DATA, "fund": fund.public_id}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for user in (make_user(), make_office(OfficeRole.FINANCE)):
        client.force_login(user)
        assert client.post(url, data).status_code == 404
    assert url not in client.get(reverse("programs-office")).content.decode()  # finance sees no link
    assert not Lab.objects.exists()


def test_gate_evidence_files_are_kept_private_for_the_office(client, settings):
    import os

    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonweal.programs.models import GateEvidence
    from tests.disclosure.spending_support import jpeg_bytes

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    manager = make_office()
    lab = make_lab(manager, make_fund())
    project = make_lab_project(manager, lab)
    client.force_login(manager)
    url = reverse("programs-office-gate", args=[project.public_id])
    assert 'enctype="multipart/form-data"' in client.get(url).content.decode()
    data = {"to": Stage.INCUBATING, "decision": "approve", "criteria": "Problem validated", "evidence": "Interviews",
            "reasons": "Strong demand", "reviewers": [manager.pk]}
    # A file that is not what it says: refused with the reason, and nothing is recorded or kept.
    before = sorted(os.listdir(settings.VAR_DIR / "private")) if (settings.VAR_DIR / "private").exists() else []
    refused = client.post(url, {**data, "evidence_files": [SimpleUploadedFile("访谈.pdf", b"MZ\x90 not a pdf", "application/pdf")]})
    assert refused.status_code == 200 and refused.context["form"].errors["evidence_files"]
    assert not GateReview.objects.exists() and not GateEvidence.objects.exists()
    assert (sorted(os.listdir(settings.VAR_DIR / "private")) if (settings.VAR_DIR / "private").exists() else []) == before
    response = client.post(url, {**data, "evidence_files": [SimpleUploadedFile("访谈.pdf", pdf, "application/pdf"),
                                                            SimpleUploadedFile("现场.jpg", jpeg_bytes(), "image/jpeg")]})
    assert response.status_code == 302
    first, second = GateEvidence.objects.order_by("position")
    assert (first.content_type, second.content_type) == ("application/pdf", "image/jpeg")
    assert first.file.path.startswith(str(settings.VAR_DIR / "private"))
    download = reverse("programs-office-gate-file", args=[first.public_id])
    page = client.get(reverse("programs-lab-project", args=[project.public_id])).content.decode()
    assert download in page
    got = client.get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content) == pdf and got["Cache-Control"] == "private, no-store"
    # The public sees that files were presented, and their fingerprints, but cannot open them.
    client.logout()
    page = client.get(reverse("programs-lab-project", args=[project.public_id])).content.decode()
    assert download not in page and first.sha256[:12] in page
    assert client.get(download).status_code == 302  # sign in first
    client.force_login(make_user())
    assert client.get(download).status_code == 404
    client.force_login(make_office(OfficeRole.FINANCE))  # any office member may read them
    assert client.get(download).status_code == 200
