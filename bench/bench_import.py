"""Import of the whole Horizon 2020 extract (144,726 participations) on SQLite and PostgreSQL.

For each database, two fresh databases are migrated: one receives `poles import h2020` (read,
parse and check every row, then write projects, organisations and participations in one
transaction), the other a raw baseline of the same rows — the file read with the csv module, no
checks, the same three tables written with executemany (SQLite) or COPY (PostgreSQL). Records
rows per second of both and their ratio; target (issue 7): at least 30 % of the baseline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.bench_foundation import _postgres_available
from bench.lib import record

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/"
TARGET = 0.3


def _env(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "poles.test_settings"}
    env.pop("DEBUG", None)
    return env


def _fresh(backend: str, name: str, work: Path) -> str:
    if backend == "sqlite":
        path = work / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    else:
        import psycopg

        with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        url = PG_URL + name
    subprocess.run([sys.executable, "-m", "poles.cli", "migrate", "-v", "0"], env=_env(url), check=True)
    return url


def _drop(backend: str, name: str, work: Path) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work / name}.sqlite3{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _worker(mode: str, url: str, path: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.import_worker", mode, path],
        env=_env(url), check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _sample(source: Path, rows: int, work: Path) -> Path:
    import gzip

    target = work / f"h2020-{rows}.csv"
    with gzip.open(source, "rt", encoding="utf-8") as handle, target.open("w", encoding="utf-8") as out:
        for i, line in enumerate(handle):
            if i > rows:
                break
            out.write(line)
    return target


def run(ctx) -> list[dict]:
    source = Path(ctx.shared_dir) / "data" / "cordis-h2020" / "h2020.csv.gz"
    if not source.is_file():
        ctx.log(f"import: skipped, {source} is absent")
        return []
    work = Path(ctx.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    path = _sample(source, 20_000, work) if ctx.quick else source
    backends = ["sqlite"] + (["postgresql"] if _postgres_available() else [])
    records = []
    for backend in backends:
        import_db, raw_db = "bench_import_h2020", "bench_import_raw"
        baseline = _worker("raw", _fresh(backend, raw_db, work), str(path))
        _drop(backend, raw_db, work)
        imported = _worker("import", _fresh(backend, import_db, work), str(path))
        again = _worker("import", PG_URL + import_db if backend != "sqlite" else f"sqlite:///{work / import_db}.sqlite3",
                        str(path))  # fmt: skip
        _drop(backend, import_db, work)
        ctx.log(f"import[{backend}]: {imported} vs raw {baseline}; re-import {again}")
        params = {"database": backend, "rows": imported["rows"], "file": path.name,
                  "created": imported["created"], "seconds": imported["seconds"], "raw_seconds": baseline["seconds"]}  # fmt: skip
        assert imported["rows"] == baseline["rows"]
        records.append(
            record(
                f"import.h2020.{backend}.rows_per_s",
                round(imported["rows_per_s"], 1),
                "rows/s",
                "higher",
                target=TARGET,
                baseline=round(baseline["rows_per_s"], 1),
                params=params,
            )  # fmt: skip
        )
        records.append(
            record(
                f"import.h2020.{backend}.reimport_rows_per_s",
                round(again["rows_per_s"], 1),
                "rows/s",
                "higher",
                params={"database": backend, "updated": again["updated"], "created": again["created"]},
            )  # fmt: skip
        )
    return records
