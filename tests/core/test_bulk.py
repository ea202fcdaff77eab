"""core.bulk: insert_many writes rows as save() would (COPY on PostgreSQL); insert_missing skips
existing rows. Both databases."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from commonweal.core.bulk import insert_many, insert_missing, values_params, values_table
from commonweal.core.models import AuditEvent
from commonweal.giving.models import DonationIntent, IntentStatus
from commonweal.matching.models import Counter
from tests.factories import make_project, make_user
from tests.matching.factories import make_campaign

pytestmark = pytest.mark.django_db


def _intent(project, key: str, **fields) -> DonationIntent:
    return DonationIntent(idempotency_key=key, project=project, recipient_org=project.org, amount_fen=500, **fields)


def test_rows_get_ids_defaults_and_the_values_save_would_write():
    project, donor = make_project(), make_user()
    intents = [_intent(project, f"bulk-{n}", donor=donor if n % 2 else None, message="捐款 ✓\ttab\\slash\nline")
               for n in range(5)]
    insert_many(intents)
    assert all(intent.pk and not intent._state.adding for intent in intents)
    assert len({intent.pk for intent in intents}) == 5
    for intent in intents:
        stored = DonationIntent.objects.get(pk=intent.pk)
        assert (stored.public_id, stored.idempotency_key, stored.donor_id) == (intent.public_id, intent.idempotency_key, intent.donor_id)
        # A choice is stored as its value, text with COPY's special characters unchanged.
        assert stored.status == "pending" == IntentStatus.PENDING and stored.message == "捐款 ✓\ttab\\slash\nline"
        assert stored.created_at == intent.created_at is not None  # auto_now_add, as save() sets it


def test_json_and_null_values_round_trip():
    events = [AuditEvent(action="bulk", target_type="t", target_id=str(n), data={"n": n, "nested": [None, "x"]})
              for n in range(3)] + [AuditEvent(action="bulk", target_type="t", target_id="none", actor=None)]
    insert_many(events)
    stored = {event.target_id: event for event in AuditEvent.objects.filter(action="bulk")}
    assert stored["2"].data == {"n": 2, "nested": [None, "x"]} and stored["none"].data == {}
    assert stored["none"].actor_id is None


def test_a_violated_constraint_is_an_integrity_error_and_writes_nothing():
    project = make_project()
    insert_many([_intent(project, "taken")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_many([_intent(project, "fresh"), _intent(project, "taken")])
    assert not DonationIntent.objects.filter(idempotency_key="fresh").exists()
    assert DonationIntent.objects.filter(idempotency_key="taken").count() == 1


def test_nothing_to_insert_is_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_many([])


def test_insert_missing_leaves_existing_rows_alone_and_takes_any_number_of_rows():
    campaign = make_campaign()
    Counter.objects.create(campaign=campaign, key="k", shard=0, limit_fen=100, used_fen=40)
    columns, unique = ("campaign_id", "key", "shard", "limit_fen", "used_fen"), ("campaign_id", "key", "shard")
    # More rows than one statement carries (SQLite's parameter limit), one of them already there.
    insert_missing(Counter, columns, [(campaign.pk, "k", s, 100, 0) for s in range(2500)], unique=unique)
    assert Counter.objects.filter(campaign=campaign, key="k").count() == 2500
    assert Counter.objects.get(campaign=campaign, key="k", shard=0).used_fen == 40


def test_insert_missing_refuses_a_value_too_long_for_its_column():
    """On PostgreSQL the arrays are cast without a length: the column refuses, nothing is cut."""
    from django.db import DataError, connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite does not enforce varchar lengths")
    campaign = make_campaign()
    with pytest.raises(DataError), transaction.atomic():
        insert_missing(Counter, ("campaign_id", "key", "shard", "limit_fen", "used_fen"), [(campaign.pk, "k" * 97, 0, 1, 0)],
                       unique=("campaign_id", "key", "shard"))
    assert not Counter.objects.filter(campaign=campaign).exists()


def test_a_values_table_gives_back_every_value_as_it_was_sent():
    """On PostgreSQL each column goes as one array literal: quotes, backslashes, braces, commas,
    spaces, NULL, booleans and times must come back unchanged."""
    when = dt.datetime(2026, 9, 9, 10, 0, 0, 123456, tzinfo=dt.UTC)
    rows = [
        (1, 'say "hi"', True, when),
        (2, "back\\slash, {brace} and space ", False, None),
        (3, None, None, when + dt.timedelta(days=1)),
        (4, "NULL", True, when),
        (5, "", False, when),
        (6, "捐款 ✓", True, when),
    ]
    types = ("bigint", "varchar", "boolean", "timestamp with time zone")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {values_table(len(rows), types)} t", values_params(rows))
        back = sorted(cursor.fetchall())
    if connection.vendor == "sqlite":  # no column types: booleans and times come back as given
        back = [(n, text, None if flag is None else bool(flag), at) for n, text, flag, at in back]
    assert [(n, text, flag) for n, text, flag, _ in back] == [(n, text, flag) for n, text, flag, _ in rows]
    if connection.vendor == "postgresql":
        assert [at for *_, at in back] == [at for *_, at in rows]
