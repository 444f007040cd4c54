import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.matchmaking.engine import (
    COMPONENTS,
    Profile,
    SearchFilters,
    Weights,
    build_index,
    candidate_mask,
    score_candidates,
    search,
)

PROFILES = [
    Profile(
        "lab_h2", "Laboratoire hydrogène : électrolyseurs et piles à combustible", "research", "", "84", 5
    ),
    Profile("sme_h2", "PME du stockage d'hydrogène, réservoirs composites", "company", "sme", "84", 2),
    Profile(
        "big_auto", "Constructeur automobile : véhicule électrique, batteries", "company", "large", "11", 20
    ),
    Profile("lab_batt", "Batteries lithium, électrochimie, stockage d'énergie", "research", "", "75", 8),
    Profile("soft", "Logiciel embarqué et cybersécurité", "company", "sme", "11", 1),
    Profile("quiet", "Conseil en propriété intellectuelle", "consultancy", "", "11", 0),
]
# "secret" did not opt in: it is never passed as a profile, but the caller's raw history and
# memberships still mention it; the index must drop every trace of it.
EDGES = [
    ("sme_h2", "lab_h2", 1.0, 2019),
    ("lab_h2", "sme_h2", 1.0, 2021),
    ("lab_h2", "lab_batt", 1.0, 2018),
    ("lab_batt", "big_auto", 1.0, 2020),
    ("sme_h2", "secret", 1.0, 2022),
    ("secret", "soft", 1.0, 2022),
    ("soft", "soft", 1.0, 2022),
]
MEMBERSHIPS = {
    "lab_h2": {"Tenerrdis"},
    "sme_h2": {"Tenerrdis", "Minalogic"},
    "soft": {"Minalogic"},
    "secret": {"Tenerrdis"},
}
TEXT_ONLY = Weights(text=1, network=0, complementarity=0, experience=0)


@pytest.fixture(scope="module")
def index():
    return build_index(PROFILES, EDGES, MEMBERSHIPS)


def ids(results):
    return [s.org_id for s in results]


def reasons_of(results, org, code):
    return [r for s in results if s.org_id == org for r in s.reasons if r["code"] == code]


def test_text_ranking_prefers_the_profile_sharing_most_of_the_need(index):
    results = search(index, "électrolyseurs hydrogène", weights=TEXT_ONLY)
    assert ids(results) == ["lab_h2", "sme_h2"]
    assert results[0].reasons[0] == {"code": "shares_keywords", "terms": ["electrolyseur", "hydrogene"]}
    assert results[1].reasons[0] == {"code": "shares_keywords", "terms": ["hydrogene"]}
    assert results[0].components["text"] > results[1].components["text"] > 0


def test_only_candidates_with_evidence_are_returned(index):
    assert search(index, "drones sous-marins", weights=TEXT_ONLY) == []
    assert search(index, "", weights=TEXT_ONLY) == []


def test_score_is_the_weighted_sum_of_components_and_results_are_sorted(index):
    weights = Weights(text=0.5, network=0.3, complementarity=0.1, experience=0.1)
    results = search(
        index, "stockage hydrogène batteries", consortium_so_far=["sme_h2"], weights=weights, k=10
    )
    assert len(results) >= 3
    for s in results:
        expected = sum(getattr(weights, name) * s.components[name] for name in COMPONENTS)
        assert s.score == pytest.approx(expected)
        assert all(0 <= v <= 1 for v in s.components.values())
    scores = [s.score for s in results]
    assert scores == sorted(scores, reverse=True)


def test_past_partner_outranks_an_equal_text_match_and_says_so(index):
    weights = Weights(text=0.5, network=0.5, complementarity=0, experience=0)
    results = search(index, "stockage", consortium_so_far=["sme_h2"], weights=weights)
    # lab_batt matches "stockage" by text; lab_h2 does not but worked twice with sme_h2.
    assert ids(results)[:2] == ["lab_h2", "lab_batt"]
    assert reasons_of(results, "lab_h2", "past_partner_of") == [
        {"code": "past_partner_of", "org": "sme_h2", "projects": 2, "last_year": 2021}
    ]
    assert results[0].components["network"] > 0


def test_partner_of_partner_names_the_common_partner(index):
    weights = Weights(
        text=0, network=1, complementarity=0, experience=0, direct=1, two_hop=1, shared_cluster=0
    )
    results = search(index, "", consortium_so_far=["sme_h2"], weights=weights)
    assert reasons_of(results, "lab_batt", "partner_of_partner") == [
        {"code": "partner_of_partner", "org": "sme_h2", "via": ["lab_h2"], "count": 1}
    ]
    assert "past_partner_of" not in {r["code"] for s in results if s.org_id == "lab_batt" for r in s.reasons}


