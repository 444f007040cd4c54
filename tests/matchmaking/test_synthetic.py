from collections import Counter

import pytest

from poles.matchmaking import synthetic
from poles.matchmaking.engine import SearchFilters, Weights, build_index, search


@pytest.fixture(scope="module")
def programme():
    return synthetic.generate(n_organisations=2_000, n_clusters=20, seed=11)


def test_same_seed_same_data(programme):
    again = synthetic.generate(n_organisations=2_000, n_clusters=20, seed=11)
    assert again.profiles == programme.profiles
    assert again.edges == programme.edges
    assert again.memberships == programme.memberships
    other = synthetic.generate(n_organisations=2_000, n_clusters=20, seed=12)
    assert other.profiles != programme.profiles


def test_shape_of_the_generated_programme(programme):
    assert len(programme.profiles) == 2_000
    categories = Counter(p.category for p in programme.profiles)
    assert 0.5 < categories["company"] / 2_000 < 0.7
    assert all((p.size != "") == (p.category == "company") for p in programme.profiles)
    assert any("é" in p.text or "è" in p.text for p in programme.profiles)  # French text, accents included
    ids = {p.org_id for p in programme.profiles}
    assert all(a in ids and b in ids and a < b for a, b, _, _ in programme.edges)
    # Clusters recruit in their own region.
    region = {p.org_id: p.region for p in programme.profiles}
    for org, clusters in programme.memberships.items():
        assert all(programme.cluster_regions[c] == region[org] for c in clusters)
    counts = Counter(o for a, b, _, _ in programme.edges for o in (a, b))
    assert max(p.project_count for p in programme.profiles) > 0
    assert all((p.project_count > 0) == (counts[p.org_id] > 0) for p in programme.profiles)


def test_a_theme_query_finds_organisations_of_that_theme(programme):
    index = build_index(programme.profiles, programme.edges, programme.memberships)
    results = search(
        index, "piles à combustible, électrolyseurs, hydrogène", weights=Weights(1, 0, 0, 0), k=10
    )
    assert len(results) == 10
    assert all("energie" in programme.themes[s.org_id] for s in results)


def test_queries_are_deterministic_and_valid(programme):
    queries = synthetic.queries(programme, n=50, seed=3)
    assert queries == synthetic.queries(programme, n=50, seed=3)
    ids = {p.org_id for p in programme.profiles}
    assert all(set(q.consortium_so_far) <= ids and len(q.consortium_so_far) <= 3 for q in queries)
    assert any(isinstance(q.filters, SearchFilters) for q in queries) and any(
        q.filters is None for q in queries
    )
