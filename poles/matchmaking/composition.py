"""A call's eligibility rules applied to a consortium before any proposal exists.

Why a separate module: the eligibility engine (`poles.calls.engine`) checks a submitted proposal
(budgets, labels, deadline). When a member is still choosing partners, only the rules about who is
in the consortium can be checked: the lead is a company, enough companies, SMEs and research
bodies, and where the work would be done. This module picks those rules from the call's rule set,
runs them through the very same engine on facts built from the candidate consortium, and marks
the other rules as "checked at submission". It also derives, from the same rules, the role slots
the consortium builder has to fill. Plain Python over plain data (no ORM), like the engines.

Territory shares are estimates: every partner is given the same budget and its work is placed
where it is established, inside or outside the lead cluster's territory. The lead cluster is
assumed to be the labelling cluster. The real shares come from the budget at submission.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from poles.calls.engine.eligibility import RULES, evaluate, validate_rules
from poles.calls.engine.facts import (
    DEFAULT_COMPANY_CATEGORIES,
    DEFAULT_RESEARCH_CATEGORIES,
    SME_SIZE_CLASSES,
    Participation,
    ProposalFacts,
)
from poles.calls.engine.messages import Message

#: Rules a consortium can be checked against before it has a budget, labels or a title.
COMPOSITION_RULES = frozenset(
    {
        "lead_is_company",
        "min_companies",
        "min_research_bodies",
        "sme_required",
        "territory_share",
        "lead_cluster_share",
    }
)
LATER = "later"
_ESTIMATED_BUDGET = {"staff": Decimal(1)}  # equal budgets: each partner weighs the same


@dataclass(frozen=True)
class MemberFacts:
    """What the check needs to know about one member of a candidate consortium."""

    org_id: str
    name: str
    category: str
    size_class: str | None = None
    public_controlled: bool = False
    in_territory: bool = False

    @property
    def is_sme(self) -> bool:
        """An SME in the EU sense (micro, small or medium and not publicly controlled)."""
        return self.size_class in SME_SIZE_CLASSES and not self.public_controlled


@dataclass(frozen=True)
class RuleCheck:
    """One rule of the call for the consortium: passed, failed, warning, or checked later."""

    index: int
    rule: str
    status: str
    severity: str
    message: Message

    @property
    def label(self) -> Any:
        """The rule's name, as officers see it in the rule editor."""
        return RULES[self.rule].label if self.rule in RULES else self.rule

    def as_dict(self) -> dict[str, Any]:
        """The result with its message in French and English (for the API and the audit)."""
        return {
            "index": self.index,
            "rule": self.rule,
            "status": self.status,
            "severity": self.severity,
            "label": {"fr": _render(self.label, "fr"), "en": _render(self.label, "en")},
            "message": {"fr": self.message.render("fr"), "en": self.message.render("en")},
        }


