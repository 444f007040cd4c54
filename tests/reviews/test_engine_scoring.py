"""Score aggregation ("not applicable" left out, weights renormalised), thresholds and ranking."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from poles.calls.engine.presets import FUI_25
from poles.reviews.engine import ScoringError, aggregate_scores, rank

GRID = {
    "scale_max": 5,
    "overall_threshold": "3",
    "criteria": [
        {"code": "science", "label": {"fr": "S", "en": "S"}, "weight": "0.5", "threshold": "3"},
        {"code": "impact", "label": {"fr": "I", "en": "I"}, "weight": "0.3"},
        {"code": "territory", "label": {"fr": "T", "en": "T"}, "weight": "0.2", "threshold": "2"},
    ],
}


def test_not_applicable_is_left_out_of_the_mean_not_counted_as_zero():
    summary = aggregate_scores(
        GRID,
        [
            {"science": 4, "impact": 3, "territory": None},
            {"science": 5, "impact": None, "territory": None},
        ],
    )
    science, impact, territory = summary.criteria
    assert (science.mean, science.n_scores) == (Decimal("4.5"), 2)
    assert (impact.mean, impact.n_scores, impact.n_not_applicable) == (Decimal(3), 1, 1)
    assert territory.mean is None and territory.passed  # a criterion that does not apply cannot fail
    # Weights renormalised over science (0.5) and impact (0.3): (0.5*4.5 + 0.3*3) / 0.8 = 3.9375.
    assert summary.overall == Decimal("3.9375")
    assert summary.passed and summary.reasons == ()


def test_thresholds_per_criterion_and_overall_in_both_languages():
    summary = aggregate_scores(GRID, [{"science": 2, "impact": 5, "territory": 1}])
    assert not summary.passed
    assert [c.passed for c in summary.criteria] == [False, True, False]
    texts_en = [r.render("en") for r in summary.reasons]
    texts_fr = [r.render("fr") for r in summary.reasons]
    assert texts_en == [
        "science scores 2.00, below its threshold of 3.00.",
        "territory scores 1.00, below its threshold of 2.00.",
        "The overall score of 2.70 is below the threshold of 3.00.",
    ]
    assert texts_fr[0] == "science obtient 2,00, sous son seuil de 3,00."
    assert texts_fr[2] == "La note globale de 2,70 est inférieure au seuil de 3,00."
    json.dumps(summary.as_dict())


def test_consensus_replaces_the_mean():
    reviews = [{"science": 2, "impact": 4, "territory": 3}, {"science": 3, "impact": 4, "territory": 3}]
    plain = aggregate_scores(GRID, reviews)
    assert not plain.passed  # science mean 2.5 < 3
    agreed = aggregate_scores(GRID, reviews, consensus={"science": "3.5", "territory": None})
    science, _impact, territory = agreed.criteria
    assert (science.mean, science.consensus, science.score) == (
        Decimal("2.5"),
        Decimal("3.5"),
        Decimal("3.5"),
    )
    assert territory.score is None and territory.mean == Decimal(3)  # the panel found it not applicable
    assert agreed.overall == (Decimal("0.5") * Decimal("3.5") + Decimal("0.3") * 4) / Decimal("0.8")
    assert agreed.passed


def test_nothing_applicable_means_no_overall_score_and_a_fail():
    summary = aggregate_scores(GRID, [{"science": None, "impact": None, "territory": None}])
    assert summary.overall is None and not summary.passed
    assert "n'a donc pas de note globale" in summary.reasons[0].render("fr")


@pytest.mark.parametrize(
    ("reviews", "consensus", "en_words", "fr_words"),
    [
        ([{"science": 6, "impact": 1, "territory": 1}], None, "not a number between 0 and 5", "entre 0 et 5"),
        ([{"science": "good", "impact": 1, "territory": 1}], None, "not a number", "n'est pas un nombre"),
        ([{"science": True, "impact": 1, "territory": 1}], None, "not a number", "n'est pas un nombre"),
        ([{"science": 1, "impact": 1}], None, "no score for territory", "pas de note pour territory"),
        (
            [{"science": 1, "impact": 1, "territory": 1, "x": 2}],
            None,
            "Unknown criteria in a review: x",
            "Critères inconnus",
        ),
        ([{"science": 1, "impact": 1, "territory": 1}], {"science": -1}, "between 0 and 5", "entre 0 et 5"),
    ],
)
def test_bad_scores_are_refused(reviews, consensus, en_words, fr_words):
    with pytest.raises(ScoringError) as caught:
        aggregate_scores(GRID, reviews, consensus=consensus)
    assert en_words in caught.value.message.render("en")
    assert fr_words in caught.value.message.render("fr")


def test_preset_grid_aggregates():
    codes = [c["code"] for c in FUI_25["evaluation"]["criteria"]]
    summary = aggregate_scores(FUI_25["evaluation"], [dict.fromkeys(codes, 4), dict.fromkeys(codes, 3)])
    assert summary.overall == Decimal("3.5") and summary.passed


def _summary(science, impact, territory=3):
    return aggregate_scores(GRID, [{"science": science, "impact": impact, "territory": territory}])


def test_rank_passing_first_then_score_then_heaviest_criterion_then_id():
    summaries = {
        "10": _summary(4, 4),  # 3.8
        "9": _summary(4, 4),  # 3.8, same scores: smaller id ("9" before "10") first
        "7": _summary(5, 2.5),  # 0.5*5 + 0.3*2.5 + 0.2*3 = 3.85
        "3": _summary(3, 4.6, 3.3),  # 0.5*3 + 0.3*4.6 + 0.2*3.3 = 3.54
        "5": _summary(3.6, 4),  # 3.6*0.5 + 1.2 + 0.6 = 3.6
        "1": _summary(2, 5),  # fails the science threshold
    }
    ranked = rank(summaries)
    assert [r.proposal_id for r in ranked] == ["7", "9", "10", "5", "3", "1"]
    assert [r.position for r in ranked] == [1, 2, 3, 4, 5, 6]
    assert [r.ex_aequo for r in ranked] == [False, True, True, False, False, False]
    assert ranked[-1].passed is False
    # Reordering the input changes nothing.
    assert rank(dict(reversed(list(summaries.items())))) == ranked


def test_rank_tie_broken_by_heaviest_criterion():
    # Same overall 3.6: b has the better science score (weight 0.5) and comes first despite its id.
    a = aggregate_scores(GRID, [{"science": 3.6, "impact": 4, "territory": 3}])
    b = aggregate_scores(GRID, [{"science": 4.2, "impact": 3, "territory": 3}])
    assert a.overall == b.overall == Decimal("3.6")
    ranked = rank({"a": a, "b": b})
    assert [r.proposal_id for r in ranked] == ["b", "a"]
    assert all(r.ex_aequo for r in ranked)
