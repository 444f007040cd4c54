"""Offline evaluation of partner search on real collaborations (CORDIS Horizon 2020).

Why: a ranking that only looks plausible is not evidence. Here the engine is asked a question
whose answer is known: given the coordinator of a project that started after a cut-off year,
and profiles built only from what happened up to the cut-off, would its real partners have been
in the top 10?

Protocol (everything reproducible from the files and the seed):

* Training: participations in projects starting in or before `cutoff`. Each organisation seen
  there gets a profile: text = the programme-part codes of its projects (one token per project
  and part, e.g. "leit", "sc4", "msca"), category = its CORDIS activity type (PRC, REC, HES,
  PUB, OTH), region = its country, project_count = its number of projects. Edges: one per pair
  of organisations per shared project, weight 1, year = the project's start year.
* Test: projects starting in [first_year, last_year] whose coordinator was seen in training.
  The need text is the project's programme-part codes: the only text the extract holds (no
  titles or abstracts), so the text signal is far weaker than on the platform. The relevant
  set is the project's other participants that were seen in training (a ranker cannot name an
  organisation it has never seen); projects with none are skipped. Candidates: every training
  organisation except the coordinator.
* Metrics, averaged over test projects: recall@k = |relevant in the top k| / |relevant|;
  MRR = 1 / rank of the first relevant organisation in the full ranking (no cut-off). Ties are
  broken by organisation id, as in `engine.search`.
* Baselines: random (a seeded permutation per project, and its exact expectation), global
  popularity (most projects before the cut-off), and popularity within the need's programme
  parts (most projects in those parts before the cut-off, ties by global popularity), the fair
  baseline since the method also sees the parts.
* Weights are tuned on a validation split (cut-off one year earlier, tested on the next year)
  and then applied, unchanged, to the test split.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import gammaln

from poles.matchmaking.engine import (
    ComponentScores,
    PartnerIndex,
    Profile,
    Weights,
    build_index,
    score_candidates,
)

CORDIS_FILES = ("h2020.csv.gz", "pp.csv.gz")

_SCORE_DECIMALS = 12


@dataclass(frozen=True)
class CordisData:
    """The two CORDIS tables, cleaned: participations and project -> programme part."""

    participations: pd.DataFrame  # rcn, role, org (str), type, country, start_year (int)
    programme_parts: pd.DataFrame  # rcn, part (a token such as "leit" or "innovationinsmes")


def cordis_available(directory: Path) -> bool:
    """Whether the CORDIS extract is present in `directory` (tests and bench skip otherwise)."""
    return all((Path(directory) / name).is_file() for name in CORDIS_FILES)


def part_token(programme_part: str) -> str:
    """One token per programme part ("Innovation in SMEs" -> "innovationinsmes")."""
    return re.sub(r"[^a-z0-9]", "", str(programme_part).lower())


def load_cordis(directory: Path) -> CordisData:
    """Read h2020.csv.gz and pp.csv.gz from `directory`; rows without a start year are dropped."""
    directory = Path(directory)
    raw = pd.read_csv(
        directory / "h2020.csv.gz",
        usecols=["rcn", "role", "pic", "type", "country", "start_year"],
        dtype={"rcn": "int64", "pic": "int64", "role": "string", "type": "string", "country": "string"},
    )
    raw = raw.dropna(subset=["start_year"])
    participations = pd.DataFrame(
        {
            "rcn": raw["rcn"].to_numpy(),
            "role": raw["role"].fillna("").astype(str).to_numpy(),
            "org": raw["pic"].astype(str).to_numpy(),
            "type": raw["type"].fillna("").astype(str).to_numpy(),
            "country": raw["country"].fillna("").astype(str).to_numpy(),
            "start_year": raw["start_year"].astype(int).to_numpy(),
        }
    ).drop_duplicates(subset=["rcn", "org"])
    pp = pd.read_csv(directory / "pp.csv.gz", dtype={"rcn": "int64", "programme_part": "string"})
    programme_parts = pd.DataFrame(
        {"rcn": pp["rcn"].to_numpy(), "part": [part_token(p) for p in pp["programme_part"].fillna("")]}
    )
    programme_parts = programme_parts[programme_parts["part"] != ""].drop_duplicates()
    return CordisData(participations.reset_index(drop=True), programme_parts.reset_index(drop=True))


@dataclass(frozen=True)
class TrainingSet:
    """The index built from history up to the cut-off, with what the baselines need."""

    cutoff: int
    index: PartnerIndex
    popularity: np.ndarray  # projects per index position, up to the cut-off
    popularity_by_part: dict[str, np.ndarray]


def _mode_by_org(frame: pd.DataFrame, column: str) -> dict[str, str]:
    """Each organisation's most frequent value of `column`, ties broken alphabetically."""
    counts = frame.groupby(["org", column]).size().reset_index(name="n")
    counts = counts.sort_values(["org", "n", column], ascending=[True, False, True])
    first = counts.drop_duplicates("org")
    return dict(zip(first["org"], first[column], strict=True))


