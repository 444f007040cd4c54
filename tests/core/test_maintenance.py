"""After a bulk load, PostgreSQL's planner statistics are refreshed at once (core.maintenance)."""

from __future__ import annotations

import itertools
import string

import pytest
from django.db import connection

from poles.core.maintenance import refresh_statistics
from poles.territories.models import Departement


def _planned_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_planner_sees_rows_loaded_in_bulk():
    if connection.vendor != "postgresql":
        assert refresh_statistics() is False  # SQLite: nothing to refresh
        return
    table = Departement._meta.db_table
    before = Departement.objects.count()
    region = Departement.objects.first().region
    codes = ["".join(c) for c in itertools.islice(itertools.product(string.ascii_uppercase, repeat=3), 2000)]
    Departement.objects.bulk_create(
        Departement(code=code, name=code, region=region, former_region=region) for code in codes
    )
    assert _planned_rows(table) < before + 2000  # what the planner believed: the old row count
    assert refresh_statistics() is True
    assert _planned_rows(table) == pytest.approx(before + 2000, rel=0.05)
