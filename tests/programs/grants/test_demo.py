"""The grants demo: a completed prize round that keeps every rule the services keep, an open
challenge call, and a wipe that removes it all (before the programs demo wipes the fund)."""

import datetime as dt

import pytest

from commonweal.demo.extensions import EXTENSION_MODULES
from commonweal.demo.generate import DEMO_EMAIL_DOMAIN
from commonweal.impact.models import Indicator, Result
from commonweal.impact.selectors import indicator_status, indicators_for
from commonweal.ledger.models import OutboxEntry
from commonweal.orgs.models import Organization
from commonweal.programs import demo as programs_demo
from commonweal.programs.grants import demo
from commonweal.programs.grants.models import (
    Application,
    ApplicationStatus,
    Assignment,
    AssignmentStatus,
    Award,
    Call,
    Installment,
    InstallmentStatus,
    Referee,
    Review,
    Route,
)
from commonweal.programs.grants.rubric import review_average
from commonweal.programs.grants.services.applications import call_is_open
from commonweal.programs.models import GrantPayment
from tests.factories import make_org, make_project

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)


def test_registered_after_the_programs_demo():
    assert EXTENSION_MODULES.index("commonweal.programs.grants.demo") > EXTENSION_MODULES.index("commonweal.programs.demo")


def test_demo_round_follows_the_rules_and_wipes(client):
    for n in range(2):
        org = make_org()
        Organization.objects.filter(pk=org.pk).update(contact_email=f"org{n}@{DEMO_EMAIL_DOMAIN}")
        make_project(org)
    programs_demo.generate(seed=5, now=NOW)
    counts = demo.generate(seed=5, now=NOW)
    assert counts["grants.Program"] == 2 and counts["grants.Award"] == 4
    prize, challenge = Call.objects.order_by("year")
    # Every application was eligible, with every required letter on file.
    for application in Application.objects.filter(call=prize):
        assert all(item["ok"] for item in application.eligibility)
        required = prize.referees_nomination if application.route == Route.NOMINATION else prize.referees_self
        assert application.referees.exclude(letter="").count() == required
    assert Application.objects.filter(call=prize, route=Route.NOMINATION).exists()
    # Recusals: one detected (same institution), one declared; recused reviewers have no review.
    recused = Assignment.objects.filter(status=AssignmentStatus.RECUSED)
    assert any(c["rule"] == "same_institution" for a in recused for c in a.conflicts)
    assert recused.exclude(declared_conflict="").exists()
    assert not Review.objects.filter(assignment__status=AssignmentStatus.RECUSED).exists()
    assert any(None in r.scores.values() for r in Review.objects.all())  # some criteria scored n/a
    for review in Review.objects.all():
        assert review.score_count == len([v for v in review.scores.values() if v is not None])
        assert review_average(review.scores) is None or 0 <= review_average(review.scores) <= 5
    # Decisions: one per application per round it reached, with reasons; 4 awards of ¥3M in 5 × ¥600k.
    assert Application.objects.filter(call=prize, status=ApplicationStatus.AWARDED).count() == 4
    assert not Application.objects.filter(call=prize, status=ApplicationStatus.IN_REVIEW).exists()
    for award in Award.objects.select_related("commitment"):
        assert award.commitment.source_kind == "grant" and award.commitment.source_public_id == award.public_id
        assert list(award.installments.values_list("amount_fen", flat=True)) == [600_000_00] * 5
        first = award.installments.get(number=1)
        assert first.status == InstallmentStatus.PAID and first.report and first.proposed_by_id != first.approved_by_id
        assert OutboxEntry.objects.filter(entry_type="grant_payment", subject_id=first.payment.public_id).exists()
    assert Installment.objects.filter(status=InstallmentStatus.PAID).count() == 4
    # Each award has impact indicators with results since the award; the fund's page counts them.
    for award in Award.objects.all():
        indicators = list(indicators_for(subjects=[award]))
        assert len(indicators) == 2 and all(i.domain == "basic_science" and indicator_status(i).latest for i in indicators)
    award_indicators = indicators_for(subjects=Award.objects.all())
    assert counts["impact.Indicator"] == award_indicators.count() == 8
    assert counts["impact.Result"] == Result.objects.filter(indicator__in=award_indicators).count() > 0
    award_indicator_ids = list(award_indicators.values_list("pk", flat=True))
    fund = Award.objects.first().commitment.fund
    assert f'data-figure="indicators">{Indicator.objects.count()}<' in client.get(f"/programs/funds/{fund.public_id}/").content.decode()
    # The challenge call is open, with applications in screening.
    assert call_is_open(challenge, NOW.date()) and challenge.applications.count() == 3
    assert client.get(f"/grants/calls/{challenge.public_id}/").status_code == 200

    assert demo.wipe() > 0
    assert not Application.objects.exists() and not Referee.objects.exists() and not Call.objects.exists()
    assert not Indicator.objects.filter(pk__in=award_indicator_ids).exists() and Indicator.objects.exists()  # the labs' stay
    assert programs_demo.wipe() > 0
    assert not GrantPayment.objects.exists() and not Indicator.objects.exists()
