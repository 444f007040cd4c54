"""Budget-constrained selection of proposals: an exact MILP (scipy's HiGHS) with greedy-by-rank beside it.

Why this module exists: once experts have scored the proposals of a call, the funders must choose
which ones to finance within their envelopes and the call's policy constraints. Ranking and cutting
at the budget line (greedy) wastes money whenever a big proposal blocks several smaller ones that
together score more; the MILP finds the best combination and proves it, and every proposal gets a
reason for being in or out that an officer can read.

Plain Python over plain data: no Django import. The CLI, the pages and the tests call `select()`.

The model
---------
One binary variable per proposal. A selected proposal receives the aid it asks of *every* funder
(all-or-nothing across funders is structural: a proposal is funded only if every funder it asks
funds it). Subject to:

* envelopes: for each funder F, the sum of aid asked of F by selected proposals <= F's envelope;
* cluster cap (optional): for each cluster, the total aid (all funders) of its selected
  proposals <= `max_aid_per_cluster`; proposals without a cluster are not capped;
* SME share (optional): SME aid / total aid of the selection >= `min_sme_share`, written
  linearly as ``sum(sme_aid) - min_sme_share * sum(aid) >= 0``. The empty selection satisfies
  it (0 >= 0), so the model is never infeasible: when no non-empty selection can meet the
  floor, the answer is the empty selection and every proposal says the SME share keeps it out;
* threshold (optional): only proposals with score >= `min_score` are candidates.

Objective: maximise the sum of the selected proposals' scores, or, when the call says so
(`objective="score_per_euro"`), the sum of each selected proposal's score divided by its
total aid (value for money; proposals must then ask for positive aid).

Greedy by rank
--------------
Proposals are ranked by the objective's key (score, or score per euro) descending, ties broken
by id. Each proposal is taken when the selection stays feasible after adding it. The SME floor
cannot be judged on a partial selection the way an envelope can, so greedy keeps the selection
feasible at every step: a proposal that would pull the SME share under the floor is refused for
now, and every refusal of that kind is retried (in rank order) after later, SME-rich proposals
raised the share, until a pass accepts nothing. Envelope and cluster refusals are final, since
accepting more only uses more budget.

Guarantees
----------
* The returned selection respects every constraint: the solver's answer is re-checked in the
  original euros (to float rounding, 1e-9 relative) and repaired if HiGHS's own tolerances let it
  overshoot a limit.
* It is never worse than greedy: if the solver stops (time limit) with an incumbent worse
  than greedy, the greedy selection is returned and `source` says "greedy".
* After the solver, any candidate that still fits is added in rank order ("fill"), so a
  truncated solve never leaves money on the table that a feasible proposal could use.
* A selected proposal that adds nothing to the objective (score 0) is dropped unless the SME
  floor needs it: the solver is indifferent to it, the public purse is not.
* Results are deterministic: proposals are sorted by id before the model is built, ranks break
  ties by id, and HiGHS is deterministic on identical input.
"""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

Objective = Literal["score", "score_per_euro"]

#: Relative tolerance for comparing sums of euros with a limit: float rounding only.
REL_TOL = 1e-9
#: Default wall-clock limit of the solver, seconds.
DEFAULT_TIME_LIMIT = 20.0

# Reason codes of an explanation. Stable strings: pages and the API key their messages on them.
SELECTED = "selected"
BELOW_THRESHOLD = "below_threshold"
ENVELOPE = "envelope"
CLUSTER_CAP = "cluster_cap"
SME_SHARE = "sme_share"
TRADE_OFF = "trade_off"
NO_GAIN = "no_gain"
REASONS = (SELECTED, BELOW_THRESHOLD, ENVELOPE, CLUSTER_CAP, SME_SHARE, TRADE_OFF, NO_GAIN)


@dataclass(frozen=True)
class Proposal:
    """A scored proposal as the selection sees it: what it asks of each funder and who gets it.

    `aid` maps a funder to the aid asked of it; `sme_aid` maps a funder to the part of that aid
    going to SMEs (missing funders count as 0). `cluster` is the labelling cluster the cluster cap
    counts the proposal against (None: not capped).
    """

    id: str
    score: float
    aid: Mapping[str, float]
    sme_aid: Mapping[str, float] = field(default_factory=dict)
    cluster: str | None = None

    @property
    def total_aid(self) -> float:
        """Aid asked of all funders together: what the cluster cap and the SME share count."""
        return math.fsum(self.aid.values())

    @property
    def total_sme_aid(self) -> float:
        """The part of the total aid going to SMEs."""
        return math.fsum(self.sme_aid.values())