def build_training(data: CordisData, cutoff: int, *, half_life_years: float | None = None) -> TrainingSet:
    """Profiles, co-participation edges and popularity counts from projects starting <= cutoff."""
    train = data.participations[data.participations["start_year"] <= cutoff]
    parts = data.programme_parts[data.programme_parts["rcn"].isin(train["rcn"].unique())]
    org_parts = train[["rcn", "org"]].merge(parts, on="rcn")
    texts = org_parts.groupby("org")["part"].agg(" ".join)
    types = _mode_by_org(train, "type")
    countries = _mode_by_org(train, "country")
    n_projects = train.groupby("org")["rcn"].nunique()
    profiles = [
        Profile(
            org_id=org,
            text=str(texts.get(org, "")),
            category=str(types[org]),
            region=str(countries[org]),
            project_count=int(n_projects[org]),
        )
        for org in n_projects.index
    ]
    index = build_index(
        profiles,
        _pair_edges(train),
        {},
        reference_year=cutoff,
        half_life_years=half_life_years,
    )
    positions = np.fromiter(
        (index.position[o] for o in n_projects.index), dtype=np.int64, count=len(n_projects)
    )
    popularity = np.zeros(len(index))
    popularity[positions] = n_projects.to_numpy()
    popularity_by_part: dict[str, np.ndarray] = {}
    for part, group in org_parts.groupby("part"):
        counts = group.groupby("org")["rcn"].nunique()
        vector = np.zeros(len(index))
        vector[[index.position[o] for o in counts.index]] = counts.to_numpy()
        popularity_by_part[str(part)] = vector
    return TrainingSet(cutoff, index, popularity, popularity_by_part)


def _pair_edges(train: pd.DataFrame) -> Iterable[tuple[str, str, float, int]]:
    """One edge per pair of organisations per shared project."""
    left = train[["rcn", "org", "start_year"]]
    pairs = left.merge(train[["rcn", "org"]], on="rcn", suffixes=("_a", "_b"))
    pairs = pairs[pairs["org_a"] < pairs["org_b"]]
    return zip(
        pairs["org_a"], pairs["org_b"], itertools.repeat(1.0), pairs["start_year"].tolist(), strict=False
    )


@dataclass(frozen=True)
class HeldOutProject:
    """One later project: who coordinates it, its need text, and the partners to find."""

    rcn: int
    coordinator: str
    need_text: str
    parts: tuple[str, ...]
    partners: frozenset[str]


def held_out_projects(
    data: CordisData,
    training: TrainingSet,
    first_year: int,
    last_year: int,
    *,
    sample: int | None = None,
    seed: int = 0,
) -> list[HeldOutProject]:
    """Projects starting in [first_year, last_year] with a known coordinator and known partners.

    With `sample`, a seeded random subset of that size (sorted by project id) keeps the run short.
    """
    known = training.index.position
    test = data.participations[
        (data.participations["start_year"] >= first_year) & (data.participations["start_year"] <= last_year)
    ]
    parts = data.programme_parts.groupby("rcn")["part"].agg(lambda s: tuple(sorted(set(s))))
    cases = []
    for rcn, group in test.groupby("rcn"):
        coordinators = sorted(group.loc[group["role"] == "coordinator", "org"])
        if not coordinators or coordinators[0] not in known:
            continue
        coordinator = coordinators[0]
        partners = frozenset(o for o in group["org"] if o != coordinator and o in known)
        if not partners:
            continue
        project_parts = parts.get(rcn, ())
        cases.append(HeldOutProject(int(rcn), coordinator, " ".join(project_parts), project_parts, partners))
    if sample is not None and sample < len(cases):
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(len(cases), size=sample, replace=False))
        cases = [cases[i] for i in chosen]
    return cases


# ---------------------------------------------------------------------------------------------
# Metrics


def ranks_of(scores: np.ndarray, candidates: np.ndarray, targets: Sequence[int]) -> np.ndarray:
    """1-based ranks of `targets` among the `candidates` mask, best score first, ties by position."""
    rounded = np.round(scores, _SCORE_DECIMALS)
    cand_scores = rounded[candidates]
    cand_pos = np.flatnonzero(candidates)
    out = np.empty(len(targets), dtype=np.int64)
    for i, t in enumerate(targets):
        s = rounded[t]
        out[i] = (
            1
            + int(np.count_nonzero(cand_scores > s))
            + int(np.count_nonzero((cand_scores == s) & (cand_pos < t)))
        )
    return out


