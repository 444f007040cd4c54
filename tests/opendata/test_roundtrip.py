"""Round trip: export the demo's data package, empty the database, import it: the public data is back."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from poles.opendata.exporters import datapackage
from poles.opendata.importers import run_import
from poles.organisations.models import Organisation
from poles.projects.models import Project

pytestmark = pytest.mark.django_db

ID_COLUMNS = {  # table -> {column: table the id points to}
    "memberships": {"organisation": "organisations"},
    "projects": {},
    "participations": {"project": "projects", "organisation": "organisations"},
    "decisions": {"project": "projects", "organisation": "organisations"},
    "outputs": {"project": "projects", "organisation": "organisations"},
}


def read(directory: Path) -> dict[str, list[dict]]:
    tables = {}
    for table in datapackage.TABLES:
        with (directory / f"{table.name}.csv").open(encoding="utf-8") as handle:
            tables[table.name] = list(csv.DictReader(handle))
    return tables


def comparable(directory: Path) -> dict[str, Counter]:
    """Each table as a multiset of rows where internal ids are replaced by what they stand for."""
    tables = read(directory)
    meaning = {
        "organisations": {
            r["id"]: tuple(v for k, v in r.items() if k != "id") for r in tables["organisations"]
        },
        "projects": {
            r["id"]: (r["source"], r["external_id"], r["call"], r["acronym"], r["title"])
            for r in tables["projects"]
        },
    }
    out = {}
    for name, rows in tables.items():
        refs = ID_COLUMNS.get(name, {})
        out[name] = Counter(
            tuple(
                (k, meaning[refs[k]][v] if k in refs else v)
                for k, v in row.items()
                if not (k == "id" and name in ("organisations", "projects", "memberships", "outputs"))
            )
            for row in rows
        )
    return out


def _empty_database() -> None:
    """Empty every table but the audit log, inside the test's transaction (rolled back after): the
    database itself refuses to delete audit events (append-only triggers), and they are not public data."""
    from django.core.management.color import no_style
    from django.db import connection

    tables = [
        t for t in connection.introspection.django_table_names(only_existing=True) if t != "core_auditevent"
    ]
    cascade = connection.vendor == "postgresql"  # TRUNCATE of referenced tables; row triggers do not fire
    with connection.cursor() as cursor:
        for sql in connection.ops.sql_flush(no_style(), tables, allow_cascade=cascade):
            cursor.execute(sql)


def test_export_then_import_into_an_empty_database_reproduces_the_public_data(tmp_path):
    from poles.territories.services import load_reference

    first = tmp_path / "first"
    counts = datapackage.write(first)
    assert all(
        counts[name] > 0 for name in ("organisations", "projects", "participations", "decisions", "outputs")
    )

    _empty_database()
    assert not Organisation.objects.exists() and not Project.objects.exists()
    load_reference()  # the territories are reference data loaded by a migration, not programme data

    result = run_import("datapackage", {"file": first})
    assert not result.errors, [e.as_dict() for e in result.errors[:5]]
    assert result.as_dict()["created"]["organisations"] == counts["organisations"]
    assert not result.as_dict()["updated"]

    second = tmp_path / "second"
    assert datapackage.write(second) == counts
    before, after = comparable(first), comparable(second)
    for name in before:
        assert before[name] == after[name], name

    again = run_import("datapackage", {"file": first})
    assert not again.as_dict()["created"] and not again.as_dict()["updated"]


def test_package_with_a_dangling_reference_is_rejected(tmp_path):
    directory = tmp_path / "package"
    datapackage.write(directory)
    with (directory / "memberships.csv").open("a", encoding="utf-8") as handle:
        handle.write("999999,no-such-cluster,1,member,2020-01-01,\n")
    before = Organisation.objects.count()
    result = run_import("datapackage", {"file": directory})
    assert any(e.column == "memberships.cluster" and "no-such-cluster" in e.text() for e in result.errors)
    assert Organisation.objects.count() == before
