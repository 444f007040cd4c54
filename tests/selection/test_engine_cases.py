"""Hand-made calls where the right selection and the right reason for each proposal are known."""

from __future__ import annotations

import numpy as np
import pytest

from poles.selection import engine
from poles.selection.engine import Constraints, Proposal, select


def reasons(result) -> dict[str, engine.Explanation]:
    return {e.proposal_id: e for e in result.explanations}


def test_envelope_used_by_a_higher_ranked_proposal():
    result = select(
        [Proposal("A", 10, {"state": 800_000}), Proposal("B", 9, {"state": 300_000})],
        {"state": 1_000_000},
    )
    assert result.selected == ("A",)
    b = reasons(result)["B"]
    assert b.reason == engine.ENVELOPE
    assert b.details == {
        "funder": "state",
        "limit": 1_000_000,
        "remaining": 200_000,
        "asked": 300_000,
        "alone": False,
    }
    assert result.binding == (
        {
            "constraint": "envelope",
            "funder": "state",
            "limit": 1_000_000,
            "used": 800_000,
            "slack": 200_000,
            "blocked": 1,
        },
    )


def test_a_proposal_larger_than_the_whole_envelope():
    result = select(
        [Proposal("A", 20, {"state": 2_000_000}), Proposal("B", 5, {"state": 100_000})], {"state": 1e6}
    )
    assert result.selected == ("B",)
    a = reasons(result)["A"]
    assert (a.reason, a.details["alone"], a.details["limit"]) == (engine.ENVELOPE, True, 1e6)


def test_trade_off_names_the_lower_ranked_proposals_that_score_more_together():
    proposals = [
        Proposal("A", 15, {"state": 600_000}),
        Proposal("B", 14, {"state": 500_000}),
        Proposal("C", 13, {"state": 500_000}),
    ]
    result = select(proposals, {"state": 1_000_000})
    assert result.selected == ("B", "C")
    assert (result.objective, result.greedy_selected, result.greedy_objective) == (27, ("A",), 15)
    a = reasons(result)["A"]
    assert a.reason == engine.TRADE_OFF
    assert a.details["displaced_by"] == ["B", "C"]
    assert a.details["displaced_objective"] == 27
    assert a.blocking[0]["remaining"] == 0


def test_all_or_nothing_across_funders():
    # B's region part fits, but the state cannot fund it: the region funds nothing of B.
    proposals = [
        Proposal("A", 10, {"state": 900_000}),
        Proposal("B", 8, {"state": 300_000, "region": 200_000}),
    ]
    result = select(proposals, {"state": 1_000_000, "region": 1_000_000})
    assert result.selected == ("A",)
    usage = {row["funder"]: row["used"] for row in result.usage["envelopes"]}
    assert usage == {"region": 0, "state": 900_000}
    b = reasons(result)["B"]
    assert b.reason == engine.ENVELOPE and b.details["funder"] == "state"
    assert [blk["funder"] for blk in b.blocking] == ["state"]


def test_cluster_cap():
    proposals = [
        Proposal("A", 10, {"state": 600_000}, cluster="minalogic"),
        Proposal("B", 9, {"state": 500_000}, cluster="minalogic"),
        Proposal("C", 8, {"state": 500_000}, cluster="tenerrdis"),
    ]
    result = select(proposals, {"state": 5e6}, Constraints(max_aid_per_cluster=1_000_000))
    assert result.selected == ("A", "C")
    b = reasons(result)["B"]
    assert b.reason == engine.CLUSTER_CAP
    assert b.details == {
        "cluster": "minalogic",
        "limit": 1e6,
        "used": 600_000,
        "asked": 500_000,
        "alone": False,
    }
    assert [(x["constraint"], x["cluster"]) for x in result.binding] == [("cluster_cap", "minalogic")]


def test_a_proposal_without_cluster_is_not_capped():
    result = select(
        [Proposal("A", 10, {"state": 3e6}, cluster=None)],
        {"state": 5e6},
        Constraints(max_aid_per_cluster=1e6),
    )
    assert result.selected == ("A",)


def test_sme_share_floor_keeps_out_the_proposal_that_would_break_it():
    proposals = [
        Proposal("A", 10, {"state": 1e6}, {"state": 0}),
        Proposal("B", 5, {"state": 1e6}, {"state": 1e6}),
    ]
    result = select(proposals, {"state": 5e6}, Constraints(min_sme_share=0.6))
    assert result.selected == ("B",)
    a = reasons(result)["A"]
    assert a.reason == engine.SME_SHARE
    assert a.details["share_after"] == pytest.approx(0.5)
    assert a.details["min_share"] == 0.6
    assert result.usage["sme_share"]["share"] == 1.0
    # Greedy refuses A first (the floor would break), then takes B: same set here.
    assert result.greedy_selected == ("B",)


def test_greedy_retries_a_proposal_refused_for_the_sme_share_once_the_share_rose():
    proposals = [
        Proposal("A", 10, {"state": 1e6}, {"state": 0}),
        Proposal("B", 5, {"state": 1e6}, {"state": 1e6}),
    ]
    result = select(proposals, {"state": 5e6}, Constraints(min_sme_share=0.5))
    assert result.greedy_selected == ("A", "B")
    assert result.selected == ("A", "B")


