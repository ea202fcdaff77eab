"""Public pages of the projects app: home, the project list and an organization's page."""

import datetime as dt

import pytest
from django.urls import reverse

from commonweal.giving.services import refund_create
from commonweal.projects.models import Project
from tests.factories import donate, make_operator, make_org, make_project

pytestmark = pytest.mark.django_db


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


@pytest.fixture
def org():
    return make_org(name="春苗公益基金会")


@pytest.fixture
def operator():
    return make_operator()


# --- home ------------------------------------------------------------------------------------

def test_home_is_in_chinese_by_default(client, org, operator):
    make_project(org, operator=operator, title_zh="乡村儿童阅读角")
    html = page(client, reverse("home"))
    assert '<html lang="zh-Hans">' in html
    assert "正在募捐的项目" in html
    assert "乡村儿童阅读角" in html
    # The eight domains, linking to the filtered list.
    assert "基础科学" in html and "公益数字化" in html
    assert f'href="{reverse("project-list")}?domain=rural_revitalization"' in html


def test_home_in_english_after_switching_language(client, org, operator):
    make_project(org, operator=operator, title_en="Reading corners for village children")
    to_english(client)
    html = page(client, reverse("home"))
    assert '<html lang="en">' in html
    assert "Projects raising funds now" in html
    assert "Reading corners for village children" in html
    assert "Basic science" in html
    assert "正在募捐的项目" not in html


def test_home_totals_are_net_of_refunds(client, org, operator):
    first = make_project(org, operator=operator)
    second = make_project(org, operator=operator)
    make_project(org, operator=operator, status="draft")
    donation = donate(first, 300_00)
    donate(second, 50_00)
    refund_create(donation=donation, amount_fen=100_00, reason="donor asked", actor=org.memberships.get().user)
    response = client.get(reverse("home"))
    totals = response.context["totals"]
    assert (totals.raised_fen, totals.donation_count, totals.project_count) == (250_00, 2, 2)
    # The factory's qualified organization and the operators' orgs: only verified ones count.
    assert totals.verified_org_count == 1
    assert "250.00元" in response.content.decode()


def test_home_features_flagged_projects_then_those_that_raised_most(client, org, operator):
    small = make_project(org, operator=operator, title_zh="小项目")
    big = make_project(org, operator=operator, title_zh="大项目")
    flagged = make_project(org, operator=operator, title_zh="推荐项目")
    donate(small, 10_00)
    donate(big, 900_00)
    Project.objects.filter(pk=flagged.pk).update(featured=True)  # set by operators in the back office
    featured = client.get(reverse("home")).context["featured"]
    assert [p.pk for p in featured] == [flagged.pk, big.pk, small.pk]


def test_home_query_count_is_fixed(client, django_assert_num_queries, org, operator):
    for _ in range(3):
        make_project(org, operator=operator)
    # featured projects, project totals, verified organizations, projects per domain
    with django_assert_num_queries(4):
        client.get(reverse("home"))


# --- project list ----------------------------------------------------------------------------

def titles(response) -> set[str]:
    return {p.title_zh for p in response.context["page"].object_list}


def test_list_shows_public_projects_only(client, org, operator):
    make_project(org, operator=operator, title_zh="募捐中")
    make_project(org, operator=operator, title_zh="草稿", status="draft")
    make_project(org, operator=operator, title_zh="审核中", status="in_review")
    response = client.get(reverse("project-list"))
    assert titles(response) == {"募捐中"}
    html = response.content.decode()
    assert "草稿" not in html.split('id="results"')[1]
    assert "共找到 1 个项目" in html


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"教育", "碳中和", "海洋"}),
        ({"domain": "education_innovation"}, {"教育"}),
        ({"domain": "carbon_neutrality"}, {"碳中和"}),
        ({"sdg": "4"}, {"教育"}),  # tagged only with target 4.1
        ({"sdg": "14"}, {"海洋"}),  # goal 14, not goal 4's "4.1"
        ({"sdg": "13"}, {"碳中和", "海洋"}),
        ({"sdg": "1"}, set()),
        ({"q": "书"}, {"教育"}),  # Chinese summary
        ({"q": "solar"}, {"碳中和"}),  # English title, any case
        ({"q": "REEF"}, {"海洋"}),  # English summary
        ({"status": "fundraising"}, {"教育", "碳中和", "海洋"}),
        ({"status": "executing"}, set()),
        ({"domain": "few", "q": "书"}, set()),
    ],
)
def test_list_filters(client, org, operator, params, expected):
    make_project(org, operator=operator, title_zh="教育", title_en="Books", summary_zh="给孩子们送书。",
                 domain="education_innovation", sdg_tags=["4.1"])
    make_project(org, operator=operator, title_zh="碳中和", title_en="Solar roofs", summary_zh="屋顶光伏。",
                 domain="carbon_neutrality", sdg_tags=["7", "13"])
    make_project(org, operator=operator, title_zh="海洋", title_en="Sea", summary_zh="保护珊瑚。",
                 summary_en="Protect the reef.", domain="few", sdg_tags=["13", "14", "14.1"])
    assert titles(client.get(reverse("project-list"), params)) == expected


def test_list_filters_by_organization_including_partnered_projects(client, operator):
    runner = make_org(qualified=False, operator=operator)
    partner = make_org(operator=operator, name="合作基金会")
    other = make_org(operator=operator)
    make_project(runner, operator=operator, title_zh="合作项目", partner_org=partner)
    make_project(other, operator=operator, title_zh="别的项目")
    assert titles(client.get(reverse("project-list"), {"org": partner.public_id})) == {"合作项目"}
    response = client.get(reverse("project-list"), {"org": runner.public_id})
    assert titles(response) == {"合作项目"}
    assert runner.name_zh in response.content.decode()


