"""Who may use which impact console URL (/impact/console/<org>/...): one table, checked against
every organization-scoped pattern in commonweal/impact/urls.py, like tests/test_authorization.py
does for commonweal/console_urls.py.

- A member of organization A (any role) gets 404 for every URL of organization B, GET and POST,
  including A's URL naming B's project or indicator, and nothing changes.
- Inside B, each URL is open only to the roles in its entry; the others get the same 404.
- Anonymous visitors are sent to sign in.
"""

from dataclasses import dataclass
from typing import Callable

import pytest
from django.urls import URLPattern, reverse

from commonweal.core.models import AuditEvent
from commonweal.impact import urls as impact_urls
from commonweal.impact.models import Indicator, Result, SroiOutcome, SroiWorksheet, Target
from tests.factories import add_member, make_org, make_project
from tests.impact.support import people_reached

pytestmark = pytest.mark.django_db

ROLES = ("admin", "finance", "editor")
ALL = frozenset(ROLES)
EDIT = frozenset({"admin", "editor"})


@dataclass(frozen=True, kw_only=True)
class World:
    a: object
    b: object
    a_users: dict
    b_users: dict
    b_project: object
    b_indicator: object
    b_result: object


def _world() -> World:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from commonweal.impact.services import result_record
    from tests.impact.support import jpeg_bytes

    a, b = make_org(name="甲机构"), make_org(name="乙机构")
    a_users = {"admin": a.memberships.get().user, "finance": add_member(a, "finance"), "editor": add_member(a, "editor")}
    b_users = {"admin": b.memberships.get().user, "finance": add_member(b, "finance"), "editor": add_member(b, "editor")}
    make_project(a)
    b_project = make_project(b)
    indicator = people_reached(b_project, b_users["admin"])
    result = result_record(indicator=indicator, actor=b_users["admin"], period="2026-Q1", value="10", evidence_text="照片",
                           evidence_file=SimpleUploadedFile("p.jpg", jpeg_bytes()))
    return World(a=a, b=b, a_users=a_users, b_users=b_users, b_project=b_project, b_indicator=indicator, b_result=result)


@dataclass(frozen=True, kw_only=True)
class Entry:
    kwargs: Callable[[World], dict]
    roles: frozenset = ALL
    get: bool = True
    post: Callable[[World], dict] | None = None
    cross: Callable[[World], dict] | None = None


def _project(w, org=None):
    return {"org": (org or w.b).public_id, "project": w.b_project.public_id}


def _indicator(w, org=None):
    return {"org": (org or w.b).public_id, "indicator": w.b_indicator.public_id}


def _sroi_post(w):
    return {"investment_yuan": "1000", "discount_rate_pct": "3.5", "outcomes-TOTAL_FORMS": "1", "outcomes-INITIAL_FORMS": "0",
            "outcomes-0-description": "越权成果", "outcomes-0-quantity": "1", "outcomes-0-proxy_yuan": "100",
            "outcomes-0-deadweight_pct": "0", "outcomes-0-attribution_pct": "0", "outcomes-0-displacement_pct": "0",
            "outcomes-0-drop_off_pct": "0", "outcomes-0-duration_years": "1"}


