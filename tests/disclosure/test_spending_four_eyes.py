"""Four eyes cannot be bypassed: the author of a disbursement can never approve (or reject) it,
not through the service, the console page, the API, a direct row update, or a race. Concurrent
approvals decide once, and concurrent approvals cannot together overspend a budget line.
The threaded tests run on SQLite and on PostgreSQL (scripts/test runs both)."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweal.core.errors import Conflict
from commonweal.core.models import AuditEvent
from commonweal.disclosure.models.spending import Disbursement
from commonweal.disclosure.services.spending import FourEyesViolation, Overspend, disbursement_transition
from commonweal.ledger.models import OutboxEntry
from tests.disclosure.spending_support import make_world, promote, record, walk

API = "/api/v1"


def _author_is_admin_with_a_submitted_disbursement():
    world = make_world()
    d = walk(world, record(world), "submitted")
    promote(world.org, world.finance, "admin")  # the author is now an administrator too
    return world, d


def _unchanged(d: Disbursement) -> None:
    fresh = Disbursement.objects.get(pk=d.pk)
    assert (fresh.status, fresh.approved_by_id, fresh.rejected_by_id) == ("submitted", None, None)
    assert not AuditEvent.objects.filter(action__in=("disbursement.approve", "disbursement.reject"), target_id=d.public_id).exists()


# --- one request at a time -------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("to", ["approved", "rejected"])
def test_the_service_refuses_the_authors_own_decision(to):
    world, d = _author_is_admin_with_a_submitted_disbursement()
    with pytest.raises(FourEyesViolation) as caught:
        disbursement_transition(disbursement=d, to=to, actor=world.finance, reason="自己批准")
    assert caught.value.code == "four_eyes" and caught.value.http_status == 403
    _unchanged(d)
    # Another administrator can.
    assert disbursement_transition(disbursement=d, to=to, actor=world.admin2, reason="ok").status == to


@pytest.mark.django_db
def test_the_console_page_refuses_the_authors_approval(client):
    world, d = _author_is_admin_with_a_submitted_disbursement()
    client.force_login(world.finance)
    detail = reverse("console-disbursement", kwargs={"org": world.org.public_id, "disbursement": d.public_id})
    page = client.get(detail).content.decode()
    assert "这笔支出是您登记的：须由另一位管理员批准或驳回。" in page
    assert 'name="to" value="approved"' not in page  # no button for the author
    url = reverse("console-disbursement-transition", kwargs={"org": world.org.public_id, "disbursement": d.public_id})
    response = client.post(url, {"to": "approved"}, follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert "这笔支出是您登记的：须由另一位管理员批准或驳回。" in response.content.decode()
    _unchanged(d)
    # The other administrator sees the button and it works.
    client.force_login(world.admin2)
    assert 'name="to" value="approved"' in client.get(detail).content.decode()
    client.post(url, {"to": "approved"})
    assert Disbursement.objects.get(pk=d.pk).approved_by == world.admin2


@pytest.mark.django_db
def test_the_api_refuses_the_authors_approval():
    world, d = _author_is_admin_with_a_submitted_disbursement()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.finance)
    client.get(reverse("console"))  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    url = f"{API}/disbursements/{d.public_id}/transitions"
    # Without the CSRF token the session cannot write at all.
    response = client.post(url, json.dumps({"to": "approved"}), content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "csrf_failed"
    response = client.post(url, json.dumps({"to": "approved"}), content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 403, response.content
    assert response.json()["error"]["code"] == "four_eyes"
    _unchanged(d)
    other = Client(enforce_csrf_checks=True)
    other.force_login(world.admin2)
    other.get(reverse("console"))
    response = other.post(url, json.dumps({"to": "approved"}), content_type="application/json",
                          headers={"X-CSRFToken": other.cookies["csrftoken"].value})
    assert response.status_code == 200 and response.json()["status"] == "approved"


@pytest.mark.django_db
@pytest.mark.parametrize("column", ["approved_by", "rejected_by"])
def test_the_database_refuses_an_author_as_approver_whatever_writes_the_row(column):
    world = make_world()
    d = walk(world, record(world), "submitted")
    changes = {column: d.created_by, column.replace("_by", "_at"): timezone.now()}
    if column == "approved_by":
        changes["status"] = "approved"
    else:
        changes.update(status="rejected", rejection_reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Disbursement.objects.filter(pk=d.pk).update(**changes)
    _unchanged(d)


# --- races -----------------------------------------------------------------------------------

def _race(calls):
    """Run the calls at the same moment in threads; return (results, errors) in call order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call(), None
        except Exception as exc:  # noqa: BLE001 - returned and asserted by the test
            return None, exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        outcomes = list(pool.map(run, calls))
    return [r for r, _ in outcomes], [e for _, e in outcomes]


@pytest.mark.django_db(transaction=True)
def test_two_administrators_approving_at_once_decide_once():
    world = make_world()
    for _round in range(5):
        d = walk(world, record(world, 10_000), "submitted")
        results, errors = _race([
            lambda: disbursement_transition(disbursement=d, to="approved", actor=world.admin),
            lambda: disbursement_transition(disbursement=d, to="approved", actor=world.admin2),
        ])
        assert sum(r is not None for r in results) == 1, errors
        [error] = [e for e in errors if e is not None]
        assert isinstance(error, Conflict) and error.code == "illegal_transition"
        fresh = Disbursement.objects.get(pk=d.pk)
        assert fresh.status == "approved" and fresh.approved_by in (world.admin, world.admin2)
        assert AuditEvent.objects.filter(action="disbursement.approve", target_id=d.public_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_author_racing_another_administrator_never_wins():
    world = make_world()
    submitted = [walk(world, record(world, 10_000), "submitted") for _ in range(5)]
    promote(world.org, world.finance, "admin")  # the author is now an administrator too
    for d in submitted:
        results, errors = _race([
            lambda: disbursement_transition(disbursement=d, to="approved", actor=world.finance),
            lambda: disbursement_transition(disbursement=d, to="approved", actor=world.admin2),
        ])
        # The author is refused whether they come first (four eyes) or second (already approved).
        assert isinstance(errors[0], (FourEyesViolation, Conflict)) and results[0] is None
        assert errors[1] is None and results[1].approved_by == world.admin2
        assert Disbursement.objects.get(pk=d.pk).approved_by == world.admin2


@pytest.mark.django_db(transaction=True)
def test_concurrent_approvals_cannot_overspend_a_budget_line_together():
    """图书 has ¥60,000: two ¥40,000 disbursements approved at once by two administrators."""
    world = make_world()
    first = walk(world, record(world, 4_000_000), "submitted")
    second = walk(world, record(world, 4_000_000), "submitted")
    results, errors = _race([
        lambda: disbursement_transition(disbursement=first, to="approved", actor=world.admin),
        lambda: disbursement_transition(disbursement=second, to="approved", actor=world.admin2),
    ])
    assert sum(r is not None for r in results) == 1, errors
    [error] = [e for e in errors if e is not None]
    assert isinstance(error, Overspend) and error.code == "overspend_budget_line"
    assert Disbursement.objects.filter(status="approved").count() == 1
    assert OutboxEntry.objects.filter(entry_type="disbursement").count() == 0
