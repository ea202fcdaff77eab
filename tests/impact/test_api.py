"""GET /api/v1/projects/{id}/impact: the impact page's figures as JSON, exact decimals as strings."""

import pytest

from commonweal.impact.services import sroi_save
from tests.factories import make_project, make_project_in
from tests.impact.support import outcome, people_reached, with_results

pytestmark = pytest.mark.django_db


def test_project_impact_as_json(client, django_assert_max_num_queries):
    project = make_project()
    admin = project.org.memberships.get().user
    indicator = with_results(people_reached(project, admin, framework="iris", code="PI4060"), admin,
                             targets={"2026-Q1": "100", "2026-Q2": "150.5"}, results={"2026-Q1": "120.25"})
    sroi_save(project=project, actor=admin, investment_fen=10_000_000, outcomes=[outcome()])
    with django_assert_max_num_queries(12):
        response = client.get(f"/api/v1/projects/{project.public_id}/impact")
    assert response.status_code == 200
    body = response.json()
    [item] = body["indicators"]
    assert (item["public_id"], item["framework"], item["code"], item["unit"], item["on_track"], item["total"]) == (
        indicator.public_id, "iris", "PI4060", "人", True, "120.25")
    assert item["targets"] == [{"period": "2026-Q1", "value": "100"}, {"period": "2026-Q2", "value": "150.5"}]
    assert item["results"][0]["value"] == "120.25" and item["results"][0]["evidence_url"] == "https://example.org/report.pdf"
    assert body["sroi"]["ratio"] == "1.72" and body["sroi"]["present_value_fen"] == 17_195_267
    assert body["sroi"]["outcomes"][0]["deadweight_pct"] == "25"


def test_drafts_and_garbage_are_json_404(client):
    draft = make_project_in("draft")
    for public_id in (draft.public_id, "not-an-id", "0" * 26):
        response = client.get(f"/api/v1/projects/{public_id}/impact")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_project_without_indicators(client):
    project = make_project()
    body = client.get(f"/api/v1/projects/{project.public_id}/impact").json()
    assert body == {"project": project.public_id, "domain": project.domain, "indicators": [], "sroi": None}
