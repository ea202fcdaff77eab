"""Exactly-once confirmation under real parallel load (run on SQLite and on PostgreSQL).

50 threads deliver the same notification while 500 distinct notifications arrive at once:
exactly 501 donations, totals equal the sums, one outbox row each, no errors.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.db.models import Count, Sum

from commonweal.giving.models import Donation
from commonweal.giving.services import intent_create, notification_receive, project_totals_fold
from commonweal.ledger.models import OutboxEntry
from commonweal.projects.models import Project
from tests.factories import make_org, make_project, sandbox_notification

DUPLICATE_DELIVERIES = 50
DISTINCT = 500
WORKERS = 48


@pytest.mark.django_db(transaction=True)
def test_duplicate_and_distinct_notifications_in_parallel():
    org = make_org()
    projects = [make_project(org) for _ in range(5)]
    intents = []
    for n in range(DISTINCT + 1):
        intent, _ = intent_create(project=projects[n % 5], amount_fen=100 + n, idempotency_key=f"load-{n}")
        intents.append(intent)
    deliveries = [sandbox_notification(intents[0])] * DUPLICATE_DELIVERIES
    deliveries += [sandbox_notification(intent) for intent in intents[1:]]
    # Interleave the duplicates with the distinct ones so they really overlap.
    deliveries.sort(key=lambda d: hash(d[1]) % 97)
    start = threading.Barrier(WORKERS)
    errors: list[BaseException] = []

    def deliver(chunk):
        try:
            start.wait()
            for headers, body in chunk:
                notification_receive(provider="sandbox", org_public_id=org.public_id, headers=headers, body=body)
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    chunks = [deliveries[i::WORKERS] for i in range(WORKERS)]
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        list(pool.map(deliver, chunks))

    assert errors == []
    # On PostgreSQL gifts that found their project row busy wait in tally shards; the sequencer
    # folds them on its next tick (giving.services.totals).
    project_totals_fold()
    assert Donation.objects.count() == DISTINCT + 1
    assert OutboxEntry.objects.filter(entry_type="donation").count() == DISTINCT + 1
    assert Donation.objects.filter(intent=intents[0]).count() == 1
    sums = {
        row["project"]: (row["total"], row["n"])
        for row in Donation.objects.values("project").annotate(total=Sum("amount_fen"), n=Count("id"))
    }
    for project in Project.objects.filter(pk__in=[p.pk for p in projects]):
        assert (project.raised_fen, project.donation_count) == sums[project.pk]
    assert sum(total for total, _n in sums.values()) == sum(100 + n for n in range(DISTINCT + 1))
    print(f"\n{connection.vendor}: {DISTINCT + 1} donations from {len(deliveries)} deliveries")


@pytest.mark.django_db(transaction=True)
def test_a_busy_project_row_never_makes_a_donor_wait():
    """While another transaction holds the project row, a confirmation still completes at once:
    its gift waits in a tally shard until the row is free (PostgreSQL; SQLite has one writer)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has one writer at a time: the row is updated directly")
    from django.db import transaction

    from commonweal.giving.models import ProjectTally

    org = make_org()
    project = make_project(org)
    intent, _ = intent_create(project=project, amount_fen=1_234, idempotency_key="busy-row")
    holder_ready, release = threading.Event(), threading.Event()

    def hold_the_row():
        with transaction.atomic():
            Project.objects.select_for_update().get(pk=project.pk)
            holder_ready.set()
            release.wait(30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    holder_ready.wait(10)
    try:
        headers, body = sandbox_notification(intent)
        notification_receive(provider="sandbox", org_public_id=org.public_id, headers=headers, body=body)
        project.refresh_from_db()
        assert (project.raised_fen, project.donation_count) == (0, 0)
        assert ProjectTally.objects.filter(project=project).values_list("raised_fen", flat=True).get() == 1_234
    finally:
        release.set()
        holder.join()
    assert project_totals_fold() == 1
    project.refresh_from_db()
    assert (project.raised_fen, project.donation_count) == (1_234, 1)
    assert ProjectTally.objects.get(project=project).donation_count == 0
    # The next confirmation with the row free moves its shard itself.
    intent, _ = intent_create(project=project, amount_fen=100, idempotency_key="free-row")
    headers, body = sandbox_notification(intent)
    notification_receive(provider="sandbox", org_public_id=org.public_id, headers=headers, body=body)
    project.refresh_from_db()
    assert (project.raised_fen, project.donation_count) == (1_334, 2)