def test_an_unreachable_sme_floor_gives_the_empty_selection_not_an_error():
    proposals = [
        Proposal("A", 10, {"state": 1e6}, {"state": 0}),
        Proposal("B", 9, {"state": 1e6}, {"state": 1e5}),
    ]
    result = select(proposals, {"state": 5e6}, Constraints(min_sme_share=0.3))
    assert (result.selected, result.status, result.objective, result.gap) == ((), "optimal", 0, 0)
    assert {e.reason for e in result.explanations} == {engine.SME_SHARE}
    assert result.binding[0]["constraint"] == "sme_share"
    assert result.binding[0]["blocked"] == 2


def test_below_threshold_and_zero_score():
    proposals = [
        Proposal("A", 12, {"state": 1e5}),
        Proposal("B", 7.5, {"state": 1e5}),
        Proposal("C", 0, {"state": 1e5}),
    ]
    result = select(proposals, {"state": 1e6}, Constraints(min_score=0))
    assert result.selected == ("A", "B")
    assert reasons(result)["C"].reason == engine.NO_GAIN
    result = select(proposals, {"state": 1e6}, Constraints(min_score=10))
    assert result.selected == ("A",)
    b = reasons(result)["B"]
    assert (b.reason, b.details) == (engine.BELOW_THRESHOLD, {"score": 7.5, "min_score": 10})


def test_a_zero_score_proposal_is_kept_only_when_the_sme_floor_needs_it():
    proposals = [
        Proposal("A", 10, {"state": 1e6}, {"state": 0}),
        Proposal("S", 0, {"state": 1e6}, {"state": 1e6}),
    ]
    result = select(proposals, {"state": 5e6}, Constraints(min_sme_share=0.5))
    assert result.selected == ("A", "S")
    result = select(proposals, {"state": 5e6}, Constraints(min_sme_share=None))
    assert result.selected == ("A",)


def test_score_per_euro_prefers_value_for_money():
    proposals = [
        Proposal("A", 10, {"state": 1_000_000}),
        Proposal("B", 6, {"state": 400_000}),
        Proposal("C", 6, {"state": 400_000}),
    ]
    result = select(proposals, {"state": 1_000_000}, Constraints(objective="score_per_euro"))
    assert result.selected == ("B", "C")
    assert result.objective == pytest.approx(12 / 400_000)
    assert [e.proposal_id for e in result.explanations] == ["B", "C", "A"]
    assert result.objective_kind == "score_per_euro"


def test_ties_are_ranked_by_id():
    proposals = [Proposal(pid, 10, {"state": 1e6}) for pid in ("c", "a", "b")]
    result = select(proposals, {"state": 1e6})
    assert [e.proposal_id for e in result.explanations] == ["a", "b", "c"]
    assert result.greedy_selected == ("a",)


def test_no_proposals():
    result = select([], {"state": 1e6})
    assert (result.selected, result.objective, result.status, result.gap) == ((), 0, "optimal", 0)


@pytest.mark.parametrize(
    ("proposals", "envelopes", "constraints", "message"),
    [
        ([Proposal("A", 1, {"x": 1})], {"state": 1}, None, "no envelope"),
        ([Proposal("A", 1, {"state": -1})], {"state": 1}, None, ">= 0"),
        ([Proposal("A", 1, {"state": 1}, {"state": 2})], {"state": 1}, None, "SME aid"),
        ([Proposal("A", 1, {"state": 1}), Proposal("A", 2, {"state": 1})], {"state": 1}, None, "duplicate"),
        ([Proposal("A", 1, {"state": 0})], {"state": 1}, Constraints(objective="score_per_euro"), "positive"),
        ([], {"state": -1}, None, "envelope"),
        ([], {"state": 1}, Constraints(min_sme_share=30), "between 0 and 1"),
        ([Proposal("A", float("nan"), {"state": 1})], {"state": 1}, None, "finite"),
    ],
)
def test_data_the_model_cannot_answer_is_refused(proposals, envelopes, constraints, message):
    with pytest.raises(ValueError, match=message):
        select(proposals, envelopes, constraints)


def test_repair_makes_an_overshooting_answer_feasible():
    proposals = [Proposal(f"P{i}", 10 - i, {"state": 400_000}, {"state": 80_000 * i}) for i in range(6)]
    inst = engine._Instance(proposals, {"state": 1_000_000}, Constraints(min_sme_share=0.2))
    everything = np.ones(inst.n, dtype=bool)
    assert inst.violations(everything)
    repaired = inst.repair(everything)
    assert not inst.violations(repaired)
    # Envelope first: the four last-ranked go; then the SME floor: P0 (no SME aid) goes.
    assert [inst.ids[i] for i in np.flatnonzero(repaired)] == ["P1"]


def test_to_dict_is_json_ready():
    import json

    result = select([Proposal("A", 10, {"state": 1e6}), Proposal("B", 9, {"state": 1e6})], {"state": 1e6})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["selected"] == ["A"]
    assert data["explanations"][1]["blocking"][0]["funder"] == "state"
