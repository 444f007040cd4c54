"""Demo step: the review, selection and co-financing decisions of every past call.

Runs after the calls helper's step has left each past call's proposals eligible (or not), and
after the reviewer pool. Call by call, in date order (so that a project funded by an earlier call
counts as a co-participation for the conflicts of the later ones):

1. `reviews.engine.assign` gives each eligible proposal three reviewers of the pool, never a
   conflicted one (conflicts computed from platform data as in the pages); each reviewer signs a
   declaration of no conflict and submits scores drawn around the proposal's latent quality
   (now and then "not applicable" on territorial anchoring); a few reviewers declare a conflict
   and are withdrawn;
2. scores are aggregated and ranked (`aggregate_scores`, `rank`);
3. the funders' envelopes are sized so that the call funds about its published share of the
   proposals submitted (POLICY.md: 813 of 1,736 over calls 1–9, 73 of 216 in the 10th call,
   about 1,170 of 2,800 over calls 1–14), then `selection.engine.select` chooses; the run is
   stored and confirmed, the next best proposals go on a short reserve list;
4. `calls.engine.rates.decide` computes each funder's decision per partner from the call's rate
   table (the FUI rates); every decision is taken and the selected projects become funded.

The last past call keeps one proposal under review, with a pending assignment of the demo
`reviewer` account (a late review to show). Everything is bulk-written; the audit trail gets
one event per call. With no eligible proposal in a past call (the calls step not merged, or the
`tiny` scale) the step does nothing for it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from poles.calls.engine import rates
from poles.calls.engine.criteria import parse_evaluation
from poles.calls.models import Call, CallFunder, Funder
from poles.core import audit
from poles.demo.generator import BATCH, DemoContext, step
from poles.grants.models import Decision
from poles.projects.models import Participation, Project
from poles.reviews import engine as review_engine
from poles.reviews import selectors as review_selectors
from poles.reviews.models import Assignment, ConflictDeclaration, ProjectScore, Review, Reviewer

from . import engine, services
from .models import SelectionItem, SelectionRun

PER_PROPOSAL = 3
# Funded / submitted, by call number (POLICY.md): calls 1-9, the 10th call, calls 11-14.
FUNDED_SHARE = {
    **dict.fromkeys(range(1, 10), 813 / 1736),
    10: 73 / 216,
    **dict.fromkeys(range(11, 15), (1170 - 813 - 73) / (2800 - 1736 - 216)),
}
OVERALL_SHARE = 1170 / 2800
RESERVE_SHARE = 0.04


def funded_share(call: Call) -> float:
    """The share of a call's submitted proposals the demo funds."""
    return FUNDED_SHARE.get(call.number or 0, OVERALL_SHARE)


def _score(rng, quality: float) -> str:
    value = min(5.0, max(0.0, round((quality + rng.gauss(0, 0.5)) * 2) / 2))
    return str(Decimal(str(value)).normalize())


@step("review, selection and decisions of past calls")
def review_select_decide(ctx: DemoContext) -> None:
    now = timezone.now()
    calls = list(Call.objects.filter(submission_deadline__lt=now).order_by("submission_deadline", "pk"))
    todo = [c for c in calls if Project.objects.filter(call=c, status=Project.Status.ELIGIBLE).exists()]
    if not todo:
        ctx.log("review, selection and decisions: no eligible proposal in a past call, nothing to do")
        return
    reviewers = list(Reviewer.objects.filter(programme=ctx.programme, active=True).select_related("user"))
    if not reviewers:
        return
    demo_reviewer = next((r for r in reviewers if r.user.username == "reviewer"), None)
    for index, call in enumerate(todo):
        _process_call(ctx, call, reviewers, demo_reviewer, late=index == len(todo) - 1)


