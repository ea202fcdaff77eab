"""Refunds: own records, within the donation, ledger entries, permission."""

import json

import pytest

from commonweal.core.errors import Conflict, InvalidInput, NotFound
from commonweal.giving.models import Refund
from commonweal.giving.services import refund_create
from commonweal.ledger.models import OutboxEntry
from tests.factories import donate, make_operator, make_project, make_user

pytestmark = pytest.mark.django_db


def _finance(org):
    from commonweal.orgs.models import Membership

    user = make_user()
    Membership.objects.create(org=org, user=user, role="finance")
    return user


def test_partial_then_full_refund_updates_totals_and_writes_entries():
    project = make_project()
    donation = donate(project, 10_000)
    finance = _finance(project.org)
    first = refund_create(donation=donation, amount_fen=3_000, reason="捐赠人申请退款", actor=finance)
    refund_create(donation=donation, amount_fen=7_000, reason="余额退回", actor=finance)
    donation.refresh_from_db()
    project.refresh_from_db()
    assert (donation.refunded_fen, project.refunded_fen, project.net_raised_fen) == (10_000, 10_000, 0)
    entry = json.loads(bytes(OutboxEntry.objects.get(subject_id=first.public_id).canonical_json))
    assert entry["type"] == "refund" and entry["donation"] == donation.public_id and entry["amount_fen"] == 3_000
    assert OutboxEntry.objects.filter(entry_type="refund").count() == 2


@pytest.mark.parametrize("amount, error", [(10_001, Conflict), (0, InvalidInput), (-5, InvalidInput)])
def test_refund_beyond_the_donation_is_refused_and_writes_nothing(amount, error):
    project = make_project()
    donation = donate(project, 10_000)
    with pytest.raises(error):
        refund_create(donation=donation, amount_fen=amount, reason="r", actor=make_operator())
    assert Refund.objects.count() == 0
    assert OutboxEntry.objects.filter(entry_type="refund").count() == 0


def test_refund_needs_a_reason_and_the_right_person():
    project = make_project()
    donation = donate(project, 10_000)
    with pytest.raises(InvalidInput):
        refund_create(donation=donation, amount_fen=100, reason="  ", actor=make_operator())
    outsider = _finance(make_project().org)
    with pytest.raises(NotFound):
        refund_create(donation=donation, amount_fen=100, reason="r", actor=outsider)
    assert Refund.objects.count() == 0