@dataclass(frozen=True)
class Constraints:
    """A call's optional policy constraints and its objective (all optional; None = no constraint)."""

    min_sme_share: float | None = None
    max_aid_per_cluster: float | None = None
    min_score: float | None = None
    objective: Objective = "score"


@dataclass(frozen=True)
class Explanation:
    """Why one proposal is in or out: a stable reason code, its figures, and every constraint that blocks it.

    `blocking` lists the constraints that adding the proposal to the final selection would break,
    each a dict with the figures (`constraint`: "envelope" | "cluster_cap" | "sme_share", ...).
    `details` holds the figures of the primary reason (e.g. `funder`, `remaining`, `asked`).
    """

    proposal_id: str
    selected: bool
    reason: str
    rank: int
    details: dict[str, Any] = field(default_factory=dict)
    blocking: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class SelectionResult:
    """What `select()` found, with everything an officer needs to trust and adjust it.

    `gap` is (bound - objective) / max(|bound|, |objective|): 0 when proven optimal, the remaining
    distance to the solver's proven bound otherwise (if the solver stopped before proving any
    bound, `bound` is the sum of the candidates' positive values).
    `source` is "milp" or "greedy" (greedy was better than the solver's truncated incumbent).
    `selected` and `greedy_selected` are in rank order.
    """

    selected: tuple[str, ...]
    objective: float
    status: str
    gap: float
    bound: float
    solve_seconds: float
    total_seconds: float
    source: str
    greedy_selected: tuple[str, ...]
    greedy_objective: float
    explanations: tuple[Explanation, ...]
    binding: tuple[dict[str, Any], ...]
    usage: dict[str, Any]
    objective_kind: Objective = "score"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (the CLI's output and the API's body)."""
        out = asdict(self)
        out["selected"] = list(self.selected)
        out["greedy_selected"] = list(self.greedy_selected)
        out["explanations"] = [asdict(e) | {"blocking": list(e.blocking)} for e in self.explanations]
        out["binding"] = list(self.binding)
        return out


class _Instance:
    """The proposals as arrays in rank order, with the constraints' data: shared by greedy, MILP and explanations."""

    def __init__(
        self, proposals: Sequence[Proposal], envelopes: Mapping[str, float], constraints: Constraints
    ):
        _validate(proposals, envelopes, constraints)
        self.constraints = constraints
        self.funders = sorted(envelopes)
        self.env = np.array([float(envelopes[f]) for f in self.funders])
        fidx = {f: k for k, f in enumerate(self.funders)}

        by_id = sorted(proposals, key=lambda p: p.id)
        totals = np.array([p.total_aid for p in by_id])
        scores = np.array([float(p.score) for p in by_id])
        coef = scores / totals if constraints.objective == "score_per_euro" else scores
        # Rank: objective key descending, then id ascending (by_id is already in id order; stable sort).
        order = np.argsort(-coef, kind="stable")
        self.proposals = [by_id[k] for k in order]
        self.ids = [p.id for p in self.proposals]
        self.n = len(self.proposals)
        self.coef = coef[order]
        self.score = scores[order]
        self.total = totals[order]
        self.aid = np.zeros((self.n, len(self.funders)))
        for i, p in enumerate(self.proposals):
            for f, a in p.aid.items():
                self.aid[i, fidx[f]] = float(a)
        self.sme = np.array([p.total_sme_aid for p in self.proposals])

        clusters = sorted({p.cluster for p in self.proposals if p.cluster is not None})
        cidx = {c: k for k, c in enumerate(clusters)}
        self.clusters = clusters
        self.cl = np.array(
            [cidx[p.cluster] if p.cluster is not None else -1 for p in self.proposals], dtype=int
        )
        self.cap = constraints.max_aid_per_cluster
        if self.cap is not None and not clusters:
            self.cap = None

        self.share = constraints.min_sme_share or 0.0
        # SME-share contribution of each proposal to the linear form sum(sme) - share * sum(aid) >= 0.
        self.d = self.sme - self.share * self.total

        ms = constraints.min_score
        self.above = np.ones(self.n, dtype=bool) if ms is None else self.score >= ms
        self.tol_env = REL_TOL * np.maximum(1.0, self.env)
        self.tol_cap = REL_TOL * max(1.0, self.cap or 0.0)
        self.tol_sme = REL_TOL * max(1.0, float(self.total.sum()))
        alone_env = (self.aid > self.env + self.tol_env).any(axis=1)
        alone_cap = np.zeros(self.n, dtype=bool)
        if self.cap is not None:
            alone_cap = (self.cl >= 0) & (self.total > self.cap + self.tol_cap)
        #: Candidates of the model: above the threshold and able to fit on their own.
        self.candidate = self.above & ~alone_env & ~alone_cap

    # -- feasibility of a set given as a boolean mask over the rank order --------------------------

    def state(self, sel: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Aid used per funder, aid used per cluster and SME slack of a selection."""
        used = self.aid[sel].sum(axis=0)
        cl_used = np.zeros(len(self.clusters))
        mask = sel & (self.cl >= 0)
        np.add.at(cl_used, self.cl[mask], self.total[mask])
        slack = float(self.d[sel].sum())
        return used, cl_used, slack

    def violations(self, sel: np.ndarray) -> list[dict[str, Any]]:
        """Every constraint a selection breaks (empty list: feasible)."""
        used, cl_used, slack = self.state(sel)
        out: list[dict[str, Any]] = []
        for k, f in enumerate(self.funders):
            if used[k] > self.env[k] + self.tol_env[k]:
                out.append({"constraint": ENVELOPE, "funder": f, "limit": self.env[k], "used": used[k]})
        if self.cap is not None:
            for k, c in enumerate(self.clusters):
                if cl_used[k] > self.cap + self.tol_cap:
                    out.append(
                        {"constraint": CLUSTER_CAP, "cluster": c, "limit": self.cap, "used": cl_used[k]}
                    )
        if self.share > 0 and slack < -self.tol_sme:
            out.append({"constraint": SME_SHARE, "min_share": self.share, "slack": slack})
        if (sel & ~self.candidate).any():
            out.append(
                {
                    "constraint": "candidate",
                    "ids": [self.ids[i] for i in np.flatnonzero(sel & ~self.candidate)],
                }
            )
        return out

    def objective(self, sel: np.ndarray) -> float:
        """Objective value of a selection, summed exactly."""
        return math.fsum(self.coef[sel].tolist())

    def fill(self, sel: np.ndarray) -> np.ndarray:
        """Add candidates with a positive objective in rank order while the selection stays feasible.

        From an empty selection this *is* greedy-by-rank; after the solver it adds whatever still
        fits (a truncated solve then never leaves usable money). SME refusals are retried after
        each pass that accepted something, as the module docstring explains.
        """
        sel = sel.copy()
        used, cl_used, slack = self.state(sel)
        rem = self.env - used
        pending = [i for i in range(self.n) if not sel[i] and self.candidate[i] and self.coef[i] > 0]
        while pending:
            retry: list[int] = []
            accepted = False
            for i in pending:
                if (self.aid[i] > rem + self.tol_env).any():
                    continue
                c = self.cl[i]
                if self.cap is not None and c >= 0 and cl_used[c] + self.total[i] > self.cap + self.tol_cap:
                    continue
                if self.share > 0 and slack + self.d[i] < -self.tol_sme:
                    retry.append(i)
                    continue
                sel[i] = True
                rem = rem - self.aid[i]
                if c >= 0:
                    cl_used[c] += self.total[i]
                slack += self.d[i]
                accepted = True
            if not accepted:
                break
            pending = retry
        return sel

    def prune(self, sel: np.ndarray) -> np.ndarray:
        """Drop selected proposals that add nothing (objective <= 0) when the rest stays feasible.

        The solver is indifferent to a zero-score proposal; the programme is not: money spent on it
        is money not returned. Kept only when the SME floor needs it.
        """
        sel = sel.copy()
        for i in np.flatnonzero(sel & (self.coef <= 0))[::-1]:
            sel[i] = False
            if self.violations(sel):
                sel[i] = True
        return sel

    def repair(self, sel: np.ndarray) -> np.ndarray:
        """Make a slightly infeasible solver answer feasible by dropping its weakest culprits.

        HiGHS works to a feasibility tolerance; a rounded answer may overshoot a limit by a few
        euros. Rare, but the engine promises every returned set respects every constraint.
        """
        sel = sel & self.candidate
        for _ in range(self.n):
            viol = self.violations(sel)
            if not viol:
                return sel
            v = viol[0]
            if v["constraint"] == ENVELOPE:
                culprits = sel & (self.aid[:, self.funders.index(v["funder"])] > 0)
            elif v["constraint"] == CLUSTER_CAP:
                culprits = sel & (self.cl == self.clusters.index(v["cluster"]))
            else:
                culprits = sel & (self.d < 0)
            # Drop the last-ranked culprit: the least valuable by the call's own key.
            sel[np.flatnonzero(culprits)[-1]] = False
        return sel


def _validate(
    proposals: Sequence[Proposal], envelopes: Mapping[str, float], constraints: Constraints
) -> None:
    """Reject data the model cannot honestly answer, with a message naming the culprit."""
    seen: set[str] = set()
    for p in proposals:
        if p.id in seen:
            raise ValueError(f"duplicate proposal id {p.id!r}")
        seen.add(p.id)
        if not math.isfinite(p.score):
            raise ValueError(f"proposal {p.id!r}: score must be a finite number")
        for f, a in p.aid.items():
            if f not in envelopes:
                raise ValueError(f"proposal {p.id!r} asks funder {f!r}, which has no envelope")
            if not (math.isfinite(a) and a >= 0):
                raise ValueError(f"proposal {p.id!r}: aid asked of {f!r} must be finite and >= 0")
        for f, s in p.sme_aid.items():
            if not (math.isfinite(s) and 0 <= s <= p.aid.get(f, 0.0) * (1 + REL_TOL)):
                raise ValueError(
                    f"proposal {p.id!r}: SME aid from {f!r} must lie between 0 and the aid asked"
                )
        if constraints.objective == "score_per_euro" and not p.total_aid > 0:
            raise ValueError(f"proposal {p.id!r}: score per euro needs a positive total aid")
    for f, e in envelopes.items():
        if not (math.isfinite(e) and e >= 0):
            raise ValueError(f"envelope of {f!r} must be finite and >= 0")
    s = constraints.min_sme_share
    if s is not None and not 0 <= s <= 1:
        raise ValueError("min_sme_share must lie between 0 and 1")
    cap = constraints.max_aid_per_cluster
    if cap is not None and not (math.isfinite(cap) and cap >= 0):
        raise ValueError("max_aid_per_cluster must be finite and >= 0")
    if constraints.min_score is not None and not math.isfinite(constraints.min_score):
        raise ValueError("min_score must be a finite number")
    if constraints.objective not in ("score", "score_per_euro"):
        raise ValueError("objective must be 'score' or 'score_per_euro'")


def greedy(
    proposals: Sequence[Proposal], envelopes: Mapping[str, float], constraints: Constraints | None = None
) -> tuple[tuple[str, ...], float]:
    """Greedy-by-rank selection (the baseline officers know): ids in rank order and objective."""
    inst = _Instance(proposals, envelopes, constraints or Constraints())
    sel = inst.fill(np.zeros(inst.n, dtype=bool))
    return tuple(inst.ids[i] for i in np.flatnonzero(sel)), inst.objective(sel)


def _solve_milp(inst: _Instance, time_limit: float | None, rel_gap: float):
    """Build the sparse model over the candidates and run HiGHS; returns (mask or None, status, bound, seconds)."""
    cand = np.flatnonzero(inst.candidate)
    m = len(cand)
    if m == 0:
        return np.zeros(inst.n, dtype=bool), "optimal", 0.0, 0.0
    coef = inst.coef[cand]
    # Score-per-euro coefficients are ~1e-5: bring them near 1 so HiGHS's absolute tolerances mean
    # something. Plain scores are left as they are: HiGHS then sees that the objective takes values
    # on a grid (scores with two decimals) and uses it to close the gap sooner.
    top = float(np.abs(coef).max())
    scale = top if top > 0 and not 1e-2 <= top <= 1e4 else 1.0

    rows, cols, vals, ub, lb = [], [], [], [], []
    r = 0
    aid = inst.aid[cand]
    for k in range(len(inst.funders)):
        col = aid[:, k]
        nz = np.flatnonzero(col > 0)
        # A funder whose whole demand fits its envelope cannot bind: leave the row out.
        if col[nz].sum() <= inst.env[k] + inst.tol_env[k]:
            continue
        norm = inst.env[k] if inst.env[k] > 0 else 1.0
        rows.append(np.full(len(nz), r))
        cols.append(nz)
        vals.append(col[nz] / norm)
        lb.append(-np.inf)
        ub.append(inst.env[k] / norm)
        r += 1
    if inst.cap is not None:
        cl = inst.cl[cand]
        tot = inst.total[cand]
        norm = inst.cap if inst.cap > 0 else 1.0
        for c in range(len(inst.clusters)):
            nz = np.flatnonzero((cl == c) & (tot > 0))
            if tot[nz].sum() <= inst.cap + inst.tol_cap:
                continue
            rows.append(np.full(len(nz), r))
            cols.append(nz)
            vals.append(tot[nz] / norm)
            lb.append(-np.inf)
            ub.append(inst.cap / norm)
            r += 1
    if inst.share > 0:
        d = inst.d[cand]
        if (d < 0).any():
            nz = np.flatnonzero(d != 0)
            norm = float(np.abs(d).max())
            rows.append(np.full(len(nz), r))
            cols.append(nz)
            vals.append(d[nz] / norm)
            lb.append(0.0)
            ub.append(np.inf)
            r += 1

    constraints = []
    if r:
        a = sparse.csr_array(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(r, m)
        )
        constraints.append(LinearConstraint(a, np.array(lb), np.array(ub)))
    options: dict[str, Any] = {"presolve": True, "mip_rel_gap": rel_gap}
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    start = time.perf_counter()
    res = milp(
        -coef / scale,
        integrality=np.ones(m),
        bounds=Bounds(0, 1),
        constraints=constraints,
        options=options,
    )
    seconds = time.perf_counter() - start

    bound = None
    if res.get("mip_dual_bound") is not None and math.isfinite(res.mip_dual_bound):
        bound = -float(res.mip_dual_bound) * scale
    status = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded"}.get(res.status, "error")
    if res.status == 1 and "time" not in (res.message or "").lower():
        status = "node_limit"
    if res.x is None:
        return None, status, bound, seconds
    sel = np.zeros(inst.n, dtype=bool)
    sel[cand[np.asarray(res.x) > 0.5]] = True
    return sel, status, bound, seconds


def select(
    proposals: Sequence[Proposal],
    envelopes: Mapping[str, float],
    constraints: Constraints | None = None,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    rel_gap: float = 0.0,
) -> SelectionResult:
    """Choose the proposals that maximise the call's objective under its envelopes and constraints.

    `time_limit` bounds the solver (seconds; None: no limit); `rel_gap` lets it stop once the
    incumbent is within that relative distance of its bound (0: prove optimality). Raises
    ValueError on data the model cannot answer (unknown funder, negative aid, SME aid > aid...).
    """
    start = time.perf_counter()
    constraints = constraints or Constraints()
    inst = _Instance(proposals, envelopes, constraints)

    greedy_sel = inst.fill(np.zeros(inst.n, dtype=bool))
    greedy_obj = inst.objective(greedy_sel)

    sel, status, bound, seconds = _solve_milp(inst, time_limit, rel_gap)
    source = "milp"
    if sel is None:
        sel, source = greedy_sel.copy(), "greedy"
    else:
        if inst.violations(sel):
            sel = inst.repair(sel)
        sel = inst.prune(inst.fill(sel))
        if inst.objective(sel) < greedy_obj:
            sel, source = greedy_sel.copy(), "greedy"
    objective = inst.objective(sel)
    if bound is None:
        # No bound from the solver (stopped before its first relaxation): the sum of every
        # candidate's positive value is a weak but valid one, so the gap is still a number.
        bound = (
            objective if status == "optimal" else math.fsum(np.maximum(inst.coef[inst.candidate], 0).tolist())
        )
    bound = max(bound, objective)
    denom = max(abs(bound), abs(objective))
    gap = 0.0 if denom == 0 else (bound - objective) / denom
    if gap <= 1e-9:
        gap = 0.0
    if status == "optimal" and gap:
        # HiGHS stopped at the relative gap it was asked for, not at a proof of optimality.
        status = "gap_limit"

    explanations, binding, usage = _explain(inst, sel)
    return SelectionResult(
        selected=tuple(inst.ids[i] for i in np.flatnonzero(sel)),
        objective=objective,
        status=status,
        gap=gap,
        bound=bound,
        solve_seconds=seconds,
        total_seconds=time.perf_counter() - start,
        source=source,
        greedy_selected=tuple(inst.ids[i] for i in np.flatnonzero(greedy_sel)),
        greedy_objective=greedy_obj,
        explanations=tuple(explanations),
        binding=tuple(binding),
        usage=usage,
        objective_kind=constraints.objective,
    )


def _explain(inst: _Instance, sel: np.ndarray):
    """Per-proposal reasons, the binding constraints and the usage of every limit, for a feasible selection.

    For an excluded proposal, `blocking` lists what adding it to the final selection would break.
    The primary reason is `trade_off` when every blocking envelope or cluster cap would have had
    room for it given only the *higher-ranked* selected proposals: lower-ranked proposals took
    the budget because together they score more. Otherwise it is the first blocking limit that
    higher-ranked proposals (or the proposal's own size) exhausted.
    """
    used, cl_used, slack = inst.state(sel)
    rem = inst.env - used
    sme_sum = float(inst.sme[sel].sum())
    aid_sum = float(inst.total[sel].sum())
    # Usage by selected proposals ranked strictly above each proposal (exclusive prefix sums).
    pre_env = np.cumsum(inst.aid * sel[:, None], axis=0) - inst.aid * sel[:, None]
    pre_cl = np.zeros(inst.n)
    running = np.zeros(len(inst.clusters))
    for i in range(inst.n):
        c = inst.cl[i]
        if c >= 0:
            pre_cl[i] = running[c]
            if sel[i]:
                running[c] += inst.total[i]

    explanations: list[Explanation] = []
    blocked_count: dict[tuple[str, str], int] = {}
    for i, pid in enumerate(inst.ids):
        if sel[i]:
            explanations.append(Explanation(pid, True, SELECTED, i + 1))
            continue
        if not inst.above[i]:
            details = {"score": float(inst.score[i]), "min_score": inst.constraints.min_score}
            explanations.append(Explanation(pid, False, BELOW_THRESHOLD, i + 1, details))
            continue
        blocking: list[dict[str, Any]] = []
        primary: dict[str, Any] | None = None
        resource_blocks_with_room = True
        for k, f in enumerate(inst.funders):
            asked = float(inst.aid[i, k])
            if asked > 0 and asked > rem[k] + inst.tol_env[k]:
                alone = asked > inst.env[k] + inst.tol_env[k]
                room_above = asked <= inst.env[k] - pre_env[i, k] + inst.tol_env[k]
                b = {
                    "constraint": ENVELOPE,
                    "funder": f,
                    "limit": float(inst.env[k]),
                    "remaining": float(rem[k]),
                    "asked": asked,
                    "alone": bool(alone),
                }
                blocking.append(b)
                if not room_above:
                    resource_blocks_with_room = False
                    if primary is None or (alone and not primary.get("alone")):
                        primary = b
        c = inst.cl[i]
        if inst.cap is not None and c >= 0 and cl_used[c] + inst.total[i] > inst.cap + inst.tol_cap:
            alone = inst.total[i] > inst.cap + inst.tol_cap
            room_above = pre_cl[i] + inst.total[i] <= inst.cap + inst.tol_cap
            b = {
                "constraint": CLUSTER_CAP,
                "cluster": inst.clusters[c],
                "limit": float(inst.cap),
                "used": float(cl_used[c]),
                "asked": float(inst.total[i]),
                "alone": bool(alone),
            }
            blocking.append(b)
            if not room_above:
                resource_blocks_with_room = False
                if primary is None or (alone and not primary.get("alone")):
                    primary = b
        sme_blocks = inst.share > 0 and slack + inst.d[i] < -inst.tol_sme
        if sme_blocks:
            after_aid = aid_sum + inst.total[i]
            b = {
                "constraint": SME_SHARE,
                "min_share": inst.share,
                "share_after": (sme_sum + inst.sme[i]) / after_aid if after_aid > 0 else 0.0,
                "share_now": sme_sum / aid_sum if aid_sum > 0 else None,
            }
            blocking.append(b)

        if not blocking:
            # Fits, yet left out: only when it adds nothing to the objective (fill takes the rest).
            explanations.append(
                Explanation(pid, False, NO_GAIN, i + 1, {"objective_value": float(inst.coef[i])})
            )
            continue
        if inst.coef[i] > 0:
            for b in blocking:
                key = (b["constraint"], b.get("funder") or b.get("cluster") or "")
                blocked_count[key] = blocked_count.get(key, 0) + 1
        resources = [b for b in blocking if b["constraint"] != SME_SHARE]
        if resources and resource_blocks_with_room:
            below = sel & (np.arange(inst.n) > i)
            uses = np.zeros(inst.n, dtype=bool)
            for b in resources:
                if b["constraint"] == ENVELOPE:
                    uses |= inst.aid[:, inst.funders.index(b["funder"])] > 0
                else:
                    uses |= inst.cl == inst.clusters.index(b["cluster"])
            displaced = np.flatnonzero(below & uses)
            details = {
                "displaced_by": [inst.ids[j] for j in displaced[:5]],
                "displaced_count": len(displaced),
                "displaced_objective": math.fsum(inst.coef[displaced].tolist()),
                "objective_value": float(inst.coef[i]),
            }
            explanations.append(Explanation(pid, False, TRADE_OFF, i + 1, details, tuple(blocking)))
            continue
        if primary is None:
            primary = blocking[0]
        details = {k: v for k, v in primary.items() if k != "constraint"}
        explanations.append(Explanation(pid, False, primary["constraint"], i + 1, details, tuple(blocking)))

    binding: list[dict[str, Any]] = []
    envelopes_usage = []
    for k, f in enumerate(inst.funders):
        row = {"funder": f, "limit": float(inst.env[k]), "used": float(used[k]), "slack": float(rem[k])}
        envelopes_usage.append(row)
        n_blocked = blocked_count.get((ENVELOPE, f), 0)
        if n_blocked:
            binding.append({"constraint": ENVELOPE} | row | {"blocked": n_blocked})
    clusters_usage = []
    if inst.cap is not None:
        for k, c in enumerate(inst.clusters):
            row = {
                "cluster": c,
                "limit": float(inst.cap),
                "used": float(cl_used[k]),
                "slack": float(inst.cap - cl_used[k]),
            }
            clusters_usage.append(row)
            n_blocked = blocked_count.get((CLUSTER_CAP, c), 0)
            if n_blocked:
                binding.append({"constraint": CLUSTER_CAP} | row | {"blocked": n_blocked})
    sme_usage = None
    if inst.share > 0:
        sme_usage = {
            "min_share": inst.share,
            "share": sme_sum / aid_sum if aid_sum > 0 else None,
            "sme_aid": sme_sum,
            "aid": aid_sum,
            "slack": slack,
        }
        n_blocked = blocked_count.get((SME_SHARE, ""), 0)
        if n_blocked:
            binding.append({"constraint": SME_SHARE} | sme_usage | {"blocked": n_blocked})
    usage = {"envelopes": envelopes_usage, "clusters": clusters_usage, "sme_share": sme_usage}
    return explanations, binding, usage


@contextlib.contextmanager
def solver_output_to_stderr() -> Iterator[None]:
    """Send what HiGHS prints straight to file descriptor 1 to stderr, so stdout stays clean JSON.

    HiGHS 1.x prints some diagnostics from C++ to the process's stdout. Use this around `select()`
    in command-line programs only: it swaps a process-wide descriptor, so a threaded server must not.
    """
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ else 1
        saved = os.dup(fd)
    except (OSError, ValueError, AttributeError):
        yield
        return
    try:
        sys.stdout.flush()
        os.dup2(2, fd)
        yield
    finally:
        with contextlib.suppress(Exception):
            ctypes.CDLL(None).fflush(None)
        os.dup2(saved, fd)
        os.close(saved)
