"""Who may use which console URL: one table, checked against every pattern in commonweal/console_urls.py.

- A member of organization A (any role) gets 404 for every URL of organization B, GET and POST,
  with data that B's own administrator could use, and nothing in the database changes.
- Inside B, each URL is open only to the roles in its table entry; the others get the same 404.
- Anonymous visitors are sent to sign in, and nothing changes.
A console URL without a table entry fails ``test_every_console_url_has_a_table_entry``.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from commonweal.core.models import AuditEvent
from commonweal.disclosure.models.spending import Disbursement, Evidence
from commonweal.giving.models import Donation, DonationReceipt, DonationReceiptLine, ReceiptCounter, Refund
from commonweal.giving.services import receipt_issue, receipt_request_gift
from commonweal.ledger.models import OutboxEntry
from commonweal.matching.models import Team, TeamPolicy
from commonweal import console_urls
from commonweal.orgs.models import Invitation, Membership, Organization, ProviderCredential
from commonweal.projects.models import BudgetLine, Project, ProjectUpdate
from commonweal.orgs.services import org_transition
from tests.factories import add_member, donate, make_operator, make_org, make_project, make_project_in, make_user

pytestmark = pytest.mark.django_db

ROLES = ("admin", "finance", "editor")
ALL = frozenset(ROLES)


@dataclass(frozen=True, kw_only=True)
class World:
    a: Organization
    b: Organization
    a_users: dict
    b_users: dict
    b_draft: Project
    b_live: Project
    b_donation: Donation
    a_live: Project
    a_donation: Donation
    b_receipt: DonationReceipt


def _world() -> World:
    a, b = make_org(name="甲机构"), make_org(name="乙机构")
    a_users = {"admin": a.memberships.get().user, "finance": add_member(a, "finance"), "editor": add_member(a, "editor")}
    b_users = {"admin": b.memberships.get().user, "finance": add_member(b, "finance"), "editor": add_member(b, "editor")}
    b_live = make_project(b)
    a_live = make_project(a)
    donor = make_user()
    b_receipt = receipt_request_gift(donation=donate(b_live, 5_000, donor=donor), actor=donor, donor_name="李四")
    return World(b_receipt=b_receipt, 
        a=a, b=b, a_users=a_users, b_users=b_users, b_draft=make_project_in("draft", b), b_live=b_live,
        b_donation=donate(b_live, 10_000, donor_name="张三"), a_live=a_live, a_donation=donate(a_live, 10_000),
    )


def _project_post(world: World) -> dict:
    today = timezone.localdate()
    return {
        "title_zh": "越权项目", "summary_zh": "摘要", "domain": "few", "goal_yuan": "100", "budget": "物资 | 100",
        "beneficiaries": "村民", "beneficiary_count": "1", "region": "甘肃省", "fundraising_plan": "计划",
        "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=30)).isoformat(),
    }


def _profile_post(world: World) -> dict:
    return {
        "name_zh": "被篡改的名称", "certificate_number": "1", "registration_date": "2015-03-01", "org_type": "other",
        "contact_name": "x", "contact_phone": "1", "contact_email": "x@example.org",
    }


@dataclass(frozen=True, kw_only=True)
class Entry:
    """One console URL: how to address organization B's things, and who inside B may use it."""

    kwargs: Callable[[World], dict] = lambda w: {}
    roles: frozenset = ALL
    get: bool = True
    post: Callable[[World], dict] | None = None
    cross: Callable[[World], dict] | None = None
    """Kwargs pairing A's organization with B's object (a mismatched URL), for URLs with an object."""
    prepare: Callable[[World], None] | None = None
    """Puts organization B in the state where the action applies, so a success would show."""


def _org(w):
    return {"org": w.b.public_id}


def _reject_b(w):
    org_transition(org=w.b, to="rejected", actor=make_operator(), reason="材料不全")


def _receipt_photo():
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 0, 0)).save(buffer, format="JPEG")
    return SimpleUploadedFile("receipt.jpg", buffer.getvalue(), content_type="image/jpeg")


