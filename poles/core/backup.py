"""Backups: a consistent copy of the database, and its restoration, with a content fingerprint.

SQLite uses the online backup API (a consistent copy while the site runs). PostgreSQL uses
pg_dump's custom format and pg_restore (--clean: the restored database is exactly the dump).
`content_hash` fingerprints every table's rows, so a restore can be checked against the backup.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path


class BackupError(Exception):
    pass


def _pg_env(config: dict) -> tuple[list[str], dict]:
    args = ["-h", config.get("HOST") or "127.0.0.1", "-p", str(config.get("PORT") or 5432)]
    if config.get("USER"):
        args += ["-U", config["USER"]]
    env = {**os.environ}
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return args, env


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (PostgreSQL client tools are needed).")
    return path


def backup(config: dict, target: Path, connection=None) -> None:
    """Write a backup of the database described by `config` (a DATABASES entry) to `target`."""
    target = Path(target)
    if config["ENGINE"].endswith("sqlite3"):
        source = connection if connection is not None else sqlite3.connect(str(config["NAME"]))
        destination = sqlite3.connect(str(target))
        try:
            source.backup(destination)
        finally:
            destination.close()
            if connection is None:
                source.close()
    elif config["ENGINE"].endswith("postgresql"):
        args, env = _pg_env(config)
        cmd = [_binary("pg_dump"), *args, "-Fc", "--no-owner", "-f", str(target), config["NAME"]]
        _run(cmd, env)
    else:
        raise BackupError(f"Unsupported database engine {config['ENGINE']}.")


def restore(config: dict, source: Path) -> None:
    """Replace the content of the database described by `config` with the backup `source`."""
    source = Path(source)
    if not source.exists():
        raise BackupError(f"{source} does not exist.")
    if config["ENGINE"].endswith("sqlite3"):
        backup_db = sqlite3.connect(str(source))
        destination = sqlite3.connect(str(config["NAME"]))
        try:
            backup_db.backup(destination)
        finally:
            destination.close()
            backup_db.close()
    elif config["ENGINE"].endswith("postgresql"):
        args, env = _pg_env(config)
        cmd = [_binary("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
               "-d", config["NAME"], str(source)]  # fmt: skip
        _run(cmd, env)
    else:
        raise BackupError(f"Unsupported database engine {config['ENGINE']}.")


def _run(cmd: list[str], env: dict) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603 (fixed binaries, no shell)
    if result.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {result.stderr.strip()[-2000:]}")


def content_hash(dbapi_connection, vendor: str) -> str:
    """SHA-256 over every table's rows (tables by name, rows in primary-key/column order)."""
    digest = hashlib.sha256()
    cursor = dbapi_connection.cursor()
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 (names from the catalogue)
        digest.update(table.encode())
        for row in cursor.fetchall():
            digest.update(repr(tuple(_normal(v) for v in row)).encode())
    cursor.close()
    return digest.hexdigest()


def fingerprint(config: dict, django_connection) -> str:
    """content_hash of the configured database, read the same way whatever opened it."""
    if config["ENGINE"].endswith("sqlite3"):
        plain = sqlite3.connect(str(config["NAME"]))  # no Django type converters
        try:
            return content_hash(plain, "sqlite")
        finally:
            plain.close()
    django_connection.ensure_connection()
    return content_hash(django_connection.connection, django_connection.vendor)


def _normal(value):
    if isinstance(value, memoryview):
        return bytes(value)
    return value
