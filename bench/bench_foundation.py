"""Demo generation time, and page/API latency on the `national` data set (SQLite and PostgreSQL).

Targets (issue 2): the default demo loads in under a minute; the national one (>= 40,000
organisations, >= 150,000 membership-years) in under two minutes on SQLite.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.lib import record

ROOT = Path(__file__).resolve().parent.parent
PG_URL = "postgres://postgres@127.0.0.1:5432/"


def _env(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "poles.test_settings"}
    env.pop("DEBUG", None)
    return env


def _poles(args: list[str], env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "poles.cli", *args], env=env, check=True, **kwargs)


def _postgres_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
        return True
    except OSError:
        return False


def _recreate_pg(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_URL + "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_URL + name


def _load(database_url: str, scale: str) -> tuple[float, dict]:
    """Migrate a fresh database, then time `poles demo --scale <scale>` (the generation only)."""
    env = _env(database_url)
    _poles(["migrate", "-v", "0"], env)
    started = time.perf_counter()
    _poles(["demo", "--scale", scale], env, stdout=subprocess.DEVNULL)
    seconds = time.perf_counter() - started
    script = (
        "import django,json;django.setup();from poles.demo.models import DemoDataset as D;"
        "d=D.objects.latest('pk');print(json.dumps({'counts':d.counts,'membership_years':d.truth['membership_years']}))"
    )
    info = json.loads(
        subprocess.run(
            [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
        ).stdout
    )
    return seconds, info


def run(ctx) -> list[dict]:
    records = []
    work = Path(ctx.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    backends = [("sqlite", lambda name: f"sqlite:///{work / (name + '.sqlite3')}")]
    if _postgres_available():
        backends.append(("postgresql", lambda name: _recreate_pg(f"poles_bench_{name}")))
    else:
        ctx.log("PostgreSQL does not answer on 127.0.0.1:5432: PostgreSQL figures skipped")
    scales = ["default"] if ctx.quick else ["default", "national"]
    for vendor, url_of in backends:
        if vendor == "sqlite":
            for stale in work.glob("*.sqlite3*"):
                stale.unlink()
        for scale in scales:
            url = url_of(scale)
            seconds, info = _load(url, scale)
            records.append(record(
                f"{vendor}.demo.{scale}.seconds", round(seconds, 2), "s", "lower",
                target=120.0 if scale == "national" else 60.0,
                params={"organisations": info["counts"]["organisations"], "membership_years": info["membership_years"],
                        "yearly_figures": info["counts"]["yearly_figures"]},
            ))  # fmt: skip
        env = {**_env(url), "BENCH_DATA_SET": scales[-1]}
        out = subprocess.run(
            [sys.executable, "-m", "bench.web_latency", *(["--quick"] if ctx.quick else [])],
            env=env, check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        records += json.loads(out.stdout.strip().splitlines()[-1])
    return records
