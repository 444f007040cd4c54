"""Partner search: rank organisations for a need, and say why each one is suggested.

The engine is plain Python over numpy/scipy (no Django), so the pages, the API, the CLI, the
offline evaluation and the tests all call the same two functions:

* `build_index(profiles, edges, memberships)` precomputes everything a query needs: a sparse
  TF-IDF matrix of the profiles' texts, integer codes for the filterable attributes, a sparse
  organisation x cluster membership matrix, and sparse co-participation adjacency matrices.
* `search(index, need_text, ...)` scores every indexed organisation with a few sparse products
  and dense numpy operations, keeps the top k, and explains them.

Opt-in: the index holds exactly the profiles passed to `build_index`. The caller passes only
organisations that agreed to be found; edges and memberships that mention anybody else are
dropped, so such an organisation can be neither returned nor named in a reason (not even as the
common partner in "partner of your partner").

The score of a candidate c for a consortium so far S (the "anchors") is

    score = w_text * text + w_network * network + w_compl * complementarity + w_exp * experience

each component in [0, 1]:

* text: cosine between the need's and c's TF-IDF vectors;
* network: weighted mean of (a) direct past co-participation with the anchors,
  1 - exp(-summed edge weight), (b) common partners, an Adamic-Adar sum saturated the same way,
  (c) the share of anchors with which c shares a cluster;
* complementarity: weighted mean of (a) c fills a category the consortium lacks (or, when the
  caller names the wanted categories, one of those it lacks), (b) the share of the need's term
  weight that c covers and no anchor covers yet (0 while the consortium is empty: there is
  nothing to complement);
* experience: log(1 + past projects) / log(1 + most past projects of anyone).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from poles.matchmaking.text import TfidfModel, fit_tfidf

#: One co-participation: (organisation a, organisation b, weight, year or None).
#: Pass one edge per shared project so "past partner in n projects" counts projects.
Edge = tuple[str, str, float, int | None]

Reason = dict[str, Any]

COMPONENTS = ("text", "network", "complementarity", "experience")

# Scores are rounded before ranking so that float noise from summation order (edges given in
# another order) can never reorder tied candidates: ties are then broken by organisation id.
_SCORE_DECIMALS = 12
_MAX_TERMS_IN_REASON = 5
_MAX_VIA_IN_REASON = 3


@dataclass(frozen=True)
class Profile:
    """What the index knows about one opted-in organisation.

    `text` is everything that describes its competences (keywords, description, past project
    titles), in French or English; `project_count` its number of past collaborative projects.
    """

    org_id: str
    text: str = ""
    category: str = ""
    size: str = ""
    region: str = ""
    project_count: int = 0


def _as_set(values: Iterable[str] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


@dataclass(frozen=True)
class SearchFilters:
    """Hard filters: a candidate must match every given one (None = no filter on that field).

    `clusters` keeps organisations that belong to at least one of the given clusters.
    """

    categories: frozenset[str] | None = None
    sizes: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    clusters: frozenset[str] | None = None

    def __post_init__(self) -> None:
        for name in ("categories", "sizes", "regions", "clusters"):
            object.__setattr__(self, name, _as_set(getattr(self, name)))


@dataclass(frozen=True)
class Weights:
    """How the components blend; the sub-weights split network and complementarity.

    Defaults are a hand-set starting point for a French cluster platform (rich texts, sparse
    history); the offline evaluation tunes its own on a validation split.
    """

    text: float = 0.45
    network: float = 0.30
    complementarity: float = 0.15
    experience: float = 0.10
    direct: float = 0.6
    two_hop: float = 0.25
    shared_cluster: float = 0.15
    category_gap: float = 0.5
    term_gap: float = 0.5

    def __post_init__(self) -> None:
        for name, value in self.__dict__.items():
            if value < 0 or math.isnan(value):
                raise ValueError(f"weight {name} must be >= 0, got {value}")


@dataclass(frozen=True)
class Suggestion:
    """One suggested partner: total score, the four component scores, and structured reasons.

    Reasons are plain dicts with a "code" key (see `poles.matchmaking.reasons.explain` for the
    French/English wording), so the API can return them as JSON as they are.
    """

    org_id: str
    score: float
    components: dict[str, float]
    reasons: tuple[Reason, ...]


@dataclass(eq=False)
class PartnerIndex:
    """Everything precomputed for fast queries; build it with `build_index`, never by hand.

    Positions follow the sorted organisation ids, which makes results independent of the order
    in which profiles, edges and memberships were given.
    """

    org_ids: tuple[str, ...]
    position: dict[str, int]
    tfidf: TfidfModel
    doc_terms: sparse.csr_matrix  # organisations x terms, L2-normalised TF-IDF
    term_docs: sparse.csr_matrix  # terms x organisations, the same values, for query-time gathers
    categories: tuple[str, ...]
    category_code: np.ndarray
    sizes: tuple[str, ...]
    size_code: np.ndarray
    regions: tuple[str, ...]
    region_code: np.ndarray
    clusters: tuple[str, ...]
    member_of: sparse.csr_matrix  # organisations x clusters, 0/1
    cluster_members: sparse.csr_matrix  # clusters x organisations, 0/1
    adjacency: sparse.csr_matrix  # summed (possibly decayed) edge weights, symmetric
    together: sparse.csr_matrix  # number of edges (shared projects), symmetric
    last_year: sparse.csr_matrix  # latest year of a shared project, symmetric (0 if unknown)
    adamic_adar: sparse.csr_matrix  # row k scaled by 1 / log(2 + degree k), 0/1 pattern
    experience: np.ndarray
    project_count: np.ndarray
    cluster_position: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.org_ids)


def _codes(values: Sequence[str]) -> tuple[tuple[str, ...], np.ndarray]:
    labels = tuple(sorted({v for v in values if v}))
    lookup = {label: i for i, label in enumerate(labels)}
    # -1 = unknown: never matches a filter, never fills a missing category.
    return labels, np.fromiter((lookup.get(v, -1) for v in values), dtype=np.int32, count=len(values))


def build_index(
    profiles: Iterable[Profile],
    edges: Iterable[Edge] = (),
    memberships: Mapping[str, Iterable[str]] | None = None,
    *,
    reference_year: int | None = None,
    half_life_years: float | None = None,
) -> PartnerIndex:
    """Precompute the search structures for the given (opted-in) profiles.

    `edges` are past co-participations; with `reference_year` and `half_life_years` an edge's
    weight halves every `half_life_years` before `reference_year`, so old ties count less.
    Edges and memberships mentioning an organisation that is not among `profiles` are dropped.
    """
    by_id: dict[str, Profile] = {}
    for profile in profiles:
        if profile.org_id in by_id:
            raise ValueError(f"duplicate profile for organisation {profile.org_id!r}")
        by_id[profile.org_id] = profile
    org_ids = tuple(sorted(by_id))
    ordered = [by_id[o] for o in org_ids]
    position = {o: i for i, o in enumerate(org_ids)}
    n = len(org_ids)

    tfidf, doc_terms = fit_tfidf(p.text for p in ordered)
    categories, category_code = _codes([p.category for p in ordered])
    sizes, size_code = _codes([p.size for p in ordered])
    regions, region_code = _codes([p.region for p in ordered])

    member_pairs = [
        (position[org], cluster)
        for org, org_clusters in (memberships or {}).items()
        if org in position
        for cluster in set(org_clusters)
    ]
    clusters = tuple(sorted({c for _, c in member_pairs}))
    cluster_position = {c: i for i, c in enumerate(clusters)}
    member_of = sparse.csr_matrix(
        (
            np.ones(len(member_pairs)),
            (
                np.fromiter((p for p, _ in member_pairs), dtype=np.int64, count=len(member_pairs)),
                np.fromiter(
                    (cluster_position[c] for _, c in member_pairs), dtype=np.int64, count=len(member_pairs)
                ),
            ),
        ),
        shape=(n, len(clusters)),
    )

    adjacency, together, last_year = _edge_matrices(edges, position, reference_year, half_life_years)
    pattern = (together > 0).astype(float)
    degree = np.asarray(pattern.sum(axis=1)).ravel()
    adamic_adar = sparse.csr_matrix(sparse.diags(1.0 / np.log(2.0 + degree)) @ pattern)

    counts = np.fromiter((max(p.project_count, 0) for p in ordered), dtype=float, count=n)
    top = counts.max() if n else 0.0
    experience = np.log1p(counts) / math.log1p(top) if top > 0 else np.zeros(n)

    return PartnerIndex(
        org_ids=org_ids,
        position=position,
        tfidf=tfidf,
        doc_terms=doc_terms,
        term_docs=sparse.csr_matrix(doc_terms.T),
        categories=categories,
        category_code=category_code,
        sizes=sizes,
        size_code=size_code,
        regions=regions,
        region_code=region_code,
        clusters=clusters,
        member_of=member_of,
        cluster_members=sparse.csr_matrix(member_of.T),
        adjacency=adjacency,
        together=together,
        last_year=last_year,
        adamic_adar=adamic_adar,
        experience=experience,
        project_count=counts.astype(np.int64),
        cluster_position=cluster_position,
    )


def _edge_matrices(
    edges: Iterable[Edge],
    position: Mapping[str, int],
    reference_year: int | None,
    half_life_years: float | None,
) -> tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix]:
    a_list: list[int] = []
    b_list: list[int] = []
    w_list: list[float] = []
    y_list: list[int] = []
    decay = reference_year is not None and half_life_years is not None and half_life_years > 0
    for a, b, weight, year in edges:
        pa, pb = position.get(a), position.get(b)
        if pa is None or pb is None or pa == pb:
            continue
        if decay and year is not None:
            weight = weight * 0.5 ** (max(reference_year - year, 0) / half_life_years)
        a_list.append(pa)
        b_list.append(pb)
        w_list.append(float(weight))
        y_list.append(int(year) if year is not None else 0)
    n = len(position)
    # Both directions, so a row lookup answers "who worked with this organisation".
    rows = np.asarray(a_list + b_list, dtype=np.int64)
    cols = np.asarray(b_list + a_list, dtype=np.int64)
    weights = np.asarray(w_list + w_list, dtype=float)
    years = np.asarray(y_list + y_list, dtype=np.int64)
    adjacency = sparse.csr_matrix((weights, (rows, cols)), shape=(n, n))
    together = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    if len(rows):
        key = rows * n + cols
        order = np.lexsort((years, key))
        key, years = key[order], years[order]
        last = np.r_[key[1:] != key[:-1], True]
        ukey, uyear = key[last], years[last]
        last_year = sparse.csr_matrix((uyear.astype(float), (ukey // n, ukey % n)), shape=(n, n))
    else:
        last_year = sparse.csr_matrix((n, n))
    for matrix in (adjacency, together, last_year):
        matrix.sum_duplicates()
        matrix.sort_indices()
    return adjacency, together, last_year


@dataclass(frozen=True)
class ComponentScores:
    """Every candidate's raw sub-scores for one query (dense arrays over index positions).

    Exposed so the offline evaluation can try many weightings of one query at the cost of a
    few vector operations; `search` uses the same object.
    """

    text: np.ndarray
    direct: np.ndarray
    two_hop: np.ndarray
    shared_cluster: np.ndarray
    category_gap: np.ndarray
    term_gap: np.ndarray
    experience: np.ndarray

    def network(self, w: Weights) -> np.ndarray:
        """Network proximity in [0, 1]: the sub-scores' weighted mean."""
        total = w.direct + w.two_hop + w.shared_cluster
        if total == 0:
            return np.zeros_like(self.text)
        return (
            w.direct * self.direct + w.two_hop * self.two_hop + w.shared_cluster * self.shared_cluster
        ) / total

    def complementarity(self, w: Weights) -> np.ndarray:
        """Complementarity in [0, 1]: the sub-scores' weighted mean."""
        total = w.category_gap + w.term_gap
        if total == 0:
            return np.zeros_like(self.text)
        return (w.category_gap * self.category_gap + w.term_gap * self.term_gap) / total

    def components(self, w: Weights) -> dict[str, np.ndarray]:
        """The four blended components, by name."""
        return {
            "text": self.text,
            "network": self.network(w),
            "complementarity": self.complementarity(w),
            "experience": self.experience,
        }

    def total(self, w: Weights) -> np.ndarray:
        """The ranking score."""
        parts = self.components(w)
        return sum(getattr(w, name) * parts[name] for name in COMPONENTS)


