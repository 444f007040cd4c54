"""Eligibility rules of a call, stored as data and evaluated on a proposal's facts.

A call stores its rule set as a JSON list; each item is

    {"rule": "<code>", "params": {...}, "severity": "fail" | "warning"}

(`params` may be omitted when every parameter has a default; `severity` defaults to "fail").
Every code maps, in `RULES`, to a pure check function and a parameter schema, so officers can
edit the rules of a call without touching code, and `validate_rules` tells them, in French and
English, what is wrong with a rule set before it is saved.

`evaluate(rules, facts)` returns one `RuleResult` per rule, in order: the rule, its status
("pass", or the rule's severity when it is not met), a lazy French/English reason and the
figures used. An officer may override a warning, with a reason, never a failure
(`can_override`, `check_override`); the Django layer records the override as an audit event.

Decimal parameters (amounts, shares) are given as strings ("0.5", "750000") or JSON numbers;
shares are fractions in 0..1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .facts import (
    CATEGORIES,
    CATEGORY_LABELS,
    DEFAULT_COMPANY_CATEGORIES,
    DEFAULT_RESEARCH_CATEGORIES,
    Participation,
    ProposalFacts,
    duplicate_reason,
    to_decimal,
)
from .messages import Euros, Message, Percent, plain

SEVERITIES: tuple[str, ...] = ("fail", "warning")
STATUSES: tuple[str, ...] = ("pass", "fail", "warning")


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class Param:
    """The schema of one rule parameter: its kind, whether it is required, its default."""

    kind: str  # "count", "amount", "share", "bool", "categories"
    required: bool = False
    default: Any = None


def _parse_param(kind: str, value: Any) -> Any:
    """Turn a JSON value into the parameter's Python value; ValueError says why not."""
    if kind == "count":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("count")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("bool")
        return value
    if kind in ("amount", "share"):
        if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
            raise ValueError(kind)
        number = to_decimal(value, kind)
        if number < 0 or (kind == "share" and number > 1):
            raise ValueError(kind)
        return number
    if kind == "categories":
        if isinstance(value, str) or not isinstance(value, list | tuple) or not value:
            raise ValueError("categories")
        if any(item not in CATEGORIES for item in value):
            raise ValueError("categories")
        return tuple(value)
    raise AssertionError(f"unknown parameter kind {kind}")


_KIND_HINTS = {
    "count": _("a whole number, zero or more"),
    "bool": _("true or false"),
    "amount": _("an amount in euros, zero or more"),
    "share": _("a fraction between 0 and 1 (0.5 means half)"),
    "categories": _("a non-empty list of category codes"),
}


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule on one proposal: status, bilingual reason and the figures used.

    `index` is the rule's position (0-based) in the call's rule set; overrides refer to it
    because one code may appear twice (a warning at 60 % and a failure at 50 %, say).
    """

    index: int
    rule: str
    status: str
    severity: str
    message: Message
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when the rule is met."""
        return self.status == "pass"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot for storing the eligibility check with the proposal."""
        return {
            "index": self.index,
            "rule": self.rule,
            "status": self.status,
            "severity": self.severity,
            "message": self.message.as_dict(),
            "figures": plain(self.figures),
        }


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: met or not, the reason, the figures."""

    ok: bool
    message: Message
    figures: dict[str, Any]


class InvalidRuleSet(ValueError):
    """A rule set that cannot be evaluated; `errors` holds the bilingual reasons."""

    def __init__(self, errors: list[Message]):
        super().__init__("; ".join(error.msgid for error in errors))
        self.errors = errors


# --------------------------------------------------------------------------- helpers


def _names(participations: Iterable[Participation]) -> str:
    return ", ".join(p.label for p in participations)


def _weighted_share(facts: ProposalFacts, attribute: str) -> Decimal | None:
    """Budget-weighted share of work: partners with larger budgets weigh more; None if no budget."""
    total = facts.total_budget
    if total == 0:
        return None
    return sum((p.total_budget * getattr(p, attribute) for p in facts.participations), Decimal(0)) / total


def _meets(value: Decimal, bound: Decimal, strict: bool) -> bool:
    return value > bound if strict else value >= bound


# --------------------------------------------------------------------------- checks


