"""Consortium building on the platform's data: candidates per slot, ranked eligible consortia, swaps.

Read-only (it proposes; `services.start_proposal` writes). It joins three plain engines:

1. `composition.slots_for` reads the call's rules and says which partners the lead needs
   (an SME, another company, a research body...);
2. `engine.search` ranks candidates for each slot, given the idea and the lead: once over every
   findable organisation and once inside the lead cluster's territory, so that consortia meeting
   a territory rule can always be formed;
3. `builder.build_consortia` assembles and ranks consortia, checking each with
   `composition.check_consortium` (the call's own rules, run by the eligibility engine).

A swap (`recheck`) takes the consortium as a mapping slot -> organisation and re-runs the check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from poles.calls.engine.eligibility import validate_rules
from poles.calls.models import Call
from poles.clusters.models import Cluster
from poles.organisations.models import Category, Organisation, SizeClass

from . import builder
from .composition import (
    ConsortiumCheck,
    InvalidCallRules,
    MemberFacts,
    SlotSpec,
    check_consortium,
    slot_label,
    slots_for,
)
from .engine import SearchFilters, Suggestion, search
from .indexing import PUBLIC_CONTROL_THRESHOLD, PartnerCard, PartnerData, partner_data
from .selectors import PartnerResult, category_labels, still_findable, to_result, verified

CANDIDATES_PER_SLOT = 10
ALTERNATIVES_SHOWN = 8


@dataclass(frozen=True)
class ConsortiumRequest:
    """What the member asks for: a lead organisation, an idea, a call, and the lead cluster."""

    call: Call
    lead: Organisation
    idea: str = ""
    lead_cluster: Cluster | None = None
    extra_partners: int = 0


@dataclass(frozen=True)
class Seat:
    """One member of a proposed consortium: its slot, card (None for a non-findable lead), reasons."""

    slot: str
    org_id: str
    name: str
    score: float
    facts: MemberFacts | None = None
    card: PartnerCard | None = None
    result: PartnerResult | None = None
    alternatives: tuple[PartnerResult, ...] = ()

    region_name: str = ""

    @property
    def label(self) -> str:
        """The place's name in the active language ("SME", "Company 2"...)."""
        return str(slot_label(self.slot))

    @property
    def is_lead(self) -> bool:
        return self.slot == builder.LEAD_SLOT

    @property
    def category_label(self) -> str:
        category = self.facts.category if self.facts else ""
        return str(Category(category).label) if category in Category.values else category

    @property
    def size_label(self) -> str:
        size = self.facts.size_class if self.facts else ""
        return str(SizeClass(size).label) if size in SizeClass.values else ""


@dataclass(frozen=True)
class ConsortiumProposal:
    """A consortium (lead first), its score and the check of the call's rules."""

    seats: tuple[Seat, ...]
    score: float
    check: ConsortiumCheck

    @property
    def members(self) -> dict[str, str]:
        """slot -> organisation id, the consortium as the swap form and the start form carry it."""
        return {seat.slot: seat.org_id for seat in self.seats}


@dataclass
class BuilderOutcome:
    """Proposed consortia and the slots that were searched."""

    proposals: list[ConsortiumProposal]
    slots: list[SlotSpec]
    lead_findable: bool
    candidates: dict[str, list[PartnerResult]] = field(default_factory=dict)


def _lead_facts(request: ConsortiumRequest, territory: frozenset[str]) -> MemberFacts:
    lead = request.lead
    region = lead.departement.region.code if lead.departement_id else ""
    return MemberFacts(
        org_id=str(lead.pk),
        name=lead.name,
        category=lead.category,
        size_class=lead.size_class or None,
        public_controlled=Decimal(lead.public_control or 0) >= PUBLIC_CONTROL_THRESHOLD,
        in_territory=bool(region) and region in territory,
    )


def _lead_data(data: PartnerData, request: ConsortiumRequest, facts: MemberFacts) -> dict:
    lead = request.lead
    region = lead.departement.region.name if lead.departement_id else ""
    return {"facts": facts, "card": data.card(facts.org_id), "region_name": region}


def _card_facts(card: PartnerCard, territory: frozenset[str]) -> MemberFacts:
    return MemberFacts(
        org_id=str(card.id),
        name=card.name,
        category=card.category,
        size_class=card.size_class or None,
        public_controlled=card.public_controlled,
        in_territory=bool(card.region) and card.region in territory,
    )


def _valid_rules(request: ConsortiumRequest) -> list:
    """The call's rule set, or InvalidCallRules before anything is searched."""
    errors = validate_rules(list(request.call.rules))
    if errors:
        raise InvalidCallRules(errors)
    return list(request.call.rules)


def _territory(data: PartnerData, request: ConsortiumRequest) -> frozenset[str]:
    return (
        data.cluster_regions.get(request.lead_cluster.slug, frozenset())
        if request.lead_cluster
        else frozenset()
    )


def _slot_suggestions(
    data: PartnerData,
    request: ConsortiumRequest,
    spec: SlotSpec,
    territory: frozenset[str],
    exclude: list[str],
) -> list[Suggestion]:
    """The best candidates for a slot: overall, and inside the lead cluster's territory."""
    seen: dict[str, Suggestion] = {}
    for regions in (None, territory or None):
        filters = SearchFilters(categories=spec.categories, sizes=spec.sizes, regions=regions)
        for suggestion in search(
            data.index,
            request.idea,
            filters,
            consortium_so_far=[str(request.lead.pk)],
            exclude=exclude,
            k=CANDIDATES_PER_SLOT,
        ):
            seen.setdefault(suggestion.org_id, suggestion)
    return sorted(seen.values(), key=lambda s: (-round(s.score, 12), int(s.org_id)))


