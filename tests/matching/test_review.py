"""Refund claw-backs, operators' freeze / release / claw-back with reasons, the review window,
bans, and each risk signal on constructed cases."""

import datetime as dt

import pytest
from django.db.models import Sum
from django.utils import timezone

from commonweal.core.errors import InvalidInput, NotFound
from commonweal.core.models import AuditEvent
from commonweal.giving.services import refund_create
from commonweal.ledger.models import OutboxEntry
from commonweal.matching.models import Counter, MatchStatus, RiskFlag
from commonweal.matching.services import Action, decisions_in_scope, match_act, matches_release_due, org_ban
from tests.factories import add_member, donate, make_operator, make_org, make_project, make_user
from tests.matching.factories import entry_fields, make_campaign

pytestmark = pytest.mark.django_db


def _admin(org):
    return org.memberships.get(role="admin").user


def _pool_used(campaign):
    return Counter.objects.filter(campaign=campaign, key__startswith="tranche:").aggregate(s=Sum("used_fen"))["s"]


@pytest.mark.parametrize("returns", [True, False])
def test_refunds_claw_back_their_share_and_the_pool_follows_the_campaign_rule(returns):
    org = make_org()
    project = make_project(org)
    campaign = make_campaign(pools=(100_000,), refund_returns_to_pool=returns, cap_donor_day_fen=50_000)
    donor = make_user()
    donation = donate(project, 10_000, donor=donor)
    refund_create(donation=donation, amount_fen=2_500, reason="partly refunded", actor=_admin(org))
    decision = donation.match
    decision.refresh_from_db()
    assert (decision.clawed_back_fen, decision.status) == (2_500, MatchStatus.PENDING)
    assert _pool_used(campaign) == (7_500 if returns else 10_000)
    refund_create(donation=donation, amount_fen=7_500, reason="the rest", actor=_admin(org))
    decision.refresh_from_db()
    assert (decision.clawed_back_fen, decision.status) == (10_000, MatchStatus.CLAWED_BACK)
    assert _pool_used(campaign) == (0 if returns else 10_000)
    # The donor's daily cap regains it too when the pool does.
    day_used = Counter.objects.filter(campaign=campaign, key__startswith="donor-day:").aggregate(s=Sum("used_fen"))["s"]
    assert day_used == (0 if returns else 10_000)
    clawbacks = [entry_fields(e) for e in OutboxEntry.objects.filter(entry_type="match_clawback")]
    assert sorted(e["amount_fen"] for e in clawbacks) == [2_500, 7_500]
    assert {e["returned_to_pool"] for e in clawbacks} == {returns}
    assert RiskFlag.objects.filter(decision=decision, kind="donate_then_refund").exists()


def test_operators_freeze_release_and_claw_back_with_reasons_and_audit():
    org = make_org()
    project, other = make_project(org), make_project(org)
    campaign = make_campaign(pools=(100_000,))
    gifts = [donate(project, 1_000), donate(project, 2_000), donate(other, 3_000)]
    operator = make_operator()
    with pytest.raises(InvalidInput):
        match_act(actor=operator, action=Action.FREEZE, decisions=decisions_in_scope(campaign, project=project.public_id), reason=" ")
    with pytest.raises(NotFound):
        match_act(actor=make_user(), action=Action.FREEZE, decisions=decisions_in_scope(campaign, project=project.public_id), reason="x")
    frozen = match_act(actor=operator, action=Action.FREEZE, decisions=decisions_in_scope(campaign, project=project.public_id),
                       reason="burst from one device")
    assert frozen == 2
    assert [g.match.__class__.objects.get(pk=g.match.pk).status for g in gifts] == ["frozen", "frozen", "pending"]
    released = match_act(actor=operator, action=Action.RELEASE, decisions=decisions_in_scope(campaign, donation=gifts[0].public_id),
                         reason="checked: a real donor")
    assert released == 1
    clawed = match_act(actor=operator, action=Action.CLAW_BACK, decisions=decisions_in_scope(campaign, org=org.public_id),
                       reason="organization paid donors back")
    assert clawed == 3
    assert _pool_used(campaign) == 0  # returned to the pool (the campaign's default)
    actions = list(AuditEvent.objects.filter(action__startswith="match.").values_list("action", "reason"))
    assert ("match.freeze", "burst from one device") in actions
    assert ("match.release", "checked: a real donor") in actions
    assert actions.count(("match.claw_back", "organization paid donors back")) == 3
    # Nothing left to claw back: a second claw-back changes nothing.
    assert match_act(actor=operator, action=Action.CLAW_BACK, decisions=decisions_in_scope(campaign, org=org.public_id), reason="again") == 0


def test_scope_must_name_exactly_one_thing():
    campaign = make_campaign()
    with pytest.raises(InvalidInput):
        decisions_in_scope(campaign)
    with pytest.raises(InvalidInput):
        decisions_in_scope(campaign, project="a", org="b")