@dataclass(frozen=True)
class _Query:
    term_idx: np.ndarray
    term_weight: np.ndarray
    anchors: np.ndarray
    uncovered: np.ndarray  # bool per query term: no anchor's profile has it
    missing_categories: frozenset[int]


def _prepare(
    index: PartnerIndex,
    need_text: str,
    consortium_so_far: Iterable[str],
    wanted_categories: Collection[str] | None,
) -> _Query:
    term_idx, term_weight = index.tfidf.vectorize(need_text)
    anchors = np.asarray(
        sorted({index.position[o] for o in consortium_so_far if o in index.position}), dtype=np.int64
    )
    if len(anchors) and len(term_idx):
        covered = np.asarray((index.doc_terms[anchors][:, term_idx] != 0).sum(axis=0)).ravel() > 0
    else:
        covered = np.zeros(len(term_idx), dtype=bool)
    present = {int(c) for c in index.category_code[anchors]} - {-1}
    if wanted_categories is not None:
        lookup = {label: i for i, label in enumerate(index.categories)}
        wanted = {lookup[c] for c in wanted_categories if c in lookup}
    elif len(anchors):
        wanted = set(range(len(index.categories)))
    else:
        # Nothing to complement yet and no stated need for a category.
        wanted = set()
    return _Query(term_idx, term_weight, anchors, ~covered, frozenset(wanted - present))


