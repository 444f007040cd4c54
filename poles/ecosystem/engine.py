"""B2B meeting scheduling and leverage figures, as plain Python (no Django).

Scheduling: each accepted request is a meeting between two organisations; it needs a slot in
which neither is already meeting, and a free table in that slot. This is edge colouring with a
capacity per colour; a greedy pass over the meetings, busiest organisations first, is exact
often and never puts anyone in two places; what does not fit is returned, so the organisers see
it instead of losing it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Placed:
    """A meeting given a slot (0-based) and a table (1-based)."""

    key: Hashable
    slot: int
    table: int


def schedule_meetings(
    meetings: Sequence[tuple[Hashable, Hashable, Hashable]], *, slots: int, tables: int
) -> tuple[list[Placed], list[Hashable]]:
    """Place meetings (key, party a, party b) in `slots` × `tables`; return (placed, left out).

    Guarantees: nobody has two meetings in one slot; no slot uses more than `tables` tables;
    every meeting is either placed once or returned as left out. Deterministic for a given input.
    """
    if slots < 1 or tables < 1:
        return [], [key for key, _a, _b in meetings]
    degree: dict[Hashable, int] = defaultdict(int)
    for _key, a, b in meetings:
        degree[a] += 1
        degree[b] += 1
    order = sorted(
        range(len(meetings)), key=lambda i: (-(degree[meetings[i][1]] + degree[meetings[i][2]]), i)
    )
    busy: list[set[Hashable]] = [set() for _ in range(slots)]
    used = [0] * slots
    placed, left = [], []
    for i in order:
        key, a, b = meetings[i]
        if a == b:
            left.append(key)
            continue
        for slot in range(slots):
            if used[slot] < tables and a not in busy[slot] and b not in busy[slot]:
                busy[slot].update((a, b))
                used[slot] += 1
                placed.append(Placed(key, slot, used[slot]))
                break
        else:
            left.append(key)
    placed.sort(key=lambda p: (p.slot, p.table))
    return placed, left


def leverage(private: Decimal, public: Decimal) -> Decimal | None:
    """Private money raised per euro of public aid (None when no public aid was received)."""
    if not public:
        return None
    return (Decimal(private) / Decimal(public)).quantize(Decimal("0.01"))
