"""Conflicts of interest: each detection rule and a declaration recuse, and a recused reviewer
is refused by the service."""

import pytest

from commonweal.core.errors import Conflict, NotFound
from commonweal.programs.grants.conflicts import Person, conflicts_detect, normalise
from commonweal.programs.grants.models import Assignment, AssignmentStatus, Review
from commonweal.programs.grants.services import assignment_create, conflict_declare, review_submit
from commonweal.programs.grants.services.review import Recused
from tests.factories import make_user
from tests.programs.grants.factories import apply, make_reviewer, make_world

pytestmark = pytest.mark.django_db

SCORES = {"originality": 4, "rigour": 3, "impact": None}


@pytest.fixture
def world():
    return make_world()


def _assign(world, reviewer, application):
    return assignment_create(actor=world.manager, round=world.rounds["screening"], application=application, reviewer=reviewer)


def _assert_recused_and_refused(world, reviewer, assignment, rule):
    assert assignment.status == AssignmentStatus.RECUSED
    assert [c["rule"] for c in assignment.conflicts] == [rule]
    with pytest.raises(Recused) as refused:
        review_submit(actor=reviewer.user, assignment=assignment, scores=SCORES)
    assert refused.value.code == "recused"
    assert not Review.objects.exists()
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.RECUSED


def test_same_institution_recuses(world):
    application = apply(world.call, institution="清华大学")
    reviewer = make_reviewer(world, name="钱评审", institution=" 清华大学 ")
    _assert_recused_and_refused(world, reviewer, _assign(world, reviewer, application), "same_institution")


def test_same_institution_ignores_case_and_spacing(world):
    application = apply(world.call, institution="Tsinghua University")
    reviewer = make_reviewer(world, name="Qian", institution="tsinghua  university")
    assert _assign(world, reviewer, application).conflicts[0]["rule"] == "same_institution"


def test_referee_of_the_applicant_recuses_by_email(world):
    user = make_user("shared-referee@example.org")
    application = apply(world.call, referees=[
        {"name": "另一个名字", "email": "shared-referee@example.org", "institution": "复旦大学"},
        {"name": "甲", "email": "a@example.org"}, {"name": "乙", "email": "b@example.org"},
    ])
    from commonweal.programs.grants.services import reviewer_add
    reviewer = reviewer_add(actor=world.manager, program=world.program, user=user, name="孙评审", institution="浙江大学")
    _assert_recused_and_refused(world, reviewer, _assign(world, reviewer, application), "referee")


def test_referee_of_the_applicant_recuses_by_name(world):
    application = apply(world.call, referees=[
        {"name": "李 四", "email": "li4@example.org"}, {"name": "甲", "email": "a@example.org"}, {"name": "乙", "email": "b@example.org"},
    ])
    reviewer = make_reviewer(world, name="李四", institution="浙江大学")
    _assert_recused_and_refused(world, reviewer, _assign(world, reviewer, application), "referee")


def test_listed_coauthor_recuses(world):
    application = apply(world.call, coauthors=["周八", "吴九"])
    reviewer = make_reviewer(world, name="吴九", institution="南京大学")
    _assert_recused_and_refused(world, reviewer, _assign(world, reviewer, application), "coauthor")


def test_no_conflict_lets_the_reviewer_score(world):
    application = apply(world.call)
    reviewer = make_reviewer(world, name="郑评审", institution="南京大学")
    assignment = _assign(world, reviewer, application)
    assert (assignment.status, assignment.conflicts) == (AssignmentStatus.ASSIGNED, [])
    review = review_submit(actor=reviewer.user, assignment=assignment, scores=SCORES)
    assert (review.score_sum, review.score_count) == (7, 2)
    assert Assignment.objects.get(pk=assignment.pk).status == AssignmentStatus.SUBMITTED


def test_declared_conflict_recuses_and_refuses(world):
    application = apply(world.call)
    reviewer = make_reviewer(world, name="冯评审", institution="南京大学")
    assignment = _assign(world, reviewer, application)
    conflict_declare(actor=reviewer.user, assignment=assignment, reason="我曾指导申请人的博士论文")
    with pytest.raises(Recused):
        review_submit(actor=reviewer.user, assignment=assignment, scores=SCORES)
    stored = Assignment.objects.get(pk=assignment.pk)
    assert (stored.status, stored.declared_conflict) == (AssignmentStatus.RECUSED, "我曾指导申请人的博士论文")


def test_only_the_assigned_reviewer_can_declare_or_score(world):
    application = apply(world.call)
    reviewer = make_reviewer(world, name="陈评审", institution="南京大学")
    assignment = _assign(world, reviewer, application)
    stranger = make_user()
    with pytest.raises(NotFound):
        review_submit(actor=stranger, assignment=assignment, scores=SCORES)
    with pytest.raises(NotFound):
        conflict_declare(actor=world.manager, assignment=assignment, reason="x")


def test_a_review_is_submitted_once(world):
    application = apply(world.call)
    reviewer = make_reviewer(world, name="褚评审", institution="南京大学")
    assignment = _assign(world, reviewer, application)
    review_submit(actor=reviewer.user, assignment=assignment, scores=SCORES)
    with pytest.raises(Conflict) as refused:
        review_submit(actor=reviewer.user, assignment=assignment, scores=SCORES)
    assert refused.value.code == "already_submitted"


def test_only_managers_assign(world):
    application = apply(world.call)
    reviewer = make_reviewer(world, name="卫评审", institution="南京大学")
    for actor in (world.finance, reviewer.user, make_user()):
        with pytest.raises(NotFound):
            assignment_create(actor=actor, round=world.rounds["screening"], application=application, reviewer=reviewer)
    with pytest.raises(Conflict) as refused:
        assignment_create(actor=world.manager, round=world.rounds["panel"], application=application, reviewer=reviewer)
    assert refused.value.code == "not_in_round"


def test_normalise_and_detection_are_pure():
    assert normalise("Ｔｓｉｎｇｈｕａ  Univ.") == "tsinghuauniv"
    found = conflicts_detect(reviewer=Person(name="A B", email="X@Y.org", institution="Inst"), applicant_institution="inst",
                             referees=[Person(name="other", email="x@y.org")], coauthors=["a-b"])
    assert [f["rule"] for f in found] == ["same_institution", "referee", "coauthor"]