def test_shared_cluster_reason_lists_the_clusters(index):
    weights = Weights(
        text=0, network=1, complementarity=0, experience=0, direct=0, two_hop=0, shared_cluster=1
    )
    results = search(index, "", consortium_so_far=["sme_h2"], weights=weights)
    assert ids(results) == ["lab_h2", "soft"]
    assert reasons_of(results, "lab_h2", "same_cluster") == [
        {"code": "same_cluster", "org": "sme_h2", "clusters": ["Tenerrdis"]}
    ]
    assert reasons_of(results, "soft", "same_cluster") == [
        {"code": "same_cluster", "org": "sme_h2", "clusters": ["Minalogic"]}
    ]
    assert results[0].components["network"] == pytest.approx(1.0)


def test_complementarity_rewards_the_missing_category_and_uncovered_terms(index):
    weights = Weights(text=0, network=0, complementarity=1, experience=0)
    results = search(
        index,
        "hydrogène batteries",
        consortium_so_far=["sme_h2"],
        weights=weights,
        wanted_categories={"company", "research"},
    )
    categories = {p.org_id: p.category for p in PROFILES}
    for s in results:
        gap = reasons_of([s], s.org_id, "fills_missing_category")
        assert gap == (
            [{"code": "fills_missing_category", "category": "research"}]
            if categories[s.org_id] == "research"
            else []
        )
    # "hydrogene" is covered by the consortium already; "batterie" is not.
    assert reasons_of(results, "lab_batt", "covers_new_terms") == [
        {"code": "covers_new_terms", "terms": ["batterie"]}
    ]
    assert reasons_of(results, "lab_h2", "covers_new_terms") == []
    assert ids(results)[0] == "lab_batt"


def test_without_wanted_categories_any_absent_category_is_complementary(index):
    weights = Weights(text=0, network=0, complementarity=1, experience=0, term_gap=0)
    results = search(index, "", consortium_so_far=["sme_h2", "lab_h2"], weights=weights)
    assert ids(results) == ["quiet"]  # consultancy: the only category neither member has


def test_experience_reason_counts_past_projects(index):
    results = search(index, "", weights=Weights(text=0, network=0, complementarity=0, experience=1), k=2)
    assert ids(results) == ["big_auto", "lab_batt"]
    assert results[0].reasons == ({"code": "experienced", "projects": 20},)
    assert results[0].components["experience"] == pytest.approx(1.0)


def test_reasons_come_strongest_component_first(index):
    weights = Weights(text=0.1, network=0.9, complementarity=0, experience=0)
    results = search(index, "hydrogène", consortium_so_far=["sme_h2"], weights=weights)
    top = results[0]
    assert top.org_id == "lab_h2"
    assert [r["code"] for r in top.reasons] == ["past_partner_of", "same_cluster", "shares_keywords"]


@pytest.mark.parametrize(
    ("filters", "allowed"),
    [
        (SearchFilters(categories={"research"}), {"lab_h2", "lab_batt"}),
        (SearchFilters(categories={"company"}, sizes={"sme"}), {"sme_h2", "soft"}),
        (SearchFilters(regions={"11"}), {"big_auto", "soft", "quiet"}),
        (SearchFilters(clusters={"Tenerrdis"}), {"lab_h2", "sme_h2"}),
        (SearchFilters(clusters={"Minalogic", "Tenerrdis"}), {"lab_h2", "sme_h2", "soft"}),
        (SearchFilters(clusters={"Nowhere"}), set()),
        (SearchFilters(categories={"research"}, regions={"11"}), set()),
    ],
)
def test_filters_are_hard_constraints(index, filters, allowed):
    mask = candidate_mask(index, filters)
    assert {index.org_ids[i] for i in np.flatnonzero(mask)} == allowed
    results = search(index, "hydrogène batteries logiciel conseil", filters=filters, weights=Weights(), k=10)
    assert set(ids(results)) <= allowed
    assert set(ids(results)) == allowed  # every allowed one has some evidence in this query


def test_consortium_members_and_excluded_organisations_are_never_suggested(index):
    results = search(index, "hydrogène batteries", consortium_so_far=["sme_h2"], exclude=["lab_h2"], k=10)
    assert "sme_h2" not in ids(results) and "lab_h2" not in ids(results)
    assert "lab_batt" in ids(results)


def test_k_limits_the_number_of_results(index):
    assert len(search(index, "hydrogène batteries logiciel", k=2)) == 2
    assert search(index, "hydrogène", k=0) == []


def test_an_organisation_that_did_not_opt_in_leaves_no_trace(index):
    assert "secret" not in index.position
    assert "secret" not in index.clusters
    # sme_h2 and soft were connected only through "secret": no two-hop path may survive.
    weights = Weights(
        text=0, network=1, complementarity=0, experience=0, direct=1, two_hop=1, shared_cluster=0
    )
    results = search(index, "", consortium_so_far=["sme_h2"], weights=weights, k=10)
    assert "soft" not in ids(results)
    everything = search(index, "hydrogène stockage logiciel", consortium_so_far=["sme_h2", "secret"], k=10)
    assert "secret" not in repr(everything)