def _candidates(
    data: PartnerData, request: ConsortiumRequest, specs: list[SlotSpec], territory: frozenset[str]
) -> dict[str, list[PartnerResult]]:
    """Candidates of every slot, checked against the database in one query (opted out since the
    index was built: dropped)."""
    exclude = [str(request.lead.pk)]
    per_slot = {spec.name: _slot_suggestions(data, request, spec, territory, exclude) for spec in specs}
    kept = verified([s for suggestions in per_slot.values() for s in suggestions], allowed={request.lead.pk})
    by_id = {s.org_id: s for s in kept}
    labels = category_labels()
    return {
        name: [to_result(data, by_id[s.org_id], labels) for s in suggestions if s.org_id in by_id]
        for name, suggestions in per_slot.items()
    }


def _checker(request: ConsortiumRequest):
    lead_cluster = request.lead_cluster.slug if request.lead_cluster else None

    def is_eligible(members: tuple[builder.Member, ...]) -> tuple[bool, ConsortiumCheck]:
        check = check_consortium(
            request.call.rules, [m.data["facts"] for m in members], lead_cluster=lead_cluster
        )
        return check.eligible, check

    return is_eligible


def _seats(
    proposed: builder.ProposedConsortium, candidates: Mapping[str, list[PartnerResult]]
) -> tuple[Seat, ...]:
    used = set(proposed.org_ids)
    seats = []
    for member in proposed.members:
        result = member.data.get("result")
        alternatives = tuple(r for r in candidates.get(member.slot, ()) if str(r.card.id) not in used)[
            :ALTERNATIVES_SHOWN
        ]
        seats.append(
            Seat(
                slot=member.slot,
                org_id=member.org_id,
                name=member.data["facts"].name,
                score=member.score,
                facts=member.data["facts"],
                card=member.data.get("card"),
                region_name=member.data.get("region_name", ""),
                result=result,
                alternatives=alternatives,
            )
        )
    return tuple(seats)


def propose(request: ConsortiumRequest, *, max_results: int = 5) -> BuilderOutcome:
    """Ranked consortia around the lead that pass the call's composition rules, each with its check.

    When none passes, the best failing ones come back flagged (with their check), so the page can
    say which rule could not be met.
    """
    data = partner_data()
    territory = _territory(data, request)
    lead_facts = _lead_facts(request, territory)
    specs = slots_for(_valid_rules(request), lead_facts, extra_partners=request.extra_partners)
    candidates = _candidates(data, request, specs, territory)
    lead = builder.Candidate(lead_facts.org_id, 0.0, _lead_data(data, request, lead_facts))
    slots = [
        builder.Slot(
            spec.name,
            [
                builder.Candidate(
                    str(r.card.id),
                    r.score,
                    {
                        "facts": _card_facts(r.card, territory),
                        "result": r,
                        "card": r.card,
                        "region_name": r.card.region_name,
                    },
                )
                for r in candidates[spec.name]
            ],
        )
        for spec in specs
    ]
    proposed = builder.build_consortia(
        lead, slots, _checker(request), max_results=max_results, include_ineligible=True
    )
    proposals = [ConsortiumProposal(_seats(p, candidates), p.score, p.details) for p in proposed]
    return BuilderOutcome(
        proposals=proposals, slots=specs, lead_findable=lead_facts.org_id in data.cards, candidates=candidates
    )


def recheck(request: ConsortiumRequest, members: Mapping[str, str]) -> ConsortiumProposal:
    """The consortium given as slot -> organisation id (the lead under "lead"), checked again.

    Used after a swap. Every partner must be findable and appear once; slots are those the call's
    rules ask for. Raises ValidationError otherwise (nothing is revealed about organisations that
    did not opt in: they are simply "not available").
    """
    data = partner_data()
    territory = _territory(data, request)
    lead_facts = _lead_facts(request, territory)
    specs = slots_for(_valid_rules(request), lead_facts, extra_partners=request.extra_partners)
    candidates = _candidates(data, request, specs, territory)
    findable = still_findable(int(v) for v in members.values() if str(v).isdigit())
    errors = []
    lead_data = _lead_data(data, request, lead_facts)
    chosen: list[builder.Member] = [builder.Member(lead_facts.org_id, builder.LEAD_SLOT, 0.0, lead_data)]
    used = {lead_facts.org_id}
    for spec in specs:
        org_id = str(members.get(spec.name) or "")
        card = data.cards.get(org_id) if org_id.isdigit() and int(org_id) in findable else None
        if card is None:
            errors.append(
                _("%(slot)s: this organisation is not available in partner search.")
                % {"slot": slot_label(spec.name)}
            )
            continue
        if org_id in used:
            errors.append(
                _("%(slot)s: an organisation can only take one place.") % {"slot": slot_label(spec.name)}
            )
            continue
        used.add(org_id)
        known = next((r for r in candidates[spec.name] if str(r.card.id) == org_id), None)
        chosen.append(
            builder.Member(
                org_id,
                spec.name,
                known.score if known else 0.0,
                {
                    "facts": _card_facts(card, territory),
                    "result": known,
                    "card": card,
                    "region_name": card.region_name,
                },
            )
        )
    unknown = set(members) - {spec.name for spec in specs} - {builder.LEAD_SLOT}
    if unknown:
        errors.append(
            _("Unknown places in the consortium: %(slots)s.") % {"slots": ", ".join(sorted(unknown))}
        )
    if errors:
        raise ValidationError(errors)
    ok, check = _checker(request)(tuple(chosen))
    proposed = builder.ProposedConsortium(tuple(chosen), round(sum(m.score for m in chosen), 12), ok, check)
    return ConsortiumProposal(_seats(proposed, candidates), proposed.score, check)
