"""Reviewers never see others' scores before submitting their own; rubric averages leave n/a out."""

from fractions import Fraction
from types import SimpleNamespace

import pytest

from commonweal.core.errors import Conflict, InvalidInput
from commonweal.programs.grants.rubric import application_average, format_average, review_average, scores_clean
from commonweal.programs.grants.selectors import round_ranking, round_reviews_for_reviewer
from commonweal.programs.grants.services import assignment_create, review_submit
from tests.programs.grants.factories import RUBRIC, apply, make_reviewer, make_world


def test_review_average_leaves_na_out():
    assert review_average({"a": 4, "b": None, "c": 5}) == Fraction(9, 2)
    assert review_average({"a": 0, "b": 0}) == 0
    assert review_average({"a": None, "b": None}) is None


def test_application_average_is_the_mean_of_review_averages():
    reviews = [SimpleNamespace(score_sum=9, score_count=2), SimpleNamespace(score_sum=3, score_count=3),
               SimpleNamespace(score_sum=0, score_count=0)]
    assert application_average(reviews) == Fraction(11, 4)  # (4.5 + 1) / 2; the all-n/a review does not count
    assert application_average([]) is None
    assert format_average(Fraction(11, 4)) == "2.75"
    assert format_average(Fraction(2, 3)) == "0.67"
    assert format_average(None) == "—"


@pytest.mark.parametrize("scores, code", [
    ({"originality": 6, "rigour": 1, "impact": 1}, "invalid_score"),
    ({"originality": -1, "rigour": 1, "impact": 1}, "invalid_score"),
    ({"originality": True, "rigour": 1, "impact": 1}, "invalid_score"),
    ({"originality": "3", "rigour": 1, "impact": 1}, "invalid_score"),
    ({"originality": 3, "rigour": 1}, "score_missing"),
    ({"originality": 3, "rigour": 1, "impact": 1, "extra": 2}, "invalid_score"),
])
def test_scores_are_0_to_5_or_na_for_every_criterion(scores, code):
    with pytest.raises(InvalidInput) as refused:
        scores_clean(RUBRIC, scores)
    assert refused.value.code == code


@pytest.mark.django_db
def test_others_scores_stay_hidden_until_ones_own_review_is_in():
    world = make_world()
    application = apply(world.call)
    first, second = make_reviewer(world, name="甲评审", institution="甲大学"), make_reviewer(world, name="乙评审", institution="乙大学")
    screening = world.rounds["screening"]
    a1 = assignment_create(actor=world.manager, round=screening, application=application, reviewer=first)
    a2 = assignment_create(actor=world.manager, round=screening, application=application, reviewer=second)
    review_submit(actor=first.user, assignment=a1, scores={"originality": 5, "rigour": 4, "impact": None})
    a2.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        round_reviews_for_reviewer(actor=second.user, assignment=a2)
    assert refused.value.code == "submit_first"
    review_submit(actor=second.user, assignment=a2, scores={"originality": 2, "rigour": None, "impact": None})
    a2.refresh_from_db()
    seen = round_reviews_for_reviewer(actor=second.user, assignment=a2)
    assert [r.assignment.reviewer.name for r in seen] == ["甲评审"]
    a1.refresh_from_db()
    assert [r.scores for r in round_reviews_for_reviewer(actor=first.user, assignment=a1)] == [
        {"originality": 2, "rigour": None, "impact": None}
    ]
    ranking = round_ranking(actor=world.manager, round=screening)
    assert ranking[0].average == Fraction(13, 4)  # (4.5 + 2) / 2
    assert format_average(ranking[0].average) == "3.25"


@pytest.mark.django_db
def test_ranking_orders_by_average_with_unscored_last():
    world = make_world()
    screening = world.rounds["screening"]
    apps = [apply(world.call) for _ in range(3)]
    reviewer = make_reviewer(world, name="丙评审", institution="丙大学")
    for application, score in ((apps[0], 2), (apps[1], 5)):
        assignment = assignment_create(actor=world.manager, round=screening, application=application, reviewer=reviewer)
        review_submit(actor=reviewer.user, assignment=assignment, scores={"originality": score, "rigour": score, "impact": score})
    ranking = round_ranking(actor=world.manager, round=screening)
    assert [r.application.pk for r in ranking] == [apps[1].pk, apps[0].pk, apps[2].pk]
    assert [r.average for r in ranking] == [5, 2, None]