def _saturate(x: np.ndarray) -> np.ndarray:
    return -np.expm1(-x)


def _component_scores(index: PartnerIndex, q: _Query) -> ComponentScores:
    n = len(index)
    if len(q.term_idx):
        gathered = index.term_docs[q.term_idx]
        text = np.asarray(gathered.T @ q.term_weight).ravel()
    else:
        text = np.zeros(n)
    if len(q.term_idx) and len(q.anchors):
        gap_weight = np.where(q.uncovered, q.term_weight**2, 0.0)
        has_term = gathered.copy()
        has_term.data[:] = 1.0
        term_gap = np.asarray(has_term.T @ gap_weight).ravel() / float(np.sum(q.term_weight**2))
    else:
        term_gap = np.zeros(n)
    if len(q.anchors):
        direct = _saturate(np.asarray(index.adjacency[q.anchors].sum(axis=0)).ravel())
        pattern = index.together[q.anchors]
        pattern.data[:] = 1.0
        two_hop = _saturate(np.asarray((pattern @ index.adamic_adar).sum(axis=0)).ravel())
        if index.member_of.shape[1]:
            shared = (index.member_of[q.anchors] @ index.cluster_members) > 0
            shared_cluster = np.asarray(shared.sum(axis=0)).ravel() / len(q.anchors)
        else:
            shared_cluster = np.zeros(n)
    else:
        direct = two_hop = shared_cluster = np.zeros(n)
    if q.missing_categories:
        category_gap = np.isin(index.category_code, list(q.missing_categories)).astype(float)
    else:
        category_gap = np.zeros(n)
    return ComponentScores(text, direct, two_hop, shared_cluster, category_gap, term_gap, index.experience)


