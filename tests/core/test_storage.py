"""Storage of the hot tables on PostgreSQL (core.storage): a confirmation's updates of rows it
wrote moments before stay on their page and add no index entries (HOT updates)."""

import pytest
from django.db import connection

from commonweal.giving.services import IntentRequest, Notified, intents_create, notifications_receive
from tests.conftest import on_postgres
from tests.factories import make_org, make_project, sandbox_notification
from tests.matching.factories import make_campaign

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not on_postgres(), reason="fill factors and HOT updates are PostgreSQL's")]


def _updates(table: str) -> tuple[int, int]:
    """(updates, HOT updates) of ``table`` in the current transaction (the test's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_get_xact_tuples_updated(%s::regclass), pg_stat_get_xact_tuples_hot_updated(%s::regclass)",
                       [table, table])
        return cursor.fetchone()


def test_paying_a_batch_of_intents_and_drawing_on_new_counters_updates_rows_in_place():
    org = make_org()
    projects = [make_project(org) for _ in range(3)]
    make_campaign(cap_donor_day_fen=50_000, cap_donor_project_fen=50_000, cap_project_fen=10_000_000)
    intents = [r[0] for r in intents_create([
        IntentRequest(project=projects[n % 3], amount_fen=1_000, idempotency_key=f"k{n}", device_id=f"phone-{n}") for n in range(60)
    ])]
    before = {table: _updates(table) for table in ("giving_donationintent", "matching_counter")}
    results = notifications_receive([Notified("sandbox", org.public_id, *sandbox_notification(intent, payer=f"payer-{n}"))
                                     for n, intent in enumerate(intents)])
    assert all(result.match.amount_fen == 1_000 for result in results)
    for table, (updated, hot) in before.items():
        now_updated, now_hot = _updates(table)
        assert now_updated - updated >= 60, table  # every intent paid; every donor's new caps drawn on
        assert now_hot - hot == now_updated - updated, f"{table}: {now_updated - updated - (now_hot - hot)} updates were not HOT"


def test_the_hot_tables_have_no_pattern_indexes_nor_an_index_their_unique_key_already_leads():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_opclass o ON o.oid = ANY(x.indclass) "
            "WHERE x.indrelid = ANY(%s::regclass[]) AND o.opcname = 'varchar_pattern_ops'",
            [["giving_donationintent", "giving_donation", "matching_matchdecision"]],
        )
        assert cursor.fetchall() == []
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'matching_counter'")
        definitions = [row[0] for row in cursor.fetchall()]
    assert not [d for d in definitions if d.endswith("(campaign_id)")], definitions
