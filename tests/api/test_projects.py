"""GET /api/v1/projects and /api/v1/projects/{id}: public projects only, filters, pagination,
the Art. 25 disclosure block, progress and masked recent donations."""

import pytest

from commonweal.giving.services import refund_create
from commonweal.projects.services import project_transition
from tests.api.conftest import API, error_of
from tests.factories import donate, make_org, make_project

pytestmark = pytest.mark.django_db


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["public_id"] for item in response.json()["items"]]


def _executing(project):
    admin = project.org.memberships.get(role="admin").user
    return project_transition(project=project, to="executing", actor=admin)


def test_list_shows_public_projects_only(client):
    org = make_org()
    draft = make_project(org, status="draft")
    in_review = make_project(org, status="in_review")
    fundraising = make_project(org)
    executing = _executing(make_project(org))
    response = client.get(f"{API}/projects")
    body = response.json()
    assert set(_ids(response)) == {fundraising.public_id, executing.public_id}
    assert body["count"] == 2
    # Fundraising projects come first.
    assert _ids(response)[0] == fundraising.public_id
    assert draft.public_id not in response.content.decode() and in_review.public_id not in response.content.decode()


def test_list_item_shape(client):
    project = make_project(title_zh="山区图书角", sdg_tags=["4", "4.1"])
    donate(project, 1_500)
    item = client.get(f"{API}/projects").json()["items"][0]
    assert item == {
        "public_id": project.public_id,
        "title_zh": "山区图书角",
        "title_en": project.title_en,
        "summary_zh": project.summary_zh,
        "summary_en": project.summary_en,
        "domain": "education_innovation",
        "sdg_tags": ["4", "4.1"],
        "status": "fundraising",
        "region": project.region,
        "starts_on": project.starts_on.isoformat(),
        "ends_on": project.ends_on.isoformat(),
        "organization": {"public_id": project.org.public_id, "name_zh": project.org.name_zh,
                         "name_en": project.org.name_en},
        "recipient_org": project.org.public_id,
        "progress": {"currency": "CNY", "goal_fen": project.goal_fen, "raised_fen": 1_500, "refunded_fen": 0,
                     "net_raised_fen": 1_500, "donation_count": 1, "percent": 0},
    }
    assert "id" not in item and "pk" not in item


def test_filters(client):
    org_a, org_b = make_org(), make_org()
    reading = make_project(org_a, domain="education_innovation", sdg_tags=["4.1"], title_zh="乡村阅读角")
    water = make_project(org_b, domain="few", sdg_tags=["6", "14.1"], title_zh="净水计划", summary_zh="打井。",
                         summary_en="Clean water")
    carbon = _executing(make_project(org_b, domain="carbon_neutrality", sdg_tags=["13"], title_zh="社区减碳",
                                     summary_zh="节能改造。"))

    def ids(**params):
        return set(_ids(client.get(f"{API}/projects", params)))

    assert ids(domain="few") == {water.public_id}
    assert ids(sdg=4) == {reading.public_id}  # a target of goal 4 counts for goal 4
    assert ids(sdg=14) == {water.public_id}  # and 14.1 does not count for goal 1 or 4
    assert ids(sdg=1) == set()
    assert ids(status="executing") == {carbon.public_id}
    assert ids(status="fundraising") == {reading.public_id, water.public_id}
    assert ids(org=org_b.public_id) == {water.public_id, carbon.public_id}
    assert ids(q="阅读") == {reading.public_id}  # title or summary
    assert ids(q="打井") == {water.public_id}
    assert ids(q="clean WATER") == {water.public_id}
    assert ids(domain="few", org=org_a.public_id) == set()


def test_partner_filter_and_recipient(client):
    partner = make_org()
    small = make_org(qualified=False)
    project = make_project(small, partner_org=partner)
    assert _ids(client.get(f"{API}/projects", {"org": partner.public_id})) == [project.public_id]
    item = client.get(f"{API}/projects").json()["items"][0]
    assert (item["organization"]["public_id"], item["recipient_org"]) == (small.public_id, partner.public_id)


@pytest.mark.parametrize(
    "params, field",
    [
        ({"domain": "space"}, "domain"),
        ({"sdg": "0"}, "sdg"),
        ({"sdg": "18"}, "sdg"),
        ({"sdg": "four"}, "sdg"),
        ({"status": "draft"}, "status"),
        ({"status": "in_review"}, "status"),
        ({"org": "not-a-public-id"}, "org"),
        ({"q": "x" * 101}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "1000001"}, "offset"),
        ({"offset": "ten"}, "offset"),
    ],
)
def test_bad_filters_are_422_with_the_field_named(client, params, field):
    error = error_of(client.get(f"{API}/projects", params), 422)
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(f"{field}:"), error


