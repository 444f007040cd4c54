"""The collaboration network: organisations linked by co-participation in projects, weighted, by period.

Clusters exist to make firms, labs and universities work together; the network shows whether they do.
Two organisations are linked when they took part in the same project; the link's weight is the number of
projects they shared, and `first_year`/`last_year` bound when. From that graph we read:

- its size, density and connected components (is the programme one community or islands?);
- bridging organisations: betweenness centrality, exact on small graphs and estimated from `k` sampled
  sources on large ones (Brandes 2001, with networkx's sampling and scaling so both agree exactly);
- public research–SME links, the policy's first aim;
- links between clusters, through organisations of different clusters working together;
- one cluster's neighbourhood and one organisation's ego network, drawn with plotly (served locally);
- GraphML (for Gephi, Cytoscape, networkx) and CSV exports.

Plain Python (pandas, scipy, networkx), no Django import: pages, exports, the benchmark and the tests call
the same functions; `poles.analytics.selectors` reads the participations from the database.

Frames: `participations` has project_id, organisation_id, year; `organisations` has organisation_id, name,
kind (see poles.analytics.indicators.PARTNER_KINDS), region; `memberships` has organisation_id, cluster_id.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from poles.core.charts import PALETTE

from .indicators import LARGE, MID, RESEARCH, SME

EDGE_COLUMNS = ["source", "target", "weight", "first_year", "last_year"]
# Above this many nodes, betweenness is estimated from sampled sources (cost ~ k × edges, not n × edges).
EXACT_BETWEENNESS_MAX_NODES = 1500
DEFAULT_SAMPLES = 128
BATCH = 32
CLUSTER = "cluster"
KIND_COLOURS = {
    SME: PALETTE[0],
    RESEARCH: PALETTE[1],
    LARGE: PALETTE[2],
    MID: PALETTE[3],
    CLUSTER: PALETTE[5],
}
OTHER_COLOUR = "#929292"


def edges_from(participations: pd.DataFrame) -> pd.DataFrame:
    """Weighted co-participation links: one row per pair of organisations (source < target) that shared
    at least one project, with the number of projects shared and the years of the first and last one.

    A project of p partners gives p(p-1)/2 links; an organisation listed twice in a project counts once.
    """
    parts = participations[["project_id", "organisation_id", "year"]].drop_duplicates(
        ["project_id", "organisation_id"]
    )
    pairs = parts.merge(parts[["project_id", "organisation_id"]], on="project_id", suffixes=("", "_other"))
    pairs = pairs[pairs["organisation_id"] < pairs["organisation_id_other"]]
    if pairs.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64") for c in EDGE_COLUMNS})
    grouped = pairs.groupby(["organisation_id", "organisation_id_other"]).agg(
        weight=("project_id", "size"), first_year=("year", "min"), last_year=("year", "max")
    )
    edges = grouped.reset_index().rename(
        columns={"organisation_id": "source", "organisation_id_other": "target"}
    )
    return edges[EDGE_COLUMNS].astype({"source": "int64", "target": "int64", "weight": "int64"})


def in_period(participations: pd.DataFrame, first: int | None, last: int | None) -> pd.DataFrame:
    """The participations of projects whose year lies in [first, last] (either bound may be open)."""
    mask = np.ones(len(participations), dtype=bool)
    years = participations["year"]
    if first is not None:
        mask &= (years >= first).fillna(False).to_numpy(dtype=bool)
    if last is not None:
        mask &= (years <= last).fillna(False).to_numpy(dtype=bool)
    return participations[mask]


@dataclass
class Adjacency:
    """The graph as a symmetric sparse matrix over node positions 0..n-1, and the ids at each position."""

    ids: np.ndarray
    matrix: sparse.csr_matrix

    @classmethod
    def of(cls, edges: pd.DataFrame, nodes: np.ndarray | None = None) -> Adjacency:
        """Build from an edge table; `nodes` adds isolated organisations (degree 0)."""
        ids = np.unique(np.concatenate([edges["source"].to_numpy(), edges["target"].to_numpy()]))
        if nodes is not None:
            ids = np.union1d(ids, np.asarray(nodes, dtype=np.int64))
        n = len(ids)
        a = np.searchsorted(ids, edges["source"].to_numpy())
        b = np.searchsorted(ids, edges["target"].to_numpy())
        data = np.ones(2 * len(a), dtype=np.float64)
        matrix = sparse.csr_matrix((data, (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n))
        return cls(ids=ids, matrix=matrix)

    @property
    def n(self) -> int:
        """Number of nodes."""
        return len(self.ids)


def betweenness(adjacency: Adjacency, k: int | None = None, seed: int = 0) -> np.ndarray:
    """Normalised betweenness centrality (unweighted shortest paths, endpoints excluded), per node position.

    Exact with `k=None`; with `k` sources drawn as networkx draws them (`random.Random(seed).sample` over
    the nodes in id order) and rescaled as networkx rescales them, so the result equals
    `nx.betweenness_centrality(G, k=k, seed=seed)` on a graph whose nodes were added in id order. Brandes'
    algorithm runs for a batch of sources at once as sparse-matrix × dense-matrix products (breadth-first
    levels forward, dependencies backward), which is what makes sampled betweenness affordable on the
    national network in a page request.
    """
    n = adjacency.n
    if n < 3:
        return np.zeros(n)
    if k is not None and k >= n:
        k = None
    # random.sample picks positions from the population's length only, so sampling range(n) picks the same
    # nodes as networkx sampling list(G) when G's nodes are in id order.
    sampled = None if k is None else random.Random(seed).sample(range(n), k)
    sources = np.arange(n) if sampled is None else np.array(sampled, dtype=np.int64)
    matrix = adjacency.matrix
    total = np.zeros(n)
    for start in range(0, len(sources), BATCH):
        batch = sources[start : start + BATCH]
        total += _brandes_batch(matrix, batch)
    # networkx's _rescale(normalized=True, endpoints=False, directed=False)
    big_n = n - 1
    if k is None:
        return total / (big_n * (big_n - 1))
    scale = np.full(n, 1.0 / (k * (big_n - 1)))
    scale[sources] = 1.0 / ((k - 1) * (big_n - 1)) if k > 1 else np.nan
    return total * scale


def _brandes_batch(matrix: sparse.csr_matrix, sources: np.ndarray) -> np.ndarray:
    """Sum over `sources` of Brandes' dependencies δ_s(v), v ≠ s."""
    n, b = matrix.shape[0], len(sources)
    columns = np.arange(b)
    sigma = np.zeros((n, b))
    sigma[sources, columns] = 1.0
    seen = np.zeros((n, b), dtype=bool)
    seen[sources, columns] = True
    levels = [seen.copy()]
    frontier = sigma.copy()
    while True:
        reached = matrix @ frontier
        new = (reached > 0) & ~seen
        if not new.any():
            break
        np.copyto(sigma, reached, where=new)
        seen |= new
        levels.append(new)
        frontier = np.where(new, reached, 0.0)
    delta = np.zeros((n, b))
    coefficient = np.empty((n, b))
    for depth in range(len(levels) - 1, 0, -1):
        here, before = levels[depth], levels[depth - 1]
        coefficient.fill(0.0)
        np.divide(1.0 + delta, sigma, out=coefficient, where=here)
        spread = matrix @ coefficient
        np.multiply(spread, sigma, out=spread)
        np.add(delta, spread, out=delta, where=before)
    delta[sources, columns] = 0.0
    return delta.sum(axis=1)


