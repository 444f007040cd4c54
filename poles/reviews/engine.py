"""Review engines: conflicts of interest, reviewer assignment, score aggregation and ranking.

Plain Python over plain data, like the calls engines (only ``django.utils.translation`` is
imported, for lazy bilingual messages). The Django layer builds the inputs from its models,
calls these functions, stores the outputs and writes the audit events.

Conflicts of interest (`find_conflicts`, `conflict_map`): a reviewer is conflicted on a proposal
when
- ``same_organisation``: the reviewer's organisation is in the consortium;
- ``linked_organisation``: an organisation linked to the reviewer's, directly or through a
  chain of links (a group of linked enterprises), is in the consortium;
- ``co_participation``: the reviewer's organisation took part in a project together with a
  consortium member in a year within `window_years` (5) of the proposal's reference year (its
  submission year), i.e. project year >= reference year - 5; later years count too;
- ``governance_role``: the reviewer holds a governance role in a cluster asked to label the
  proposal (whatever its answer: a cluster that declined may still have a stake) or in its
  lead cluster;
- ``declared``: the reviewer's signed declaration names the proposal or a consortium member.

Assignment (`assign`): never a conflicted pair (such pairs are not even variables), each
proposal gets up to `per_proposal` reviewers, each reviewer at most its load limit. Solved as
two exact integer programmes with scipy's HiGHS (`scipy.optimize.milp`): first the largest
possible number of assignments, then, keeping that number, the best expertise match (Jaccard
similarity of normalised keywords) minus a convex load penalty (the j-th proposal of a reviewer
costs `balance_weight * j`), which spreads the work evenly when expertise does not decide.
Inputs are sorted by id first, so the result does not depend on their order.

Scores (`aggregate_scores`): per criterion the mean of the scores given, with "not applicable"
(None) left out rather than counted as 0; a consensus score agreed by the panel replaces the
mean of its criterion; the overall score is the weighted mean over the criteria that apply,
the weights being renormalised over those criteria. Thresholds apply per criterion and
overall. `rank` orders a call's proposals deterministically.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
from django.utils.translation import gettext_lazy as _
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from poles.calls.engine.criteria import EvaluationGrid, parse_evaluation
from poles.calls.engine.facts import ProposalFacts, to_decimal
from poles.calls.engine.messages import Message, Number, plain

CONFLICT_CODES: tuple[str, ...] = (
    "same_organisation",
    "linked_organisation",
    "co_participation",
    "governance_role",
    "declared",
)
CO_PARTICIPATION_YEARS = 5


# --------------------------------------------------------------------------- reviewers and keywords


@functools.lru_cache(maxsize=8192)
def normalise_keyword(keyword: str) -> str:
    """Keywords compare without case, accents or punctuation: "Énergie solaire" = "energie-solaire".

    Cached: a call's assignment compares the same few hundred keywords tens of thousands of times.
    """
    decomposed = unicodedata.normalize("NFKD", keyword)
    plain_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\W_]+", " ", plain_text.casefold()).strip()


def keyword_set(keywords: Iterable[str]) -> frozenset[str]:
    """The normalised, non-empty keywords of a reviewer or a proposal."""
    return frozenset(k for k in (normalise_keyword(word) for word in keywords) if k)


@dataclass(frozen=True)
class Reviewer:
    """A reviewer of the pool: organisation, expertise keywords, load limit, signed declaration.

    `org_id` is None for an independent expert. `declared_proposals` and `declared_orgs` come
    from the reviewer's signed conflict-of-interest declaration; `max_load` overrides the
    call-wide load limit for this reviewer.
    """

    reviewer_id: str
    org_id: str | None = None
    keywords: frozenset[str] = frozenset()
    max_load: int | None = None
    declared_proposals: frozenset[str] = frozenset()
    declared_orgs: frozenset[str] = frozenset()
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "reviewer_id", str(self.reviewer_id))
        if self.org_id is not None:
            object.__setattr__(self, "org_id", str(self.org_id))
        object.__setattr__(self, "keywords", keyword_set(self.keywords))
        object.__setattr__(self, "declared_proposals", frozenset(str(p) for p in self.declared_proposals))
        object.__setattr__(self, "declared_orgs", frozenset(str(o) for o in self.declared_orgs))
        if self.max_load is not None and self.max_load < 0:
            raise ValueError("max_load must not be negative")


# --------------------------------------------------------------------------- conflicts


@dataclass(frozen=True)
class Conflict:
    """One reason why a reviewer may not review a proposal: a code, a bilingual text, figures."""

    code: str
    message: Message
    figures: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot for the conflict record shown to officers."""
        return {"code": self.code, "message": self.message.as_dict(), "figures": plain(self.figures)}


