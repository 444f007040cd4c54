"""`poles backup` / `poles restore`: a round trip gives back exactly the content (same hash)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from poles.core import backup

ROOT = Path(__file__).resolve().parents[2]


def _poles(*args, database: Path) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "poles.test_settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "poles.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return re.search(r"[0-9a-f]{64}", result.stdout).group(0)


def _hash(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return backup.content_hash(db, "sqlite")


def test_sqlite_round_trip_through_the_commands(db, tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip runs with the SQLite test database")
    live, saved = tmp_path / "live.sqlite3", tmp_path / "backup.sqlite3"
    connection.ensure_connection()
    # A file copy of the test database (held in memory, inside the test's transaction).
    copy = sqlite3.connect(":memory:")
    copy.deserialize(connection.connection.serialize())
    backup.backup({"ENGINE": "django.db.backends.sqlite3"}, live, connection=copy)
    copy.close()
    original = _hash(live)
    assert _poles("backup", str(saved), database=live) == original == _hash(saved)
    with sqlite3.connect(live) as changed:  # the day after: an edit and a removal
        changed.execute(
            "UPDATE organisations_organisation SET name = 'Changed' WHERE id = (SELECT MIN(id) FROM organisations_organisation)"
        )
        changed.execute(
            "DELETE FROM organisations_contact WHERE id = (SELECT MIN(id) FROM organisations_contact)"
        )
    assert _hash(live) != original
    assert _poles("restore", str(saved), "--yes", database=live) == original
    assert _hash(live) == original


@pytest.mark.skipif(
    not shutil.which("pg_dump") or not shutil.which("pg_restore"), reason="needs pg_dump and pg_restore"
)
def test_postgresql_round_trip(db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("runs when the tests run on PostgreSQL (DATABASE_URL=postgres://…)")
    import psycopg

    config = dict(connection.settings_dict)
    scratch = config["NAME"] + "_restore"
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER"),
    }
    dump = tmp_path / "poles.dump"
    backup.backup(config, dump)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
    try:
        backup.restore({**config, "NAME": scratch}, dump)
        with (
            psycopg.connect(dbname=config["NAME"], **params) as live,
            psycopg.connect(dbname=scratch, **params) as copy,
        ):
            assert backup.content_hash(live, "postgresql") == backup.content_hash(copy, "postgresql")
            copy.execute(
                "UPDATE organisations_organisation SET name = 'Changed' WHERE id = (SELECT MIN(id) FROM organisations_organisation)"
            )
            assert backup.content_hash(live, "postgresql") != backup.content_hash(copy, "postgresql")
            copy.rollback()
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
