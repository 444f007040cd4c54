"""Automatic assignment: expertise first, balanced load, full coverage, deterministic."""

from __future__ import annotations

import random

from poles.calls.engine.facts import Participation, ProposalFacts
from poles.reviews.engine import Reviewer, assign, balance_bound, match_score, normalise_keyword


def proposal(pid: str, keywords) -> ProposalFacts:
    return ProposalFacts(
        proposal_id=pid,
        call_id="c",
        title=pid,
        keywords=keywords,
        participations=[Participation(f"org-{pid}", "company", role="lead")],
    )


def test_keywords_are_normalised_and_matched_with_jaccard():
    assert normalise_keyword("  Énergie-Solaire ") == "energie solaire"
    assert match_score(["Énergie solaire", "stockage"], ["energie-solaire", "réseau"]) == 1 / 3
    assert match_score([], []) == 0.0


def test_expertise_decides_who_reviews_what():
    proposals = [proposal("1", ["optics", "lasers"]), proposal("2", ["batteries", "storage"])]
    reviewers = [Reviewer("a", "x", ["batteries", "storage"]), Reviewer("b", "y", ["optics", "lasers"])]
    result = assign(proposals, reviewers, per_proposal=1, max_load=1)
    assert result.assignments == {"1": ("b",), "2": ("a",)}
    assert result.scores[("b", "1")] == 1.0
    assert result.shortfalls == {}


def test_coverage_comes_before_expertise():
    # "a" is the best match for both, but taking it for "1" would leave "2" without a reviewer.
    proposals = [proposal("1", ["optics"]), proposal("2", ["optics", "water"])]
    reviewers = [Reviewer("a", "x", ["optics"]), Reviewer("b", "y", ["cooking"])]
    result = assign(proposals, reviewers, per_proposal=1, max_load=1)
    assert sorted(result.assignments.values()) == [("a",), ("b",)]
    assert result.shortfalls == {}


def test_load_is_balanced_when_expertise_ties():
    proposals = [proposal(str(i), ["energy"]) for i in range(10)]
    reviewers = [Reviewer(f"r{j}", f"o{j}", ["energy"]) for j in range(4)]
    result = assign(proposals, reviewers, per_proposal=2)  # no load limit: only the penalty spreads work
    loads = sorted(result.loads.values())
    assert sum(loads) == 20
    assert loads[-1] - loads[0] <= 1
    assert balance_bound(10, 2, 4) == 5


def test_strong_expertise_outweighs_a_small_imbalance_but_not_a_large_one():
    proposals = [proposal("1", ["optics"]), proposal("2", ["optics"])]
    reviewers = [Reviewer("expert", "x", ["optics"]), Reviewer("novice", "y", ["water"])]
    assert assign(proposals, reviewers, per_proposal=1).loads == {"expert": 2, "novice": 0}
    assert assign(proposals, reviewers, per_proposal=1, balance_weight=5.0).loads == {
        "expert": 1,
        "novice": 1,
    }


def test_min_score_leaves_unmatched_proposals_short():
    proposals = [proposal("1", ["optics"]), proposal("2", ["water"])]
    reviewers = [Reviewer("a", "x", ["optics"])]
    result = assign(proposals, reviewers, per_proposal=1, min_score=0.5)
    assert result.assignments == {"1": ("a",), "2": ()}
    assert result.shortfalls == {"2": 1}
    assert "only 0 reviewers are free of conflicts" in result.messages["2"].render("en")


def test_per_reviewer_load_limit_overrides_the_call_limit():
    proposals = [proposal(str(i), ["ai"]) for i in range(4)]
    reviewers = [Reviewer("busy", "x", ["ai"], max_load=1), Reviewer("free", "y", ["ai"])]
    result = assign(proposals, reviewers, per_proposal=1, max_load=3)
    assert result.loads == {"busy": 1, "free": 3}


def test_assignment_is_deterministic_and_independent_of_input_order():
    rng = random.Random(7)
    words = ["ai", "energy", "health", "materials", "optics", "software", "water", "space"]
    proposals = [proposal(str(i), rng.sample(words, 3)) for i in range(25)]
    reviewers = [Reviewer(f"r{j}", f"o{j}", rng.sample(words, 3)) for j in range(12)]
    conflicts = {(f"r{rng.randrange(12)}", str(rng.randrange(25))) for _ in range(20)}
    first = assign(proposals, reviewers, per_proposal=3, max_load=8, conflicts=conflicts)
    shuffled_p, shuffled_r = proposals[:], reviewers[:]
    rng.shuffle(shuffled_p)
    rng.shuffle(shuffled_r)
    second = assign(shuffled_p, shuffled_r, per_proposal=3, max_load=8, conflicts=conflicts)
    assert first.assignments == second.assignments
    assert first.shortfalls == {} and max(first.loads.values()) <= 8
    for pid, rids in first.assignments.items():
        assert not any((rid, pid) in conflicts for rid in rids)
        scores = [first.scores[(rid, pid)] for rid in rids]
        assert scores == sorted(scores, reverse=True)  # best match first