def _process_call(ctx: DemoContext, call: Call, reviewers: list[Reviewer], demo_reviewer, late: bool) -> None:
    rng = ctx.rng
    grid, _errors = parse_evaluation(call.evaluation)
    if grid is None:
        ctx.log(f"{call}: no valid evaluation grid, left as it is")
        return
    projects = list(Project.objects.filter(call=call, status=Project.Status.ELIGIBLE).order_by("pk"))
    facts = {str(pk): f for pk, f in review_selectors.bulk_facts([p.pk for p in projects]).items()}
    years = {key: review_selectors.facts_year(f) for key, f in facts.items()}
    data = review_selectors.load_conflict_data(reviewers)
    pool = [review_selectors.reviewer_facts(r) for r in reviewers]
    conflicts = review_selectors.conflict_map(pool, list(facts.values()), data, years)
    held = None
    if late and demo_reviewer is not None:
        held = next((p for p in projects if (str(demo_reviewer.pk), str(p.pk)) not in conflicts), None)
    chosen, match = _assign(facts, reviewers, demo_reviewer, conflicts, held)
    when = call.submission_deadline + dt.timedelta(days=30)
    by_pk = {str(p.pk): p for p in projects}
    quality = {key: rng.gauss(3.55, 0.6) for key in sorted(facts, key=int)}
    assignments, reviews_scores, declarations = [], [], []
    for key in sorted(chosen, key=int):
        for reviewer_id in chosen[key]:
            scores = {c.code: _score(rng, quality[key]) for c in grid.criteria}
            if rng.random() < 0.05 and "territorial_anchoring" in scores:
                scores["territorial_anchoring"] = None
            assignments.append(
                Assignment(
                    reviewer_id=int(reviewer_id),
                    project_id=int(key),
                    status=Assignment.Status.SUBMITTED,
                    match_score=match[(reviewer_id, key)],
                )
            )
            reviews_scores.append(scores)
            declarations.append(ConflictDeclaration(reviewer_id=int(reviewer_id), project_id=int(key),
                                                    has_conflict=False, signed_at=when))  # fmt: skip
    # A few experts recognise a conflict the platform could not see, and withdraw.
    used = {(a.reviewer_id, a.project_id) for a in assignments}
    for key in sorted(facts, key=int):
        if rng.random() < 0.02:
            reviewer = rng.choice(reviewers)
            pair = (reviewer.pk, int(key))
            if pair in used or (str(reviewer.pk), key) in conflicts or reviewer is demo_reviewer:
                continue
            used.add(pair)
            assignments.append(
                Assignment(reviewer_id=reviewer.pk, project_id=int(key), status=Assignment.Status.WITHDRAWN)
            )
            reviews_scores.append(None)
            declarations.append(ConflictDeclaration(reviewer_id=reviewer.pk, project_id=int(key), has_conflict=True,
                                                    statement="Conseil ponctuel auprès du porteur.", signed_at=when))  # fmt: skip
    if held is not None:
        assignments.append(Assignment(reviewer_id=demo_reviewer.pk, project_id=held.pk, status=Assignment.Status.ASSIGNED,
                                      match_score=review_engine.match_score(demo_reviewer.expertise, held.keywords or [])))  # fmt: skip
        reviews_scores.append(None)
    created = Assignment.objects.bulk_create(assignments, batch_size=BATCH)
    ConflictDeclaration.objects.bulk_create(declarations, batch_size=BATCH)
    Review.objects.bulk_create(
        [
            Review(assignment=a, scores=s, comments="", status=Review.Status.SUBMITTED, submitted_at=when)
            for a, s in zip(created, reviews_scores, strict=True)
            if s is not None
        ],
        batch_size=BATCH,
    )
    # Scores and ranking, as the service computes them.
    per_project: dict[str, list[dict]] = defaultdict(list)
    for a, s in zip(created, reviews_scores, strict=True):
        if s is not None:
            per_project[str(a.project_id)].append(s)
    summaries = {key: review_engine.aggregate_scores(grid, items) for key, items in per_project.items()}
    ranked = {r.proposal_id: r for r in review_engine.rank(summaries)}
    from poles.reviews.services import _criteria_dict

    ProjectScore.objects.bulk_create(
        [
            ProjectScore(
                project_id=int(key),
                criteria=_criteria_dict(summary),
                overall=summary.overall.quantize(Decimal("0.001")) if summary.overall is not None else None,
                passed=summary.passed,
                reasons=[r.as_dict() for r in summary.reasons],
                position=ranked[key].position,
                ex_aequo=ranked[key].ex_aequo,
            )
            for key, summary in summaries.items()
        ],
        batch_size=BATCH,
    )
    reviewed = [int(k) for k in summaries if held is None or int(k) != held.pk]
    Project.objects.filter(pk__in=reviewed).update(
        status=Project.Status.UNDER_REVIEW, version=F("version") + 1
    )
    # Envelopes sized to fund the call's published share of its submissions.
    target = _size_envelopes(call, summaries, by_pk, facts, held)
    inputs = services.build_inputs(call)
    outcome = engine.select(inputs.proposals, inputs.envelopes, inputs.constraints, time_limit=10)
    # Sized on the best-ranked proposals, the envelopes let the optimiser fund more, smaller ones:
    # shrink them until the call funds about its published share.
    for _attempt in range(4):
        if len(outcome.selected) <= target * 1.03:
            break
        factor = target / len(outcome.selected)
        inputs.envelopes = {f: math.floor(e * factor) for f, e in inputs.envelopes.items()}
        outcome = engine.select(inputs.proposals, inputs.envelopes, inputs.constraints, time_limit=10)
    for funder in Funder.objects.filter(slug__in=inputs.envelopes):
        CallFunder.objects.filter(call=call, funder=funder).update(
            envelope=Decimal(inputs.envelopes[funder.slug])
        )
    run = services.store_run(call, inputs, outcome, actor=None, time_limit=10)
    SelectionRun.objects.filter(pk=run.pk).update(
        created_at=when + dt.timedelta(days=45), confirmed_at=when + dt.timedelta(days=50)
    )
    selected = set(outcome.selected)
    candidates = [
        p for p in sorted(inputs.proposals, key=lambda p: (-p.score, int(p.id))) if p.id not in selected
    ]
    reserve = (
        {p.id for p in candidates[: max(1, round(RESERVE_SHARE * len(inputs.proposals)))]}
        if candidates
        else set()
    )
    if reserve:
        SelectionItem.objects.filter(run=run, project_id__in=[int(i) for i in reserve]).update(
            outcome=SelectionItem.Outcome.RESERVE,
            adjusted=True,
            adjustment_reason="Liste complémentaire du comité.",
        )
    ids = {int(key) for key in reviewed}
    chosen = {int(i) for i in selected}
    Project.objects.filter(pk__in=chosen).update(status=Project.Status.SELECTED, version=F("version") + 1)
    Project.objects.filter(pk__in={int(i) for i in reserve}).update(
        status=Project.Status.RESERVE, version=F("version") + 1
    )
    Project.objects.filter(pk__in=ids - chosen - {int(i) for i in reserve}).update(
        status=Project.Status.REJECTED, version=F("version") + 1
    )
    n_decisions = _decide(ctx, call, [facts[str(pk)] for pk in sorted(chosen)], when + dt.timedelta(days=90))
    if held is not None:
        Project.objects.filter(pk=held.pk).update(
            status=Project.Status.UNDER_REVIEW, version=F("version") + 1
        )
    audit.record(
        "demo.selection",
        call,
        after={
            "reviewed": len(reviewed),
            "selected": len(chosen),
            "reserve": len(reserve),
            "decisions": n_decisions,
        },
    )
    ctx.count("assignments", len(created))
    ctx.count("selected", len(chosen))
    ctx.log(f"{call}: {len(reviewed)} reviewed, {len(chosen)} selected, {n_decisions} decisions")


