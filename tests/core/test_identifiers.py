"""core.identifiers: public ids are ULIDs that sort by time and cannot be guessed from each other."""

import time

from ulid import ULID

from commonweal.core.identifiers import is_public_id, new_public_id, ulid_str


def test_ulid_text_matches_python_ulid():
    for milliseconds, randomness in ((0, 0), (2**48 - 1, 2**80 - 1), (1_700_000_000_123, 0x1234_5678_9ABC_DEF0_1234)):
        assert ulid_str(milliseconds, randomness) == str(ULID.from_int((milliseconds << 80) | randomness)).lower()


def test_ids_made_in_the_same_millisecond_are_not_neighbours():
    # A batch of intents is made within a millisecond or two; a monotonic ULID would number them
    # consecutively, so one id would name the others.
    ids = [new_public_id() for _ in range(1000)]
    values = [int(ULID.from_str(public_id.upper())) for public_id in ids]
    same_millisecond = [(a, b) for a, b in zip(values, values[1:]) if a >> 80 == b >> 80]
    assert len(same_millisecond) > 100  # the loop really made many ids per millisecond
    assert all(abs(b - a) > 2**40 for a, b in same_millisecond)
    assert len(set(ids)) == len(ids) and all(is_public_id(public_id) for public_id in ids)


def test_ids_sort_by_the_millisecond_they_were_made():
    first = new_public_id()
    time.sleep(0.002)
    assert new_public_id() > first
    assert ULID.from_str(first.upper()).milliseconds <= time.time_ns() // 1_000_000