def recall_at_k(ranks: np.ndarray, k: int) -> float:
    """Share of the relevant items ranked in the top k."""
    return float(np.count_nonzero(ranks <= k)) / len(ranks) if len(ranks) else 0.0


def reciprocal_rank(ranks: np.ndarray) -> float:
    """1 / rank of the first relevant item (0 when there is none)."""
    return 1.0 / float(ranks.min()) if len(ranks) else 0.0


def expected_random(n_candidates: int, n_relevant: int, k: int) -> tuple[float, float]:
    """Exact expected (recall@k, reciprocal rank) of a uniformly random ranking.

    Recall@k: min(k, N) / N. Reciprocal rank: sum over r of P(first hit at r) / r with
    P(first hit at r) = C(N - r, R - 1) / C(N, R).
    """
    n, r = n_candidates, n_relevant
    if n == 0 or r == 0:
        return 0.0, 0.0
    r = min(r, n)
    log_total = gammaln(n + 1) - gammaln(r + 1) - gammaln(n - r + 1)
    first = np.arange(1, n - r + 2, dtype=float)
    m = n - first
    log_ways = gammaln(m + 1) - gammaln(r) - gammaln(m - r + 2)
    rr = float(np.sum(np.exp(log_ways - log_total) / first))
    return min(k, n) / n, rr


@dataclass(frozen=True)
class Metrics:
    """Mean recall@k and MRR of one ranker over the test projects."""

    name: str
    recall_at_k: float
    mrr: float
    n_projects: int
    k: int


Scorer = Callable[[HeldOutProject], np.ndarray]


def evaluate(
    name: str, training: TrainingSet, cases: Sequence[HeldOutProject], scorer: Scorer, k: int = 10
) -> Metrics:
    """Rank every candidate with `scorer` for each test case and average the metrics."""
    if not cases:
        raise ValueError("no held-out projects to evaluate on")
    position = training.index.position
    recalls, rrs = [], []
    base = np.ones(len(training.index), dtype=bool)
    for case in cases:
        candidates = base.copy()
        candidates[position[case.coordinator]] = False
        targets = sorted(position[o] for o in case.partners)
        ranks = ranks_of(scorer(case), candidates, targets)
        recalls.append(recall_at_k(ranks, k))
        rrs.append(reciprocal_rank(ranks))
    return Metrics(name, float(np.mean(recalls)), float(np.mean(rrs)), len(cases), k)


def random_scorer(seed: int, n: int) -> Scorer:
    """A fresh seeded random score vector per call."""
    rng = np.random.default_rng(seed)
    return lambda case: rng.random(n)


def popularity_scorer(training: TrainingSet) -> Scorer:
    """Most projects before the cut-off, whatever the need."""
    return lambda case: training.popularity


def part_popularity_scorer(training: TrainingSet) -> Scorer:
    """Most projects in the need's programme parts, ties broken by global popularity."""
    tie = training.popularity / (training.popularity.max() + 1.0)

    def score(case: HeldOutProject) -> np.ndarray:
        total = tie.copy()
        for part in case.parts:
            if part in training.popularity_by_part:
                total += training.popularity_by_part[part]
        return total

    return score


def method_components(training: TrainingSet, case: HeldOutProject) -> ComponentScores:
    """The engine's sub-scores for one test case (the coordinator is the consortium so far)."""
    return score_candidates(training.index, case.need_text, [case.coordinator])


# ---------------------------------------------------------------------------------------------
# Tuning and the whole protocol

#: The grid searched on the validation split. Only ratios matter (the ranking is invariant to
#: scaling every weight), so network stays at 1; the extract has no clusters (shared_cluster 0).
DEFAULT_GRID: dict[str, tuple[float, ...]] = {
    "text": (0.0, 0.1, 0.3, 1.0),
    "experience": (0.0, 0.1, 0.3, 1.0),
    "complementarity": (0.0, 0.1),
    "two_hop": (0.0, 0.3, 1.0),
}


def weight_grid(grid: dict[str, tuple[float, ...]] | None = None) -> list[Weights]:
    """Every weighting of the grid, as engine `Weights` (direct co-participation weight 1)."""
    grid = grid or DEFAULT_GRID
    out = []
    for text, experience, complementarity, two_hop in itertools.product(
        grid["text"], grid["experience"], grid["complementarity"], grid["two_hop"]
    ):
        out.append(
            Weights(
                text=text,
                network=1.0,
                complementarity=complementarity,
                experience=experience,
                direct=1.0,
                two_hop=two_hop,
                shared_cluster=0.0,
                category_gap=1.0,
                term_gap=0.0,
            )
        )
    return out