def check_lead_is_company(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """The proposal is led by exactly one partner, whose category counts as a company."""
    leads = facts.leads
    figures: dict[str, Any] = {"leads": [p.org_id for p in leads]}
    if not leads:
        return Outcome(False, Message(_("The proposal has no lead partner.")), figures)
    if len(leads) > 1:
        return Outcome(
            False,
            Message(
                _("Lead partners: %(count)s (%(names)s); the proposal needs exactly one."),
                {"count": len(leads), "names": _names(leads)},
            ),
            figures,
        )
    lead = leads[0]
    figures["lead_category"] = lead.category
    params_msg = {"name": lead.label, "category": CATEGORY_LABELS[lead.category]}
    if lead.category in params["company_categories"]:
        return Outcome(
            True, Message(_("The lead partner %(name)s is a company (%(category)s)."), params_msg), figures
        )
    return Outcome(
        False, Message(_("The lead partner %(name)s is not a company (%(category)s)."), params_msg), figures
    )


def _count_rule(
    facts: ProposalFacts,
    minimum: int,
    categories: Sequence[str],
    ok_text: Any,
    fail_text: Any,
    predicate: Callable[[Participation], bool] = lambda p: True,
) -> Outcome:
    members = [p for p in facts.participations if p.category in categories and predicate(p)]
    figures = {"count": len(members), "min": minimum, "orgs": [p.org_id for p in members]}
    params = {"count": len(members), "min": minimum, "names": _names(members) or "-"}
    ok = len(members) >= minimum
    return Outcome(ok, Message(ok_text if ok else fail_text, params), figures)


def check_min_companies(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """At least `min` partners whose category counts as a company."""
    return _count_rule(
        facts,
        params["min"],
        params["company_categories"],
        _("Companies in the consortium: %(count)s (%(names)s); at least %(min)s required."),
        _("Companies in the consortium: %(count)s (%(names)s); fewer than the %(min)s required."),
    )


def check_min_research_bodies(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """At least `min` research or training bodies (categories given by `research_categories`)."""
    return _count_rule(
        facts,
        params["min"],
        params["research_categories"],
        _("Research or training bodies in the consortium: %(count)s (%(names)s); at least %(min)s required."),
        _(
            "Research or training bodies in the consortium: %(count)s (%(names)s); fewer than the %(min)s required."
        ),
    )


def check_sme_required(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """At least `min` SMEs among the companies (size micro, small or medium, not publicly controlled)."""
    return _count_rule(
        facts,
        params["min"],
        params["company_categories"],
        _("SMEs in the consortium: %(count)s (%(names)s); at least %(min)s required."),
        _("SMEs in the consortium: %(count)s (%(names)s); fewer than the %(min)s required."),
        predicate=lambda p: p.is_sme,
    )


def check_min_labels(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """Labelled by at least `min` clusters, before the submission deadline when `before_deadline`.

    A label without a date cannot be shown to precede the deadline, so it does not count when
    the deadline matters; the figures list it under "undated".
    """
    minimum = params["min"]
    labelled = [label for label in facts.labels if label.status == "labelled"]
    in_time, late, undated = [], [], []
    for label in labelled:
        if not params["before_deadline"] or facts.deadline is None:
            in_time.append(label)
        elif label.decided_at is None:
            undated.append(label)
        elif label.decided_at <= facts.deadline:
            in_time.append(label)
        else:
            late.append(label)
    figures = {
        "count": len(in_time),
        "min": minimum,
        "clusters": [label.cluster_id for label in in_time],
        "late": [label.cluster_id for label in late],
        "undated": [label.cluster_id for label in undated],
    }
    msg_params = {
        "count": len(in_time),
        "min": minimum,
        "clusters": ", ".join(figures["clusters"]) or "-",
        "late": len(late) + len(undated),
    }
    if len(in_time) >= minimum:
        return Outcome(
            True,
            Message(
                _(
                    "Clusters that labelled the proposal in time: %(count)s (%(clusters)s); "
                    "at least %(min)s required."
                ),
                msg_params,
            ),
            figures,
        )
    return Outcome(
        False,
        Message(
            _(
                "Clusters that labelled the proposal in time: %(count)s (%(clusters)s); "
                "fewer than the %(min)s required. Labels after the deadline or "
                "undated: %(late)s."
            ),
            msg_params,
        ),
        figures,
    )


def check_budget_bounds(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """The total budget lies within [`min`, `max`] (either bound may be omitted)."""
    total = facts.total_budget
    low, high = params.get("min"), params.get("max")
    figures = {"total": total, "min": low, "max": high}
    msg_params = {"total": Euros(total), "min": Euros(low or 0), "max": Euros(high or 0)}
    if low is not None and total < low:
        return Outcome(
            False,
            Message(_("The total budget of EUR %(total)s is below the minimum of EUR %(min)s."), msg_params),
            figures,
        )
    if high is not None and total > high:
        return Outcome(
            False,
            Message(_("The total budget of EUR %(total)s is above the maximum of EUR %(max)s."), msg_params),
            figures,
        )
    return Outcome(
        True,
        Message(_("The total budget of EUR %(total)s is within the call's bounds."), msg_params),
        figures,
    )


def _share_rule(
    facts: ProposalFacts, params: Mapping[str, Any], attribute: str, ok_text: Any, fail_text: Any
) -> Outcome:
    share = _weighted_share(facts, attribute)
    minimum, strict = params["min"], params["strict"]
    figures = {"share": share, "min": minimum, "strict": strict, "total_budget": facts.total_budget}
    if share is None:
        return Outcome(
            False,
            Message(
                _(
                    "The proposal has no budget, so its share of work in the cluster "
                    "territories cannot be computed."
                )
            ),
            figures,
        )
    msg_params = {"share": Percent(share), "min": Percent(minimum)}
    ok = _meets(share, minimum, strict)
    return Outcome(ok, Message(ok_text if ok else fail_text, msg_params), figures)


def check_territory_share(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """The budget-weighted share of R&D in the labelling clusters' territories reaches `min`
    (strictly more than `min` when `strict`, for "most of the R&D")."""
    if params["strict"]:
        texts = (
            _(
                "%(share)s %% of the R&D is done in the labelling clusters' territories, more than %(min)s %%."
            ),
            _(
                "%(share)s %% of the R&D is done in the labelling clusters' territories; more than %(min)s %% "
                "is required."
            ),
        )
    else:
        texts = (
            _("%(share)s %% of the R&D is done in the labelling clusters' territories, at least %(min)s %%."),
            _(
                "%(share)s %% of the R&D is done in the labelling clusters' territories; at least %(min)s %% "
                "is required."
            ),
        )
    return _share_rule(facts, params, "territory_share", *texts)


def check_lead_cluster_share(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """The budget-weighted share of R&D in the lead cluster's territory reaches `min`."""
    if facts.lead_cluster_id is None:
        return Outcome(
            False,
            Message(_("The proposal names no lead cluster.")),
            {"share": None, "min": params["min"], "strict": params["strict"]},
        )
    return _share_rule(
        facts,
        params,
        "lead_cluster_share",
        _("%(share)s %% of the R&D is done in the lead cluster's territory (minimum %(min)s %%)."),
        _(
            "%(share)s %% of the R&D is done in the lead cluster's territory, below the minimum of %(min)s %%."
        ),
    )


def check_lab_aid_share(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """Research and training bodies receive at most `max` of the aid requested from all funders."""
    maximum = params["max"]
    labs = [p for p in facts.participations if p.category in params["research_categories"]]
    total_aid = sum((sum(p.aid_requested.values(), Decimal(0)) for p in facts.participations), Decimal(0))
    lab_aid = sum((sum(p.aid_requested.values(), Decimal(0)) for p in labs), Decimal(0))
    share = lab_aid / total_aid if total_aid else Decimal(0)
    figures = {"lab_aid": lab_aid, "total_aid": total_aid, "share": share, "max": maximum}
    msg_params = {
        "share": Percent(share),
        "max": Percent(maximum),
        "lab_aid": Euros(lab_aid),
        "total_aid": Euros(total_aid),
    }
    if share <= maximum:
        return Outcome(
            True,
            Message(
                _(
                    "Research bodies request %(share)s %% of the aid (EUR %(lab_aid)s of EUR "
                    "%(total_aid)s), within the maximum of %(max)s %%."
                ),
                msg_params,
            ),
            figures,
        )
    return Outcome(
        False,
        Message(
            _(
                "Research bodies request %(share)s %% of the aid (EUR %(lab_aid)s of EUR "
                "%(total_aid)s), above the maximum of %(max)s %%."
            ),
            msg_params,
        ),
        figures,
    )


def check_no_duplicate(facts: ProposalFacts, params: Mapping[str, Any]) -> Outcome:
    """No other live submission duplicates this one (see `SubmissionFingerprint`)."""
    duplicates = []
    for other in facts.other_submissions:
        reason = duplicate_reason(facts, other)
        if reason is not None:
            duplicates.append({"submission": other.submission_id, "call": other.call_id, "reason": reason})
    figures = {"duplicates": duplicates}
    if not duplicates:
        return Outcome(True, Message(_("No duplicate submission was found.")), figures)
    ids = ", ".join(d["submission"] for d in duplicates)
    return Outcome(
        False,
        Message(
            _(
                "This proposal duplicates submission(s) %(ids)s: same title and same lead "
                "partner in the call, or same title and same consortium."
            ),
            {"ids": ids},
        ),
        figures,
    )


# --------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class RuleDef:
    """A rule code's check function, parameter schema and label for the officers' rule editor."""

    check: Callable[[ProposalFacts, Mapping[str, Any]], Outcome]
    params: Mapping[str, Param]
    label: Any


_COMPANIES = Param("categories", default=DEFAULT_COMPANY_CATEGORIES)
_RESEARCH = Param("categories", default=DEFAULT_RESEARCH_CATEGORIES)

RULES: dict[str, RuleDef] = {
    "lead_is_company": RuleDef(
        check_lead_is_company, {"company_categories": _COMPANIES}, _("The lead partner is a company")
    ),
    "min_companies": RuleDef(
        check_min_companies,
        {"min": Param("count", default=2), "company_categories": _COMPANIES},
        _("Minimum number of companies"),
    ),
    "min_research_bodies": RuleDef(
        check_min_research_bodies,
        {"min": Param("count", default=1), "research_categories": _RESEARCH},
        _("Minimum number of research or training bodies"),
    ),
    "sme_required": RuleDef(
        check_sme_required,
        {"min": Param("count", default=1), "company_categories": _COMPANIES},
        _("Minimum number of SMEs"),
    ),
    "min_labels": RuleDef(
        check_min_labels,
        {"min": Param("count", default=1), "before_deadline": Param("bool", default=True)},
        _("Labelled by clusters before the deadline"),
    ),
    "budget_bounds": RuleDef(
        check_budget_bounds, {"min": Param("amount"), "max": Param("amount")}, _("Total budget within bounds")
    ),
    "territory_share": RuleDef(
        check_territory_share,
        {"min": Param("share", required=True), "strict": Param("bool", default=False)},
        _("Share of R&D in the labelling clusters' territories"),
    ),
    "lead_cluster_share": RuleDef(
        check_lead_cluster_share,
        {"min": Param("share", required=True), "strict": Param("bool", default=False)},
        _("Share of R&D in the lead cluster's territory"),
    ),
    "lab_aid_share": RuleDef(
        check_lab_aid_share,
        {"max": Param("share", required=True), "research_categories": _RESEARCH},
        _("Maximum share of aid to research bodies"),
    ),
    "no_duplicate": RuleDef(check_no_duplicate, {}, _("No duplicate submission")),
}


# --------------------------------------------------------------------------- rule sets


@dataclass(frozen=True)
class RuleSpec:
    """One parsed rule of a rule set, with defaults filled in."""

    index: int
    rule: str
    severity: str
    params: Mapping[str, Any]


def _parse_rules(rules: Any) -> tuple[list[RuleSpec], list[Message]]:
    errors: list[Message] = []
    specs: list[RuleSpec] = []
    if not isinstance(rules, list | tuple):
        return [], [Message(_("The rule set must be a list of rules."))]
    for index, item in enumerate(rules):
        position = index + 1
        if not isinstance(item, Mapping):
            errors.append(
                Message(
                    _('Rule %(position)s is not an object with "rule", "params" and "severity".'),
                    {"position": position},
                )
            )
            continue
        extra = sorted(set(item) - {"rule", "params", "severity"})
        if extra:
            errors.append(
                Message(
                    _("Rule %(position)s has unknown keys: %(keys)s."),
                    {"position": position, "keys": ", ".join(map(str, extra))},
                )
            )
        code = item.get("rule")
        definition = RULES.get(code) if isinstance(code, str) else None
        if definition is None:
            errors.append(
                Message(
                    _('Rule %(position)s: unknown rule code "%(code)s"; known codes are %(known)s.'),
                    {"position": position, "code": code, "known": ", ".join(RULES)},
                )
            )
            continue
        severity = item.get("severity", "fail")
        if severity not in SEVERITIES:
            errors.append(
                Message(
                    _(
                        'Rule %(position)s (%(code)s): severity must be "fail" or "warning", not '
                        '"%(severity)s".'
                    ),
                    {"position": position, "code": code, "severity": severity},
                )
            )
        raw_params = item.get("params", {})
        if raw_params is None:
            raw_params = {}
        if not isinstance(raw_params, Mapping):
            errors.append(
                Message(
                    _("Rule %(position)s (%(code)s): params must be an object."),
                    {"position": position, "code": code},
                )
            )
            continue
        params: dict[str, Any] = {}
        for name in sorted(set(raw_params) - set(definition.params)):
            errors.append(
                Message(
                    _('Rule %(position)s (%(code)s): unknown parameter "%(name)s"; expected %(known)s.'),
                    {
                        "position": position,
                        "code": code,
                        "name": name,
                        "known": ", ".join(definition.params) or "-",
                    },
                )
            )
        for name, schema in definition.params.items():
            if name not in raw_params or raw_params[name] is None:
                if schema.required:
                    errors.append(
                        Message(
                            _('Rule %(position)s (%(code)s): the parameter "%(name)s" is required.'),
                            {"position": position, "code": code, "name": name},
                        )
                    )
                params[name] = schema.default
                continue
            try:
                params[name] = _parse_param(schema.kind, raw_params[name])
            except ValueError:
                errors.append(
                    Message(
                        _('Rule %(position)s (%(code)s): the parameter "%(name)s" must be %(hint)s.'),
                        {"position": position, "code": code, "name": name, "hint": _KIND_HINTS[schema.kind]},
                    )
                )
        if code == "budget_bounds":
            low, high = params.get("min"), params.get("max")
            if raw_params.get("min") is None and raw_params.get("max") is None:
                errors.append(
                    Message(
                        _("Rule %(position)s (budget_bounds): give a minimum, a maximum or both."),
                        {"position": position},
                    )
                )
            if isinstance(low, Decimal) and isinstance(high, Decimal) and low > high:
                errors.append(
                    Message(
                        _("Rule %(position)s (budget_bounds): the minimum exceeds the maximum."),
                        {"position": position},
                    )
                )
        specs.append(
            RuleSpec(
                index=index, rule=code, severity=severity if severity in SEVERITIES else "fail", params=params
            )
        )
    return specs, errors


def validate_rules(rules: Any) -> list[Message]:
    """Every problem of a rule set (unknown code, bad severity, missing or ill-typed parameter),
    as bilingual messages; an empty list means the rule set can be saved and evaluated."""
    return _parse_rules(rules)[1]


def evaluate(rules: Any, facts: ProposalFacts) -> list[RuleResult]:
    """Check a proposal against a call's rule set: one result per rule, in the rule set's order.

    Raises `InvalidRuleSet` when the rule set itself is wrong (the officer's editor should
    have caught it with `validate_rules`).
    """
    specs, errors = _parse_rules(rules)
    if errors:
        raise InvalidRuleSet(errors)
    results = []
    for spec in specs:
        outcome = RULES[spec.rule].check(facts, spec.params)
        results.append(
            RuleResult(
                index=spec.index,
                rule=spec.rule,
                status="pass" if outcome.ok else spec.severity,
                severity=spec.severity,
                message=outcome.message,
                figures=outcome.figures,
            )
        )
    return results


# --------------------------------------------------------------------------- overrides and verdict


def can_override(result: RuleResult) -> bool:
    """An officer may override a warning, never a failure (and a pass needs no override)."""
    return result.status == "warning"


def check_override(result: RuleResult, reason: str) -> list[Message]:
    """Why an override of `result` with `reason` is refused; empty when it is allowed.

    The Django layer calls this in its override service and writes the audit event with the
    reason when the list is empty.
    """
    problems: list[Message] = []
    if result.status == "fail":
        problems.append(
            Message(_('The rule "%(rule)s" failed: a failure cannot be overridden.'), {"rule": result.rule})
        )
    elif result.status == "pass":
        problems.append(
            Message(_('The rule "%(rule)s" is met: there is nothing to override.'), {"rule": result.rule})
        )
    if not (reason or "").strip():
        problems.append(Message(_("Give a reason for overriding the warning.")))
    return problems


def verdict(results: Sequence[RuleResult], overridden: Iterable[int] = ()) -> str:
    """ "ineligible" if a rule failed, "eligible" if every warning is overridden (by rule index),
    else "warnings" (an officer must look at the remaining warnings)."""
    overridden = set(overridden)
    if any(r.status == "fail" for r in results):
        return "ineligible"
    if any(r.status == "warning" and r.index not in overridden for r in results):
        return "warnings"
    return "eligible"