def score_candidates(
    index: PartnerIndex,
    need_text: str = "",
    consortium_so_far: Iterable[str] = (),
    wanted_categories: Collection[str] | None = None,
) -> ComponentScores:
    """Raw sub-scores of every indexed organisation for a need and a consortium so far.

    Members of `consortium_so_far` unknown to the index (not opted in) are ignored: their
    history is not in the index, so they contribute neither network nor coverage.
    """
    return _component_scores(index, _prepare(index, need_text, consortium_so_far, wanted_categories))


def candidate_mask(
    index: PartnerIndex, filters: SearchFilters | None, excluded: Iterable[str] = ()
) -> np.ndarray:
    """Boolean mask of the organisations that pass the hard filters and are not excluded."""
    mask = np.ones(len(index), dtype=bool)
    if filters is not None:
        for wanted, labels, codes in (
            (filters.categories, index.categories, index.category_code),
            (filters.sizes, index.sizes, index.size_code),
            (filters.regions, index.regions, index.region_code),
        ):
            if wanted is not None:
                allowed = [i for i, label in enumerate(labels) if label in wanted]
                mask &= np.isin(codes, allowed)
        if filters.clusters is not None:
            cols = [
                index.cluster_position[c] for c in sorted(filters.clusters) if c in index.cluster_position
            ]
            in_cluster = np.zeros(len(index), dtype=bool)
            if cols:
                in_cluster = np.asarray(index.member_of[:, cols].sum(axis=1)).ravel() > 0
            mask &= in_cluster
    for org in excluded:
        pos = index.position.get(org)
        if pos is not None:
            mask[pos] = False
    return mask


