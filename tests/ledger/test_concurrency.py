"""Outbox rows that commit out of id order, and donations arriving while the sequencer runs.

On PostgreSQL a transaction that took a lower id can commit after one with a higher id: the
sequencer must not skip the late row (docs/ledger.md, "Ordering"). SQLite serializes writers,
so rows there always commit in id order.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections, transaction

from commonweal.giving.models import Donation
from commonweal.ledger.models import LogState, OutboxEntry
from commonweal.ledger.sequencer import Sequencer
from commonweal.ledger.services import outbox_append
from commonweal.ledger.storage import DatabaseTileStore
from tests.conftest import on_postgres
from tests.factories import donate, make_org, make_project
from tests.ledger.support import ORIGIN, check_store_matches_outbox, indexed_entries

WRITERS = 24


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(not on_postgres(), reason="SQLite serializes write transactions: rows commit in id order")
def test_rows_committed_in_reverse_id_order_are_all_sequenced(signer):
    ids: dict[int, int] = {}
    inserted = [threading.Event() for _ in range(WRITERS)]
    release = [threading.Event() for _ in range(WRITERS)]
    errors = []

    def writer(k):
        try:
            with transaction.atomic():
                row = outbox_append(entry_type="donation", subject_id=f"late{k}", fields={"amount_fen": k + 1})
                ids[k] = row.pk
                inserted[k].set()
                assert release[k].wait(timeout=60)
        except BaseException as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
            inserted[k].set()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
    for t in threads:
        t.start()
    for event in inserted:
        assert event.wait(timeout=60)
    assert not errors
    sequencer = Sequencer(signer=signer, origin=ORIGIN, store=DatabaseTileStore(), batch_size=5)
    sequencer.recover()
    # Commit the highest id first, then the next lower one, ... with a sequencer step in between:
    # every step sees higher ids committed while lower ones are still open.
    order = sorted(range(WRITERS), key=lambda k: ids[k], reverse=True)
    for k in order:
        release[k].set()
        threads[k].join()
        assert sequencer.integrate() == 1
    assert sequencer.integrate() == 0
    assert not errors
    by_index = list(OutboxEntry.objects.order_by("log_index").values_list("pk", flat=True))
    assert by_index == [ids[k] for k in order], "each row is indexed when it commits, none is skipped"
    assert len(indexed_entries()) == WRITERS
    check_store_matches_outbox(DatabaseTileStore())


@pytest.mark.django_db(transaction=True)
def test_donations_arriving_while_the_sequencer_runs(signer):
    org = make_org()
    projects = [make_project(org) for _ in range(3)]
    stop = threading.Event()
    sequencer = Sequencer(signer=signer, origin=ORIGIN, store=DatabaseTileStore(), batch_size=17, sign_interval=0.05)
    failures = []

    def run_sequencer():
        try:
            sequencer.run(stop=stop, interval=0.005)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connections.close_all()

    def give(k):
        try:
            for i in range(15):
                donate(projects[(k + i) % 3], 100 + i)
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connections.close_all()

    worker = threading.Thread(target=run_sequencer)
    worker.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(give, range(8)))
    # Let the sequencer catch up, then stop it as SIGTERM would.
    deadline = threading.Event()
    for _ in range(600):
        state = LogState.objects.filter(pk=1).first()
        if state and state.signed_size == 120:
            break
        deadline.wait(0.05)
    stop.set()
    worker.join(timeout=30)
    assert not failures
    assert Donation.objects.count() == 120
    assert LogState.objects.get().signed_size == 120
    donations = set(Donation.objects.values_list("public_id", flat=True))
    logged = set(OutboxEntry.objects.filter(entry_type="donation").exclude(log_index=None).values_list("subject_id", flat=True))
    assert logged == donations
    check_store_matches_outbox(DatabaseTileStore())
