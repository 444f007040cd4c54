import itertools
import math

import numpy as np
import pandas as pd
import pytest
from django.conf import settings

from poles.matchmaking import offline
from poles.matchmaking.engine import Weights

# A hand-made extract. Training (<= 2016):
#   P1 2015 SC1 : 1 (coordinator, REC), 2 (PRC), 3 (HES)
#   P2 2016 SC1 : 4 (coordinator, PRC), 2, 5 (REC)
#   P3 2016 LEIT: 6 (coordinator, PRC), 5, 7 (PRC)
#   P4 2015 LEIT: 7 (coordinator), 2
# Held out:
#   T1 2017 SC1 : 1 (coordinator), 4, 9 (never seen: not a target)  -> targets {4}
#   T2 2018 LEIT: 6 (coordinator), 2, 7                             -> targets {2, 7}
#   T3 2018 SC1 : 99 (unknown coordinator)                          -> skipped
#   T4 2018 LEIT: 3 (coordinator), 8 (never seen)                   -> no target, skipped
ROWS = [
    (1, "coordinator", 1, "REC", "FR", 2015),
    (1, "participant", 2, "PRC", "DE", 2015),
    (1, "participant", 3, "HES", "FR", 2015),
    (2, "coordinator", 4, "PRC", "IT", 2016),
    (2, "participant", 2, "PRC", "DE", 2016),
    (2, "participant", 5, "REC", "ES", 2016),
    (3, "coordinator", 6, "PRC", "FR", 2016),
    (3, "participant", 5, "REC", "ES", 2016),
    (3, "partner", 7, "PRC", "NL", 2016),
    (4, "coordinator", 7, "PRC", "NL", 2015),
    (4, "participant", 2, "PRC", "DE", 2015),
    (11, "coordinator", 1, "REC", "FR", 2017),
    (11, "participant", 4, "PRC", "IT", 2017),
    (11, "participant", 9, "PRC", "IT", 2017),
    (12, "coordinator", 6, "PRC", "FR", 2018),
    (12, "participant", 2, "PRC", "DE", 2018),
    (12, "participant", 7, "PRC", "NL", 2018),
    (13, "coordinator", 99, "PRC", "FR", 2018),
    (13, "participant", 2, "PRC", "DE", 2018),
    (14, "coordinator", 3, "HES", "FR", 2018),
    (14, "participant", 8, "PRC", "FR", 2018),
]
PARTS = [
    (1, "SC1"),
    (2, "SC1"),
    (3, "LEIT"),
    (4, "LEIT"),
    (11, "SC1"),
    (12, "LEIT"),
    (13, "SC1"),
    (14, "LEIT"),
]


@pytest.fixture
def tiny(tmp_path):
    frame = pd.DataFrame(ROWS, columns=["rcn", "role", "pic", "type", "country", "start_year"])
    frame.to_csv(tmp_path / "h2020.csv.gz", index=False, compression="gzip")
    pd.DataFrame(PARTS, columns=["rcn", "programme_part"]).to_csv(
        tmp_path / "pp.csv.gz", index=False, compression="gzip"
    )
    data = offline.load_cordis(tmp_path)
    training = offline.build_training(data, 2016)
    cases = offline.held_out_projects(data, training, 2017, 2018)
    return data, training, cases


def test_profiles_and_held_out_projects(tiny):
    _, training, cases = tiny
    assert training.index.org_ids == ("1", "2", "3", "4", "5", "6", "7")
    assert [(c.rcn, c.coordinator, c.partners, c.parts) for c in cases] == [
        (11, "1", frozenset({"4"}), ("sc1",)),
        (12, "6", frozenset({"2", "7"}), ("leit",)),
    ]
    index = training.index
    assert index.categories[index.category_code[index.position["5"]]] == "REC"
    assert index.regions[index.region_code[index.position["2"]]] == "DE"
    assert training.popularity.tolist() == [1, 3, 1, 1, 2, 1, 2]
    assert training.popularity_by_part["sc1"].tolist() == [1, 2, 1, 1, 1, 0, 0]
    # "2" and "7" shared P4 only; "2" and "5" shared P2.
    assert index.together[index.position["2"], index.position["7"]] == 1
    assert index.together[index.position["2"], index.position["5"]] == 1
    assert index.together[index.position["1"], index.position["7"]] == 0


def test_global_popularity_metrics_by_hand(tiny):
    _, training, cases = tiny
    # Ranking 2(3) 5(2) 7(2) then the ones, ties by id. T1 without "1": 2 5 7 3 4 6 -> "4" at 5.
    # T2 without "6": 2 5 7 1 3 4 -> "2" at 1, "7" at 3.
    at2 = offline.evaluate("pop", training, cases, offline.popularity_scorer(training), k=2)
    assert at2.recall_at_k == pytest.approx((0 + 1 / 2) / 2)
    assert at2.mrr == pytest.approx((1 / 5 + 1) / 2)
    at10 = offline.evaluate("pop", training, cases, offline.popularity_scorer(training), k=10)
    assert at10.recall_at_k == 1.0 and at10.n_projects == 2