def top_positions(scores: np.ndarray, mask: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best masked scores > 0, best first, ties broken by organisation id."""
    rounded = np.where(mask, np.round(scores, _SCORE_DECIMALS), -np.inf)
    eligible = int(np.count_nonzero(rounded > 0))
    k = min(k, eligible)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    threshold = -np.partition(-rounded, k - 1)[k - 1]
    pool = np.flatnonzero(rounded >= threshold)
    # Positions are in organisation-id order, so lexsort on (position, -score) is the tie-break.
    order = np.lexsort((pool, -rounded[pool]))
    return pool[order[:k]]


def search(
    index: PartnerIndex,
    need_text: str = "",
    filters: SearchFilters | None = None,
    consortium_so_far: Sequence[str] = (),
    exclude: Iterable[str] = (),
    k: int = 10,
    weights: Weights | None = None,
    wanted_categories: Collection[str] | None = None,
) -> list[Suggestion]:
    """The k best partners for a need, given the consortium so far, each with its reasons.

    `wanted_categories` are the categories the call asks for (e.g. {"company", "research"});
    without it, any category the consortium lacks counts as complementary. Members of the
    consortium and `exclude` are never suggested; only candidates with a positive score are.
    """
    if isinstance(consortium_so_far, str) or isinstance(exclude, str):
        raise TypeError("consortium_so_far and exclude are collections of organisation ids, not one string")
    weights = weights or Weights()
    q = _prepare(index, need_text, consortium_so_far, wanted_categories)
    scores = _component_scores(index, q)
    parts = scores.components(weights)
    total = scores.total(weights)
    mask = candidate_mask(index, filters, [*consortium_so_far, *exclude])
    results = []
    for pos in top_positions(total, mask, k):
        components = {name: float(parts[name][pos]) for name in COMPONENTS}
        results.append(
            Suggestion(
                org_id=index.org_ids[pos],
                score=float(total[pos]),
                components=components,
                reasons=tuple(_reasons(index, q, scores, weights, int(pos))),
            )
        )
    return results


def _row(matrix: sparse.csr_matrix, i: int) -> dict[int, float]:
    start, end = matrix.indptr[i], matrix.indptr[i + 1]
    return dict(zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(), strict=True))


def _reasons(index: PartnerIndex, q: _Query, s: ComponentScores, w: Weights, pos: int) -> list[Reason]:
    """Structured reasons for one candidate, the strongest component's first."""
    groups: dict[str, list[Reason]] = {name: [] for name in COMPONENTS}
    if w.text > 0 and s.text[pos] > 0:
        row = _row(index.doc_terms, pos)
        contrib = [
            (-weight * row[int(t)], index.tfidf.terms[int(t)])
            for t, weight in zip(q.term_idx, q.term_weight, strict=True)
            if int(t) in row
        ]
        groups["text"].append(
            {"code": "shares_keywords", "terms": [t for _, t in sorted(contrib)[:_MAX_TERMS_IN_REASON]]}
        )
    if w.network > 0:
        candidate_partners = _row(index.together, pos)
        candidate_clusters = set(_row(index.member_of, pos))
        for anchor in q.anchors.tolist():
            anchor_id = index.org_ids[anchor]
            if w.direct > 0 and anchor in candidate_partners:
                year = int(_row(index.last_year, pos).get(anchor, 0)) or None
                groups["network"].append(
                    {
                        "code": "past_partner_of",
                        "org": anchor_id,
                        "projects": int(candidate_partners[anchor]),
                        "last_year": year,
                    }
                )
            if w.two_hop > 0:
                common = sorted(set(_row(index.together, anchor)) & set(candidate_partners))
                if common:
                    groups["network"].append(
                        {
                            "code": "partner_of_partner",
                            "org": anchor_id,
                            "via": [index.org_ids[c] for c in common[:_MAX_VIA_IN_REASON]],
                            "count": len(common),
                        }
                    )
            if w.shared_cluster > 0:
                shared = sorted(candidate_clusters & set(_row(index.member_of, anchor)))
                if shared:
                    groups["network"].append(
                        {
                            "code": "same_cluster",
                            "org": anchor_id,
                            "clusters": [index.clusters[c] for c in shared],
                        }
                    )
    if w.complementarity > 0:
        if w.category_gap > 0 and s.category_gap[pos] > 0:
            groups["complementarity"].append(
                {"code": "fills_missing_category", "category": index.categories[index.category_code[pos]]}
            )
        if w.term_gap > 0 and s.term_gap[pos] > 0:
            row = _row(index.doc_terms, pos)
            terms = [
                index.tfidf.terms[int(t)]
                for t, open_ in zip(q.term_idx, q.uncovered, strict=True)
                if open_ and int(t) in row
            ]
            groups["complementarity"].append(
                {"code": "covers_new_terms", "terms": terms[:_MAX_TERMS_IN_REASON]}
            )
    if w.experience > 0 and index.project_count[pos] > 0:
        groups["experience"].append({"code": "experienced", "projects": int(index.project_count[pos])})
    parts = s.components(w)
    ranked = sorted(
        COMPONENTS, key=lambda name: (-getattr(w, name) * parts[name][pos], COMPONENTS.index(name))
    )
    return [reason for name in ranked for reason in groups[name]]