def _b_disbursement(w):
    """B's disbursement awaiting approval, recorded by B's finance member with a receipt photo."""
    from commonweal.disclosure.models.spending import Disbursement
    from commonweal.disclosure.services.spending import disbursement_create, disbursement_transition

    found = Disbursement.objects.filter(project=w.b_live).first()
    if found is None:
        found = disbursement_create(
            project=w.b_live, actor=w.b_users["finance"], budget_line_position=0, kind="purchase", amount_fen=5_000,
            description="图书", evidence_files=[_receipt_photo()],
        )
        found = disbursement_transition(disbursement=found, to="submitted", actor=w.b_users["finance"])
    return found


ORG_SCOPED: dict[str, Entry] = {
    "console-org": Entry(kwargs=_org),
    "console-profile": Entry(kwargs=_org, roles=frozenset({"admin"}), post=_profile_post),
    "console-resubmit": Entry(kwargs=_org, roles=frozenset({"admin"}), get=False, post=lambda w: {}, prepare=_reject_b),
    "console-members": Entry(kwargs=_org, roles=frozenset({"admin"}), post=lambda w: {"email": "spy@example.org", "role": "admin"}),
    "console-member-remove": Entry(
        kwargs=_org, roles=frozenset({"admin"}), get=False,
        post=lambda w: {"membership": Membership.objects.get(org=w.b, role="editor").pk},
    ),
    "console-credentials": Entry(
        kwargs=_org, roles=frozenset({"admin", "finance"}), post=lambda w: {"provider": "sandbox", "sandbox-secret": "x" * 40}
    ),
    "console-project-new": Entry(kwargs=_org, roles=frozenset({"admin", "editor"}), post=_project_post),
    "console-project": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_draft.public_id},
        cross=lambda w: {"org": w.a.public_id, "project": w.b_draft.public_id},
    ),
    "console-project-edit": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_draft.public_id}, roles=frozenset({"admin", "editor"}),
        post=_project_post, cross=lambda w: {"org": w.a.public_id, "project": w.b_draft.public_id},
    ),
    "console-project-submit": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_draft.public_id}, roles=frozenset({"admin", "editor"}),
        get=False, post=lambda w: {}, cross=lambda w: {"org": w.a.public_id, "project": w.b_draft.public_id},
    ),
    "console-project-transition": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_live.public_id}, roles=frozenset({"admin", "editor"}),
        get=False, post=lambda w: {"to": "closed", "reason": "hostile"},
        cross=lambda w: {"org": w.a.public_id, "project": w.b_live.public_id},
    ),
    "console-project-update": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_live.public_id}, roles=frozenset({"admin", "editor"}),
        get=False, post=lambda w: {"title": "假消息", "body": "假消息"},
        cross=lambda w: {"org": w.a.public_id, "project": w.b_live.public_id},
    ),
    "console-donations": Entry(kwargs=_org, roles=frozenset({"admin", "finance"})),
    "console-refund": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "donation": w.b_donation.public_id}, roles=frozenset({"admin", "finance"}),
        get=False,
        post=lambda w: {f"{w.b_donation.public_id}-amount_yuan": "100", f"{w.b_donation.public_id}-reason": "hostile"},
        cross=lambda w: {"org": w.a.public_id, "donation": w.b_donation.public_id},
    ),
    # Donation receipts (giving/views_receipts.py): the recipient's finance members only.
    "console-receipts": Entry(kwargs=_org, roles=frozenset({"finance"})),
    "console-receipt": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "receipt": w.b_receipt.public_id}, roles=frozenset({"finance"}),
        cross=lambda w: {"org": w.a.public_id, "receipt": w.b_receipt.public_id},
    ),
    "console-receipt-pdf": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "receipt": w.b_receipt.public_id}, roles=frozenset({"finance"}),
        cross=lambda w: {"org": w.a.public_id, "receipt": w.b_receipt.public_id},
        prepare=lambda w: receipt_issue(receipt=w.b_receipt, actor=w.b_users["finance"]),
    ),
    "console-receipt-issue": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "receipt": w.b_receipt.public_id}, roles=frozenset({"finance"}),
        get=False, post=lambda w: {}, cross=lambda w: {"org": w.a.public_id, "receipt": w.b_receipt.public_id},
    ),
    "console-receipt-void": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "receipt": w.b_receipt.public_id}, roles=frozenset({"finance"}),
        get=False, post=lambda w: {"reason": "hostile"},
        cross=lambda w: {"org": w.a.public_id, "receipt": w.b_receipt.public_id},
    ),
    # Disbursements (disclosure/views_spending.py): finance records, another admin approves.
    "console-disbursements": Entry(kwargs=_org, roles=frozenset({"admin", "finance"})),
    "console-project-disbursements": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_live.public_id}, roles=frozenset({"admin", "finance"}),
        cross=lambda w: {"org": w.a.public_id, "project": w.b_live.public_id},
    ),
    "console-disbursement-new": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_live.public_id}, roles=frozenset({"finance"}),
        post=lambda w: {"budget_line": "0", "kind": "purchase", "amount_yuan": "100", "description": "越权支出"},
        cross=lambda w: {"org": w.a.public_id, "project": w.b_live.public_id},
    ),
    "console-disbursement": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "disbursement": _b_disbursement(w).public_id},
        roles=frozenset({"admin", "finance"}), prepare=lambda w: _b_disbursement(w),
        cross=lambda w: {"org": w.a.public_id, "disbursement": _b_disbursement(w).public_id},
    ),
    "console-disbursement-evidence": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "disbursement": _b_disbursement(w).public_id},
        roles=frozenset({"admin", "finance"}), prepare=lambda w: _b_disbursement(w), get=False,
        post=lambda w: {"file": _receipt_photo()},
        cross=lambda w: {"org": w.a.public_id, "disbursement": _b_disbursement(w).public_id},
    ),
    "console-disbursement-evidence-file": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "disbursement": _b_disbursement(w).public_id,
                          "evidence": _b_disbursement(w).evidence.get().public_id},
        roles=frozenset({"admin", "finance"}), prepare=lambda w: _b_disbursement(w),
        cross=lambda w: {"org": w.a.public_id, "disbursement": _b_disbursement(w).public_id,
                         "evidence": _b_disbursement(w).evidence.get().public_id},
    ),
    "console-disbursement-transition": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "disbursement": _b_disbursement(w).public_id},
        roles=frozenset({"admin", "finance"}), prepare=lambda w: _b_disbursement(w), get=False,
        post=lambda w: {"to": "approved"},
        cross=lambda w: {"org": w.a.public_id, "disbursement": _b_disbursement(w).public_id},
    ),
}

