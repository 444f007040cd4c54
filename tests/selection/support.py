"""An independent checker and a brute-force solver for selection instances.

Written from the issue's definitions, not from the engine's code, so that the tests compare the
engine with a second reading of the rules: envelopes per funder, total aid per cluster, SME aid
share of the selection (linear form, the empty set passes), threshold on the score.
"""

from __future__ import annotations

import itertools

import numpy as np

from poles.selection.engine import Constraints, Proposal

TOL = 1e-9


def value(p: Proposal, constraints: Constraints) -> float:
    """What one proposal adds to the objective."""
    total = sum(p.aid.values())
    return p.score / total if constraints.objective == "score_per_euro" else p.score


def violations(chosen: list[Proposal], envelopes: dict[str, float], constraints: Constraints) -> list[str]:
    """Every rule the chosen set breaks, as readable strings (empty: feasible)."""
    out = []
    if constraints.min_score is not None:
        out += [f"{p.id} below threshold" for p in chosen if p.score < constraints.min_score]
    for funder, envelope in envelopes.items():
        used = sum(p.aid.get(funder, 0) for p in chosen)
        if used > envelope * (1 + TOL) + TOL:
            out.append(f"envelope {funder}: {used} > {envelope}")
    if any(f not in envelopes for p in chosen for f in p.aid):
        out.append("funder without envelope")
    if constraints.max_aid_per_cluster is not None:
        per_cluster: dict[str, float] = {}
        for p in chosen:
            if p.cluster is not None:
                per_cluster[p.cluster] = per_cluster.get(p.cluster, 0) + sum(p.aid.values())
        cap = constraints.max_aid_per_cluster
        out += [f"cluster {c}: {a} > {cap}" for c, a in per_cluster.items() if a > cap * (1 + TOL) + TOL]
    if constraints.min_sme_share:
        sme = sum(sum(p.sme_aid.values()) for p in chosen)
        aid = sum(sum(p.aid.values()) for p in chosen)
        if sme - constraints.min_sme_share * aid < -TOL * max(1.0, aid):
            out.append(f"SME share {sme}/{aid} < {constraints.min_sme_share}")
    return out


def brute_force(proposals: list[Proposal], envelopes: dict[str, float], constraints: Constraints) -> float:
    """The best objective over every subset, by enumeration (numpy over the 2^n subsets)."""
    n = len(proposals)
    if n == 0:
        return 0.0
    funders = sorted(envelopes)
    subsets = np.array(list(itertools.product((0, 1), repeat=n)), dtype=float)
    aid = np.array([[p.aid.get(f, 0.0) for f in funders] for p in proposals])
    total = aid.sum(axis=1)
    ok = np.ones(len(subsets), dtype=bool)
    used = subsets @ aid
    env = np.array([envelopes[f] for f in funders])
    ok &= (used <= env * (1 + TOL) + TOL).all(axis=1)
    if constraints.min_score is not None:
        below = np.array([p.score < constraints.min_score for p in proposals], dtype=float)
        ok &= subsets @ below == 0
    if constraints.max_aid_per_cluster is not None:
        cap = constraints.max_aid_per_cluster
        for c in {p.cluster for p in proposals if p.cluster is not None}:
            member = np.array([p.cluster == c for p in proposals], dtype=float)
            ok &= subsets @ (member * total) <= cap * (1 + TOL) + TOL
    if constraints.min_sme_share:
        sme = np.array([sum(p.sme_aid.values()) for p in proposals])
        aid_sum = subsets @ total
        ok &= subsets @ sme - constraints.min_sme_share * aid_sum >= -TOL * np.maximum(1.0, aid_sum)
    values = np.array([value(p, constraints) for p in proposals])
    return float((subsets[ok] @ values).max())
