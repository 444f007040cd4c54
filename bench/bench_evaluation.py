"""Impact-evaluation benchmark: coverage on synthetic panels, and Callaway & Sant'Anna at 100,000 firms.

1. Coverage. On seeded synthetic staggered panels with a known heterogeneous, growing effect
   (`make_staggered_panel`), how often does the 95 % interval of the Callaway & Sant'Anna simple ATT cover
   the truth (target >= 0.90 over 100 replications)? Beside it, the bias and coverage of the static two-way
   fixed effects estimate on the same panels, which heterogeneous effects bias.
2. Scale. Our wrapper (panel validation + fingerprint + moderndid + aggregation into plain results) on
   100,000 firms x 12 years, against moderndid's `att_gt` + `aggte` called directly on the same data:
   wall time and peak memory, as ratios. Each side runs in its own fresh subprocess; peak memory is the
   process's maximum resident set size (`resource.getrusage(...).ru_maxrss`), because moderndid does
   much of its work in polars (Rust), whose allocations tracemalloc does not see. `extra` is that peak minus
   the resident size just before estimating (data and libraries already loaded).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from bench.lib import record

ROOT = Path(__file__).resolve().parents[1]


def run(ctx) -> list[dict]:
    """All records of this benchmark; `ctx.quick` shrinks replications and panel sizes for a smoke run."""
    quick = bool(getattr(ctx, "quick", False))
    records = coverage_records(reps=20 if quick else 100, n_units=500 if quick else 2000, n_periods=8)
    records += scale_records(n_units=10_000 if quick else 100_000, n_periods=12, repeat=1 if quick else 2)
    return records


def coverage_records(reps: int, n_units: int, n_periods: int) -> list[dict]:
    """Coverage and bias of Callaway & Sant'Anna vs static TWFE over `reps` seeded replications."""
    from poles.evaluation.estimators import (
        aggregate,
        estimate_group_time,
        make_staggered_panel,
        twfe_event_study,
        validate_panel,
    )

    cs_cover, cs_error, dr_cover, dyn_cover, tw_cover, tw_error, seconds = [], [], [], [], [], [], []
    for seed in range(reps):
        synthetic = make_staggered_panel(n_units=n_units, n_periods=n_periods, seed=seed)
        truth = synthetic.truth
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            panel = validate_panel(synthetic.panel, synthetic.spec)
            effects = estimate_group_time(panel, covariates=False)
            simple = aggregate(effects, "simple")
            dynamic = aggregate(effects, "dynamic")
            seconds.append(time.perf_counter() - start)
            with_covariates = aggregate(estimate_group_time(panel, covariates=True), "simple")
            twfe = twfe_event_study(panel).static
        cs_cover.append(simple.ci_low <= truth["simple"] <= simple.ci_high)
        cs_error.append(simple.att - truth["simple"])
        dr_cover.append(with_covariates.ci_low <= truth["simple"] <= with_covariates.ci_high)
        dyn_cover += [
            e["ci_low"] <= truth["dynamic"][e["event_time"]] <= e["ci_high"]
            for e in dynamic.estimates
            if e["event_time"] >= 0
        ]
        tw_cover.append(twfe["ci_low"] <= truth["simple"] <= twfe["ci_high"])
        tw_error.append(twfe["coef"] - truth["simple"])
    params = {
        "replications": reps,
        "n_units": n_units,
        "n_periods": n_periods,
        "truth_simple_seed0": make_staggered_panel(n_units=n_units, n_periods=n_periods, seed=0).truth[
            "simple"
        ],
    }
    cs_bias, tw_bias = float(np.mean(cs_error)), float(np.mean(tw_error))
    return [
        record(
            "evaluation.cs_simple_ci95_coverage",
            float(np.mean(cs_cover)),
            "share",
            "higher",
            target=0.90,
            params=params,
        ),
        record(
            "evaluation.cs_simple_ci95_coverage_dr_covariates",
            float(np.mean(dr_cover)),
            "share",
            "higher",
            target=0.90,
            params=params,
        ),
        record(
            "evaluation.cs_dynamic_ci95_coverage_pointwise",
            float(np.mean(dyn_cover)),
            "share",
            "higher",
            target=0.90,
            params=params,
        ),
        record(
            "evaluation.cs_simple_abs_mean_bias",
            abs(cs_bias),
            "outcome units",
            "lower",
            params={**params, "mean_bias": cs_bias, "rmse": float(np.sqrt(np.mean(np.square(cs_error))))},
        ),
        record(
            "evaluation.twfe_static_abs_mean_bias",
            abs(tw_bias),
            "outcome units",
            "lower",
            params={
                **params,
                "mean_bias": tw_bias,
                "relative_bias": tw_bias / params["truth_simple_seed0"],
                "cs_mean_bias": cs_bias,
            },
        ),
        record(
            "evaluation.twfe_static_ci95_coverage", float(np.mean(tw_cover)), "share", "higher", params=params
        ),
        record(
            "evaluation.cs_seconds_per_replication", float(np.median(seconds)), "s", "lower", params=params
        ),
    ]


