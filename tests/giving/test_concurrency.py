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
from commonweal.giving.services import intent_create, notification_receive
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