@dataclass
class NetworkSummary:
    """The figures of one network (a period, a source) shown on the network page."""

    nodes: int
    edges: int
    density: float
    components: int
    largest_component: int
    average_degree: float
    bridging: pd.DataFrame  # organisation_id, betweenness, degree — top organisations
    betweenness_exact: bool
    samples: int | None
    research_sme_links: int
    smes_linked_to_research: int
    smes: int
    kind_links: pd.DataFrame  # kind_a, kind_b, links, projects
    cluster_links: pd.DataFrame  # cluster_a, cluster_b, weight
    notes: list[str] = field(default_factory=list)

    @property
    def largest_share(self) -> float | None:
        """Share of the organisations in the largest component."""
        return self.largest_component / self.nodes if self.nodes else None

    @property
    def sme_research_share(self) -> float | None:
        """Share of the network's SMEs with at least one public-research partner."""
        return self.smes_linked_to_research / self.smes if self.smes else None


def summarise(
    edges: pd.DataFrame,
    organisations: pd.DataFrame,
    memberships: pd.DataFrame | None = None,
    *,
    samples: int = DEFAULT_SAMPLES,
    exact_up_to: int = EXACT_BETWEENNESS_MAX_NODES,
    top: int = 20,
    seed: int = 0,
) -> NetworkSummary:
    """Every figure of the network page, from its edge table and the organisations' attributes."""
    adjacency = Adjacency.of(edges)
    n, m = adjacency.n, len(edges)
    if n:
        count, labels = csgraph.connected_components(adjacency.matrix, directed=False)
        largest = int(np.bincount(labels).max())
    else:
        count, largest = 0, 0
    exact = n <= exact_up_to
    scores = betweenness(adjacency, None if exact else samples, seed=seed)
    degree = np.asarray(adjacency.matrix.sum(axis=1)).ravel()
    order = np.argsort(-scores, kind="stable")[:top]
    bridging = pd.DataFrame(
        {
            "organisation_id": adjacency.ids[order],
            "betweenness": scores[order],
            "degree": degree[order].astype(int),
        }
    )
    kinds = (
        organisations.set_index("organisation_id")["kind"]
        if not organisations.empty
        else pd.Series(dtype=str)
    )
    kind_a = edges["source"].map(kinds).astype(object).fillna("other")
    kind_b = edges["target"].map(kinds).astype(object).fillna("other")
    research_sme = ((kind_a == RESEARCH) & (kind_b == SME)) | ((kind_a == SME) & (kind_b == RESEARCH))
    smes_in_network = set(
        adjacency.ids[np.isin(adjacency.ids, kinds[kinds == SME].index.to_numpy())].tolist()
    )
    linked = set(edges.loc[research_sme & (kind_a == SME), "source"]) | set(
        edges.loc[research_sme & (kind_b == SME), "target"]
    )
    if m:
        first = kind_a.where(kind_a <= kind_b, kind_b)
        second = kind_b.where(kind_a <= kind_b, kind_a)
        pair = pd.DataFrame(
            {"kind_a": first.to_numpy(), "kind_b": second.to_numpy(), "weight": edges["weight"].to_numpy()}
        )
        kind_links = pair.groupby(["kind_a", "kind_b"]).agg(
            links=("weight", "size"), projects=("weight", "sum")
        )
        kind_links = kind_links.reset_index()
    else:
        kind_links = pd.DataFrame(columns=["kind_a", "kind_b", "links", "projects"])
    return NetworkSummary(
        nodes=n,
        edges=m,
        density=(2 * m / (n * (n - 1))) if n > 1 else 0.0,
        components=int(count),
        largest_component=largest,
        average_degree=(2 * m / n) if n else 0.0,
        bridging=bridging,
        betweenness_exact=exact,
        samples=None if exact else min(samples, n),
        research_sme_links=int(research_sme.sum()),
        smes_linked_to_research=len(linked),
        smes=len(smes_in_network),
        kind_links=kind_links.sort_values("links", ascending=False, kind="stable").reset_index(drop=True),
        cluster_links=cluster_links(edges, memberships) if memberships is not None else _no_cluster_links(),
    )


