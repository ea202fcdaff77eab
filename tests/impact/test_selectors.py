"""Status against targets, aggregation per domain and over any subjects, in few queries."""

from decimal import Decimal as D

import pytest

from commonweal.impact.selectors import UnitTotal, impact_by_domain, impact_summary, indicator_status, indicators_for
from commonweal.impact.services import IndicatorInput, indicator_create
from commonweal.orgs.models import Organization
from commonweal.projects.models import Project
from tests.factories import make_org, make_project, make_project_in
from tests.impact.support import people_reached, with_results

pytestmark = pytest.mark.django_db


def _admin(project):
    return project.org.memberships.get(role="admin").user


def test_status_compares_the_latest_result_with_the_target_of_its_period():
    project = make_project()
    admin = _admin(project)
    up = with_results(people_reached(project, admin), admin, targets={"2026-Q1": "100", "2026-Q2": "200"},
                      results={"2026-Q2": "150", "2026-Q1": "120"})
    status = indicator_status(indicators_for(subjects=[project]).get(pk=up.pk))
    assert [(p, t, r.value if r else None) for p, t, r in status.rows] == [("2026-Q1", D(100), D(120)), ("2026-Q2", D(200), D(150))]
    assert (status.latest.period, status.latest_target, status.on_track, status.total) == ("2026-Q2", D(200), False, D(270))

    down = with_results(people_reached(project, admin, name="单位能耗", unit="kWh/人", additive=False, direction="lower"), admin,
                        targets={"2026": "50"}, results={"2026": "48.5"})
    status = indicator_status(indicators_for(subjects=[project]).get(pk=down.pk))
    assert (status.on_track, status.total) == (True, None)

    no_target = with_results(people_reached(project, admin, name="志愿者"), admin, targets={"2026-Q1": "5"}, results={"2026-Q3": "9"})
    assert indicator_status(indicators_for(subjects=[project]).get(pk=no_target.pk)).on_track is None


def test_summary_sums_additive_units_and_counts_tracks():
    a, b = make_project(), make_project()
    for project, reached in ((a, "120"), (b, "80")):
        admin = _admin(project)
        with_results(people_reached(project, admin), admin, targets={"2026": "100"}, results={"2026": reached})
        with_results(people_reached(project, admin, name="减排", unit="tCO2e"), admin, targets={}, results={"2026-H1": "1.25"})
        people_reached(project, admin, name="满意度", unit="%", additive=False)
    summary = impact_summary(indicators=indicators_for(subjects=Project.objects.filter(pk__in=[a.pk, b.pk])))
    assert (summary.indicators, summary.on_track, summary.off_track, summary.no_target, summary.no_result) == (6, 1, 1, 2, 2)
    assert summary.totals == (UnitTotal(unit="tCO2e", total=D("2.5"), indicators=2), UnitTotal(unit="人", total=D(200), indicators=2))
    only_a = impact_summary(indicators=indicators_for(subjects=[a]))
    assert only_a.totals[1].total == D(120) and only_a.indicators == 3


def test_indicators_for_mixes_projects_and_other_models(django_assert_num_queries):
    project = make_project()
    admin = _admin(project)
    people_reached(project, admin)
    lab_a, lab_b = make_org(), make_org()
    for lab in (lab_a, lab_b):
        indicator_create(actor=admin, subject=lab, org=project.org, domain="few",
                         data=IndicatorInput(framework="custom", code="", name_zh="实验室指标", unit="个"))
    assert indicators_for(subjects=[lab_a]).count() == 1
    assert indicators_for(subjects=Organization.objects.filter(pk=lab_b.pk)).count() == 1
    assert indicators_for(subjects=[project, lab_a, lab_b]).count() == 3
    assert indicators_for(subjects=[]).count() == 0
    with django_assert_num_queries(3):  # indicators, targets, results
        summary = impact_summary(indicators=indicators_for(subjects=[project, Organization.objects.filter(pk__in=[lab_a.pk, lab_b.pk])]))
    assert summary.indicators == 3


def test_by_domain_counts_public_projects_only():
    public = make_project(domain="carbon_neutrality")
    draft = make_project_in("draft", domain="carbon_neutrality")
    for project in (public, draft):
        admin = _admin(project)
        with_results(people_reached(project, admin, unit="tCO2e"), admin, targets={"2026": "10"}, results={"2026": "12"})
    domains = dict((info.domain.value, summary) for info, summary in impact_by_domain())
    assert len(domains) == 8
    assert domains["carbon_neutrality"].indicators == 1 and domains["carbon_neutrality"].totals[0].total == D(12)
    assert domains["few"].indicators == 0


def test_by_domain_over_given_subjects():
    """A fund's view: its subjects only, split by the domain each indicator carries."""
    few, carbon, other = make_project(domain="few"), make_project(domain="carbon_neutrality"), make_project(domain="few")
    for project in (few, carbon, other):
        admin = _admin(project)
        with_results(people_reached(project, admin), admin, targets={"2026": "10"}, results={"2026": "4"})
    domains = {info.domain.value: summary for info, summary in impact_by_domain(indicators=indicators_for(subjects=[few, carbon]))}
    assert (domains["few"].indicators, domains["few"].off_track, domains["carbon_neutrality"].indicators) == (1, 1, 1)
    assert domains["few"].totals == (UnitTotal(unit="人", total=D(4), indicators=1),)