ORG_SCOPED: dict[str, Entry] = {
    "impact-console": Entry(kwargs=lambda w: {"org": w.b.public_id}),
    "impact-console-project": Entry(kwargs=_project, cross=lambda w: _project(w, w.a)),
    "impact-console-indicator-new": Entry(
        kwargs=_project, roles=EDIT, cross=lambda w: _project(w, w.a),
        post=lambda w: {"framework": "custom", "name_zh": "越权指标", "unit": "个", "direction": "higher"},
    ),
    "impact-console-sroi": Entry(kwargs=_project, roles=EDIT, cross=lambda w: _project(w, w.a), post=_sroi_post),
    "impact-console-indicator": Entry(kwargs=_indicator, cross=lambda w: _indicator(w, w.a)),
    "impact-console-targets": Entry(kwargs=_indicator, roles=EDIT, get=False, cross=lambda w: _indicator(w, w.a),
                                    post=lambda w: {"targets": "2026 | 999"}),
    "impact-console-result": Entry(kwargs=_indicator, roles=EDIT, get=False, cross=lambda w: _indicator(w, w.a),
                                   post=lambda w: {"period": "2027", "value": "1", "evidence_text": "越权",
                                                   "evidence_url": "https://example.org/"}),
    "impact-console-evidence": Entry(
        kwargs=lambda w: _indicator(w) | {"result": w.b_result.public_id},
        cross=lambda w: _indicator(w, w.a) | {"result": w.b_result.public_id},
    ),
}

MODELS = (Indicator, Target, Result, SroiWorksheet, SroiOutcome, AuditEvent)


def _snapshot() -> list:
    return [list(model.objects.order_by("pk").values()) for model in MODELS]


def _requests(name, entry, world, kwargs):
    url = reverse(name, kwargs=kwargs)
    if entry.get:
        yield "GET", url, None
    yield "POST", url, entry.post(world) if entry.post else {}


def test_every_impact_console_url_has_a_table_entry():
    patterns = [p for p in impact_urls.urlpatterns if isinstance(p, URLPattern)]
    scoped = {p.name for p in patterns if "<str:org>" in str(p.pattern)}
    assert scoped == set(ORG_SCOPED), "add the new impact console URL to the table in this file"
    assert all(str(p.pattern).startswith("impact/console/") == (p.name in ORG_SCOPED) for p in patterns)


@pytest.mark.parametrize("name", sorted(ORG_SCOPED))
def test_members_of_another_org_get_404_and_change_nothing(client, name):
    world = _world()
    entry = ORG_SCOPED[name]
    before = _snapshot()
    for role in ROLES:
        client.force_login(world.a_users[role])
        for kwargs in [entry.kwargs(world)] + ([entry.cross(world)] if entry.cross else []):
            for method, url, data in _requests(name, entry, world, kwargs):
                response = client.get(url) if method == "GET" else client.post(url, data)
                assert response.status_code == 404, (role, method, url)
                assert world.b.name_zh not in response.content.decode()
    assert _snapshot() == before


@pytest.mark.parametrize("name", sorted(ORG_SCOPED))
def test_roles_inside_the_org(client, name):
    world = _world()
    entry = ORG_SCOPED[name]
    for role in ROLES:
        client.force_login(world.b_users[role])
        before = _snapshot()
        for method, url, data in _requests(name, entry, world, entry.kwargs(world)):
            response = client.get(url) if method == "GET" else client.post(url, data)
            if role not in entry.roles:
                assert response.status_code == 404, (role, method, url)
            elif method == "POST" and entry.post is None:
                assert response.status_code == 405, (role, method, url)
            else:
                assert response.status_code in (200, 302), (role, method, url, response.status_code)
        if role not in entry.roles:
            assert _snapshot() == before


@pytest.mark.parametrize("name", sorted(n for n, e in ORG_SCOPED.items() if e.post is not None))
def test_the_posted_data_succeeds_for_the_owner(client, name):
    """So that the 404s above come from the access check, not from bad data."""
    world = _world()
    entry = ORG_SCOPED[name]
    client.force_login(world.b_users["editor"])
    before = _snapshot()
    response = client.post(reverse(name, kwargs=entry.kwargs(world)), entry.post(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _snapshot() != before


@pytest.mark.parametrize("name", sorted(ORG_SCOPED))
def test_anonymous_is_sent_to_sign_in(client, name):
    world = _world()
    url = reverse(name, kwargs=ORG_SCOPED[name].kwargs(world))
    before = _snapshot()
    for response in (client.get(url), client.post(url, {})):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert _snapshot() == before
