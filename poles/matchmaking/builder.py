"""Consortium builder: propose ranked consortia that pass a call's eligibility rules.

Why a pure function with the eligibility check passed in: the rules belong to the call (at
least two companies including an SME, at least one lab, a territory share...) and live in the
eligibility engine; the builder only searches combinations. The caller supplies, per role slot,
a ranked candidate list (typically one partner search per slot, with a category filter) and an
`is_eligible(members) -> (bool, details)` callable; every proposal carries the details so the
page can show the check, and `swap` re-runs it when the user replaces a partner.

Search: a beam search fills the slots in order, keeping the `beam_width` best partial consortia
by summed candidate score (an organisation is used once). The complete consortia are checked;
for those that fail, single swaps with the other candidates of a slot are tried ("repair"),
because the best-scored partners often fail a rule that one substitution fixes (no SME yet).
Eligibility checks are cached per set of (organisation, slot) and capped by `max_checks`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Candidate:
    """An organisation that may fill a slot, its search score, and whatever the check needs.

    `data` is passed through untouched to `is_eligible` (category, size class, region, budget
    share...): the builder never reads it.
    """

    org_id: str
    score: float
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Slot:
    """A role to fill ("company", "lab"...) with its ranked candidates; optional slots may stay empty."""

    name: str
    candidates: Sequence[Candidate]
    optional: bool = False


@dataclass(frozen=True)
class Member:
    """One organisation in a proposed consortium and the slot it fills ("lead" for the lead)."""

    org_id: str
    slot: str
    score: float
    data: Mapping[str, Any] = field(default_factory=dict, compare=False)


LEAD_SLOT = "lead"

EligibilityCheck = Callable[[tuple[Member, ...]], tuple[bool, Any]]


@dataclass(frozen=True)
class ProposedConsortium:
    """A consortium (lead first), its score (sum of member scores) and its eligibility check."""

    members: tuple[Member, ...]
    score: float
    eligible: bool
    details: Any

    @property
    def org_ids(self) -> tuple[str, ...]:
        """Member organisation ids, lead first, in slot order."""
        return tuple(m.org_id for m in self.members)


class _Checker:
    """Caches the caller's check and counts calls, so the search stays within its budget."""

    def __init__(self, is_eligible: EligibilityCheck, max_checks: int) -> None:
        self.is_eligible = is_eligible
        self.max_checks = max_checks
        self.cache: dict[frozenset[tuple[str, str]], tuple[bool, Any]] = {}

    @property
    def exhausted(self) -> bool:
        return len(self.cache) >= self.max_checks

    def __call__(self, members: tuple[Member, ...]) -> tuple[bool, Any]:
        key = frozenset((m.org_id, m.slot) for m in members)
        if key not in self.cache:
            ok, details = self.is_eligible(members)
            self.cache[key] = (bool(ok), details)
        return self.cache[key]


def _score(members: tuple[Member, ...]) -> float:
    # Rounded so that sums differing only by float noise rank as ties (broken by ids below).
    return round(float(sum(m.score for m in members)), 12)


def _rank_key(members: tuple[Member, ...]) -> tuple[float, tuple[str, ...]]:
    # Best score first; equal scores in organisation-id order, so results are reproducible.
    return (-_score(members), tuple(sorted(m.org_id for m in members)))


def _propose(members: tuple[Member, ...], check: _Checker) -> ProposedConsortium:
    ok, details = check(members)
    return ProposedConsortium(members, _score(members), ok, details)


