"""Database upkeep after bulk writes.

PostgreSQL plans queries from its table statistics, which autovacuum refreshes only some minutes after a
bulk load. Until then it plans for nearly empty tables: a dashboard over 3,000 funded projects ran nested
loops for 2.7 s instead of hash joins for 0.6 s on the freshly loaded `national` demo. Whatever writes
thousands of rows at once (the demo, sample calls, imports, a restore) calls `refresh_statistics()` after
committing. SQLite keeps no such statistics unless asked, and plans well without them here.
"""

from __future__ import annotations

from django.db import connections

# From this many rows written at once, a writer refreshes the statistics (a few hundred change no plan).
BULK_ROWS = 1000


def refresh_statistics(using: str = "default") -> bool:
    """Run ANALYZE on PostgreSQL so the planner sees the new row counts now; False elsewhere."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return True
