"""GET /api/v1/organizations and /api/v1/organizations/{id}: public profiles, never members or
credentials."""

import pytest

from commonweal.giving.services import credentials_set
from tests.api.conftest import API, error_of
from tests.factories import make_org, make_project, make_user

pytestmark = pytest.mark.django_db


def test_list_shows_verified_organizations_and_partners_of_public_projects(client):
    verified = make_org(name="甲基金会")
    unverified = make_org(verified=False, qualified=False, name="乙协会")
    unverified_with_public_project = make_org(qualified=False, name="丙服务中心")
    make_project(unverified_with_public_project, partner_org=verified)
    body = client.get(f"{API}/organizations").json()
    ids = [item["public_id"] for item in body["items"]]
    assert verified.public_id in ids and unverified_with_public_project.public_id in ids
    assert unverified.public_id not in ids
    assert body["count"] == len(ids)


def test_profile_shape_has_no_members_or_credentials(client):
    admin = make_user("admin@example.org")
    org = make_org(admin, name="阳光公益基金会")
    credentials_set(org=org, actor=admin, provider="sandbox", credentials={"secret": "s3cret-s3cret-s3cret"})
    response = client.get(f"{API}/organizations/{org.public_id}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "public_id": org.public_id, "name_zh": "阳光公益基金会", "name_en": org.name_en, "org_type": "foundation",
        "credit_code": org.credit_code, "certificate_number": org.certificate_number,
        "registration_date": org.registration_date.isoformat(), "description_zh": "", "description_en": "",
        "contact_name": org.contact_name, "contact_phone": org.contact_phone, "contact_email": org.contact_email,
        "address": "", "website": "", "verified": True, "verified_until": org.verified_until.isoformat(),
        "fundraising_qualified": True, "fundraising_qualified_on": org.fundraising_qualified_on.isoformat(),
    }
    text = response.content.decode()
    assert "admin@example.org" not in text and "s3cret" not in text


def test_list_search_and_pagination(client):
    orgs = [make_org(name=f"测试基金会{i}") for i in range(3)]
    sunshine = make_org(name="阳光公益")
    assert [i["public_id"] for i in client.get(f"{API}/organizations", {"q": "阳光"}).json()["items"]] == [sunshine.public_id]
    page = client.get(f"{API}/organizations", {"limit": 2, "offset": 1}).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert error_of(client.get(f"{API}/organizations", {"limit": 101}), 422)["code"] == "invalid_request"
    assert orgs  # created


@pytest.mark.parametrize("public_id", ["01jzzzzzzzzzzzzzzzzzzzzzzz", "nope", "a%00"])
def test_unknown_organization_is_404(client, public_id):
    assert error_of(client.get(f"{API}/organizations/{public_id}"), 404)["code"] == "not_found"


def test_unverified_organization_without_public_projects_is_404(client):
    org = make_org(verified=False, qualified=False)
    assert error_of(client.get(f"{API}/organizations/{org.public_id}"), 404)["code"] == "not_found"