def evaluate_weightings(
    training: TrainingSet,
    cases: Sequence[HeldOutProject],
    weightings: Sequence[Weights],
    names: Sequence[str] | None = None,
    k: int = 10,
) -> list[Metrics]:
    """Metrics of several weightings of the engine, sharing one computation of the sub-scores per case."""
    if not cases:
        raise ValueError("no held-out projects to evaluate on")
    names = list(names) if names is not None else [_describe(w) for w in weightings]
    position = training.index.position
    recalls = np.zeros((len(weightings), len(cases)))
    rrs = np.zeros((len(weightings), len(cases)))
    base = np.ones(len(training.index), dtype=bool)
    for c, case in enumerate(cases):
        components = method_components(training, case)
        candidates = base.copy()
        candidates[position[case.coordinator]] = False
        targets = sorted(position[o] for o in case.partners)
        for g, weights in enumerate(weightings):
            ranks = ranks_of(components.total(weights), candidates, targets)
            recalls[g, c] = recall_at_k(ranks, k)
            rrs[g, c] = reciprocal_rank(ranks)
    return [
        Metrics(name, float(recalls[g].mean()), float(rrs[g].mean()), len(cases), k)
        for g, name in enumerate(names)
    ]


def _describe(w: Weights) -> str:
    return (
        f"text={w.text:g} network={w.network:g} (two_hop={w.two_hop:g}) "
        f"complementarity={w.complementarity:g} experience={w.experience:g}"
    )


@dataclass(frozen=True)
class EvaluationResult:
    """Everything the bench records and the README quotes."""

    cutoff: int
    test_years: tuple[int, int]
    n_candidates: int
    weights: Weights
    validation: Metrics
    method: Metrics
    ablations: list[Metrics]
    random: Metrics
    random_expected: Metrics
    popularity: Metrics
    part_popularity: Metrics
    seconds: float
    n_test_available: int
    extra: dict[str, float] = field(default_factory=dict)


def run_evaluation(
    directory: Path,
    *,
    cutoff: int = 2017,
    last_year: int = 2022,
    validation_sample: int = 600,
    test_sample: int | None = 2000,
    seed: int = 2020,
    k: int = 10,
    grid: Sequence[Weights] | None = None,
) -> EvaluationResult:
    """The full protocol: tune on (cutoff - 1 -> cutoff), test on (cutoff -> cutoff+1..last_year)."""
    start = time.perf_counter()
    data = load_cordis(directory)
    grid = list(grid) if grid is not None else weight_grid()

    valid_training = build_training(data, cutoff - 1)
    valid_cases = held_out_projects(data, valid_training, cutoff, cutoff, sample=validation_sample, seed=seed)
    tuned = evaluate_weightings(valid_training, valid_cases, grid, k=k)
    best = max(range(len(grid)), key=lambda g: (tuned[g].recall_at_k, tuned[g].mrr, -g))
    weights = grid[best]

    training = build_training(data, cutoff)
    all_cases = held_out_projects(data, training, cutoff + 1, last_year)
    cases = held_out_projects(data, training, cutoff + 1, last_year, sample=test_sample, seed=seed)
    n = len(training.index)

    variants = {
        "method": weights,
        "network only": replace(weights, text=0.0, complementarity=0.0, experience=0.0),
        "text only": replace(weights, text=1.0, network=0.0, complementarity=0.0, experience=0.0),
        "without experience": replace(weights, experience=0.0),
        "without text": replace(weights, text=0.0),
    }
    method, *ablations = evaluate_weightings(training, cases, list(variants.values()), list(variants), k)
    expected = [expected_random(n - 1, len(case.partners), k) for case in cases]
    return EvaluationResult(
        cutoff=cutoff,
        test_years=(cutoff + 1, last_year),
        n_candidates=n,
        weights=weights,
        validation=replace(tuned[best], name="method (validation)"),
        method=method,
        ablations=ablations,
        random=evaluate("random", training, cases, random_scorer(seed, n), k),
        random_expected=Metrics(
            "random (expected)",
            float(np.mean([e[0] for e in expected])),
            float(np.mean([e[1] for e in expected])),
            len(cases),
            k,
        ),
        popularity=evaluate("popularity", training, cases, popularity_scorer(training), k),
        part_popularity=evaluate(
            "popularity in programme part", training, cases, part_popularity_scorer(training), k
        ),
        seconds=time.perf_counter() - start,
        n_test_available=len(all_cases),
    )
