"""Selection of a call's proposals: the engine's inputs built from the models, runs, the officers'
adjustments and confirmation.

`build_inputs` is the one translation of the models into `poles.selection.engine` data:
- one engine proposal per scored proposal in review that passes the review thresholds (those
  below a threshold are kept out of the optimisation and listed with that reason);
- its aid per funder is the sum of its partners' aid requests to that funder (the funder's code
  is its slug); its SME aid the part requested by SME partners (size class at submission, not
  publicly controlled); its cluster the lead cluster; its score the aggregated overall score;
- envelopes from the call's funders (CallFunder); constraints and objective from `call.selection`.

A run stores those inputs, the result, the greedy comparison and one item per proposal with the
reason it is in or out. Officers adjust items (select, reserve or reject against the proposal,
with a reason) and confirm the run: each proposal then moves through the workflow's select /
reserve / reject transition, and the decisions of the selected ones are computed.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.calls.models import Call
from poles.core import audit
from poles.core.exceptions import TransitionNotAllowed
from poles.core.permissions import can
from poles.core.workflow import perform
from poles.grants.models import Decision
from poles.projects.models import Project
from poles.projects.workflow import PROPOSAL
from poles.reviews import notify
from poles.reviews.selectors import bulk_facts

from . import engine
from .models import SelectionItem, SelectionRun

CANDIDATES = (
    Project.Status.UNDER_REVIEW,
    Project.Status.SELECTED,
    Project.Status.RESERVE,
    Project.Status.REJECTED,
)
TRANSITION_TO = {
    SelectionItem.Outcome.SELECTED: "select",
    SelectionItem.Outcome.RESERVE: "reserve",
    SelectionItem.Outcome.REJECTED: "reject",
}
STATUS_OF = {
    SelectionItem.Outcome.SELECTED: Project.Status.SELECTED,
    SelectionItem.Outcome.RESERVE: Project.Status.RESERVE,
    SelectionItem.Outcome.REJECTED: Project.Status.REJECTED,
}
DECIDED = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)


def _refuse(message, code: str = "refused") -> TransitionNotAllowed:
    return TransitionNotAllowed(message, code=code)


def _require(user, perm: str, obj) -> None:
    if not can(user, perm, obj):
        raise _refuse(_("You are not allowed to do this."), "permission_denied")


@dataclass
class SelectionInputs:
    """The engine's inputs for one call, and what was kept out of them (with why)."""

    proposals: list[engine.Proposal]
    envelopes: dict[str, float]
    constraints: engine.Constraints
    excluded: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: dict[str, int | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """What a run stores of its inputs (enough to rerun the engine on exactly the same data)."""
        return {
            "proposals": [
                {
                    "id": p.id,
                    "score": p.score,
                    "aid": dict(p.aid),
                    "sme_aid": dict(p.sme_aid),
                    "cluster": p.cluster,
                }
                for p in self.proposals
            ],
            "envelopes": self.envelopes,
            "constraints": asdict(self.constraints),
            "excluded": self.excluded,
        }

    def fingerprint(self) -> str:
        """sha256 of the canonical inputs: two runs with the same fingerprint had the same data."""
        text = json.dumps(self.as_json(), sort_keys=True, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def constraints_of(call: Call) -> engine.Constraints:
    """The call's selection policy (`call.selection`) as engine constraints; unknown keys are ignored."""
    policy = call.selection or {}

    def number(key: str) -> float | None:
        value = policy.get(key)
        return None if value in (None, "") else float(value)

    objective = policy.get("objective") or "score"
    return engine.Constraints(
        min_sme_share=number("min_sme_share"),
        max_aid_per_cluster=number("max_aid_per_cluster"),
        min_score=number("min_score"),
        objective=objective if objective in ("score", "score_per_euro") else "score",
    )


def build_inputs(call: Call) -> SelectionInputs:
    """The engine's proposals, envelopes and constraints for a call (see the module docstring).

    Raises ValidationError when a proposal in review has no score yet, or asks aid of a funder
    that has no envelope in the call: the officer must settle those first.
    """
    envelopes = {cf.funder.slug: float(cf.envelope) for cf in call.call_funders.select_related("funder")}
    projects = list(
        Project.objects.filter(call=call, status__in=CANDIDATES).select_related("score", "lead_cluster")
    )
    all_facts = bulk_facts([p.pk for p in projects])
    unscored = sorted(
        p.acronym or str(p.pk) for p in projects if not hasattr(p, "score") or p.score.overall is None
    )
    if unscored:
        raise ValidationError(
            _("These proposals have no score yet: %(projects)s. Their reviews must be submitted first.")
            % {"projects": ", ".join(unscored)}
        )
    inputs = SelectionInputs(proposals=[], envelopes=envelopes, constraints=constraints_of(call))
    for project in projects:
        key = str(project.pk)
        inputs.positions[key] = project.score.position
        if not project.score.passed:
            inputs.excluded[key] = {
                "reason": engine.BELOW_THRESHOLD,
                "details": {"score": float(project.score.overall), "reasons": project.score.reasons},
            }
            continue
        facts = all_facts[project.pk]
        aid: dict[str, Decimal] = {}
        sme: dict[str, Decimal] = {}
        for participation in facts.participations:
            for funder, amount in participation.aid_requested.items():
                if funder not in envelopes:
                    raise ValidationError(
                        _("%(project)s asks aid of %(funder)s, which has no envelope in this call.")
                        % {"project": project.acronym or key, "funder": funder}
                    )
                aid[funder] = aid.get(funder, Decimal(0)) + amount
                if participation.is_sme:
                    sme[funder] = sme.get(funder, Decimal(0)) + amount
        inputs.proposals.append(
            engine.Proposal(
                id=key,
                score=float(project.score.overall),
                aid={f: float(a) for f, a in sorted(aid.items())},
                sme_aid={f: float(a) for f, a in sorted(sme.items())},
                cluster=project.lead_cluster.slug if project.lead_cluster_id else None,
            )
        )
    return inputs


def _decided_in(call: Call) -> bool:
    return Decision.objects.filter(project__call=call, status__in=DECIDED).exists()


def default_outcome(proposed: bool) -> str:
    """What an item becomes unless an officer says otherwise: the optimiser's choice."""
    return SelectionItem.Outcome.SELECTED if proposed else SelectionItem.Outcome.REJECTED


def run_selection(call: Call, *, actor, time_limit: float | None = engine.DEFAULT_TIME_LIMIT) -> SelectionRun:
    """Run the selection engine on the call and keep the run, its reasons and the greedy comparison.

    Refused once a funder has decided aid in the call: the money is committed.
    """
    _require(actor, "selection.run", call)
    if _decided_in(call):
        raise _refuse(_("Funders have already decided aid in this call: the selection is closed."), "decided")
    inputs = build_inputs(call)
    try:
        result = engine.select(inputs.proposals, inputs.envelopes, inputs.constraints, time_limit=time_limit)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    with transaction.atomic():
        run = store_run(call, inputs, result, actor=actor, time_limit=time_limit)
        audit.record(
            "selection.selectionrun.create",
            run,
            actor=actor,
            after={
                "status": run.status,
                "objective": run.objective,
                "gap": run.gap,
                "selected": list(result.selected),
                "fingerprint": run.inputs_fingerprint,
            },
        )
    return run


def store_run(
    call: Call, inputs: SelectionInputs, result: engine.SelectionResult, *, actor, time_limit
) -> SelectionRun:
    """Keep a run: its inputs, the result, the greedy comparison and one item per proposal.

    Items of proposals kept out of the optimisation (below a review threshold) say so; every item
    starts with the optimiser's outcome (selected, or rejected) until an officer adjusts it.
    """
    greedy = set(result.greedy_selected)
    run = SelectionRun.objects.create(
        call=call,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        parameters={
            **inputs.as_json(),
            "time_limit": time_limit,
            "source": result.source,
            "selected": list(result.selected),
            "greedy_selected": list(result.greedy_selected),
            "usage": result.usage,
            "objective_kind": result.objective_kind,
        },
        inputs_fingerprint=inputs.fingerprint(),
        status=result.status,
        objective=result.objective,
        bound=result.bound if math.isfinite(result.bound) else None,
        gap=result.gap,
        greedy_objective=result.greedy_objective,
        solve_seconds=result.solve_seconds,
        binding=list(result.binding),
    )
    items = [
        SelectionItem(
            run=run,
            project_id=int(e.proposal_id),
            proposed=e.selected,
            greedy=e.proposal_id in greedy,
            reason=e.reason,
            details={"details": e.details, "blocking": list(e.blocking), "engine_rank": e.rank},
            rank=inputs.positions.get(e.proposal_id),
            outcome=default_outcome(e.selected),
        )
        for e in result.explanations
    ]
    items += [
        SelectionItem(
            run=run,
            project_id=int(key),
            proposed=False,
            greedy=False,
            reason=excluded["reason"],
            details={"details": excluded["details"], "blocking": [], "engine_rank": None},
            rank=inputs.positions.get(key),
            outcome=default_outcome(False),
        )
        for key, excluded in inputs.excluded.items()
    ]
    SelectionItem.objects.bulk_create(items)
    return run


def latest_run(call: Call) -> SelectionRun | None:
    """The call's most recent run: the only one officers adjust and confirm."""
    return SelectionRun.objects.filter(call=call).order_by("-created_at", "-pk").first()


def _apply(item: SelectionItem, actor, reason: str) -> bool:
    """Move the item's proposal to its outcome's state (nothing when already there)."""
    from . import decisions

    project = Project.objects.get(pk=item.project_id)
    target = STATUS_OF[item.outcome]
    if project.status == target:
        return False
    if project.status not in CANDIDATES:
        raise _refuse(
            _("%(project)s is %(status)s and cannot be selected, reserved or rejected.")
            % {"project": project.acronym, "status": project.get_status_display()},
            "wrong_state",
        )
    if project.status == Project.Status.SELECTED:
        decisions.cancel_for(project, actor=actor, reason=reason)
    perform(PROPOSAL, project, TRANSITION_TO[item.outcome], actor, reason=reason)
    return True


def adjust(item: SelectionItem, *, actor, outcome: str, reason: str) -> SelectionItem:
    """An officer sets a proposal's outcome against the optimiser's proposal, with a reason.

    On a confirmed run the proposal moves at once (and its decisions are computed or cancelled).
    """
    _require(actor, "selection.adjust", item)
    if outcome not in SelectionItem.Outcome.values:
        raise ValidationError({"outcome": _("Choose selected, reserve list or rejected.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    with transaction.atomic():
        locked = (
            SelectionItem.objects.select_for_update(of=("self",)).select_related("run__call").get(pk=item.pk)
        )
        run = locked.run
        if latest_run(run.call) != run:
            raise _refuse(_("A newer selection run exists: adjust that one."), "stale_run")
        if _decided_in(run.call) and run.confirmed_at is None:
            raise _refuse(
                _("Funders have already decided aid in this call: the selection is closed."), "decided"
            )
        before = audit.snapshot(locked)
        locked.outcome = outcome
        locked.adjusted = outcome != default_outcome(locked.proposed)
        locked.adjustment_reason = reason.strip()
        locked.save()
        audit.record(
            "selection.selectionitem.adjust",
            locked,
            actor=actor,
            before=before,
            after=audit.snapshot(locked),
            reason=reason.strip(),
        )
        if run.confirmed_at is not None:
            from . import decisions

            if _apply(locked, actor, reason.strip()) and outcome == SelectionItem.Outcome.SELECTED:
                decisions.compute(run.call, actor=actor, projects=[locked.project_id])
            _notify_outcomes(run.call, [locked])
    return locked


def selected_aid(run: SelectionRun, items=None) -> dict[str, float]:
    """Aid per funder asked by the run's proposals whose outcome is "selected"."""
    items = items if items is not None else list(run.items.all())
    chosen = {str(i.project_id) for i in items if i.outcome == SelectionItem.Outcome.SELECTED}
    used: dict[str, float] = {}
    for proposal in run.parameters.get("proposals", []):
        if proposal["id"] in chosen:
            for funder, amount in proposal["aid"].items():
                used[funder] = used.get(funder, 0.0) + amount
    return used


def envelope_overruns(run: SelectionRun, items=None) -> list[dict[str, Any]]:
    """The funders whose envelope the final outcomes exceed (empty: every envelope holds)."""
    envelopes = {cf.funder.slug: float(cf.envelope) for cf in run.call.call_funders.select_related("funder")}
    overruns = []
    for funder, used in sorted(selected_aid(run, items).items()):
        limit = envelopes.get(funder, 0.0)
        if used > limit * (1 + engine.REL_TOL) + engine.REL_TOL:
            overruns.append({"funder": funder, "used": used, "limit": limit})
    return overruns


def _notify_outcomes(call: Call, items) -> None:
    for item in items:
        project = Project.objects.select_related("created_by").get(pk=item.project_id)
        notify.send(
            notify.consortium_of(project),
            _("Selection result for %(project)s") % {"project": project.acronym},
            "selection/email/outcome.txt",
            {"project": project, "call": call, "outcome": item.get_outcome_display()},
        )


@dataclass
class ConfirmOutcome:
    """What confirming did: proposals moved, decisions computed, and problems met while computing."""

    run: SelectionRun
    moved: int = 0
    decisions: int = 0
    errors: list[Any] = field(default_factory=list)


def confirm(run: SelectionRun, *, actor, reason: str = "") -> ConfirmOutcome:
    """Confirm the latest run: every proposal moves to its outcome, selected ones get their decisions.

    Refused when the final outcomes would exceed an envelope (adjustments can break one), when a
    newer run exists or when the run is already confirmed. Decisions that cannot be computed (a
    partner without a rate in the call's table) are reported, not silently skipped; officers
    compute them again from the decisions page once the table is fixed.
    """
    from . import decisions

    _require(actor, "selection.confirm", run)
    with transaction.atomic():
        locked = SelectionRun.objects.select_for_update(of=("self",)).select_related("call").get(pk=run.pk)
        if locked.confirmed_at is not None:
            raise _refuse(_("This selection run is already confirmed."), "confirmed")
        if latest_run(locked.call) != locked:
            raise _refuse(_("A newer selection run exists: confirm that one."), "stale_run")
        if _decided_in(locked.call):
            raise _refuse(
                _("Funders have already decided aid in this call: the selection is closed."), "decided"
            )
        items = list(locked.items.select_related("project").order_by("rank", "pk"))
        overruns = envelope_overruns(locked, items)
        if overruns:
            raise _refuse(
                _("The selected proposals exceed the envelope of %(funders)s: adjust the outcomes first.")
                % {"funders": ", ".join(o["funder"] for o in overruns)},
                "envelope",
            )
        outcome = ConfirmOutcome(run=locked)
        default_reason = reason.strip() or str(_("Selection run confirmed."))
        # Leave first, then enter: a proposal leaving "selected" cancels its proposed decisions.
        order = {
            SelectionItem.Outcome.REJECTED: 0,
            SelectionItem.Outcome.RESERVE: 1,
            SelectionItem.Outcome.SELECTED: 2,
        }
        for item in sorted(items, key=lambda i: order[i.outcome]):
            if _apply(item, actor, item.adjustment_reason or default_reason):
                outcome.moved += 1
        locked.confirmed_at = timezone.now()
        locked.confirmed_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.save()
        audit.record(
            "selection.selectionrun.confirm",
            locked,
            actor=actor,
            after={"confirmed_at": locked.confirmed_at, "moved": outcome.moved},
            reason=reason,
        )
        computed = decisions.compute(locked.call, actor=actor)
        outcome.decisions = len(computed.created)
        outcome.errors = computed.errors
        _notify_outcomes(locked.call, items)
    return outcome