def _assign(facts, reviewers, demo_reviewer, conflicts, held):
    """Three reviewers per proposal by the engine; the demo reviewer gets two proposals of each call.

    The demo account takes its two best-matching conflict-free proposals by hand (so that it has
    reviews to show whatever the keywords), the engine fills the rest: proposals that already have
    one reviewer (the demo account's, or the late one's pending) get two more.
    """
    pool = [r for r in reviewers if r is not demo_reviewer]
    capacity = {r.pk: r.max_load for r in pool}
    picks: list[str] = []
    match: dict[tuple[str, str], float] = {}
    if demo_reviewer is not None:
        me = str(demo_reviewer.pk)
        free = [k for k in facts if (me, k) not in conflicts and (held is None or k != str(held.pk))]
        free.sort(
            key=lambda k: (-review_engine.match_score(demo_reviewer.expertise, facts[k].keywords), int(k))
        )
        picks = free[:2]
        for key in picks:
            match[(me, key)] = review_engine.match_score(demo_reviewer.expertise, facts[key].keywords)
    held_key = str(held.pk) if held is not None else None
    need = {k: PER_PROPOSAL - (1 if k in picks or k == held_key else 0) for k in facts}
    chosen: dict[str, list[str]] = {k: [] for k in facts}
    for missing in sorted(set(need.values()), reverse=True):
        group = [facts[k] for k in sorted(facts, key=int) if need[k] == missing]
        engine_pool = [review_selectors.reviewer_facts(r, capacity=capacity[r.pk]) for r in pool]
        result = review_engine.assign(group, engine_pool, per_proposal=missing, conflicts=conflicts)
        for key, reviewer_ids in result.assignments.items():
            for reviewer_id in reviewer_ids:
                chosen[key].append(reviewer_id)
                match[(reviewer_id, key)] = result.scores[(reviewer_id, key)]
                capacity[int(reviewer_id)] -= 1
    for key in picks:
        chosen[key].append(str(demo_reviewer.pk))
    return chosen, match