def _no_cluster_links() -> pd.DataFrame:
    return pd.DataFrame({"cluster_a": pd.Series(dtype="int64"), "cluster_b": pd.Series(dtype="int64"),
                         "weight": pd.Series(dtype="int64"), "links": pd.Series(dtype="int64")})  # fmt: skip


def cluster_links(edges: pd.DataFrame, memberships: pd.DataFrame) -> pd.DataFrame:
    """Links between clusters: for every co-participation link between a member of cluster A and a member of
    cluster B (A ≠ B), add its weight to the pair (A, B). An organisation in two clusters links both.

    `links` counts organisation pairs, `weight` the projects they shared.
    """
    member = memberships[["organisation_id", "cluster_id"]].drop_duplicates()
    if edges.empty or member.empty:
        return _no_cluster_links()
    left = edges.merge(
        member.rename(columns={"organisation_id": "source", "cluster_id": "cluster_a"}), on="source"
    )
    both = left.merge(
        member.rename(columns={"organisation_id": "target", "cluster_id": "cluster_b"}), on="target"
    )
    both = both[both["cluster_a"] != both["cluster_b"]]
    if both.empty:
        return _no_cluster_links()
    a = np.minimum(both["cluster_a"], both["cluster_b"])
    b = np.maximum(both["cluster_a"], both["cluster_b"])
    both = both.assign(cluster_a=a, cluster_b=b)
    # One organisation pair counts once per cluster pair even if both partners share several clusters.
    both = both.drop_duplicates(["source", "target", "cluster_a", "cluster_b"])
    out = both.groupby(["cluster_a", "cluster_b"]).agg(weight=("weight", "sum"), links=("weight", "size"))
    return out.reset_index().sort_values(["weight", "links"], ascending=False).reset_index(drop=True)


