"""The network engine: links and weights, betweenness against networkx, components, cluster links, exports."""

from __future__ import annotations

import io

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poles.analytics import network
from poles.analytics.indicators import LARGE, RESEARCH, SME


def parts(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["project_id", "organisation_id", "year"]).astype({"year": "float64"})


# Projects: 1 = {1, 2, 3} in 2008; 2 = {1, 2} in 2010; 3 = {4, 5} in 2012 (a separate island); organisation 2
# is listed twice in project 2 (it must count once).
PARTS = parts(
    [
        (1, 1, 2008),
        (1, 2, 2008),
        (1, 3, 2008),
        (2, 1, 2010),
        (2, 2, 2010),
        (2, 2, 2010),
        (3, 4, 2012),
        (3, 5, 2012),
    ]
)
ORGS = pd.DataFrame(
    [(1, "Lab A", RESEARCH, "84"), (2, "SME B", SME, "84"), (3, "Group C", LARGE, "11"), (4, "SME D", SME, "11"),
     (5, "Lab E", RESEARCH, "11")],
    columns=["organisation_id", "name", "kind", "region"],
)  # fmt: skip


def test_links_are_weighted_by_shared_projects_and_dated():
    edges = network.edges_from(PARTS).set_index(["source", "target"])
    assert edges.loc[(1, 2), "weight"] == 2
    assert (edges.loc[(1, 2), "first_year"], edges.loc[(1, 2), "last_year"]) == (2008, 2010)
    assert edges.loc[(1, 3), "weight"] == 1 and edges.loc[(2, 3), "weight"] == 1
    assert edges.loc[(4, 5), "weight"] == 1
    assert len(edges) == 4


def test_period_filter_keeps_the_projects_of_those_years():
    window = network.in_period(PARTS, 2009, 2011)
    assert set(window["project_id"]) == {2}
    edges = network.edges_from(window)
    assert edges[["source", "target", "weight"]].values.tolist() == [[1, 2, 1]]


def test_summary_counts_components_density_and_research_sme_links():
    edges = network.edges_from(PARTS)
    memberships = pd.DataFrame(
        [(1, 10), (2, 10), (3, 20), (4, 20), (5, 30)], columns=["organisation_id", "cluster_id"]
    )
    summary = network.summarise(edges, ORGS, memberships)
    assert (summary.nodes, summary.edges, summary.components, summary.largest_component) == (5, 4, 2, 3)
    assert summary.density == pytest.approx(4 / 10)
    # research–SME links: 1–2 (lab A, SME B) and 4–5 (SME D, lab E)
    assert summary.research_sme_links == 2
    assert (summary.smes, summary.smes_linked_to_research) == (2, 2)
    assert summary.betweenness_exact
    # Organisation 1 and 2 are both on the only path... none: the triangle has no bridge; 1–2–3 is a triangle.
    assert summary.bridging["betweenness"].max() == 0
    links = summary.cluster_links.set_index(["cluster_a", "cluster_b"])
    # 1(10)–3(20) and 2(10)–3(20): two organisation pairs, one project each; 4(20)–5(30): one
    assert links.loc[(10, 20), "links"] == 2 and links.loc[(10, 20), "weight"] == 2
    assert links.loc[(20, 30), "weight"] == 1
    assert (10, 10) not in links.index


def test_a_bridge_has_the_highest_betweenness():
    # Two triangles joined through organisation 7.
    rows = [(1, 1, 2010), (1, 2, 2010), (1, 3, 2010), (2, 3, 2011), (2, 7, 2011), (3, 7, 2012), (3, 4, 2012),
            (4, 4, 2013), (4, 5, 2013), (4, 6, 2013)]  # fmt: skip
    summary = network.summarise(network.edges_from(parts(rows)), ORGS.iloc[0:0])
    assert summary.bridging.iloc[0]["organisation_id"] == 7
    graph = nx.Graph(network.edges_from(parts(rows))[["source", "target"]].values.tolist())
    assert summary.bridging.iloc[0]["betweenness"] == pytest.approx(nx.betweenness_centrality(graph)[7])


def graph_edges(graph: nx.Graph) -> pd.DataFrame:
    return pd.DataFrame(
        [(min(a, b), max(a, b), 1, 2000, 2000) for a, b in graph.edges()], columns=network.EDGE_COLUMNS
    )


