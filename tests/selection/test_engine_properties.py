"""Property tests of the selection engine against brute force, greedy and an independent checker."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poles.selection import engine
from poles.selection.engine import Constraints, Proposal, greedy, select
from tests.selection.support import brute_force, value, violations

FUNDERS = ("state", "region", "city")


@st.composite
def instances(draw, max_proposals: int = 12):
    """Small calls mixing every constraint: integer euros (in thousands), quarter-point scores.

    Envelopes and the cluster cap are drawn as a fraction of demand so that they bind often, and
    SME aid is drawn per proposal around a share so that the SME floor matters.
    """
    n_funders = draw(st.integers(1, 3))
    funders = FUNDERS[:n_funders]
    n = draw(st.integers(0, max_proposals))
    clusters = ["c1", "c2", "c3"]
    proposals = []
    for i in range(n):
        asked = draw(st.lists(st.sampled_from(funders), min_size=1, max_size=n_funders, unique=True))
        aid = {f: 1000.0 * draw(st.integers(0, 1500) | st.integers(100, 1500)) for f in asked}
        sme_pct = draw(st.integers(0, 100))
        sme = {
            f: 1000.0 * min(a // 1000, round(a / 1000 * sme_pct / 100) + draw(st.integers(-5, 5)))
            for f, a in aid.items()
        }
        sme = {f: max(0.0, v) for f, v in sme.items()}
        proposals.append(
            Proposal(
                id=f"p{i:02d}",
                score=draw(st.integers(0, 80)) / 4,
                aid=aid,
                sme_aid=sme,
                cluster=draw(st.sampled_from([*clusters, None])),
            )
        )
    envelopes = {}
    for f in funders:
        demand = sum(p.aid.get(f, 0.0) for p in proposals)
        envelopes[f] = 1000.0 * round(demand / 1000 * draw(st.integers(0, 110)) / 100)
    objective = draw(st.sampled_from(["score", "score_per_euro"]))
    if objective == "score_per_euro" and any(p.total_aid == 0 for p in proposals):
        objective = "score"
    largest = max((p.total_aid for p in proposals), default=0.0)
    constraints = Constraints(
        min_sme_share=draw(st.none() | st.sampled_from([0.0, 0.1, 0.25, 0.3, 0.4, 0.5, 0.75])),
        max_aid_per_cluster=draw(
            st.none() | st.integers(0, 300).map(lambda k: 1000.0 * round(largest / 1000 * k / 100))
        ),
        min_score=draw(st.none() | st.integers(0, 20).map(float)),
        objective=objective,
    )
    return proposals, envelopes, constraints


def _objective_tol(proposals, constraints) -> float:
    # HiGHS stops within an absolute 1e-6 of its (scaled) bound: meaningful only for score per euro.
    if constraints.objective == "score" or not proposals:
        return 1e-9
    return 1e-6 * max(abs(value(p, constraints)) for p in proposals)


def check_against_brute_force(proposals, envelopes, constraints):
    """The MILP equals brute force, is never worse than greedy, and both sets respect every rule."""
    by_id = {p.id: p for p in proposals}
    result = select(proposals, envelopes, constraints, time_limit=10)

    chosen = [by_id[i] for i in result.selected]
    assert violations(chosen, envelopes, constraints) == []
    assert math.isclose(
        result.objective, sum(value(p, constraints) for p in chosen), rel_tol=1e-9, abs_tol=1e-12
    )

    best = brute_force(proposals, envelopes, constraints)
    assert result.status == "optimal"
    assert result.gap == 0.0
    assert abs(result.objective - best) <= _objective_tol(proposals, constraints)

    greedy_chosen = [by_id[i] for i in result.greedy_selected]
    assert violations(greedy_chosen, envelopes, constraints) == []
    assert math.isclose(
        result.greedy_objective, sum(value(p, constraints) for p in greedy_chosen), abs_tol=1e-12
    )
    assert result.objective >= result.greedy_objective - 1e-12
    assert greedy(proposals, envelopes, constraints) == (result.greedy_selected, result.greedy_objective)
    return result


def check_reasons(proposals, envelopes, constraints):
    """Every proposal's reason is true of the final selection; `binding` is exactly what blocks someone."""
    by_id = {p.id: p for p in proposals}
    result = select(proposals, envelopes, constraints, time_limit=10)
    chosen = [by_id[i] for i in result.selected]

    assert sorted(e.proposal_id for e in result.explanations) == sorted(by_id)
    assert [e.rank for e in result.explanations] == list(range(1, len(proposals) + 1))
    blocked_by: set[tuple[str, str]] = set()
    for e in result.explanations:
        p = by_id[e.proposal_id]
        assert e.reason in engine.REASONS
        assert e.selected == (e.proposal_id in result.selected) == (e.reason == engine.SELECTED)
        if e.reason == engine.BELOW_THRESHOLD:
            assert p.score < constraints.min_score
        elif e.reason == engine.NO_GAIN:
            # It would fit: adding it breaks nothing, and it adds nothing.
            assert violations([*chosen, p], envelopes, constraints) == []
            assert value(p, constraints) <= 0
        elif not e.selected:
            # Any other reason: adding it to the selection breaks exactly the limits it lists.
            broken = violations([*chosen, p], envelopes, constraints)
            assert broken and e.blocking
            assert len(broken) == len(e.blocking)
            if e.reason == engine.TRADE_OFF:
                assert e.details["displaced_count"] >= 1
                assert all(d in result.selected for d in e.details["displaced_by"])
            else:
                assert e.reason in {b["constraint"] for b in e.blocking}
            if value(p, constraints) > 0:
                blocked_by |= {
                    (b["constraint"], b.get("funder") or b.get("cluster") or "") for b in e.blocking
                }
    binding = {(b["constraint"], b.get("funder") or b.get("cluster") or "") for b in result.binding}
    assert binding == blocked_by
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_equal_to_brute_force_never_worse_than_greedy_and_feasible(instance):
    check_against_brute_force(*instance)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_reason_is_true_of_the_final_selection(instance):
    check_reasons(*instance)