def test_pagination(client):
    org = make_org()
    projects = [make_project(org) for _ in range(5)]
    newest_first = [p.public_id for p in reversed(projects)]
    page = client.get(f"{API}/projects", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 5
    assert [i["public_id"] for i in page["items"]] == newest_first[1:3]
    assert _ids(client.get(f"{API}/projects", {"limit": 100})) == newest_first
    beyond = client.get(f"{API}/projects", {"offset": 10}).json()
    assert beyond == {"count": 5, "items": []}
    assert len(_ids(client.get(f"{API}/projects"))) == 5  # default limit 20


def test_list_query_count_does_not_grow(client, django_assert_num_queries):
    org = make_org()
    partner = make_org()
    for _ in range(3):
        make_project(make_org(qualified=False), partner_org=partner)
    make_project(org)
    with django_assert_num_queries(2):  # the page (with organizations) and the count
        assert len(_ids(client.get(f"{API}/projects"))) == 4


def test_detail(client):
    partner = make_org(name="合作公募基金会")
    org = make_org(qualified=False)
    project = make_project(org, partner_org=partner, title_zh="乡村阅读角")
    donate(project, 10_000, donor_name="张三")
    donate(project, 20_000, donor_name="李四", donor_public=True)
    refunded = donate(project, 5_000)
    refund_create(donation=refunded, amount_fen=2_000, reason="donor asked", actor=partner.memberships.get().user)

    response = client.get(f"{API}/projects/{project.public_id}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["public_id"] == project.public_id and body["title_zh"] == "乡村阅读角"
    assert body["budget_lines"] == [{"name": "图书", "amount_fen": 6_000_000}, {"name": "书架", "amount_fen": 4_000_000}]
    assert body["progress"] == {
        "currency": "CNY", "goal_fen": 10_000_000, "raised_fen": 35_000, "refunded_fen": 2_000,
        "net_raised_fen": 33_000, "donation_count": 3, "percent": 0,
    }
    disclosure = body["disclosure"]
    assert disclosure["fundraising_plan"] == project.fundraising_plan
    for key, org_ in (("organization", org), ("partner", partner)):
        assert disclosure[key] == {
            "public_id": org_.public_id, "name_zh": org_.name_zh, "name_en": org_.name_en,
            "credit_code": org_.credit_code, "certificate_number": org_.certificate_number,
            "fundraising_qualified": org_.fundraising_qualified, "contact_name": org_.contact_name,
            "contact_phone": org_.contact_phone, "contact_email": org_.contact_email,
            "address": org_.address, "website": org_.website,
        }
    assert body["recipient_org"] == partner.public_id
    donors = [(d["donor"], d["amount_fen"], d["currency"]) for d in body["recent_donations"]]
    assert sorted(donors) == sorted([("张*", 10_000, "CNY"), ("李四", 20_000, "CNY"), ("爱心网友", 5_000, "CNY")])
    assert "张三" not in response.content.decode()


def test_detail_without_partner_and_in_english(client):
    project = make_project()
    donate(project, 100)
    body = client.get(f"{API}/projects/{project.public_id}", headers={"Accept-Language": "en"}).json()
    assert body["disclosure"]["partner"] is None
    assert body["recent_donations"][0]["donor"] == "A kind donor"


def test_detail_query_count(client, django_assert_num_queries):
    project = make_project(partner_org=None)
    for _ in range(3):
        donate(project, 100)
    # project with organizations, budget lines, updates, recent donations
    with django_assert_num_queries(4):
        assert client.get(f"{API}/projects/{project.public_id}").status_code == 200


def test_recent_donations_are_the_latest_ten(client):
    project = make_project()
    for amount in range(1, 13):
        donate(project, amount)
    body = client.get(f"{API}/projects/{project.public_id}").json()
    assert len(body["recent_donations"]) == 10
    times = [d["confirmed_at"] for d in body["recent_donations"]]
    assert times == sorted(times, reverse=True)


@pytest.mark.parametrize("status", ["draft", "in_review"])
def test_unpublished_project_is_404_like_a_missing_one(client, status):
    project = make_project(status=status)
    hidden = error_of(client.get(f"{API}/projects/{project.public_id}"), 404)
    missing = error_of(client.get(f"{API}/projects/01jzzzzzzzzzzzzzzzzzzzzzzz"), 404)
    assert hidden["code"] == missing["code"] == "not_found"


@pytest.mark.parametrize("public_id", ["x", "01JZZZZZZZZZZZZZZZZZZZZZZZ", "a%00b", "1" * 300])
def test_malformed_project_id_is_404(client, public_id):
    assert error_of(client.get(f"{API}/projects/{public_id}"), 404)["code"] == "not_found"


def test_project_updates_are_listed(client):
    from commonweal.disclosure.services.reporting import report_publish
    from tests.disclosure.spending_support import jpeg_bytes, upload

    project = make_project()
    admin = project.org.memberships.get(role="admin").user
    plain = report_publish(project=project, actor=admin, title="第一批图书到校", body="300 本图书已送达。")
    final = report_publish(project=project, actor=admin, title="第二批图书到校", body="阅读角建成。",
                           figures=[{"label": "图书", "value": "1200", "unit": "册"}],
                           photos=[upload(jpeg_bytes(size=(64, 48)), "现场.jpg")], photo_descriptions=["学生在阅读角"])
    body = client.get(f"{API}/projects/{project.public_id}").json()
    newest, older = body["updates"]
    assert older == {"public_id": plain.public_id, "kind": "progress", "title": "第一批图书到校", "body": "300 本图书已送达。",
                     "published_at": older["published_at"], "figures": [], "photos": []}
    assert (newest["public_id"], newest["kind"], newest["figures"]) == (final.public_id, "progress", [{"label": "图书", "value": "1200", "unit": "册"}])
    (photo,) = newest["photos"]
    assert (photo["width"], photo["height"], photo["description"]) == (64, 48, "学生在阅读角")
    assert photo["url"] == f"http://testserver{final.photos.get().image.url}"