def build_consortia(
    lead: Candidate,
    slots: Sequence[Slot],
    is_eligible: EligibilityCheck,
    *,
    max_results: int = 5,
    beam_width: int = 50,
    max_checks: int = 2_000,
    include_ineligible: bool = False,
) -> list[ProposedConsortium]:
    """Ranked consortia around `lead`, one organisation per slot, eligible ones only by default.

    With `include_ineligible`, the best failing consortia follow the eligible ones (flagged, with
    their details), so a page can explain why nothing passes. Distinct results differ in at
    least one organisation.
    """
    if any(slot.name == LEAD_SLOT for slot in slots):
        raise ValueError(f"slot name {LEAD_SLOT!r} is reserved for the lead organisation")
    if max_results <= 0:
        return []
    check = _Checker(is_eligible, max_checks)
    lead_member = Member(lead.org_id, LEAD_SLOT, lead.score, lead.data)
    beam: list[tuple[Member, ...]] = [(lead_member,)]
    for slot in slots:
        extended: dict[frozenset[str], tuple[Member, ...]] = {}
        for partial in beam:
            used = {m.org_id for m in partial}
            options = [partial] if slot.optional else []
            options += [
                (*partial, Member(c.org_id, slot.name, c.score, c.data))
                for c in slot.candidates
                if c.org_id not in used
            ]
            for option in options:
                key = frozenset(m.org_id for m in option)
                if key not in extended or _rank_key(option) < _rank_key(extended[key]):
                    extended[key] = option
        beam = sorted(extended.values(), key=_rank_key)[:beam_width]

    proposals: dict[frozenset[str], ProposedConsortium] = {}
    failing: list[ProposedConsortium] = []
    for members in beam:
        if check.exhausted:
            break
        proposal = _propose(members, check)
        if proposal.eligible:
            proposals[frozenset(proposal.org_ids)] = proposal
        else:
            failing.append(proposal)

    by_slot = {slot.name: slot.candidates for slot in slots}
    for proposal in failing:
        if len(proposals) >= max_results or check.exhausted:
            break
        for repaired in _single_swaps(proposal.members, by_slot):
            if check.exhausted:
                break
            key = frozenset(m.org_id for m in repaired)
            if key in proposals:
                continue
            candidate = _propose(repaired, check)
            if candidate.eligible:
                proposals[key] = candidate

    ranked = sorted(proposals.values(), key=lambda p: _rank_key(p.members))[:max_results]
    if include_ineligible and len(ranked) < max_results:
        ranked += sorted(failing, key=lambda p: _rank_key(p.members))[: max_results - len(ranked)]
    return ranked


def _single_swaps(members: tuple[Member, ...], by_slot: Mapping[str, Sequence[Candidate]]):
    """Every consortium one substitution away (same slot, unused candidate), best score first."""
    used = {m.org_id for m in members}
    options = []
    for i, member in enumerate(members):
        for c in by_slot.get(member.slot, ()):
            if c.org_id not in used:
                replaced = (*members[:i], Member(c.org_id, member.slot, c.score, c.data), *members[i + 1 :])
                options.append(replaced)
    return sorted(options, key=_rank_key)


def swap(
    consortium: ProposedConsortium,
    out_org: str,
    in_candidate: Candidate,
    is_eligible: EligibilityCheck,
) -> ProposedConsortium:
    """The consortium with `out_org` replaced by `in_candidate` in the same slot, re-checked.

    The lead cannot be swapped out (the consortium is built around it); an organisation cannot
    appear twice.
    """
    positions = [i for i, m in enumerate(consortium.members) if m.org_id == out_org]
    if not positions:
        raise ValueError(f"{out_org!r} is not in the consortium")
    i = positions[0]
    if consortium.members[i].slot == LEAD_SLOT:
        raise ValueError("the lead organisation cannot be swapped out")
    if in_candidate.org_id in consortium.org_ids:
        raise ValueError(f"{in_candidate.org_id!r} is already in the consortium")
    old = consortium.members[i]
    members = (
        *consortium.members[:i],
        Member(in_candidate.org_id, old.slot, in_candidate.score, in_candidate.data),
        *consortium.members[i + 1 :],
    )
    ok, details = is_eligible(members)
    return ProposedConsortium(members, _score(members), bool(ok), details)