def _realistic_small_call(seed: int):
    """8-12 proposals shaped like a real call (a third funded), where combinations beat ranking often."""
    rng = random.Random(seed)
    n = rng.randint(8, 12)
    funders = FUNDERS[: rng.randint(1, 3)]
    proposals = []
    for i in range(n):
        aid = {f: 1000.0 * rng.randint(200, 1500) for f in funders if f == funders[0] or rng.random() < 0.6}
        share = rng.betavariate(2, 3)
        sme = {f: 1000.0 * round(a / 1000 * share) for f, a in aid.items()}
        cluster = rng.choice(["c1", "c2", "c3", None])
        proposals.append(Proposal(f"p{i:02d}", rng.randint(0, 80) / 4, aid, sme, cluster))
    demand = {f: sum(p.aid.get(f, 0) for p in proposals) for f in funders}
    envelopes = {f: 1000.0 * round(d / 1000 * rng.uniform(0.2, 0.6)) for f, d in demand.items()}
    constraints = Constraints(
        min_sme_share=rng.choice([None, 0.3, 0.4, 0.5]),
        max_aid_per_cluster=rng.choice([None, 1000.0 * rng.randint(1500, 4000)]),
        min_score=rng.choice([None, 5.0, 10.0]),
        objective=rng.choice(["score", "score", "score_per_euro"]),
    )
    return proposals, envelopes, constraints


def test_realistic_small_calls_equal_brute_force_and_explain_themselves():
    gains = 0
    reasons: set[str] = set()
    for seed in range(150):
        instance = _realistic_small_call(seed)
        result = check_against_brute_force(*instance)
        check_reasons(*instance)
        gains += result.objective > result.greedy_objective + 1e-9
        reasons |= {e.reason for e in result.explanations}
    # The sample must exercise what it claims to: combinations that beat ranking, and every reason.
    assert gains >= 15
    assert reasons >= {
        engine.SELECTED,
        engine.BELOW_THRESHOLD,
        engine.ENVELOPE,
        engine.CLUSTER_CAP,
        engine.SME_SHARE,
        engine.TRADE_OFF,
    }


def _random_call(n: int, seed: int):
    rng = random.Random(seed)
    proposals = []
    for i in range(n):
        aid = {f: 1000.0 * rng.randint(200, 1500) for f in FUNDERS if f == "state" or rng.random() < 0.6}
        sme = {f: round(a * rng.random(), -3) for f, a in aid.items()}
        proposals.append(
            Proposal(f"P{i:04d}", round(rng.uniform(0, 20), 2), aid, sme, f"c{rng.randrange(20)}")
        )
    demand = {f: sum(p.aid.get(f, 0) for p in proposals) for f in FUNDERS}
    envelopes = {f: round(d / 3, -3) for f, d in demand.items()}
    constraints = Constraints(min_sme_share=0.45, max_aid_per_cluster=4e6, min_score=5)
    return proposals, envelopes, constraints


@pytest.mark.parametrize("time_limit", [1e-4, 0.05])
def test_a_truncated_solve_is_never_worse_than_greedy_and_stays_feasible(time_limit):
    proposals, envelopes, constraints = _random_call(800, seed=7)
    by_id = {p.id: p for p in proposals}
    result = select(proposals, envelopes, constraints, time_limit=time_limit)
    assert result.objective >= result.greedy_objective
    assert violations([by_id[i] for i in result.selected], envelopes, constraints) == []
    assert result.bound >= result.objective
    if time_limit < 1e-3:
        # Stopped before any incumbent: greedy's set is returned, and the reply says so.
        assert (result.status, result.source) == ("time_limit", "greedy")
        assert result.selected == result.greedy_selected
        assert 0 < result.gap < 1
    else:
        assert result.status in {"time_limit", "optimal"}
        assert (result.gap > 0) == (result.status == "time_limit")


def test_results_do_not_depend_on_input_order():
    proposals, envelopes, constraints = _random_call(60, seed=3)
    first = select(proposals, envelopes, constraints)
    shuffled = proposals[:]
    random.Random(1).shuffle(shuffled)
    second = select(shuffled, dict(reversed(envelopes.items())), constraints)
    assert first.status == second.status == "optimal"
    assert first.selected == second.selected
    assert first.explanations == second.explanations
    assert first.binding == second.binding
