"""Project use cases through projects.services: the whole lifecycle table, partners, editing."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.giving.services import intent_create
from commonweal.orgs.models import Organization
from commonweal.projects.lifecycle import OPERATOR, PROJECT_TRANSITIONS
from commonweal.projects.models import BudgetLine, Project, ProjectStatus
from commonweal.projects.services import project_create, project_set_budget, project_transition, project_update
from tests.factories import add_member, make_operator, make_org, make_project, make_project_in, make_user, project_fields

pytestmark = pytest.mark.django_db

STATUSES = list(ProjectStatus.values)
ACTORS = ["org_admin", "org_editor", "org_finance", "other_org_member", "operator", "anonymous"]
# What each actor kind counts as in a rule's ``allowed`` set.
CAPACITY = {
    "org_admin": "admin",
    "org_editor": "editor",
    "org_finance": "finance",
    "other_org_member": None,
    "operator": OPERATOR,
    "anonymous": None,
}


def _actor(kind: str, org: Organization, operator):
    if kind == "org_admin":
        return org.memberships.get(role="admin").user
    if kind in ("org_editor", "org_finance"):
        return add_member(org, kind.removeprefix("org_"))
    if kind == "other_org_member":
        return make_org().memberships.get(role="admin").user
    if kind == "operator":
        return operator
    return AnonymousUser()


def _snapshot(project: Project) -> tuple:
    project.refresh_from_db()
    return project.status, project.review_note, AuditEvent.objects.filter(target_id=project.public_id).count()


def test_the_table_covers_every_status():
    sources = {source for source, _ in PROJECT_TRANSITIONS}
    targets = {target for _, target in PROJECT_TRANSITIONS}
    assert sources | targets == set(STATUSES)


@pytest.mark.parametrize("actor_kind", ACTORS)
@pytest.mark.parametrize("source, target", list(itertools.product(STATUSES, STATUSES)))
def test_every_project_edge_for_every_actor(source, target, actor_kind):
    operator = make_operator()
    project = make_project_in(source, operator=operator)
    actor = _actor(actor_kind, project.org, operator)
    rule = PROJECT_TRANSITIONS.get((source, target))
    before = _snapshot(project)

    if rule is None:
        with pytest.raises(Conflict) as exc:
            project_transition(project=project, to=target, actor=actor, reason="a reason")
        assert exc.value.code == "illegal_transition"
        assert _snapshot(project) == before
        return

    if CAPACITY[actor_kind] not in rule.allowed:
        with pytest.raises(NotFound):
            project_transition(project=project, to=target, actor=actor, reason="a reason")
        assert _snapshot(project) == before
        return

    if rule.reason_required:
        with pytest.raises(InvalidInput) as exc:
            project_transition(project=project, to=target, actor=actor, reason="  ")
        assert exc.value.field == "reason"
        assert _snapshot(project) == before

    result = project_transition(project=project, to=target, actor=actor, reason="a reason")
    project.refresh_from_db()
    assert result.status == project.status == target
    events = AuditEvent.objects.filter(target_id=project.public_id).order_by("id")
    assert events.count() == before[2] + 1
    event = events.last()
    assert (event.action, event.target_type, event.actor_id, event.reason, event.data) == (
        rule.action, "project", actor.pk, "a reason", {"to": target}
    )


def test_every_legal_edge_has_at_least_one_actor_kind():
    for edge, rule in PROJECT_TRANSITIONS.items():
        assert rule.allowed & {c for c in CAPACITY.values() if c}, edge


# --- partner rules (Charity Law Art. 22 and 26) --------------------------------------------------

def _unqualified_org():
    return make_org(verified=True, qualified=False)


def test_unqualified_org_without_partner_cannot_submit():
    org = _unqualified_org()
    project = make_project(org, status="draft")
    with pytest.raises(Conflict) as exc:
        project_transition(project=project, to="in_review", actor=org.memberships.get().user)
    assert exc.value.code == "partner_required"
    project.refresh_from_db()
    assert project.status == "draft"


@pytest.mark.parametrize("partner_kind", ["unqualified", "unverified", "rejected_after_qualification"])
def test_partner_must_be_verified_and_qualified(partner_kind):
    operator = make_operator()
    org = _unqualified_org()
    if partner_kind == "unqualified":
        partner = make_org(verified=True, qualified=False)
    elif partner_kind == "unverified":
        partner = make_org(verified=False, qualified=False)
    else:
        from commonweal.orgs.services import org_transition

        partner = make_org(verified=True, qualified=True)
        partner = org_transition(org=partner, to="rejected", actor=operator, reason="licence withdrawn")
    project = make_project(org, status="draft", partner_org=partner)
    with pytest.raises(Conflict) as exc:
        project_transition(project=project, to="in_review", actor=org.memberships.get().user)
    assert exc.value.code == "partner_not_qualified"


def test_qualified_partner_receives_the_funds():
    operator = make_operator()
    org = _unqualified_org()
    partner = make_org(verified=True, qualified=True)
    project = make_project(org, status="draft", partner_org=partner)
    project = project_transition(project=project, to="in_review", actor=org.memberships.get().user)
    project = project_transition(project=project, to="fundraising", actor=operator)
    assert project.status == "fundraising"
    assert project.recipient_org == partner
    intent, _ = intent_create(project=project, amount_fen=100, idempotency_key="partner-test")
    assert intent.recipient_org == partner


def test_qualified_org_receives_its_own_funds():
    project = make_project()
    assert project.recipient_org == project.org


def test_unverified_org_cannot_submit():
    org = make_org(verified=False, qualified=False)
    project = make_project(org, status="draft")
    with pytest.raises(Conflict) as exc:
        project_transition(project=project, to="in_review", actor=org.memberships.get().user)
    assert exc.value.code == "org_not_verified"


def test_a_project_without_budget_cannot_be_submitted():
    org = make_org()
    admin = org.memberships.get().user
    project = project_create(org=org, actor=admin, **project_fields())
    with pytest.raises(Conflict) as exc:
        project_transition(project=project, to="in_review", actor=admin)
    assert exc.value.code == "budget_missing"


# --- editing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", ["in_review", "fundraising", "executing", "completed"])
def test_promised_fields_cannot_change_after_draft(status):
    project = make_project_in(status)
    admin = project.org.memberships.get(role="admin").user
    for fields in ({"title_zh": "新标题"}, {"goal_fen": 1}, {"domain": "few"}, {"ends_on": project.ends_on}):
        with pytest.raises(Conflict) as exc:
            project_update(project=project, actor=admin, **fields)
        assert exc.value.code == "project_not_editable"
    with pytest.raises(Conflict):
        project_update(project=project, actor=admin, budget_lines=[("x", 100)])
    with pytest.raises(Conflict):
        project_set_budget(project=project, actor=admin, budget_lines=[("x", 100)])
    project.refresh_from_db()
    assert project.title_zh == "乡村儿童阅读角"
    assert list(BudgetLine.objects.filter(project=project).values_list("name", flat=True)) == ["图书", "书架"]


def test_story_can_change_on_a_public_project():
    project = make_project()
    project = project_update(project=project, actor=project.org.memberships.get().user, story_zh="新的故事")
    assert project.story_zh == "新的故事"


def test_draft_update_replaces_budget_in_the_same_transaction():
    project = make_project(status="draft")
    admin = project.org.memberships.get().user
    project_update(project=project, actor=admin, title_zh="改过的标题", budget_lines=[("教材", 5_000_000)])
    project.refresh_from_db()
    assert project.title_zh == "改过的标题"
    assert list(project.budget_lines.values_list("name", "amount_fen")) == [("教材", 5_000_000)]
    event = AuditEvent.objects.filter(action="project.update", target_id=project.public_id).get()
    assert event.data == {"fields": ["title_zh", "budget_lines"]}


def test_bad_budget_line_changes_nothing():
    project = make_project(status="draft")
    admin = project.org.memberships.get().user
    with pytest.raises(InvalidInput):
        project_update(project=project, actor=admin, title_zh="不会保存", budget_lines=[("教材", 0)])
    project.refresh_from_db()
    assert project.title_zh == "乡村儿童阅读角"
    assert project.budget_lines.count() == 2


@pytest.mark.parametrize("kind", ["org_finance", "other_org_member", "anonymous"])
def test_only_admins_and_editors_create_and_edit(kind):
    org = make_org()
    actor = _actor(kind, org, None)
    with pytest.raises(NotFound):
        project_create(org=org, actor=actor, budget_lines=[("a", 100)], **project_fields())
    project = make_project(org, status="draft")
    with pytest.raises(NotFound):
        project_update(project=project, actor=actor, title_zh="x")
    assert Project.objects.filter(org=org).count() == 1


def test_editor_creates_a_draft():
    org = make_org()
    editor = add_member(org, "editor")
    project = project_create(org=org, actor=editor, budget_lines=[("a", 100)], **project_fields())
    assert (project.status, project.created_by) == ("draft", editor)


def test_period_must_be_ordered():
    org = make_org()
    fields = project_fields()
    fields["ends_on"] = fields["starts_on"].replace(year=fields["starts_on"].year - 1)
    with pytest.raises(InvalidInput) as exc:
        project_create(org=org, actor=org.memberships.get().user, **fields)
    assert exc.value.field == "ends_on"
    assert not Project.objects.exists()


def test_an_unknown_user_is_not_an_operator():
    project = make_project_in("in_review")
    with pytest.raises(NotFound):
        project_transition(project=project, to="fundraising", actor=make_user())
