"""Outbox entries are RFC 8785 canonical JSON whichever way they are written: the fast path
(json.dumps for plain values) gives exactly rfc8785's bytes, and anything else goes to rfc8785."""

import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from commonweal.ledger.services import outbox_entry_json

_keys = st.text(min_size=1, max_size=8).filter(lambda k: k not in {"v", "type", "id", "name", "phone", "email", "address",
                                                                   "id_number", "donor_name"})
_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60)
            | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\x00\x08\x0c\n\r\t\x1f\x7f\"\\\u2028é中😀"))
            | st.floats(allow_nan=False, allow_infinity=False))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3), max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(fields=st.dictionaries(_keys, _values, max_size=6), subject=st.text(max_size=30))
def test_entries_are_the_bytes_rfc8785_writes(fields, subject):
    try:
        expected = rfc8785.dumps({"v": 1, "type": "donation", "id": subject, **fields})
    except (rfc8785.CanonicalizationError, ValueError, UnicodeEncodeError):
        return  # not representable (e.g. a lone surrogate in the id): no entry carries it
    assert outbox_entry_json(entry_type="donation", subject_id=subject, fields=fields) == expected


def test_a_donation_entry_takes_the_fast_path_and_keeps_its_bytes():
    fields = {"amount_fen": 12_345, "currency": "CNY", "org": "01abc", "project": "01def", "time": "2026-12-07T01:00:00Z",
              "donor": "c0ffee", "pools": ["01p"], "seed": "", "note": "备注\n\"quoted\""}
    assert outbox_entry_json(entry_type="match", subject_id="01x", fields=fields) == rfc8785.dumps(
        {"v": 1, "type": "match", "id": "01x", **fields})