def _size_envelopes(call: Call, summaries, by_pk, facts, held) -> int:
    """Each funder's envelope: what the best-ranked passing proposals ask of it, up to the call's share."""
    submitted = Project.objects.filter(call=call, submitted_at__isnull=False).count() or len(by_pk)
    target = max(1, round(funded_share(call) * submitted))
    passing = sorted(
        (k for k, s in summaries.items() if s.passed and (held is None or k != str(held.pk))),
        key=lambda k: (-summaries[k].overall, int(k)),
    )[:target]
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for key in passing:
        for participation in facts[key].participations:
            for funder, amount in participation.aid_requested.items():
                totals[funder] += amount
    # Every funder asked by a proposal of the call needs an envelope, if only a nil one.
    asked = {funder for f in facts.values() for p in f.participations for funder in p.aid_requested}
    for funder in Funder.objects.filter(slug__in=asked):
        envelope = Decimal(math.ceil(totals.get(funder.slug, Decimal(0))))
        CallFunder.objects.update_or_create(call=call, funder=funder, defaults={"envelope": envelope})
    return target


def _decide(ctx: DemoContext, call: Call, selected_facts, when) -> int:
    """Every funder's decision per partner for the selected projects, taken; the projects funded."""
    if not selected_facts:
        return 0
    try:
        result = rates.decide(selected_facts, call.rates, call.caps)
    except rates.DecisionError as exc:
        ctx.log(f"{call}: decisions not computed ({exc.errors[0].render('en')}); projects stay selected")
        return 0
    funders = {f.slug: f.pk for f in Funder.objects.all()}
    participations = {
        (str(project_id), str(org_id)): pk
        for pk, project_id, org_id in Participation.objects.filter(
            project_id__in=[int(f.proposal_id) for f in selected_facts]
        ).values_list("pk", "project_id", "organisation_id")
    }
    rows = [
        Decision(
            project_id=int(d.proposal_id),
            participation_id=participations[(d.proposal_id, d.org_id)],
            funder_id=funders[d.funder],
            eligible_cost=d.eligible_cost,
            rate=d.rate,
            amount=Decimal(d.amount),
            form=d.form,
            capped_by=",".join(d.capped_by),
            status=Decision.Status.DECIDED,
            decided_at=when,
            notified_at=when,
        )
        for d in result.decisions
        if d.funder in funders
    ]
    Decision.objects.bulk_create(rows, batch_size=BATCH)
    funded = {int(f.proposal_id) for f in selected_facts}
    Project.objects.filter(pk__in=funded).update(status=Project.Status.FUNDED, version=F("version") + 1)
    ctx.count("decisions", len(rows))
    ctx.count("funded", len(funded))
    return len(rows)