def _render(text: Any, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(text)


@dataclass(frozen=True)
class ConsortiumCheck:
    """Every rule of the call for one consortium, in the call's order."""

    results: tuple[RuleCheck, ...]

    @property
    def eligible(self) -> bool:
        """No composition rule fails (warnings and later checks do not block)."""
        return not any(r.status == "fail" for r in self.results)

    @property
    def warnings(self) -> int:
        return sum(1 for r in self.results if r.status == "warning")

    @property
    def failures(self) -> int:
        return sum(1 for r in self.results if r.status == "fail")

    def as_dict(self) -> dict[str, Any]:
        return {"eligible": self.eligible, "results": [r.as_dict() for r in self.results]}


class InvalidCallRules(ValueError):
    """The call's rule set cannot be evaluated (the officer's rule editor should have refused it)."""

    def __init__(self, errors: list[Message]):
        super().__init__("; ".join(e.msgid for e in errors))
        self.errors = errors


def _facts(members: Sequence[MemberFacts], lead_cluster: str | None) -> ProposalFacts:
    participations = tuple(
        Participation(
            org_id=m.org_id,
            category=m.category,
            role="lead" if i == 0 else "partner",
            size_class=m.size_class or None,
            budget=_ESTIMATED_BUDGET,
            territory_share=Decimal(1) if m.in_territory else Decimal(0),
            lead_cluster_share=Decimal(1) if m.in_territory else Decimal(0),
            in_territory=m.in_territory,
            public_controlled=m.public_controlled,
            name=m.name,
        )
        for i, m in enumerate(members)
    )
    return ProposalFacts(
        proposal_id="consortium",
        call_id="call",
        title="",
        participations=participations,
        lead_cluster_id=lead_cluster,
    )


def check_consortium(
    rules: Sequence[Mapping[str, Any]], members: Sequence[MemberFacts], *, lead_cluster: str | None
) -> ConsortiumCheck:
    """Check a consortium (lead first) against the composition rules of a call's rule set.

    The other rules come back with status "later" and a message saying they are checked when the
    proposal is submitted. Raises InvalidCallRules when the rule set itself is wrong.
    """
    errors = validate_rules(list(rules))
    if errors:
        raise InvalidCallRules(errors)
    facts = _facts(members, lead_cluster)
    now = [(i, rule) for i, rule in enumerate(rules) if rule["rule"] in COMPOSITION_RULES]
    evaluated = dict(zip((i for i, _r in now), evaluate([r for _i, r in now], facts), strict=True))
    results = []
    for i, rule in enumerate(rules):
        severity = rule.get("severity", "fail")
        if i in evaluated:
            result = evaluated[i]
            results.append(RuleCheck(i, rule["rule"], result.status, severity, result.message))
        else:
            results.append(
                RuleCheck(
                    i,
                    rule["rule"],
                    LATER,
                    severity,
                    Message(
                        _("Checked when the proposal is submitted (%(rule)s)."),
                        {"rule": RULES[rule["rule"]].label},
                    ),
                )
            )
    return ConsortiumCheck(tuple(results))


@dataclass(frozen=True)
class SlotSpec:
    """A role the builder must fill: which categories and sizes may fill it."""

    name: str
    kind: str  # "sme", "company", "research" or "partner"
    categories: frozenset[str] | None = None
    sizes: frozenset[str] | None = None


def _param(rule: Mapping[str, Any], name: str) -> Any:
    given = (rule.get("params") or {}).get(name)
    return RULES[rule["rule"]].params[name].default if given is None else given


def slots_for(
    rules: Sequence[Mapping[str, Any]], lead: MemberFacts, *, extra_partners: int = 0
) -> list[SlotSpec]:
    """The partner slots a consortium led by `lead` needs to meet the call's composition rules.

    SMEs count as companies, so SME slots are filled first and the company slots only make up
    the difference; at least one partner is always asked for (a collaborative project has two
    members or more); `extra_partners` adds open slots of any category.
    """
    companies = smes = research = 0
    company_categories: set[str] = set()
    sme_categories: set[str] = set()
    research_categories: set[str] = set()
    for rule in rules:
        code = rule.get("rule")
        if code == "min_companies":
            cats = tuple(_param(rule, "company_categories"))
            companies = max(companies, int(_param(rule, "min")) - (lead.category in cats))
            company_categories.update(cats)
        elif code == "sme_required":
            cats = tuple(_param(rule, "company_categories"))
            smes = max(smes, int(_param(rule, "min")) - (lead.category in cats and lead.is_sme))
            sme_categories.update(cats)
        elif code == "min_research_bodies":
            cats = tuple(_param(rule, "research_categories"))
            research = max(research, int(_param(rule, "min")) - (lead.category in cats))
            research_categories.update(cats)
    specs: list[tuple[str, frozenset[str] | None, frozenset[str] | None]] = []
    smes = max(smes, 0)
    specs += [("sme", frozenset(sme_categories or DEFAULT_COMPANY_CATEGORIES), SME_SIZE_CLASSES)] * smes
    specs += [("company", frozenset(company_categories or DEFAULT_COMPANY_CATEGORIES), None)] * max(
        companies - smes, 0
    )
    specs += [("research", frozenset(research_categories or DEFAULT_RESEARCH_CATEGORIES), None)] * max(
        research, 0
    )
    specs += [("partner", None, None)] * max(extra_partners, 0 if specs else 1)
    slots, seen = [], {}
    for kind, categories, sizes in specs:
        seen[kind] = seen.get(kind, 0) + 1
        name = kind if seen[kind] == 1 else f"{kind}_{seen[kind]}"
        slots.append(SlotSpec(name, kind, categories, sizes))
    return slots


SLOT_LABELS = {
    "lead": _("Lead"),
    "sme": _("SME"),
    "company": _("Company"),
    "research": _("Research or training body"),
    "partner": _("Partner"),
}


def slot_label(name: str) -> Any:
    """The translated label of a slot name ("company_2" -> "Company 2")."""
    kind, _sep, number = name.partition("_")
    label = SLOT_LABELS.get(kind, kind)
    return _("%(slot)s %(number)s") % {"slot": label, "number": number} if number else label