def linked_groups(links: Iterable[tuple[Any, Any]]) -> dict[str, frozenset[str]]:
    """Organisations linked directly or through a chain, as organisation -> its whole group.

    Links are undirected pairs (parent and subsidiary, members of one group); a chain of links
    makes one group, as in the EU rule where linked enterprises count together.
    """
    parent: dict[str, str] = {}

    def root(org: str) -> str:
        while parent.setdefault(org, org) != org:
            parent[org] = parent[parent[org]]
            org = parent[org]
        return org

    for a, b in links:
        ra, rb = root(str(a)), root(str(b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[str, set[str]] = {}
    for org in list(parent):
        members.setdefault(root(org), set()).add(org)
    return {org: frozenset(members[root(org)]) for org in parent}


def _reference_year(facts: ProposalFacts, reference_year: int | None) -> int:
    if reference_year is not None:
        return reference_year
    moment = facts.submitted_at or facts.deadline
    if moment is None:
        raise ValueError("give reference_year, or a submission date or deadline in the proposal facts")
    return moment.year


def find_conflicts(
    reviewer: Reviewer,
    facts: ProposalFacts,
    history: Iterable[tuple[int, Iterable[Any]]] = (),
    links: Iterable[tuple[Any, Any]] | Mapping[str, frozenset[str]] = (),
    governance: Iterable[tuple[Any, Any]] = (),
    window_years: int = CO_PARTICIPATION_YEARS,
    reference_year: int | None = None,
) -> list[Conflict]:
    """Every conflict of interest of `reviewer` on the proposal `facts` (empty: none).

    `history` lists past projects as ``(year, organisation ids)``; `links` are pairs of linked
    organisations (or the output of `linked_groups`); `governance` lists
    ``(reviewer id, cluster id)`` governance roles. The reference year is the proposal's
    submission year (or its deadline's) unless given.
    """
    consortium = facts.org_ids
    conflicts: list[Conflict] = []
    org = reviewer.org_id
    groups = links if isinstance(links, Mapping) else linked_groups(links)
    who = {"reviewer": reviewer.name or reviewer.reviewer_id}
    if org is not None and org in consortium:
        conflicts.append(
            Conflict(
                "same_organisation",
                Message(
                    _("%(reviewer)s works for %(org)s, a member of the consortium."), {**who, "org": org}
                ),
                {"org": org},
            )
        )
    if org is not None:
        linked = sorted((groups.get(org, frozenset()) - {org}) & consortium)
        if linked:
            conflicts.append(
                Conflict(
                    "linked_organisation",
                    Message(
                        _("%(reviewer)s works for %(org)s, linked to consortium members %(linked)s."),
                        {**who, "org": org, "linked": ", ".join(linked)},
                    ),
                    {"org": org, "linked": linked},
                )
            )
        year0 = _reference_year(facts, reference_year) - window_years
        partners: dict[str, int] = {}
        for year, orgs in history:
            orgs = {str(o) for o in orgs}
            if int(year) < year0 or org not in orgs:
                continue
            for partner in (orgs - {org}) & consortium:
                partners[partner] = max(partners.get(partner, int(year)), int(year))
        if partners:
            names = ", ".join(f"{partner} ({year})" for partner, year in sorted(partners.items()))
            conflicts.append(
                Conflict(
                    "co_participation",
                    Message(
                        _(
                            "%(org)s, the organisation of %(reviewer)s, took part in a project "
                            "with consortium members in the last %(years)s years: %(partners)s."
                        ),
                        {**who, "org": org, "years": window_years, "partners": names},
                    ),
                    {"org": org, "partners": dict(sorted(partners.items())), "since_year": year0},
                )
            )
    clusters = {label.cluster_id for label in facts.labels}
    if facts.lead_cluster_id is not None:
        clusters.add(facts.lead_cluster_id)
    roles = sorted(
        {
            str(cluster)
            for person, cluster in governance
            if str(person) == reviewer.reviewer_id and str(cluster) in clusters
        }
    )
    if roles:
        conflicts.append(
            Conflict(
                "governance_role",
                Message(
                    _("%(reviewer)s has a governance role in %(clusters)s, asked to label this proposal."),
                    {**who, "clusters": ", ".join(roles)},
                ),
                {"clusters": roles},
            )
        )
    declared_orgs = sorted(reviewer.declared_orgs & consortium)
    if facts.proposal_id in reviewer.declared_proposals or declared_orgs:
        conflicts.append(
            Conflict(
                "declared",
                Message(_("%(reviewer)s declared a conflict of interest with this proposal."), who),
                {"orgs": declared_orgs, "proposal": facts.proposal_id in reviewer.declared_proposals},
            )
        )
    return conflicts


def conflict_map(
    reviewers: Iterable[Reviewer],
    proposals: Iterable[ProposalFacts],
    history: Iterable[tuple[int, Iterable[Any]]] = (),
    links: Iterable[tuple[Any, Any]] = (),
    governance: Iterable[tuple[Any, Any]] = (),
    window_years: int = CO_PARTICIPATION_YEARS,
    reference_year: int | None = None,
) -> dict[tuple[str, str], list[Conflict]]:
    """Conflicts for every (reviewer id, proposal id) pair that has some; feed it to `assign`."""
    history = [(int(year), frozenset(str(o) for o in orgs)) for year, orgs in history]
    groups = linked_groups(links)
    governance = [(str(person), str(cluster)) for person, cluster in governance]
    result: dict[tuple[str, str], list[Conflict]] = {}
    reviewers = list(reviewers)
    for facts in proposals:
        for reviewer in reviewers:
            conflicts = find_conflicts(
                reviewer, facts, history, groups, governance, window_years, reference_year
            )
            if conflicts:
                result[(reviewer.reviewer_id, facts.proposal_id)] = conflicts
    return result


# --------------------------------------------------------------------------- assignment


def match_score(reviewer_keywords: Iterable[str], proposal_keywords: Iterable[str]) -> float:
    """Jaccard similarity of normalised keyword sets: shared keywords over all keywords (0..1)."""
    a, b = keyword_set(reviewer_keywords), keyword_set(proposal_keywords)
    union = a | b
    return len(a & b) / len(union) if union else 0.0


@dataclass(frozen=True)
class AssignmentResult:
    """Who reviews what, each reviewer's load, the match scores, and proposals left short.

    `assignments` maps every proposal id to its reviewers (best match first); `shortfalls`
    maps a proposal id to how many reviewers it misses, with a bilingual reason in `messages`.
    """

    assignments: dict[str, tuple[str, ...]]
    loads: dict[str, int]
    scores: dict[tuple[str, str], float]
    shortfalls: dict[str, int]
    messages: dict[str, Message]


def _id_key(value: str) -> tuple[int, int, str]:
    """Numeric ids in numeric order ("9" before "10"), others after, alphabetically."""
    return (0, int(value), value) if value.isdigit() else (1, 0, value)


def assign(
    proposals: Sequence[ProposalFacts],
    reviewers: Sequence[Reviewer],
    per_proposal: int = 3,
    max_load: int | None = None,
    conflicts: Collection[tuple[str, str]] | Mapping[tuple[str, str], Any] = (),
    balance_weight: float = 0.1,
    min_score: float = 0.0,
) -> AssignmentResult:
    """Assign reviewers to proposals automatically (see the module docstring for the method).

    `conflicts` holds (reviewer id, proposal id) pairs that must never be assigned, e.g. the
    keys of `conflict_map`; a reviewer's own declaration (`Reviewer.declared_proposals`) is
    honoured too. `max_load` is the call-wide limit per reviewer (None: no limit), which a
    reviewer's own `max_load` overrides. Pairs whose match is below `min_score` are not used.
    Proposals that cannot get `per_proposal` reviewers are reported in `shortfalls`.
    """
    if per_proposal < 0:
        raise ValueError("per_proposal must not be negative")
    proposals = sorted(proposals, key=lambda p: _id_key(p.proposal_id))
    reviewers = sorted(reviewers, key=lambda r: _id_key(r.reviewer_id))
    forbidden = set(conflicts.keys() if isinstance(conflicts, Mapping) else conflicts)
    capacity = {
        r.reviewer_id: min(
            len(proposals),
            r.max_load if r.max_load is not None else (max_load if max_load is not None else len(proposals)),
        )
        for r in reviewers
    }
    edges: list[tuple[int, int, float]] = []  # (reviewer index, proposal index, score)
    scores: dict[tuple[str, str], float] = {}
    available: dict[str, int] = {p.proposal_id: 0 for p in proposals}
    for pi, proposal in enumerate(proposals):
        for ri, reviewer in enumerate(reviewers):
            pair = (reviewer.reviewer_id, proposal.proposal_id)
            if pair in forbidden or proposal.proposal_id in reviewer.declared_proposals:
                continue
            score = match_score(reviewer.keywords, proposal.keywords)
            if score < min_score or capacity[reviewer.reviewer_id] == 0:
                continue
            edges.append((ri, pi, score))
            scores[pair] = score
            available[proposal.proposal_id] += 1

    chosen = _solve_assignment(
        edges, len(proposals), [capacity[r.reviewer_id] for r in reviewers], per_proposal, balance_weight
    )
    assigned: dict[str, list[str]] = {p.proposal_id: [] for p in proposals}
    loads = {r.reviewer_id: 0 for r in reviewers}
    for ri, pi, _score in (edges[i] for i in chosen):
        assigned[proposals[pi].proposal_id].append(reviewers[ri].reviewer_id)
        loads[reviewers[ri].reviewer_id] += 1
    assignments = {
        pid: tuple(sorted(rids, key=lambda rid, pid=pid: (-scores[(rid, pid)], _id_key(rid))))
        for pid, rids in assigned.items()
    }
    shortfalls, messages = {}, {}
    for pid, rids in assignments.items():
        if len(rids) < per_proposal:
            shortfalls[pid] = per_proposal - len(rids)
            messages[pid] = Message(
                _(
                    "Proposal %(proposal)s has %(count)s of the %(wanted)s reviewers it needs: only %(available)s "
                    "reviewers are free of conflicts, match its topic and have capacity left."
                ),
                {"proposal": pid, "count": len(rids), "wanted": per_proposal, "available": available[pid]},
            )
    return AssignmentResult(
        assignments=assignments, loads=loads, scores=scores, shortfalls=shortfalls, messages=messages
    )


def _solve_assignment(
    edges: list[tuple[int, int, float]],
    n_proposals: int,
    capacities: list[int],
    per_proposal: int,
    balance_weight: float,
) -> list[int]:
    """Indices of the chosen edges: most assignments first, then best match minus load penalty."""
    if not edges or per_proposal == 0:
        return []
    n_edges = len(edges)
    # Slot variables z[r, j] (j = 1..capacity): a reviewer's load is the number of its slots used;
    # slot j costs balance_weight * j, so filling slots in order makes the load penalty convex.
    slot_owner: list[int] = []
    slot_cost: list[float] = []
    for ri, cap in enumerate(capacities):
        for j in range(1, cap + 1):
            slot_owner.append(ri)
            slot_cost.append(balance_weight * j)
    n_vars = n_edges + len(slot_owner)
    rows, cols, vals = [], [], []
    # Proposal rows: sum of its edges <= per_proposal.
    for e, (_ri, pi, _s) in enumerate(edges):
        rows.append(pi)
        cols.append(e)
        vals.append(1.0)
    # Reviewer rows: sum of its edges - sum of its slots == 0.
    for e, (ri, _pi, _s) in enumerate(edges):
        rows.append(n_proposals + ri)
        cols.append(e)
        vals.append(1.0)
    for s, ri in enumerate(slot_owner):
        rows.append(n_proposals + ri)
        cols.append(n_edges + s)
        vals.append(-1.0)
    n_rows = n_proposals + len(capacities)
    matrix = coo_array((vals, (rows, cols)), shape=(n_rows, n_vars)).tocsr()
    lower = np.concatenate([np.full(n_proposals, -np.inf), np.zeros(len(capacities))])
    upper = np.concatenate([np.full(n_proposals, float(per_proposal)), np.zeros(len(capacities))])
    structure = LinearConstraint(matrix, lower, upper)
    integrality = np.ones(n_vars)
    bounds = Bounds(np.zeros(n_vars), np.ones(n_vars))

    # Phase 1: the largest number of assignments.
    cost = np.concatenate([-np.ones(n_edges), np.zeros(len(slot_owner))])
    first = milp(cost, constraints=[structure], integrality=integrality, bounds=bounds)
    if not first.success:
        raise RuntimeError(f"assignment phase 1 failed: {first.message}")
    most = round(-first.fun)
    # Phase 2: keep that many, maximise match minus the load penalty.
    keep = LinearConstraint(
        np.concatenate([np.ones(n_edges), np.zeros(len(slot_owner))]).reshape(1, -1), most, most
    )
    cost = np.concatenate([-np.array([s for _ri, _pi, s in edges]), np.array(slot_cost)])
    second = milp(cost, constraints=[structure, keep], integrality=integrality, bounds=bounds)
    if not second.success:
        raise RuntimeError(f"assignment phase 2 failed: {second.message}")
    return [e for e in range(n_edges) if second.x[e] > 0.5]


@dataclass(frozen=True)
class ManualCheck:
    """Whether an officer may assign a reviewer by hand: blocking reasons and mere warnings."""

    allowed: bool
    blocking: list[Message]
    warnings: list[Message]


def check_manual_assignment(
    reviewer: Reviewer,
    proposal_id: str,
    conflicts: Collection[tuple[str, str]] | Mapping[tuple[str, str], Any],
    current_load: int,
    max_load: int | None = None,
) -> ManualCheck:
    """An officer's manual assignment (audited by the Django layer) may exceed the load limit,
    with a warning, but never gives a proposal to a conflicted reviewer."""
    pair = (reviewer.reviewer_id, str(proposal_id))
    keys = conflicts.keys() if isinstance(conflicts, Mapping) else conflicts
    blocking, warnings = [], []
    if pair in keys or str(proposal_id) in reviewer.declared_proposals:
        blocking.append(
            Message(
                _("%(reviewer)s has a conflict of interest with proposal %(proposal)s and cannot review it."),
                {"reviewer": reviewer.name or reviewer.reviewer_id, "proposal": proposal_id},
            )
        )
    limit = reviewer.max_load if reviewer.max_load is not None else max_load
    if limit is not None and current_load + 1 > limit:
        warnings.append(
            Message(
                _("%(reviewer)s will have %(load)s proposals, above the limit of %(limit)s."),
                {"reviewer": reviewer.name or reviewer.reviewer_id, "load": current_load + 1, "limit": limit},
            )
        )
    return ManualCheck(allowed=not blocking, blocking=blocking, warnings=warnings)


# --------------------------------------------------------------------------- scores


class ScoringError(ValueError):
    """Scores that cannot be aggregated (unknown criterion, missing or out-of-range score)."""

    def __init__(self, message: Message):
        super().__init__(message.msgid)
        self.message = message


@dataclass(frozen=True)
class CriterionScore:
    """One criterion's aggregate for one proposal.

    `mean` is over the reviewers who scored it (None if all said "not applicable"); `score`
    is what counts (the consensus when given, else the mean); `passed` is True when there is
    no threshold or the criterion does not apply.
    """

    code: str
    weight: Decimal
    threshold: Decimal | None
    mean: Decimal | None
    n_scores: int
    n_not_applicable: int
    consensus: Decimal | None
    score: Decimal | None
    passed: bool


@dataclass(frozen=True)
class ScoreSummary:
    """A proposal's scores: per criterion, overall (weighted, renormalised), pass or fail, reasons."""

    criteria: tuple[CriterionScore, ...]
    overall: Decimal | None
    passed: bool
    reasons: tuple[Message, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot for the ranking page and exports."""
        return plain(
            {
                "overall": self.overall,
                "passed": self.passed,
                "criteria": [c.__dict__ for c in self.criteria],
                "reasons": [r.as_dict() for r in self.reasons],
            }
        )


def _score(value: Any, code: str, scale_max: Decimal) -> Decimal | None:
    if value is None:
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        number = to_decimal(value, code)
    except ValueError:
        number = None
    if number is None or not Decimal(0) <= number <= scale_max:
        raise ScoringError(
            Message(
                _('The score "%(value)s" for %(code)s is not a number between 0 and %(max)s.'),
                {"value": value, "code": code, "max": Number(scale_max, 0)},
            )
        )
    return number


def aggregate_scores(
    criteria: EvaluationGrid | Mapping[str, Any],
    reviews: Sequence[Mapping[str, Any]],
    consensus: Mapping[str, Any] | None = None,
) -> ScoreSummary:
    """Aggregate one proposal's reviews on a call's criteria.

    Each review maps every criterion code to a score in 0..scale_max or None for "not
    applicable"; a missing code is an error, so a forgotten criterion is not silently read as
    "not applicable". `consensus` maps criterion codes to the panel's agreed score (None: the
    panel found it not applicable); it replaces that criterion's mean. The overall score is
    sum(weight x score) / sum(weight) over the criteria that apply, so a criterion that does not
    apply neither lowers the score nor dilutes the others.
    """
    if isinstance(criteria, EvaluationGrid):
        grid = criteria
    else:
        grid, errors = parse_evaluation(criteria)
        if grid is None:
            raise ScoringError(errors[0])
    codes = [c.code for c in grid.criteria]
    consensus = dict(consensus or {})
    for review in [*reviews, consensus]:
        unknown = sorted(set(review) - set(codes))
        if unknown:
            raise ScoringError(
                Message(_("Unknown criteria in a review: %(codes)s."), {"codes": ", ".join(unknown)})
            )
    results: list[CriterionScore] = []
    reasons: list[Message] = []
    weighted, weights = Decimal(0), Decimal(0)
    for criterion in grid.criteria:
        given: list[Decimal] = []
        not_applicable = 0
        for review in reviews:
            if criterion.code not in review:
                raise ScoringError(
                    Message(
                        _('A review has no score for %(code)s; give a score or "not applicable".'),
                        {"code": criterion.code},
                    )
                )
            value = _score(review[criterion.code], criterion.code, grid.scale_max)
            if value is None:
                not_applicable += 1
            else:
                given.append(value)
        mean = sum(given, Decimal(0)) / len(given) if given else None
        agreed = (
            _score(consensus[criterion.code], criterion.code, grid.scale_max)
            if criterion.code in consensus
            else None
        )
        score = agreed if criterion.code in consensus else mean
        passed = score is None or criterion.threshold is None or score >= criterion.threshold
        if not passed:
            reasons.append(
                Message(
                    _("%(code)s scores %(score)s, below its threshold of %(threshold)s."),
                    {
                        "code": criterion.code,
                        "score": Number(score),
                        "threshold": Number(criterion.threshold),
                    },
                )
            )
        if score is not None:
            weighted += criterion.weight * score
            weights += criterion.weight
        results.append(
            CriterionScore(
                code=criterion.code,
                weight=criterion.weight,
                threshold=criterion.threshold,
                mean=mean,
                n_scores=len(given),
                n_not_applicable=not_applicable,
                consensus=agreed,
                score=score,
                passed=passed,
            )
        )
    overall = weighted / weights if weights else None
    if overall is None:
        reasons.append(Message(_("No criterion applies to this proposal, so it has no overall score.")))
    elif grid.overall_threshold is not None and overall < grid.overall_threshold:
        reasons.append(
            Message(
                _("The overall score of %(score)s is below the threshold of %(threshold)s."),
                {"score": Number(overall), "threshold": Number(grid.overall_threshold)},
            )
        )
    return ScoreSummary(criteria=tuple(results), overall=overall, passed=not reasons, reasons=tuple(reasons))


@dataclass(frozen=True)
class RankedProposal:
    """A proposal's place in its call's ranking; `ex_aequo` marks an overall score shared with a
    neighbour, where the order came from the tie-breaks."""

    position: int
    proposal_id: str
    overall: Decimal | None
    passed: bool
    ex_aequo: bool


def rank(summaries: Mapping[str, ScoreSummary]) -> list[RankedProposal]:
    """A call's proposals in order: those that pass all thresholds first, then by overall score
    (highest first); ties go to the higher score on the heaviest criterion, then the next
    heaviest (grid order among equal weights; "not applicable" counts as lowest), then to the
    smaller proposal id, so the order never depends on input order."""

    def key(item: tuple[str, ScoreSummary]) -> tuple[Any, ...]:
        proposal_id, summary = item
        by_weight = sorted(enumerate(summary.criteria), key=lambda pair: (-pair[1].weight, pair[0]))
        tie_breaks = tuple(-(c.score if c.score is not None else Decimal(-1)) for _i, c in by_weight)
        overall = summary.overall if summary.overall is not None else Decimal(-1)
        return (not summary.passed, -overall, tie_breaks, _id_key(str(proposal_id)))

    ordered = sorted(summaries.items(), key=key)
    ranked = []
    for index, (proposal_id, summary) in enumerate(ordered):
        neighbours = [ordered[i][1] for i in (index - 1, index + 1) if 0 <= i < len(ordered)]
        tied = any(n.overall == summary.overall and n.passed == summary.passed for n in neighbours)
        ranked.append(
            RankedProposal(
                position=index + 1,
                proposal_id=str(proposal_id),
                overall=summary.overall,
                passed=summary.passed,
                ex_aequo=tied,
            )
        )
    return ranked


def balance_bound(n_proposals: int, per_proposal: int, n_reviewers: int) -> int:
    """The smallest load limit that can cover every proposal: ceil(proposals x k / reviewers)."""
    return math.ceil(n_proposals * per_proposal / n_reviewers) if n_reviewers else 0
