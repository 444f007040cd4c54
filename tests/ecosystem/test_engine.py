"""B2B scheduling and leverage on plain data (no database)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from poles.ecosystem import engine

pairs = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=60)


@given(pairs=pairs, slots=st.integers(0, 10), tables=st.integers(0, 8))
@settings(max_examples=300, deadline=None)
def test_schedule_never_double_books_and_accounts_for_every_meeting(pairs, slots, tables):
    meetings = [(i, a, b) for i, (a, b) in enumerate(pairs)]
    placed, left = engine.schedule_meetings(meetings, slots=slots, tables=tables)
    assert sorted([p.key for p in placed] + list(left)) == list(range(len(meetings)))
    busy, tables_used = set(), set()
    for p in placed:
        _key, a, b = meetings[p.key]
        assert a != b and 0 <= p.slot < slots and 1 <= p.table <= tables
        for party in (a, b):
            assert (party, p.slot) not in busy, "someone is in two meetings at once"
            busy.add((party, p.slot))
        assert (p.slot, p.table) not in tables_used
        tables_used.add((p.slot, p.table))


def test_schedule_fits_a_perfect_round_when_there_is_room():
    # four organisations, everyone meets everyone: 6 meetings, 3 rounds of 2 tables suffice
    meetings = [(k, a, b) for k, (a, b) in enumerate([(1, 2), (3, 4), (1, 3), (2, 4), (1, 4), (2, 3)])]
    placed, left = engine.schedule_meetings(meetings, slots=3, tables=2)
    assert left == [] and len(placed) == 6
    placed, left = engine.schedule_meetings(meetings, slots=2, tables=2)
    assert len(placed) == 4 and len(left) == 2


def test_leverage():
    assert engine.leverage(Decimal(3_000_000), Decimal(1_000_000)) == Decimal("3.00")
    assert engine.leverage(Decimal(10), Decimal(0)) is None
