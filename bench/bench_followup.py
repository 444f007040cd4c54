"""Cluster reports: time to compute every cluster's 2012 report (targets, actuals, status) and to
render one as a PDF, on the demo programme (default scale; `tiny` in quick mode), SQLite.

The baseline is the cheapest indicator alone (members on 31 December), measured in the same run:
the ratio says what the full report (ten computed indicators) costs relative to one count.

    python -m bench.bench_followup [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench.lib import record

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r"""
import json, statistics, time
import django
django.setup()
from poles.clusters import kpis, reports
from poles.clusters.models import Cluster

clusters = list(Cluster.objects.order_by("pk"))
full, base = [], []
for cluster in clusters:
    t0 = time.perf_counter(); kpis.compute(cluster, 2012, "members"); base.append(time.perf_counter() - t0)
    t0 = time.perf_counter(); kpis.report_rows(cluster, 2012); full.append(time.perf_counter() - t0)
minalogic = Cluster.objects.get(slug="minalogic")
pdf = []
for _ in range(3):
    t0 = time.perf_counter(); reports.render_report_pdf(minalogic, 2012); pdf.append(time.perf_counter() - t0)
print(json.dumps({"clusters": len(clusters), "full": full, "base": base, "pdf": pdf}))
"""


def _p(samples, q):
    from bench.lib import percentile

    return percentile([s * 1000 for s in samples], q)


def run(ctx) -> list[dict]:
    work = Path(ctx.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    scale = "tiny" if ctx.quick else "default"
    database = work / f"followup-{scale}.sqlite3"
    database.unlink(missing_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DJANGO_SETTINGS_MODULE": "poles.test_settings",
    }
    env.pop("DEBUG", None)
    poles = [sys.executable, "-m", "poles.cli"]
    subprocess.run([*poles, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*poles, "demo", "--scale", scale], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, check=True, cwd=ROOT, capture_output=True, text=True
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    params = {"scale": scale, "database": "sqlite", "clusters": data["clusters"], "year": 2012}
    base_p50 = round(_p(data["base"], 50), 3)
    full_p50 = round(_p(data["full"], 50), 3)
    return [
        record(
            "cluster_report.kpis.p50",
            full_p50,
            "ms",
            "lower",
            baseline=base_p50,
            ratio=round(full_p50 / base_p50, 2),
            params=params,
        ),
        record(
            "cluster_report.kpis.p95",
            round(_p(data["full"], 95), 3),
            "ms",
            "lower",
            target=1000.0,
            params=params,
        ),
        record(
            "cluster_report.pdf.p50",
            round(_p(data["pdf"], 50), 1),
            "ms",
            "lower",
            target=5000.0,
            params=params,
        ),
    ]


if __name__ == "__main__":
    from types import SimpleNamespace

    context = SimpleNamespace(
        quick="--quick" in sys.argv,
        shared_dir=Path(os.environ.get("POLES_SHARED_DIR", ROOT.parent / "shared")),
        work_dir=ROOT / "var" / "bench",
        log=print,
    )
    print(json.dumps(run(context), indent=2))
