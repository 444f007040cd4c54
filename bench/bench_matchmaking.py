"""Partner search: latency on a national-size index, and ranking quality on real collaborations.

1. Latency: p50/p95 of `engine.search` over a synthetic 40,000-organisation index (French
   competence keywords, 55 clusters, ~13,000 past projects; `poles.matchmaking.synthetic`),
   with realistic queries (a need, 0-3 consortium members, filters half the time).
   Target: p95 under 100 ms.
2. Through Django on the `national` demo data set (`default` with --quick): the demo is loaded
   into a fresh SQLite database (and PostgreSQL when it answers on 127.0.0.1:5432, full runs
   only) with bench_foundation's loader, then `bench.matchmaking_latency` times the index build,
   the data-change check, `selectors.search_partners` (baseline: the engine alone on the same
   index), GET /api/partners/search/ and the consortium builder. Target: p95 under 100 ms.
3. Offline evaluation on CORDIS Horizon 2020 (`poles.matchmaking.offline`): profiles from
   history up to 2017, predict the partners of 2018-2022 projects given their coordinator;
   recall@10 and MRR of the method against random, global popularity and popularity within the
   need's programme parts. Weights are tuned on a 2016 -> 2017 validation split. Skipped, with
   the reason printed, when the extract is absent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

from bench.lib import latency_records, record
from poles.matchmaking import offline, synthetic
from poles.matchmaking.engine import build_index, search


def _latency(ctx) -> list[dict]:
    n_orgs = 10_000 if ctx.quick else 40_000
    n_queries = 100 if ctx.quick else 400
    programme = synthetic.generate(n_organisations=n_orgs)
    start = time.perf_counter()
    index = build_index(programme.profiles, programme.edges, programme.memberships)
    build_s = time.perf_counter() - start
    queries = synthetic.queries(programme, n=n_queries)
    for q in queries[:20]:  # warm-up: first-touch allocations, imports
        search(index, q.need_text, q.filters, q.consortium_so_far)
    samples = []
    for q in queries:
        start = time.perf_counter()
        search(index, q.need_text, q.filters, q.consortium_so_far, k=10)
        samples.append(time.perf_counter() - start)
    params = {
        "organisations": n_orgs,
        "queries": n_queries,
        "k": 10,
        "edges": len(programme.edges),
        "clusters": len(index.clusters),
        "terms": len(index.tfidf.terms),
        "index_build_s": round(build_s, 3),
    }
    return [
        *latency_records(f"matchmaking.search_{n_orgs // 1000}k", samples, params, target_p95_ms=100.0),
        record(f"matchmaking.index_build_{n_orgs // 1000}k", round(build_s, 3), "s", "lower", params=params),
    ]


def _cordis(ctx) -> list[dict]:
    directory = Path(ctx.shared_dir) / "data" / "cordis-h2020"
    if not offline.cordis_available(directory):
        print(
            f"bench_matchmaking: CORDIS evaluation skipped: {directory} lacks {offline.CORDIS_FILES}",
            file=sys.stderr,
        )
        return []
    result = offline.run_evaluation(
        directory,
        validation_sample=300 if ctx.quick else 800,
        test_sample=500 if ctx.quick else None,
    )
    params = {
        "cutoff": result.cutoff,
        "test_years": list(result.test_years),
        "n_test_projects": result.method.n_projects,
        "n_test_available": result.n_test_available,
        "n_candidates": result.n_candidates,
        "weights": asdict(result.weights),
        "validation_recall_at_10": round(result.validation.recall_at_k, 4),
        "validation_mrr": round(result.validation.mrr, 4),
        "validation_projects": result.validation.n_projects,
        "seconds": round(result.seconds, 1),
        "baseline": "global popularity",
    }
    rows = [
        ("method", result.method),
        ("popularity_in_programme_part", result.part_popularity),
        ("popularity", result.popularity),
        ("random", result.random),
        ("random_expected", result.random_expected),
        *((m.name.replace(" ", "_"), m) for m in result.ablations),
    ]
    out = []
    for label, metrics in rows:
        out.append(
            record(
                f"matchmaking.cordis.{label}.recall_at_10",
                round(metrics.recall_at_k, 6),
                "fraction",
                "higher",
                baseline=round(result.popularity.recall_at_k, 6),
                params=params,
            )
        )
        out.append(
            record(
                f"matchmaking.cordis.{label}.mrr",
                round(metrics.mrr, 6),
                "fraction",
                "higher",
                baseline=round(result.popularity.mrr, 6),
                params=params,
            )
        )
    fair = {**params, "baseline": "popularity within the need's programme parts"}
    out.append(
        record(
            "matchmaking.cordis.method_vs_part_popularity.recall_at_10",
            round(result.method.recall_at_k, 6),
            "fraction",
            "higher",
            baseline=round(result.part_popularity.recall_at_k, 6),
            params=fair,
        )
    )
    out.append(
        record(
            "matchmaking.cordis.method_vs_part_popularity.mrr",
            round(result.method.mrr, 6),
            "fraction",
            "higher",
            baseline=round(result.part_popularity.mrr, 6),
            params=fair,
        )
    )
    return out


def _django(ctx) -> list[dict]:
    """Search latency through the Django service and API on a loaded demo (SQLite, then PostgreSQL)."""
    from bench import bench_foundation as foundation

    scale = "default" if ctx.quick else "national"
    work = Path(getattr(ctx, "work_dir", Path("var") / "bench"))
    work.mkdir(parents=True, exist_ok=True)
    database = work / f"matchmaking_{scale}.sqlite3"
    for stale in work.glob(f"{database.name}*"):
        stale.unlink()
    # A PostgreSQL database is created only when its turn comes (None until then).
    targets: list[str | None] = [f"sqlite:///{database}"]
    if not ctx.quick and foundation._postgres_available():
        targets.append(None)
    records = []
    for url in targets:
        if url is None:
            url = foundation._recreate_pg(f"poles_bench_matchmaking_{scale}")
        load_s, info = foundation._load(url, scale)
        env = {**foundation._env(url), "BENCH_DATA_SET": scale}
        out = subprocess.run(
            [sys.executable, "-m", "bench.matchmaking_latency", *(["--quick"] if ctx.quick else [])],
            env=env, check=True, capture_output=True, text=True, cwd=foundation.ROOT,
        )  # fmt: skip
        measured = json.loads(out.stdout.strip().splitlines()[-1])
        for rec in measured:
            rec["params"]["demo_load_s"] = round(load_s, 1)
            rec["params"]["demo_organisations"] = info["counts"]["organisations"]
        records += measured
    return records


def run(ctx) -> list[dict]:
    """Latency records always (engine, then through Django); CORDIS quality when the extract is present."""
    return [*_latency(ctx), *_django(ctx), *_cordis(ctx)]


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    shared = Path(os.environ.get("POLES_SHARED_DIR", root.parent / "shared"))
    ctx = SimpleNamespace(
        quick="--quick" in sys.argv, shared_dir=shared, work_dir=root / "var" / "bench", log=print
    )
    print(json.dumps(run(ctx), indent=2))