def cluster_graph(links: pd.DataFrame, names: dict[int, str], top: int = 150) -> nx.Graph:
    """Clusters as nodes, linked by the projects their members shared (the `top` strongest links)."""
    graph = nx.Graph()
    strongest_links = links.sort_values(["weight", "links"], ascending=False, kind="stable").head(top)
    for a, b, weight, pairs in strongest_links[["cluster_a", "cluster_b", "weight", "links"]].itertuples(
        index=False
    ):
        for node in (int(a), int(b)):
            if node not in graph:
                graph.add_node(node, name=names.get(node, str(node)), kind=CLUSTER)
        graph.add_edge(int(a), int(b), weight=int(weight), pairs=int(pairs))
    return graph


def neighbourhood(edges: pd.DataFrame, centre: set[int], *, include_partners: bool = True) -> pd.DataFrame:
    """The links of a group of organisations: among them, and (with `include_partners`) to their partners,
    plus the links among those partners — the cluster view (centre = its members) and the ego view
    (centre = one organisation)."""
    if edges.empty:
        return edges
    touches = edges["source"].isin(centre) | edges["target"].isin(centre)
    if not include_partners:
        return edges[edges["source"].isin(centre) & edges["target"].isin(centre)]
    nodes = set(edges.loc[touches, "source"]) | set(edges.loc[touches, "target"]) | set(centre)
    return edges[edges["source"].isin(nodes) & edges["target"].isin(nodes)]


def strongest(edges: pd.DataFrame, keep: set[int], limit: int) -> tuple[pd.DataFrame, bool]:
    """At most `limit` nodes for a readable drawing: the `keep` nodes first, then the partners with the
    largest total link weight. Returns the edges among the kept nodes and whether anything was left out."""
    nodes = set(edges["source"]) | set(edges["target"]) | set(keep)
    if len(nodes) <= limit:
        return edges, False
    strength = pd.concat(
        [edges.groupby("source")["weight"].sum(), edges.groupby("target")["weight"].sum()]
    ).groupby(level=0).sum()  # fmt: skip
    ranked = [node for node in strength.sort_values(ascending=False, kind="stable").index if node not in keep]
    chosen = set(list(keep)[:limit]) | set(ranked[: max(0, limit - len(keep))])
    return edges[edges["source"].isin(chosen) & edges["target"].isin(chosen)], True


def to_graph(
    edges: pd.DataFrame, organisations: pd.DataFrame, extra_nodes: set[int] | None = None
) -> nx.Graph:
    """A networkx graph with node attributes (name, kind, region, clusters) and edge attributes (weight,
    first_year, last_year), nodes in id order."""
    attributes = organisations.set_index("organisation_id") if not organisations.empty else None
    graph = nx.Graph()
    ids = sorted(set(edges["source"]) | set(edges["target"]) | (extra_nodes or set()))
    for node in ids:
        data: dict[str, Any] = {}
        if attributes is not None and node in attributes.index:
            row = attributes.loc[node]
            data = {key: _plain(row[key]) for key in attributes.columns}
        graph.add_node(int(node), **data)
    for source, target, weight, first, last in edges[EDGE_COLUMNS].itertuples(index=False):
        graph.add_edge(
            int(source), int(target), weight=int(weight), first_year=_plain(first), last_year=_plain(last)
        )
    return graph


