"""Dashboards and network pages on the `national` data set: p95 under 1 s (issue 5).

Loads the demo programme (`national`; `default` in quick mode) into a fresh database with bench_foundation's
helpers, plants calls, proposals, consortia and aid decisions calibrated on POLICY.md
(`poles sample_projects`: two calls a year, about a third of proposals funded, plus EU projects for the
network), then times every dashboard and network page in a subprocess (bench.dashboards_latency): p50/p95
over repeated requests with /healthz as the baseline of the ratio, and each page's cold first request
(caches emptied). One stored impact-evaluation run on the whole firm panel is timed too. SQLite always;
PostgreSQL when it answers on 127.0.0.1:5432.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.bench_foundation import _env, _poles, _postgres_available, _recreate_pg
from bench.lib import record

ROOT = Path(__file__).resolve().parent.parent
# Sizes of the planted calls: national = 2006–2018 (FUI's years), default = 2006–2012.
SAMPLE = {
    "national": [
        "--first-year",
        "2006",
        "--last-year",
        "2018",
        "--proposals-per-call",
        "120",
        "--external",
        "3000",
    ],
    "default": [
        "--first-year",
        "2006",
        "--last-year",
        "2012",
        "--proposals-per-call",
        "80",
        "--external",
        "1000",
    ],
}


def run(ctx) -> list[dict]:
    records = []
    work = Path(ctx.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    scale = "default" if ctx.quick else "national"
    backends = [("sqlite", lambda name: f"sqlite:///{work / (name + '.sqlite3')}")]
    if _postgres_available():
        backends.append(("postgresql", lambda name: _recreate_pg(f"poles_bench_{name}")))
    else:
        ctx.log("PostgreSQL does not answer on 127.0.0.1:5432: PostgreSQL figures skipped")
    for vendor, url_of in backends:
        name = f"dashboards_{scale}"
        if vendor == "sqlite":
            for stale in work.glob(f"{name}.sqlite3*"):
                stale.unlink()
        url = url_of(name)
        env = _env(url)
        _poles(["migrate", "-v", "0"], env)
        started = time.perf_counter()
        _poles(["demo", "--scale", scale], env, stdout=subprocess.DEVNULL)
        demo_seconds = time.perf_counter() - started
        started = time.perf_counter()
        planted = subprocess.run(
            [sys.executable, "-m", "poles.cli", "sample_projects", *SAMPLE[scale]],
            env=env, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        records.append(record(
            f"{vendor}.dashboards.data.{scale}.seconds", round(time.perf_counter() - started + demo_seconds, 1), "s",
            "lower", params={"demo_seconds": round(demo_seconds, 1), "planted": planted},
        ))  # fmt: skip
        out = subprocess.run(
            [sys.executable, "-m", "bench.dashboards_latency", *(["--quick"] if ctx.quick else [])],
            env={**env, "BENCH_DATA_SET": scale}, check=True, capture_output=True, text=True, cwd=ROOT,
        )  # fmt: skip
        records += json.loads(out.stdout.strip().splitlines()[-1])
    return records


if __name__ == "__main__":
    from bench.run import Context

    context = Context(quick="--quick" in sys.argv)
    print(json.dumps(run(context), indent=1))