def test_list_status_filter_and_ordering(client, org, operator):
    from commonweal.projects.services import project_transition

    admin = org.memberships.get().user
    running = make_project(org, operator=operator, title_zh="执行中")
    project_transition(project=running, to="executing", actor=admin)
    make_project(org, operator=operator, title_zh="募捐中")
    response = client.get(reverse("project-list"))
    assert [p.title_zh for p in response.context["page"].object_list] == ["募捐中", "执行中"]
    assert titles(client.get(reverse("project-list"), {"status": "executing"})) == {"执行中"}
    # Drafts are never a filter choice.
    response = client.get(reverse("project-list"), {"status": "draft"})
    assert titles(response) == {"募捐中", "执行中"}
    assert response.context["form"].errors


def test_list_ignores_an_unknown_filter_and_says_so(client, org, operator):
    make_project(org, operator=operator, title_zh="教育")
    response = client.get(reverse("project-list"), {"domain": "astrology", "sdg": "99"})
    assert titles(response) == {"教育"}
    assert set(response.context["form"].errors) == {"domain", "sdg"}


def test_list_paginates_twelve_per_page(client, org, operator):
    for n in range(13):
        make_project(org, operator=operator, title_zh=f"项目{n}")
    first = client.get(reverse("project-list"))
    assert len(first.context["page"].object_list) == 12
    html = first.content.decode()
    assert "第 1 页，共 2 页" in html
    assert 'href="?page=2"' in html
    second = client.get(reverse("project-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 1
    assert client.get(reverse("project-list"), {"page": "x"}).status_code == 200


def test_list_keeps_filters_in_page_links(client, org, operator):
    for n in range(13):
        make_project(org, operator=operator, title_zh=f"项目{n}", domain="few")
    html = page(client, reverse("project-list"), domain="few")
    assert 'href="?domain=few&amp;page=2"' in html


def test_list_htmx_request_gets_only_the_results(client, org, operator):
    make_project(org, operator=operator, title_zh="教育", domain="education_innovation")
    make_project(org, operator=operator, title_zh="碳中和", domain="carbon_neutrality")
    response = client.get(reverse("project-list"), {"domain": "carbon_neutrality"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<p id="result-count" class="result-count" role="status" hx-swap-oob="true">')
    assert '<div id="results" class="results">' in html
    assert "共找到 1 个项目" in html
    assert "<html" not in html and "<form" not in html
    assert "碳中和" in html and "教育" not in html
    assert "HX-Request" in response["Vary"]
    # A history restore asks for the whole page.
    full = client.get(reverse("project-list"), headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in full.content.decode()


def test_list_form_works_without_javascript(client, org, operator):
    html = page(client, reverse("project-list"))
    assert '<form class="filters" method="get" action="/projects/"' in html
    for name in ("q", "domain", "sdg", "status"):
        assert f'<label for="id_{name}">' in html
    assert 'hx-get="/projects/"' in html and 'hx-target="#results"' in html


def test_list_query_count_does_not_grow_with_projects(client, django_assert_num_queries, org, operator):
    make_project(org, operator=operator)
    with django_assert_num_queries(2):  # count for the paginator, one page of projects with their orgs
        client.get(reverse("project-list"))
    for _ in range(5):
        make_project(org, operator=operator)
    with django_assert_num_queries(2):
        client.get(reverse("project-list"), {"domain": "education_innovation", "sdg": "4", "q": "阅读"})


def test_list_in_english(client, org, operator):
    make_project(org, operator=operator, title_en="Reading corners")
    to_english(client)
    html = page(client, reverse("project-list"))
    assert "Reading corners" in html
    assert "Projects found: 1" in html
    assert "All domains" in html


# --- organization page -----------------------------------------------------------------------

def test_org_page_shows_registration_contacts_and_public_projects(client, org, operator):
    make_project(org, operator=operator, title_zh="公开项目")
    make_project(org, operator=operator, title_zh="草稿项目", status="draft")
    html = page(client, reverse("org-detail", args=[org.public_id]))
    for text in (org.name_zh, org.credit_code, org.certificate_number, "基金会", "2015-03-01",
                 "已认证，有效期至", "具有公开募捐资格", org.contact_name, org.contact_phone, org.contact_email,
                 "公开项目"):
        assert text in html, text
    assert "草稿项目" not in html


def test_org_page_of_an_expired_verification_says_so(client, org, operator):
    type(org).objects.filter(pk=org.pk).update(verified_until=dt.date(2020, 1, 1))
    html = page(client, reverse("org-detail", args=[org.public_id]))
    assert "认证已于 2020-01-01 过期" in html


def test_org_page_of_an_unverified_organization_without_public_projects_is_404(client, operator):
    unverified = make_org(verified=False, qualified=False)
    assert client.get(reverse("org-detail", args=[unverified.public_id])).status_code == 404
    assert client.get(reverse("org-detail", args=["01jnosuchorganizationxxxxx"])).status_code == 404


def test_org_page_in_english(client, org):
    to_english(client)
    html = page(client, reverse("org-detail", args=[org.public_id]))
    assert "Unified social credit code" in html
    assert org.name_en in html


def test_org_page_links_only_web_addresses(client, org):
    type(org).objects.filter(pk=org.pk).update(website="javascript:alert(1)")
    html = page(client, reverse("org-detail", args=[org.public_id]))
    assert "javascript:" not in html
    type(org).objects.filter(pk=org.pk).update(website="https://chunmiao.example.org")
    assert 'href="https://chunmiao.example.org"' in page(client, reverse("org-detail", args=[org.public_id]))