def scale_records(n_units: int, n_periods: int, repeat: int) -> list[dict]:
    """Time and peak memory of our wrapper vs moderndid directly, each in fresh subprocesses."""
    runs: dict[str, list[dict]] = {"ours": [], "direct": []}
    for _ in range(repeat):
        for side in ("ours", "direct"):
            runs[side].append(_child(side, n_units, n_periods))
    best = {side: min(r["seconds"] for r in results) for side, results in runs.items()}
    peak = {side: max(r["peak_rss_mib"] for r in results) for side, results in runs.items()}
    extra = {side: max(r["extra_mib"] for r in results) for side, results in runs.items()}
    same = abs(runs["ours"][0]["att"] - runs["direct"][0]["att"]) < 1e-10
    params = {
        "n_units": n_units,
        "n_periods": n_periods,
        "rows": n_units * n_periods,
        "repeat": repeat,
        "att": runs["ours"][0]["att"],
        "same_att_as_library": same,
        "memory": "ru_maxrss of a fresh subprocess per side",
    }
    label = f"{n_units // 1000}k"
    return [
        record(
            f"evaluation.cs_{label}x{n_periods}_seconds",
            best["ours"],
            "s",
            "lower",
            baseline=best["direct"],
            params=params,
        ),
        record(
            f"evaluation.cs_{label}x{n_periods}_peak_rss",
            peak["ours"],
            "MiB",
            "lower",
            baseline=peak["direct"],
            params=params,
        ),
        record(
            f"evaluation.cs_{label}x{n_periods}_estimation_extra_rss",
            extra["ours"],
            "MiB",
            "lower",
            baseline=extra["direct"],
            params=params,
        ),
    ]


def _child(side: str, n_units: int, n_periods: int) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.bench_evaluation",
        "--child",
        side,
        "--units",
        str(n_units),
        "--periods",
        str(n_periods),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=1800
    )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child {side} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(side: str, n_units: int, n_periods: int) -> dict:
    """One measured run in this (fresh) process: `ours` = the poles engine, `direct` = moderndid alone."""
    warnings.simplefilter("ignore")
    import moderndid

    from poles.evaluation.estimators import (
        aggregate,
        estimate_group_time,
        make_staggered_panel,
        validate_panel,
    )

    frame = make_staggered_panel(n_units=n_units, n_periods=n_periods, seed=0).panel
    before = _rss_mib()
    start = time.perf_counter()
    if side == "ours":
        from poles.evaluation.estimators.synthetic import SPEC

        panel = validate_panel(frame, SPEC)
        att = aggregate(estimate_group_time(panel, covariates=False), "simple").att
    else:
        mp = moderndid.att_gt(
            frame,
            yname="log_turnover",
            tname="year",
            idname="firm_id",
            gname="first_treated",
            est_method="dr",
            cband=False,
        )
        att = float(moderndid.aggte(mp, type="simple", cband=False).overall_att)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"side": side, "seconds": seconds, "peak_rss_mib": peak, "extra_mib": peak - before, "att": att}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", choices=("ours", "direct"))
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--periods", type=int, default=12)
    options = parser.parse_args()
    if options.child:
        print(json.dumps(child(options.child, options.units, options.periods)))
    else:
        context = SimpleNamespace(quick=options.quick, shared_dir=ROOT.parent / "shared")
        print(json.dumps(run(context), indent=1))
