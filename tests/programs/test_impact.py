"""Impact indicators on the program office's pages: a lab's, a lab project's and a studio's own
indicators with their latest result against the target; a fund's page aggregates the indicators
of its labs, lab projects, studios, grant awards and funded projects per domain, in a bounded
number of queries."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from commonweal.core.domains import Domain
from commonweal.impact.services import IndicatorInput, indicator_create
from commonweal.programs.models import LabProject, Stage, Studio
from commonweal.programs.selectors import fund_impact, fund_impact_subjects
from commonweal.programs.services import commitment_create
from tests.factories import make_org, make_project, make_user
from tests.impact.support import people_reached, with_results
from tests.programs.factories import make_fund, make_lab, make_lab_project, make_office

pytestmark = pytest.mark.django_db


def staff_indicator(subject, *, name, unit, domain, additive=True, direction="higher", targets=None, results=None):
    """An indicator on a program subject, kept by platform staff (no organization), through the services."""
    staff = make_user(staff=True)
    indicator = indicator_create(
        actor=staff, subject=subject, domain=domain,
        data=IndicatorInput(framework="custom", code="", name_zh=name, name_en=f"{name} (en)", unit=unit, additive=additive,
                            direction=direction),
    )
    return with_results(indicator, staff, targets=targets or {}, results=results or {})


@pytest.fixture
def fund_world():
    manager = make_office()
    fund = make_fund()  # basic science and carbon neutrality, 2026
    lab = make_lab(manager, fund)  # carbon neutrality
    project = make_lab_project(manager, lab)
    LabProject.objects.filter(pk=project.pk).update(stage=Stage.SPUN_OFF)
    studio = Studio.objects.create(name="绿光工作室", project=project, commitment=commitment_create(
        actor=manager, fund=fund, domain=Domain.CARBON_NEUTRALITY, year=2026, amount_fen=10_000_00, recipient_name="绿光工作室",
        recipient_kind="organization", program="Studio", source_kind="studio",
    ))
    org = make_org()
    funded = make_project(org, domain=Domain.BASIC_SCIENCE)
    commitment_create(actor=manager, fund=fund, domain=Domain.BASIC_SCIENCE, year=2026, amount_fen=20_000_00,
                      recipient_name=org.name_zh, recipient_org=org, project=funded, program="Direct", source_kind="direct")
    draft = make_project(org, status="draft", domain=Domain.BASIC_SCIENCE)
    commitment_create(actor=manager, fund=fund, domain=Domain.BASIC_SCIENCE, year=2026, amount_fen=10_000_00,
                      recipient_name=org.name_zh, recipient_org=org, project=draft, program="Direct", source_kind="direct")
    admin = org.memberships.get(role="admin").user
    ind = {
        # latest Q2: 150 against 200 -> off track; 270 households in all
        "lab": staff_indicator(lab, name="受益农户", unit="户", domain=Domain.CARBON_NEUTRALITY,
                               targets={"2026-Q1": "100", "2026-Q2": "200"}, results={"2026-Q1": "120", "2026-Q2": "150"}),
        # 12.5 against 10 -> on track
        "project": staff_indicator(project, name="减排量", unit="tCO2e", domain=Domain.CARBON_NEUTRALITY,
                                   targets={"2026-Q1": "10"}, results={"2026-Q1": "12.5"}),
        # a rate (not additive), lower is better: 30 against 35 -> on track
        "studio": staff_indicator(studio, name="单位能耗", unit="kWh/m²", domain=Domain.CARBON_NEUTRALITY, additive=False,
                                  direction="lower", targets={"2026-Q1": "35"}, results={"2026-Q1": "30"}),
        # a result with no target for its period -> no target; 40 households
        "lab2": staff_indicator(lab, name="受益农户（二期）", unit="户", domain=Domain.CARBON_NEUTRALITY,
                                targets={"2026-Q1": "50"}, results={"2026-Q2": "40"}),
        # the funded public project: basic science, no result yet
        "funded": with_results(people_reached(funded, admin, name="参与学生"), admin, targets={"2026-Q3": "500"}, results={}),
    }
    with_results(people_reached(draft, admin, name="草稿项目指标"), admin, targets={}, results={"2026-Q1": "999"})
    # Another fund's lab: never counted.
    other_lab = make_lab(manager, make_fund())
    staff_indicator(other_lab, name="别的基金", unit="户", domain=Domain.CARBON_NEUTRALITY, targets={"2026-Q1": "1"},
                    results={"2026-Q1": "1000"})
    return {"fund": fund, "lab": lab, "project": project, "studio": studio, "funded": funded, "ind": ind, "manager": manager}


def test_lab_page_shows_its_indicators_with_latest_result_against_target(client, fund_world):
    html = client.get(reverse("programs-lab", args=[fund_world["lab"].public_id])).content.decode()
    lab_ind = fund_world["ind"]["lab"]
    assert f'data-indicator="{lab_ind.public_id}"' in html and f'data-indicator="{fund_world["ind"]["lab2"].public_id}"' in html
    block = html.split(f'data-indicator="{lab_ind.public_id}"', 1)[1].split("</article>", 1)[0]
    assert "受益农户" in block and "2026-Q2" in block and "150" in block and "200" in block
    assert "badge-warn" in block  # off track
    assert "270" in block  # the additive total
    # the project's and the other fund's indicators are not the lab's
    assert "减排量" not in html and "别的基金" not in html


def test_lab_project_and_studio_pages_show_their_indicators(client, fund_world):
    html = client.get(reverse("programs-lab-project", args=[fund_world["project"].public_id])).content.decode()
    assert f'data-indicator="{fund_world["ind"]["project"].public_id}"' in html and "12.5" in html and "badge-ok" in html
    assert "受益农户" not in html
    html = client.get(reverse("programs-studio", args=[fund_world["studio"].public_id])).content.decode()
    assert f'data-indicator="{fund_world["ind"]["studio"].public_id}"' in html and "单位能耗" in html


def test_pages_without_indicators_say_so(client):
    manager = make_office()
    lab = make_lab(manager, make_fund())
    html = client.get(reverse("programs-lab", args=[lab.public_id])).content.decode()
    assert "data-indicator=" not in html and "pf-no-indicators" in html
    html = client.get(reverse("programs-fund", args=[lab.fund.public_id])).content.decode()
    assert 'id="impact"' in html and "pf-no-indicators" in html and "data-impact-domain" not in html


def _domain_rows(html: str) -> dict[str, dict]:
    rows = {}
    for match in re.finditer(r'<tr data-impact-domain="([a-z_]+)"([^>]*)>(.*?)</tr>', html, re.S):
        attrs = dict(re.findall(r'data-([a-z-]+)="(\d+)"', match.group(2)))
        totals = {unit: Decimal(total) for unit, total in re.findall(r'data-unit="([^"]+)" data-total="([^"]+)"', match.group(3))}
        rows[match.group(1)] = {**{k: int(v) for k, v in attrs.items()}, "totals": totals}
    return rows


def test_fund_page_aggregates_its_subjects_indicators_per_domain(client, fund_world):
    html = client.get(reverse("programs-fund", args=[fund_world["fund"].public_id])).content.decode()
    summary = html.split('data-impact="fund"', 1)[1].split("</dl>", 1)[0]
    figures = dict(re.findall(r'data-figure="([a-z_]+)">(\d+)<', summary))
    assert figures == {"indicators": "5", "on_track": "2", "off_track": "1", "no_target": "1", "no_result": "1"}
    rows = _domain_rows(html)
    assert set(rows) == {"carbon_neutrality", "basic_science"}
    assert rows["carbon_neutrality"] == {
        "indicators": 4, "on-track": 2, "off-track": 1, "no-target": 1, "no-result": 0,
        "totals": {"户": Decimal("310"), "tCO2e": Decimal("12.5")},  # 120 + 150 + 40; the rate is not summed
    }
    assert rows["basic_science"] == {"indicators": 1, "on-track": 0, "off-track": 0, "no-target": 0, "no-result": 1, "totals": {}}
    # 999 as a figure, not inside a public id (a ULID's time part can spell "999").
    assert "别的基金" not in html and not re.search(r"(?<![0-9a-z])999(?![0-9a-z])", html)


def test_fund_impact_selector_matches_and_covers_the_registered_awards(fund_world):
    impact = fund_impact(fund=fund_world["fund"])
    assert (impact.summary.indicators, impact.summary.on_track, impact.summary.off_track) == (5, 2, 1)
    assert [info.domain.value for info, _s in impact.domains] == ["basic_science", "carbon_neutrality"]
    # The grants app adds its awards through the registry (grants/apps.py).
    models = {qs.model._meta.label for qs in fund_impact_subjects(fund=fund_world["fund"])}
    assert models == {"programs.Lab", "programs.LabProject", "programs.Studio", "projects.Project", "grants.Award"}


def test_fund_impact_queries_do_not_grow_with_subjects_or_indicators(client, fund_world, django_assert_max_num_queries):
    url = reverse("programs-fund", args=[fund_world["fund"].public_id])
    lab_url = reverse("programs-lab", args=[fund_world["lab"].public_id])
    client.get(url)  # warm up (content types)
    with django_assert_max_num_queries(30) as before:
        client.get(url)
    with django_assert_max_num_queries(30) as lab_before:
        client.get(lab_url)
    manager = fund_world["manager"]
    for n in range(5):
        project = make_lab_project(manager, fund_world["lab"], title=f"项目{n}")
        staff_indicator(project, name=f"指标{n}", unit="户", domain=Domain.CARBON_NEUTRALITY, targets={"2026-Q1": "10"},
                        results={"2026-Q1": str(n)})
        staff_indicator(fund_world["lab"], name=f"实验室指标{n}", unit="人", domain=Domain.CARBON_NEUTRALITY)
    with django_assert_max_num_queries(len(before.captured_queries)):
        html = client.get(url).content.decode()
    assert _domain_rows(html)["carbon_neutrality"]["indicators"] == 14
    with django_assert_max_num_queries(len(lab_before.captured_queries)):
        assert client.get(lab_url).content.decode().count("data-indicator=") == 7
