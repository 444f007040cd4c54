"""The fastest portable bulk insert, shared by the demo generator and the file importers."""

from __future__ import annotations

from django.db import connection

EXECUTEMANY_CHUNK = 20_000


def copy_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (tuples in the order of the database `columns`) into `model`'s table: COPY on
    PostgreSQL, executemany in chunks elsewhere. Values go to the driver as they are: no defaults, no
    conversions, no primary keys returned."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 — fixed names
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        for start in range(0, len(rows), EXECUTEMANY_CHUNK):
            cursor.executemany(sql, rows[start : start + EXECUTEMANY_CHUNK])
