"""`make bench`: run every bench/bench_*.py, write bench/results/<name>.json and SUMMARY.md.

    python -m bench.run [--quick] [--only selection,foundation]

Each module's `run(ctx)` returns records built by bench.lib.record(). `--quick` (or
BENCH_QUICK=1) shrinks sizes for a smoke run; the README's figures come from a full run.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


@dataclass
class Context:
    """What every benchmark receives."""

    quick: bool = False
    shared_dir: Path = field(
        default_factory=lambda: Path(os.environ.get("POLES_SHARED_DIR", ROOT.parent / "shared"))
    )
    work_dir: Path = field(default_factory=lambda: ROOT / "var" / "bench")
    log: object = print


def discover(only: set[str] | None) -> list[str]:
    names = sorted(p.stem.removeprefix("bench_") for p in (ROOT / "bench").glob("bench_*.py"))
    return [n for n in names if not only or n in only]


def summary_rows(name: str, records: list[dict]) -> list[str]:
    rows = []
    for r in records:

        def fmt(v):
            return "" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))

        rows.append(
            f"| {name} | {r['name']} | {fmt(r['value'])} {r['unit']} | {r['better']} | {fmt(r['target'])} | "
            f"{fmt(r['baseline'])} | {fmt(r['ratio'])} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated benchmark names")
    args = parser.parse_args(argv)
    ctx = Context(quick=args.quick or os.environ.get("BENCH_QUICK") == "1")
    ctx.work_dir.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    names = discover(set(filter(None, args.only.split(","))) or None)
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"{'quick' if ctx.quick else 'full'} run of {time.strftime('%Y-%m-%d %H:%M')}. Command: `make bench` "
        "(`python -m bench.run --only NAME` for one).",
        "",
        "| benchmark | measure | value | better | target | baseline | ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    failed = []
    for name in names:
        print(f"== bench {name}", flush=True)
        started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            records = module.run(ctx)
        except Exception:  # one broken benchmark must not hide the others' results
            traceback.print_exc()
            failed.append(name)
            continue
        (RESULTS / f"{name}.json").write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        print(f"   {len(records)} records in {time.perf_counter() - started:.0f} s", flush=True)
    # The summary holds every benchmark's latest results, so `--only` refreshes some and keeps the others.
    for path in sorted(RESULTS.glob("*.json")):
        lines += summary_rows(path.stem, json.loads(path.read_text()))
    lines += [
        "",
        f"Run now: {', '.join(n for n in names if n not in failed) or 'none'}; the other rows come "
        "from earlier runs of the same command (their JSON files).",
    ]
    (RESULTS / "SUMMARY.md").write_text("\n".join(lines) + "\n")
    print(f"Results: {RESULTS}/ (SUMMARY.md)")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