def test_unknown_consortium_members_are_ignored(index):
    alone = search(index, "hydrogène", consortium_so_far=["not-indexed"], k=10)
    baseline = search(index, "hydrogène", k=10)
    assert ids(alone) == ids(baseline)


VOCABULARY = [
    "hydrogène",
    "batteries",
    "logiciel",
    "stockage",
    "électrochimie",
    "conseil",
    "drones",
    "automobile",
]
ORGS = [p.org_id for p in PROFILES] + ["secret", "ghost"]


@settings(max_examples=60, deadline=None)
@given(
    need=st.lists(st.sampled_from(VOCABULARY), max_size=4).map(" ".join),
    consortium=st.lists(st.sampled_from(ORGS), max_size=3, unique=True),
    exclude=st.lists(st.sampled_from(ORGS), max_size=2, unique=True),
    categories=st.none()
    | st.sets(st.sampled_from(["research", "company", "consultancy", "other"]), min_size=1),
    k=st.integers(min_value=0, max_value=8),
    w=st.tuples(*[st.floats(min_value=0, max_value=1)] * 4),
)
def test_search_invariants(index, need, consortium, exclude, categories, k, w):
    weights = Weights(*w)
    filters = SearchFilters(categories=categories)
    results = search(index, need, filters, consortium, exclude, k, weights)
    returned = ids(results)
    assert len(returned) == len(set(returned)) <= k
    assert set(returned) <= set(index.org_ids) - set(consortium) - set(exclude)
    assert "secret" not in repr(results)
    by_id = {p.org_id: p for p in PROFILES}
    if categories is not None:
        assert all(by_id[o].category in categories for o in returned)
    assert all(s.score > 0 for s in results)
    assert [s.score for s in results] == sorted((s.score for s in results), reverse=True)
    # Nothing better was left out: every excluded-by-k candidate scores at most the last one.
    if results and len(results) == k:
        total = score_candidates(index, need, consortium).total(weights)
        mask = candidate_mask(index, filters, [*consortium, *exclude])
        others = [total[i] for i in np.flatnonzero(mask) if index.org_ids[i] not in returned]
        assert all(o <= results[-1].score + 1e-9 for o in others)


def test_results_do_not_depend_on_input_order():
    rng = random.Random(4)
    shuffled_profiles = PROFILES[:]
    shuffled_edges = EDGES[:]
    rng.shuffle(shuffled_profiles)
    rng.shuffle(shuffled_edges)
    memberships = {k: set(v) for k, v in reversed(list(MEMBERSHIPS.items()))}
    a = build_index(PROFILES, EDGES, MEMBERSHIPS)
    b = build_index(shuffled_profiles, shuffled_edges, memberships)
    for need, consortium in [
        ("hydrogène", ["sme_h2"]),
        ("batteries stockage", []),
        ("", ["lab_batt", "soft"]),
    ]:
        ra = search(a, need, consortium_so_far=consortium, k=10)
        rb = search(b, need, consortium_so_far=consortium, k=10)
        assert [(s.org_id, s.reasons) for s in ra] == [(s.org_id, s.reasons) for s in rb]
        assert [s.score for s in ra] == pytest.approx([s.score for s in rb])


def test_ties_are_broken_by_organisation_id():
    profiles = [Profile(o, "capteurs") for o in ("c", "a", "b")]
    index = build_index(profiles)
    assert ids(search(index, "capteur", weights=TEXT_ONLY)) == ["a", "b", "c"]


def test_edge_decay_halves_old_ties():
    profiles = [Profile("a"), Profile("b"), Profile("c")]
    edges = [("a", "b", 1.0, 2020), ("a", "c", 1.0, 2016)]
    index = build_index(profiles, edges, reference_year=2020, half_life_years=4)
    assert index.adjacency[index.position["a"], index.position["b"]] == pytest.approx(1.0)
    assert index.adjacency[index.position["a"], index.position["c"]] == pytest.approx(0.5)
    direct = score_candidates(index, "", ["a"]).direct
    assert direct[index.position["b"]] == pytest.approx(1 - math.exp(-1))
    assert direct[index.position["c"]] == pytest.approx(1 - math.exp(-0.5))


def test_empty_index_answers_nothing():
    index = build_index([])
    assert search(index, "hydrogène", consortium_so_far=["x"]) == []


def test_duplicate_profiles_and_negative_weights_are_refused():
    with pytest.raises(ValueError, match="duplicate"):
        build_index([Profile("a"), Profile("a")])
    with pytest.raises(ValueError, match="weight text"):
        Weights(text=-1)
    with pytest.raises(TypeError, match="collections"):
        search(build_index([Profile("a")]), "x", consortium_so_far="a")