ORG_SCOPED |= {
    # Team pages (matching.views): the organization approves teams when the project asks for it.
    "console-teams": Entry(kwargs=_org, roles=frozenset({"admin", "editor"})),
    "console-team-decide": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "team": _b_team(w).public_id}, roles=frozenset({"admin", "editor"}),
        get=False, post=lambda w: {"decision": "approve"}, prepare=lambda w: _b_team(w),
        cross=lambda w: {"org": w.a.public_id, "team": _b_team(w).public_id},
    ),
    "console-team-policy": Entry(
        kwargs=lambda w: {"org": w.b.public_id, "project": w.b_live.public_id}, roles=frozenset({"admin"}),
        get=False, post=lambda w: {"requires_approval": "on"},
        cross=lambda w: {"org": w.a.public_id, "project": w.b_live.public_id},
    ),
}


def _b_team(w):
    """A supporter's team page on B's project, waiting for B's approval."""
    from commonweal.matching.models import Team, TeamPolicy
    from commonweal.matching.services import team_create

    found = Team.objects.filter(project=w.b_live).first()
    if found is None:
        TeamPolicy.objects.update_or_create(project=w.b_live, defaults={"requires_approval": True})
        found = team_create(leader=make_user(), project=w.b_live, name="乙项目的团队", goal_fen=100_000)
    return found