def _plain(value: Any) -> Any:
    """GraphML accepts str, int, float and bool only."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)


def graphml(graph: nx.Graph) -> str:
    """The graph as GraphML text."""
    return "\n".join(nx.generate_graphml(graph, prettyprint=False)) + "\n"


def layout(graph: nx.Graph, seed: int = 7) -> dict[int, tuple[float, float]]:
    """Node positions, seeded so the same network is drawn the same way.

    Each connected component gets its own force-directed layout (weighted), scaled by the square root of
    its size, and components are packed left to right, largest first, in rows: one spring layout of the
    whole graph would push small islands to the edges and shrink the main component to a dot.
    """
    positions: dict[int, tuple[float, float]] = {}
    components = sorted(nx.connected_components(graph), key=lambda c: (-len(c), min(c)))
    if not components:
        return positions
    row_width = 2.2 * len(components[0]) ** 0.5 + 4
    x = y = row_height = 0.0
    for nodes in components:
        size = len(nodes) ** 0.5
        if len(nodes) == 1:
            local = {next(iter(nodes)): (0.0, 0.0)}
        else:
            sub = graph.subgraph(nodes)
            local = nx.spring_layout(sub, seed=seed, weight="weight", iterations=60, scale=size)
        width = 2 * size + 1
        if x and x + width > row_width:
            x, y, row_height = 0.0, y - row_height, 0.0
        for node, (px, py) in local.items():
            positions[node] = (round(float(px + x + size), 4), round(float(py + y - size), 4))
        x += width
        row_height = max(row_height, 2 * size + 1)
    return positions


def figure(
    graph: nx.Graph,
    positions: dict[int, tuple[float, float]],
    *,
    highlight: set[int] = frozenset(),
    urls: dict[int, str] | None = None,
    kind_labels: dict[str, str] | None = None,
    height: int = 560,
) -> dict:
    """A plotly figure (plain dicts): links as lines (wider for stronger links), organisations as markers
    coloured by kind, highlighted ones (the cluster's members, the ego) outlined and larger. Each marker's
    `customdata` holds its page address, which network.js opens on click."""
    kind_labels = kind_labels or {}
    traces: list[dict] = []
    by_width: dict[int, tuple[list, list]] = {}
    for source, target, data in graph.edges(data=True):
        width = 1 if data.get("weight", 1) <= 1 else 2 if data["weight"] <= 3 else 4
        xs, ys = by_width.setdefault(width, ([], []))
        (x0, y0), (x1, y1) = positions[source], positions[target]
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    for width, (xs, ys) in sorted(by_width.items()):
        traces.append({
            "type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip", "showlegend": False,
            "line": {"width": width * 0.7, "color": "rgba(80,80,80,0.35)"},
        })  # fmt: skip
    groups: dict[str, list[int]] = {}
    for node, data in graph.nodes(data=True):
        groups.setdefault(str(data.get("kind", "other")), []).append(node)
    weighted_degree = dict(graph.degree(weight="weight"))
    for kind in sorted(groups, key=lambda k: (k not in KIND_COLOURS, k)):
        nodes = groups[kind]
        traces.append({
            "type": "scatter", "mode": "markers", "name": str(kind_labels.get(kind, kind)),
            "x": [positions[n][0] for n in nodes], "y": [positions[n][1] for n in nodes],
            "text": [_hover(graph.nodes[n], weighted_degree.get(n, 0)) for n in nodes],
            "hoverinfo": "text",
            "customdata": [(urls or {}).get(n, "") for n in nodes],
            "marker": {
                "color": KIND_COLOURS.get(kind, OTHER_COLOUR),
                "size": [min(28, 7 + 2 * weighted_degree.get(n, 0) ** 0.5) + (6 if n in highlight else 0) for n in nodes],
                "line": {"width": [3 if n in highlight else 0.5 for n in nodes], "color": "#161616"},
            },
        })  # fmt: skip
    layout_ = {
        "height": height,
        "showlegend": True,
        "legend": {"orientation": "h"},
        "hovermode": "closest",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "xaxis": {"visible": False},
        "yaxis": {"visible": False, "scaleanchor": "x"},
    }
    return {"data": traces, "layout": layout_}


def _hover(data: dict, strength: float) -> str:
    return f"{data.get('name', '')} — {int(strength)}"


def by_period(participations: pd.DataFrame, width: int = 3) -> pd.DataFrame:
    """How the network grew: organisations, links, density, components and the largest component's share
    for consecutive periods of `width` years (the last one may be shorter)."""
    years = participations["year"].dropna()
    columns = ["first_year", "last_year", "organisations", "links", "density", "components", "largest_share"]
    if years.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for start in range(int(years.min()), int(years.max()) + 1, width):
        end = min(start + width - 1, int(years.max()))
        edges = edges_from(in_period(participations, start, end))
        nodes = in_period(participations, start, end)["organisation_id"].unique()
        adjacency = Adjacency.of(edges, nodes)
        n, m = adjacency.n, len(edges)
        count, labels = (
            csgraph.connected_components(adjacency.matrix, directed=False) if n else (0, np.zeros(0))
        )
        largest = int(np.bincount(labels).max()) if n else 0
        rows.append(
            [
                start,
                end,
                n,
                m,
                (2 * m / (n * (n - 1))) if n > 1 else 0.0,
                int(count),
                largest / n if n else 0.0,
            ]
        )
    return pd.DataFrame(rows, columns=columns)
