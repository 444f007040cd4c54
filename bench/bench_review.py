"""Review, selection and decisions on data shaped like the programme's calls, through the models.

Why: the selection engine's own benchmark (bench_selection) runs on generated arrays; this one
runs the Django side on a database: the demo programme plus fourteen past FUI calls shaped on
POLICY.md (1,736 proposals over calls 1-9, 216 in the 10th, 848 over calls 11-14 at the default
scale; one call of 216 in a quick run), eligible at about 85 %, with consortia of member firms
and labs, budgets and aid requests at the FUI rates. The calls helper's demo step will make the
real ones; these are built here so the measure does not wait for it.

Measured: the demo step that reviews (conflict-free assignment from platform data), selects
(envelopes sized to the published share) and decides every past call; the funded counts against
POLICY.md (about 1,170 of 2,800; 73 of 216 in the 10th call); the service's selection inputs and
the engine on the 10th call's stored run (seconds, status, gap, gain over greedy by rank); and
that every call's decisions reconcile exactly. Runs in a subprocess on its own SQLite file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.lib import record

ROOT = Path(__file__).resolve().parent.parent
# (call number, proposals submitted) at the default scale, from POLICY.md's totals.
CALLS = (
    [(k, n) for k, n in zip(range(1, 10), [193] * 8 + [1736 - 193 * 8], strict=True)]
    + [(10, 216)]
    + [(k, 212) for k in range(11, 15)]
)


def _synthesize(calls, rng) -> None:
    """Past calls with eligible proposals, bulk-inserted (the shape the calls helper's step makes)."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from poles.calls.engine.presets import get_preset
    from poles.calls.models import Call, CallFunder, Funder
    from poles.clusters.models import Cluster
    from poles.instruments.models import Programme
    from poles.organisations.models import Organisation
    from poles.projects.models import AidRequest, BudgetLine, LabelRequest, Participation, Project

    programme = Programme.objects.get(slug="poles-competitivite")
    fui = Funder.objects.get(slug="fui")
    region = Funder.objects.filter(slug__startswith="region-").order_by("slug").first()
    firms = list(
        Organisation.objects.filter(category="company").exclude(size_class="").values_list("pk", "size_class")
    )
    labs = list(
        Organisation.objects.filter(category__in=["public_research", "hei_research"]).values_list(
            "pk", flat=True
        )
    )
    clusters = list(Cluster.objects.values_list("pk", flat=True))
    keywords = ["Énergie", "Nano", "Logiciel", "Matériaux", "Bio", "Numérique", "Mobilité", "Aéro", "Chimie"]
    rates = [{**row, "funder": "fui"} for row in get_preset("fui_classic")["rates"]]
    rates += [
        {"funder": region.slug, "group": "company", "rate": "0.10", "form": "advance"},
        {"funder": region.slug, "group": "lab", "rate": "0.10", "form": "grant"},
    ]
    for number, n in calls:
        year = 2006 + (number - 1) // 2
        opens = timezone.make_aware(dt.datetime(year, 3 if number % 2 else 9, 1))
        call = Call.objects.create(
            programme=programme, reference=f"bench-fui-{number}", number=number, title_fr=f"FUI {number}",
            title_en=f"FUI {number}", status=Call.Status.CLOSED, preset="fui_classic", opens_at=opens,
            labelling_deadline=opens + dt.timedelta(days=45), submission_deadline=opens + dt.timedelta(days=60),
            rules=get_preset("fui_classic")["rules"], rates=rates, evaluation=get_preset("fui_classic")["evaluation"],
        )  # fmt: skip
        CallFunder.objects.create(call=call, funder=fui, envelope=Decimal(1))
        CallFunder.objects.create(call=call, funder=region, envelope=Decimal(1))
        projects = Project.objects.bulk_create(
            Project(
                programme=programme,
                call=call,
                acronym=f"F{number}-{i:03d}",
                title=f"Projet {number}-{i}",
                status=Project.Status.ELIGIBLE if rng.random() < 0.85 else Project.Status.INELIGIBLE,
                keywords=rng.sample(keywords, 2),
                lead_cluster_id=rng.choice(clusters),
                submitted_at=call.submission_deadline - dt.timedelta(days=3),
            )  # fmt: skip
            for i in range(n)
        )
        parts, members = [], []
        for project in projects:
            chosen = rng.sample(firms, rng.randint(2, 4))
            consortium = [(pk, size, "company") for pk, size in chosen] + [
                (pk, "", "public_research") for pk in rng.sample(labs, rng.randint(1, 2))
            ]
            for index, (org, size, category) in enumerate(consortium):
                parts.append(
                    Participation(
                        project=project,
                        organisation_id=org,
                        role="lead" if index == 0 else "partner",
                        category=category,
                        size_class=size,
                        total_cost=Decimal(0),
                    )  # fmt: skip
                )
                members.append((size, category))
        parts = Participation.objects.bulk_create(parts)
        lines, requests = [], []
        for participation, (size, _category) in zip(parts, members, strict=True):
            budget = Decimal(round(rng.lognormvariate(12.8, 0.5), -3))
            lines.append(BudgetLine(participation=participation, cost_type="staff", amount=budget))
            rate = {"micro": "0.45", "small": "0.45", "medium": "0.45", "mid": "0.30", "large": "0.25"}.get(
                size, "0.40"
            )
            requests.append(
                AidRequest(
                    participation=participation,
                    funder=fui,
                    amount=(budget * Decimal(rate)).quantize(Decimal(1)),
                )
            )
            if rng.random() < 0.5:
                requests.append(
                    AidRequest(
                        participation=participation, funder=region, amount=(budget / 10).quantize(Decimal(1))
                    )
                )
        BudgetLine.objects.bulk_create(lines)
        AidRequest.objects.bulk_create(requests)
        LabelRequest.objects.bulk_create(
            LabelRequest(
                project=p, cluster_id=p.lead_cluster_id, status="labelled", decided_at=call.labelling_deadline
            )
            for p in projects
        )


def inner(scale: str, calls) -> dict:
    """In a Django process on a fresh database: demo, synthetic calls, then the measured step."""
    import random

    import django

    django.setup()
    from django.core.management import call_command

    from poles.calls.models import Call
    from poles.demo.generator import SCALES, DemoContext, generate
    from poles.grants.models import Decision
    from poles.instruments.models import Programme
    from poles.projects.models import Project
    from poles.selection import decisions, engine
    from poles.selection.demo import review_select_decide
    from poles.selection.models import SelectionRun

    call_command("migrate", verbosity=0)
    generate(scale, seed=2006, accounts=True)
    started = time.perf_counter()
    _synthesize(calls, random.Random(7))
    synth = time.perf_counter() - started
    ctx = DemoContext(seed=2006, scale=SCALES[scale], log=lambda message: None)
    ctx.programme = Programme.objects.get(slug="poles-competitivite")
    started, cpu = time.perf_counter(), time.process_time()
    review_select_decide(ctx)
    step, step_cpu = time.perf_counter() - started, time.process_time() - cpu
    from poles.selection.demo import funded_share

    submitted = Project.objects.filter(call__reference__startswith="bench-fui-").count()
    target = sum(
        funded_share(c) * Project.objects.filter(call=c).count()
        for c in Call.objects.filter(reference__startswith="bench-fui-")
    )
    funded = Project.objects.filter(call__reference__startswith="bench-fui-", status="funded").count()
    tenth = Call.objects.filter(number=10, reference__startswith="bench-fui-").first()
    agree = all(
        decisions.reconciliation(c).agrees for c in Call.objects.filter(reference__startswith="bench-fui-")
    )
    out = {
        "synthesize_s": synth, "step_s": step, "step_cpu_s": step_cpu, "submitted": submitted, "target": round(target), "funded": funded,
        "decisions": Decision.objects.count(), "reconciles": agree,
    }  # fmt: skip
    if tenth is not None:
        run = SelectionRun.objects.get(call=tenth)
        params = run.parameters
        proposals = [
            engine.Proposal(p["id"], p["score"], p["aid"], p["sme_aid"], p["cluster"])
            for p in params["proposals"]
        ]
        constraints = engine.Constraints(**params["constraints"])
        solved_at = time.perf_counter()
        result = engine.select(proposals, params["envelopes"], constraints)
        out["tenth"] = {
            "submitted": Project.objects.filter(call=tenth).count(),
            "funded": Project.objects.filter(call=tenth, status="funded").count(),
            "candidates": len(proposals),
            "funders": len(params["envelopes"]),
            "seconds": time.perf_counter() - solved_at,
            "status": result.status,
            "gap": result.gap,
            "objective": result.objective,
            "greedy_objective": result.greedy_objective,
        }
    return out


def run(ctx) -> list[dict]:
    calls = [(10, 40)] if ctx.quick else CALLS  # the tiny pool (7 experts) reviews about 40 proposals a call
    scale = "tiny" if ctx.quick else "default"
    work = Path(ctx.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    db = work / "review.sqlite3"
    db.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "poles.test_settings"}
    env.pop("DEBUG", None)
    script = (
        f"import json; from bench.bench_review import inner; print(json.dumps(inner({scale!r}, {calls!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    params = {
        "scale": scale,
        "calls": len(calls),
        "submitted": figures["submitted"],
        "decisions": figures["decisions"],
    }
    target = figures["target"]  # POLICY.md's share of each call, summed over the calls
    out = [
        record("review.demo_step.seconds", round(figures["step_s"], 2), "s", "lower", params=params),
        # CPU seconds of the step's process: the wall time above includes waiting for shared cores.
        record("review.demo_step.cpu_seconds", round(figures["step_cpu_s"], 2), "s", "lower", params=params),
        record(
            "review.demo_step.funded",
            figures["funded"],
            "projects",
            "higher",
            target=target,
            ratio=figures["funded"] / target if target else None,
            params=params,
        ),  # fmt: skip
        record(
            "review.decisions_reconcile",
            1.0 if figures["reconciles"] else 0.0,
            "bool",
            "higher",
            target=1.0,
            params=params,
        ),  # fmt: skip
    ]
    tenth = figures.get("tenth")
    if tenth:
        p10 = {k: v for k, v in tenth.items() if k not in ("seconds", "objective", "greedy_objective")}
        out += [
            record(
                "review.tenth_call.funded",
                tenth["funded"],
                "projects",
                "higher",
                target=round(73 / 216 * tenth["submitted"]),
                params=p10,
            ),  # fmt: skip
            record(
                "review.tenth_call.selection_seconds",
                round(tenth["seconds"], 3),
                "s",
                "lower",
                target=5.0,
                params=p10,
            ),  # fmt: skip
            record(
                "review.tenth_call.gain_over_greedy",
                round(tenth["objective"], 4),
                "score",
                "higher",
                baseline=round(tenth["greedy_objective"], 4),
                params=p10,
            ),  # fmt: skip
        ]
    return out


if __name__ == "__main__":
    from bench.run import Context

    print(json.dumps(run(Context(quick="--quick" in sys.argv)), indent=2))