# Not organization-scoped, but sign-in is required all the same.
NOT_ORG_SCOPED: dict[str, Callable[[World], dict]] = {
    "console": lambda w: {},
    "console-register": lambda w: {},
    "console-invitation": lambda w: {"token": "some-token"},
}

MODELS = (Organization, Membership, Invitation, ProviderCredential, Project, BudgetLine, ProjectUpdate, Donation, Refund,
          AuditEvent, OutboxEntry, DonationReceipt, DonationReceiptLine, ReceiptCounter, Disbursement, Evidence, Team, TeamPolicy)


def _snapshot() -> list:
    return [list(model.objects.order_by("pk").values()) for model in MODELS]


def _requests(name: str, entry: Entry, world: World, kwargs: dict):
    url = reverse(name, kwargs=kwargs)
    if entry.get:
        yield "GET", url, None
    if entry.post is not None:
        yield "POST", url, entry.post(world)
    else:
        yield "POST", url, {}


def _console_patterns() -> list[URLPattern]:
    return [p for p in console_urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_console_url_has_a_table_entry():
    names = {p.name for p in _console_patterns()}
    assert names == set(ORG_SCOPED) | set(NOT_ORG_SCOPED), "add the new console URL to the table in this file"
    for pattern in _console_patterns():
        scoped = "<str:org>" in str(pattern.pattern)
        assert scoped == (pattern.name in ORG_SCOPED), pattern.name


@pytest.mark.parametrize("name", sorted(ORG_SCOPED))
@pytest.mark.parametrize("role", ROLES)
def test_members_of_another_org_get_404_and_change_nothing(client, name, role):
    world = _world()
    entry = ORG_SCOPED[name]
    if entry.prepare:
        entry.prepare(world)
    client.force_login(world.a_users[role])
    before = _snapshot()
    targets = [entry.kwargs(world)] + ([entry.cross(world)] if entry.cross else [])
    for kwargs in targets:
        for method, url, data in _requests(name, entry, world, kwargs):
            response = client.get(url) if method == "GET" else client.post(url, data)
            assert response.status_code == 404, (method, url)
            assert world.b.name_zh not in response.content.decode(), (method, url)
    assert _snapshot() == before


@pytest.mark.parametrize("name", sorted(ORG_SCOPED))
@pytest.mark.parametrize("role", ROLES)
def test_roles_inside_the_org(client, name, role):
    world = _world()
    entry = ORG_SCOPED[name]
    if entry.prepare:
        entry.prepare(world)
    client.force_login(world.b_users[role])
    if role not in entry.roles:
        before = _snapshot()
        for method, url, data in _requests(name, entry, world, entry.kwargs(world)):
            response = client.get(url) if method == "GET" else client.post(url, data)
            assert response.status_code == 404, (method, url)
        assert _snapshot() == before
        return
    for method, url, data in _requests(name, entry, world, entry.kwargs(world)):
        response = client.get(url) if method == "GET" else client.post(url, data)
        expected = {405} if method == "POST" and entry.post is None else {200, 302}
        assert response.status_code in expected, (method, url, response.status_code)


@pytest.mark.parametrize("name", sorted(name for name, entry in ORG_SCOPED.items() if entry.post is not None))
def test_the_posted_data_is_good_enough_to_succeed_for_the_owner(client, name):
    """So that the 404s above come from the access check, not from bad data."""
    world = _world()
    entry = ORG_SCOPED[name]
    if entry.prepare:
        entry.prepare(world)
    client.force_login(world.b_users["admin" if "admin" in entry.roles else sorted(entry.roles)[0]])
    before = _snapshot()
    response = client.post(reverse(name, kwargs=entry.kwargs(world)), entry.post(world))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _snapshot() != before


@pytest.mark.parametrize("name", sorted(ORG_SCOPED) + sorted(NOT_ORG_SCOPED))
def test_anonymous_is_sent_to_sign_in(client, name):
    world = _world()
    kwargs = ORG_SCOPED[name].kwargs(world) if name in ORG_SCOPED else NOT_ORG_SCOPED[name](world)
    url = reverse(name, kwargs=kwargs)
    before = _snapshot()
    for response in (client.get(url), client.post(url, {"email": "x@example.org", "role": "admin"})):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert _snapshot() == before


def test_a_donation_to_another_org_cannot_be_refunded_through_ones_own_org(client):
    world = _world()
    client.force_login(world.a_users["admin"])
    url = reverse("console-refund", kwargs={"org": world.a.public_id, "donation": world.b_donation.public_id})
    before = _snapshot()
    data = {f"{world.b_donation.public_id}-amount_yuan": "1", f"{world.b_donation.public_id}-reason": "x"}
    assert client.post(url, data).status_code == 404
    assert _snapshot() == before


def test_donor_data_of_another_org_never_shows(client):
    world = _world()
    client.force_login(world.a_users["admin"])
    page = client.get(reverse("console-donations", kwargs={"org": world.a.public_id})).content.decode()
    assert world.b_donation.public_id not in page and world.a_donation.public_id in page


# --- the API ---------------------------------------------------------------------------------
# Every API operation, and why it is safe for an outsider. An operation that reads or writes an
# organization's private things must be added here with its own 404 test before it ships.
API_OPERATIONS: dict[tuple[str, str], str] = {
    ("get", "/api/v1/projects"): "public: fundraising and later projects only",
    ("get", "/api/v1/projects/{public_id}"): "public: drafts and projects in review answer 404",
    ("get", "/api/v1/organizations"): "public: the published profile (Charity Law Art. 25)",
    ("get", "/api/v1/organizations/{public_id}"): "public: the published profile (Charity Law Art. 25)",
    ("post", "/api/v1/donation-intents"): "donors: public projects only",
    ("post", "/api/v1/payments/{provider}/{org_public_id}/notify"):
        "authenticated by the provider's signature with the org's own credentials (tests/api/test_authorization_api.py)",
    ("get", "/api/v1/me/donations"): "the signed-in donor's own gifts (tests/api/test_authorization_api.py)",
    ("get", "/api/v1/projects/{public_id}/finances"): "public: the figures of the project page (404 for drafts)",
    ("get", "/api/v1/projects/{public_id}/disbursements"):
        "finance and admin members of the project's organization (tests/disclosure/test_spending_api.py)",
    ("post", "/api/v1/projects/{public_id}/disbursements"):
        "finance members of the project's organization (tests/disclosure/test_spending_api.py)",
    ("get", "/api/v1/disbursements/{public_id}"): "finance and admin members of its organization (tests/disclosure/test_spending_api.py)",
    ("post", "/api/v1/disbursements/{public_id}/evidence"):
        "finance and admin members of its organization (tests/disclosure/test_spending_api.py)",
    ("post", "/api/v1/disbursements/{public_id}/transitions"):
        "members by the lifecycle table, never the author's own approval (tests/disclosure/test_spending_four_eyes.py)",
    ("get", "/api/v1/projects/{public_id}/impact"): "public: the figures of the project's impact page (404 for drafts; tests/impact/test_api.py)",
}


def test_every_api_operation_is_classified():
    from commonweal.api import api

    schema = api.get_openapi_schema()
    operations = {(method, path) for path, ops in schema["paths"].items() for method in ops}
    assert operations == set(API_OPERATIONS), "classify the new API operation in API_OPERATIONS (and test it)"


@pytest.mark.parametrize("path", ["/api/v1/projects/{id}", "/api/v1/organizations/{id}"])
def test_api_does_not_show_drafts_or_unverified_orgs(client, path):
    world = _world()
    unverified = make_org(verified=False, qualified=False)
    target = world.b_draft.public_id if "projects" in path else unverified.public_id
    for user in (None, world.a_users["admin"]):
        if user is not None:
            client.force_login(user)
        response = client.get(path.replace("{id}", target))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