def test_matches_stay_pending_until_the_review_window_closes():
    project = make_project(make_org())
    campaign = make_campaign(pools=(100_000,), review_days=7, hours=2)
    kept, frozen = donate(project, 1_000).match, donate(project, 1_000).match
    match_act(actor=make_operator(), action=Action.FREEZE, decisions=decisions_in_scope(campaign, donation=frozen.donation.public_id),
              reason="looks scripted")
    end = campaign.ends_at
    assert matches_release_due(end + dt.timedelta(days=6)) == 0
    assert matches_release_due(end + dt.timedelta(days=7)) == 1
    kept.refresh_from_db()
    frozen.refresh_from_db()
    assert (kept.status, frozen.status) == ("released", "frozen")


def test_a_banned_organization_gets_no_match_until_the_ban_ends():
    org = make_org()
    project = make_project(org)
    campaign = make_campaign(pools=(100_000,))
    operator = make_operator()
    with pytest.raises(InvalidInput):
        org_ban(actor=operator, org=org, until=timezone.now() + dt.timedelta(days=30), reason="")
    org_ban(actor=operator, org=org, until=timezone.now() + dt.timedelta(days=30), reason="reimbursed donors", campaign=campaign)
    decision = donate(project, 1_000).match
    assert (decision.amount_fen, decision.binding) == (0, "org_banned")
    assert AuditEvent.objects.filter(action="matching.ban", reason="reimbursed donors").exists()


def _kinds(decision):
    return set(RiskFlag.objects.filter(decision=decision).values_list("kind", flat=True))


def test_velocity_per_account_payment_account_device_and_address():
    project = make_project(make_org())
    make_campaign(pools=(1_000_000,))
    donor = make_user()
    gifts = [donate(project, 500, donor=donor, payer="w-fast", device_id="dev-1", client_address="10.0.0.9") for _ in range(5)]
    assert _kinds(gifts[3].match) == set()  # 4 a minute is still human
    assert {"velocity_account", "velocity_payment", "velocity_device", "velocity_address"} <= _kinds(gifts[4].match)
    # Another account, another wallet and device, same network address: only the address counts.
    other = donate(project, 500, donor=make_user(), payer="w-other", device_id="dev-2", client_address="10.0.0.9").match
    assert _kinds(other) == {"velocity_address"}


def test_gifts_spread_over_minutes_are_not_velocity():
    project = make_project(make_org())
    make_campaign(pools=(1_000_000,))
    donor = make_user()
    start = timezone.now()
    gifts = [donate(project, 500, donor=donor, payer="w", paid_at=start + dt.timedelta(seconds=20 * n)) for n in range(6)]
    assert all("velocity_account" not in _kinds(g.match) for g in gifts)


def test_many_accounts_sharing_one_payment_account():
    project = make_project(make_org())
    make_campaign(pools=(1_000_000,))
    first, second, third = (donate(project, 500, donor=make_user(), payer="shared-wallet").match for _ in range(3))
    assert "shared_payment" not in _kinds(second)
    assert "shared_payment" in _kinds(third)


def test_staff_of_the_project_organization():
    org = make_org()
    project = make_project(org)
    make_campaign(pools=(1_000_000,))
    staff = add_member(org, "editor")
    assert "own_staff" in _kinds(donate(project, 500, donor=staff).match)
    assert "own_staff" not in _kinds(donate(project, 500, donor=make_user()).match)


def test_amounts_sized_just_under_a_cap():
    project = make_project(make_org())
    make_campaign(pools=(1_000_000,), cap_donor_day_fen=99_900)
    assert "cap_cluster" in _kinds(donate(project, 99_000, donor=make_user()).match)
    assert "cap_cluster" not in _kinds(donate(project, 50_000, donor=make_user()).match)


def test_the_daily_command_releases_what_is_due():
    from io import StringIO

    from django.core.management import call_command

    project = make_project(make_org())
    campaign = make_campaign(pools=(100_000,), review_days=0, hours=2)
    decision = donate(project, 1_000).match
    type(campaign).objects.filter(pk=campaign.pk).update(
        starts_at=campaign.starts_at - dt.timedelta(days=3), ends_at=campaign.ends_at - dt.timedelta(days=2))
    out = StringIO()
    call_command("release_matches", stdout=out)
    decision.refresh_from_db()
    assert decision.status == "released" and "released 1" in out.getvalue()


def test_the_hourly_task_releases_what_is_due_and_renews_itself(settings):
    from commonweal.matching.tasks import RELEASE_INTERVAL, release_matches

    project = make_project(make_org())
    campaign = make_campaign(pools=(100_000,), review_days=0, hours=2)
    decision = donate(project, 1_000).match
    assert release_matches.enqueue(reschedule=False).return_value == 0  # the campaign is still running
    type(campaign).objects.filter(pk=campaign.pk).update(
        starts_at=campaign.starts_at - dt.timedelta(days=3), ends_at=campaign.ends_at - dt.timedelta(days=2))
    assert release_matches.enqueue(reschedule=False).return_value == 1
    decision.refresh_from_db()
    assert decision.status == "released"
    # A run queues the next one an hour later (the database backend keeps it until then).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    before = timezone.now()
    assert release_matches.call(reschedule=True) == 0
    (queued,) = DBTaskResult.objects.all()
    assert queued.task_path == "commonweal.matching.tasks.release_matches"
    assert before + RELEASE_INTERVAL <= queued.run_after <= timezone.now() + RELEASE_INTERVAL