def test_programme_part_popularity_metrics_by_hand(tiny):
    _, training, cases = tiny
    # T1 (sc1): 2 (2 + 3/4), 5 (1 + 2/4), 3, 4 (1 + 1/4), 7 (2/4), 6 (1/4) -> "4" at 4.
    # T2 (leit): 7 (2 + 2/4), 2 (1 + 3/4), 5, ... -> "7" at 1, "2" at 2.
    m = offline.evaluate("part", training, cases, offline.part_popularity_scorer(training), k=2)
    assert m.recall_at_k == pytest.approx((0 + 1) / 2)
    assert m.mrr == pytest.approx((1 / 4 + 1) / 2)


def test_engine_metrics_by_hand(tiny):
    _, training, cases = tiny
    network_only = Weights(
        text=0, network=1, complementarity=0, experience=0, direct=1, two_hop=0, shared_cluster=0
    )
    # T1: past partners of "1" are 2 and 3, then zeros by id: 2 3 4 5 6 7 -> "4" at 3.
    # T2: past partners of "6" are 5 and 7: 5 7 1 2 3 4 -> "7" at 2, "2" at 4.
    [m] = offline.evaluate_weightings(training, cases, [network_only], ["network"], k=2)
    assert m.recall_at_k == pytest.approx((0 + 1 / 2) / 2)
    assert m.mrr == pytest.approx((1 / 3 + 1 / 2) / 2)
    # The shared-computation path and the plain one agree.
    plain = offline.evaluate(
        "network", training, cases, lambda c: offline.method_components(training, c).total(network_only), k=2
    )
    assert (plain.recall_at_k, plain.mrr) == (m.recall_at_k, m.mrr)


def test_ranks_break_ties_by_position_and_skip_non_candidates():
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.5])
    candidates = np.array([True, True, False, True, True])
    assert offline.ranks_of(scores, candidates, [0, 4, 3, 1]).tolist() == [2, 3, 4, 1]


def test_recall_and_reciprocal_rank():
    ranks = np.array([3, 12, 7])
    assert offline.recall_at_k(ranks, 10) == pytest.approx(2 / 3)
    assert offline.reciprocal_rank(ranks) == pytest.approx(1 / 3)
    assert offline.reciprocal_rank(np.array([], dtype=int)) == 0.0


@pytest.mark.parametrize(("n", "r"), [(6, 1), (6, 2), (7, 3), (5, 5)])
def test_random_expectation_matches_enumeration(n, r):
    recalls, rrs = [], []
    for relevant in itertools.combinations(range(1, n + 1), r):  # positions of the relevant ones
        recalls.append(sum(1 for p in relevant if p <= 2) / r)
        rrs.append(1 / min(relevant))
    recall, rr = offline.expected_random(n, r, k=2)
    assert recall == pytest.approx(np.mean(recalls))
    assert rr == pytest.approx(np.mean(rrs))


def test_random_expectation_single_relevant_is_the_harmonic_mean():
    _, rr = offline.expected_random(100, 1, 10)
    assert rr == pytest.approx(sum(1 / i for i in range(1, 101)) / 100)


def test_empty_evaluation_is_an_error(tiny):
    _, training, _ = tiny
    with pytest.raises(ValueError, match="no held-out"):
        offline.evaluate("x", training, [], offline.popularity_scorer(training))


def test_part_tokens():
    assert offline.part_token("Innovation in SMEs") == "innovationinsmes"
    assert offline.part_token("LEIT-ICT") == "leitict"
    assert math.isfinite(offline.expected_random(3, 1, 10)[1])


CORDIS = settings.POLES_SHARED_DIR / "data" / "cordis-h2020"


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.skipif(
    not offline.cordis_available(CORDIS), reason="needs ../shared/data/cordis-h2020/ (set POLES_SHARED_DIR)"
)
def test_method_beats_popularity_on_a_sample_of_real_projects():
    grid = offline.weight_grid(
        {"text": (0.0, 0.3), "experience": (0.0, 0.3), "complementarity": (0.0,), "two_hop": (0.0,)}
    )
    result = offline.run_evaluation(CORDIS, validation_sample=150, test_sample=300, grid=grid)
    assert result.method.n_projects == 300
    assert result.n_candidates > 20_000
    assert result.method.recall_at_k > result.part_popularity.recall_at_k > result.popularity.recall_at_k
    assert result.popularity.recall_at_k > 10 * result.random_expected.recall_at_k
    assert result.random_expected.recall_at_k == pytest.approx(10 / (result.n_candidates - 1))
