"""Calls and proposals: the demo step's cost, and an officer's eligibility check through the models.

Figures (SQLite, a fresh database in ctx.work_dir; `tiny` data set when quick, else `default`):

- `calls.demo_step.seconds` (wall) and `calls.demo_step.cpu_seconds`: the "calls and proposals" demo
  step alone (past FUI calls 1–14 with about 2,800 proposals through eligibility, and the open call).
  Target: 20 s, so that the whole default demo stays well under a minute; the CPU time tells the
  step's own cost apart from a busy machine.
- `calls.check.{p50,p95}`: building a proposal's facts from the database (consortium, budgets, aid,
  labels, duplicate fingerprints) and running the call's rules, per proposal; the baseline is the
  engine alone on facts built beforehand (`calls.engine.p50`), so the ratio is the cost of reading
  the models.
- `calls.api.projects_list.p50`: the officer's first page of /api/projects/ (50 proposals), which
  asks confidentiality once per page rather than once per row.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.lib import latency_records, record

ROOT = Path(__file__).resolve().parent.parent

GENERATE = r"""
import json, sys, time
import django
django.setup()
from poles.core.discovery import app_modules
from poles.demo import generator
app_modules("demo")
timing = {}
for index, (name, fn) in enumerate(generator.STEPS):
    if name == "calls and proposals":
        def timed(ctx, fn=fn):
            cpu, wall = time.process_time(), time.perf_counter()
            fn(ctx)
            timing.update(cpu=time.process_time() - cpu, wall=time.perf_counter() - wall)
        generator.STEPS[index] = (name, timed)
dataset = generator.generate(sys.argv[1], 2006)
print(json.dumps({"counts": dataset.counts, **timing}))
"""

MEASURE = r"""
import json, statistics, time, random
import django
django.setup()
from django.test import Client
from poles.accounts.models import User
from poles.calls.engine.eligibility import evaluate
from poles.projects.facts import proposal_facts
from poles.projects.models import Project

projects = list(Project.objects.filter(call__reference__startswith="fui-").exclude(status="withdrawn").select_related("call"))
random.Random(1).shuffle(projects)
sample = projects[:N]
check, engine = [], []
for project in sample:
    start = time.perf_counter()
    facts = proposal_facts(project)
    evaluate(project.call.rules, facts)
    check.append(time.perf_counter() - start)
    start = time.perf_counter()
    evaluate(project.call.rules, facts)
    engine.append(time.perf_counter() - start)
officer = User.objects.create(username="bench-officer")
from poles.accounts.models import RoleAssignment
from poles.instruments.models import Programme
RoleAssignment.objects.create(user=officer, role="officer", programme=Programme.objects.get(slug="poles-competitivite"))
client = Client(HTTP_HOST="localhost")
client.force_login(officer)
client.get("/api/projects/")
api = []
for _ in range(REPEAT):
    start = time.perf_counter()
    assert client.get("/api/projects/").status_code == 200
    api.append(time.perf_counter() - start)
print(json.dumps({"check": check, "engine": engine, "api": api, "proposals": len(projects)}))
"""


def _env(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "poles.test_settings"}
    env.pop("DEBUG", None)
    return env


def run(ctx) -> list[dict]:
    scale = "tiny" if ctx.quick else "default"
    work = Path(ctx.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    database = work / "calls.sqlite3"
    for stale in work.glob("calls.sqlite3*"):
        stale.unlink()
    env = _env(f"sqlite:///{database}")
    poles = [sys.executable, "-m", "poles.cli"]
    subprocess.run([*poles, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", GENERATE, scale], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    )
    total = time.perf_counter() - started
    info = json.loads(out.stdout.strip().splitlines()[-1])
    counts = info["counts"]
    records = [
        record(
            "calls.demo_step.seconds",
            round(info["wall"], 2),
            "s",
            "lower",
            target=20.0 if scale == "default" else 2.0,
            params={
                "scale": scale,
                "proposals": counts.get("proposals"),
                "participations": counts.get("participations"),
                "budget_lines": counts.get("budget_lines"),
                "eligibility_checks": counts.get("eligibility_checks"),
                "whole_demo_seconds": round(total, 1),
            },
        ),  # fmt: skip
        record("calls.demo_step.cpu_seconds", round(info["cpu"], 2), "s", "lower", params={"scale": scale}),
    ]
    n, repeat = (60, 10) if ctx.quick else (400, 30)
    measure = MEASURE.replace("N]", f"{n}]").replace("range(REPEAT)", f"range({repeat})")
    out = subprocess.run(
        [sys.executable, "-c", measure], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    params = {"scale": scale, "sampled": len(data["check"]), "proposals": data["proposals"]}
    check = latency_records("calls.check", data["check"], params, target_p95_ms=100.0)
    engine = latency_records("calls.engine", data["engine"], params)
    check[0]["baseline"] = engine[0]["value"]
    check[0]["ratio"] = round(check[0]["value"] / engine[0]["value"], 2) if engine[0]["value"] else None
    records += check + engine
    records += latency_records(
        "calls.api.projects_list", data["api"], {"scale": scale, "page_size": 50}, target_p95_ms=500.0
    )
    return records


if __name__ == "__main__":
    import argparse

    from bench.run import Context

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(json.dumps(run(Context(quick=args.quick)), indent=2))