@settings(max_examples=40, deadline=None)
@given(st.integers(4, 60), st.floats(0.02, 0.5), st.integers(0, 10_000), st.integers(2, 30))
def test_betweenness_equals_networkx_exact_and_sampled(n, p, seed, k):
    graph = nx.gnp_random_graph(n, p, seed=seed)
    graph.remove_nodes_from(list(nx.isolates(graph)))
    if graph.number_of_edges() < 2:
        return
    adjacency = network.Adjacency.of(graph_edges(graph))
    ordered = nx.Graph()
    ordered.add_nodes_from(sorted(graph.nodes))
    ordered.add_edges_from(graph.edges)
    exact = nx.betweenness_centrality(ordered)
    assert np.allclose(network.betweenness(adjacency), [exact[i] for i in adjacency.ids], atol=1e-12)
    k = min(k, adjacency.n - 1)
    sampled = nx.betweenness_centrality(ordered, k=k, seed=seed)
    ours = network.betweenness(adjacency, k=k, seed=seed)
    expected = np.array([sampled[i] for i in adjacency.ids])
    assert np.allclose(np.nan_to_num(ours, nan=-1), np.nan_to_num(expected, nan=-1), atol=1e-12)


def test_large_graphs_use_sampled_betweenness():
    graph = nx.barabasi_albert_graph(400, 2, seed=3)
    summary = network.summarise(graph_edges(graph), ORGS.iloc[0:0], exact_up_to=100, samples=50)
    assert not summary.betweenness_exact and summary.samples == 50
    exact = nx.betweenness_centrality(graph)
    top_exact = set(sorted(exact, key=exact.get, reverse=True)[:5])
    # The sampled estimate finds the main hubs.
    assert len(top_exact & set(summary.bridging["organisation_id"].head(10))) >= 3


def test_neighbourhood_ego_and_drawing_limit():
    edges = network.edges_from(PARTS)
    ego = network.neighbourhood(edges, {3})
    assert {tuple(r) for r in ego[["source", "target"]].values} == {(1, 2), (1, 3), (2, 3)}
    inside = network.neighbourhood(edges, {1, 2}, include_partners=False)
    assert inside[["source", "target"]].values.tolist() == [[1, 2]]
    kept, trimmed = network.strongest(edges, {1}, 2)
    assert trimmed and kept[["source", "target"]].values.tolist() == [[1, 2]]  # 2 is 1's strongest partner


def test_graphml_round_trip_keeps_attributes_and_weights():
    edges = network.edges_from(PARTS)
    graph = network.to_graph(edges, ORGS)
    parsed = nx.read_graphml(io.BytesIO(network.graphml(graph).encode()))
    assert parsed.number_of_nodes() == 5 and parsed.number_of_edges() == 4
    assert parsed.nodes["1"]["name"] == "Lab A" and parsed.nodes["1"]["kind"] == RESEARCH
    assert parsed.edges["1", "2"]["weight"] == 2
    figure = network.figure(graph, network.layout(graph), highlight={1}, urls={1: "/x/1/"})
    markers = [t for t in figure["data"] if t["mode"] == "markers"]
    assert sum(len(t["x"]) for t in markers) == 5
    assert any("/x/1/" in t["customdata"] for t in markers)


def test_growth_by_period():
    table = network.by_period(PARTS, width=2)
    assert table[["first_year", "last_year"]].values.tolist() == [[2008, 2009], [2010, 2011], [2012, 2012]]
    assert table["links"].tolist() == [3, 1, 1]
    assert table["organisations"].tolist() == [3, 2, 2]


def test_layout_packs_components_apart():
    graph = nx.disjoint_union_all([nx.complete_graph(12), nx.path_graph(4), nx.empty_graph(1)])
    positions = network.layout(graph)
    assert set(positions) == set(graph.nodes)
    boxes = []
    for nodes in nx.connected_components(graph):
        xs = [positions[n][0] for n in nodes]
        ys = [positions[n][1] for n in nodes]
        boxes.append((min(xs), max(xs), min(ys), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
    assert network.layout(graph) == positions  # seeded: the same drawing every time
