"""Aid-rate tables of a call, and the aid decisions they produce per funder and partner.

A call stores its rate table as a JSON list of rows::

    {"funder": "state", "group": "sme", "territory": "inside", "rate": "0.45", "form": "grant"}

Row keys (all but `funder` and `rate` optional; absent or "any" matches everything):

- `funder`: funder code, as used in `Participation.aid_requested`;
- `group`: "company" (any company), "sme", "mid" (ETI: a company neither SME nor large),
  "large", "lab" (research or training body) or "other" (any other category);
- `category`: one organisation category code (see `facts.CATEGORIES`);
- `size_class`: micro, small, medium, mid or large;
- `territory`: "inside" or "outside" the labelling clusters' territory (`Participation.in_territory`);
- `cost_basis`: "full" or "additional" cost (`Participation.cost_basis`, for labs);
- `rate`: a fraction in 0..1, as a string ("0.45") or a JSON number;
- `form`: "grant" (default) or "advance" (recoverable advance).

Precedence: among the rows of the funder that match a partner, the most specific wins, compared
in this order: `category` set, then `size_class` set, then `group` (sme/mid/large/lab/other
beat "company"), then `territory` set, then `cost_basis` set. Who the partner is therefore
outranks where it works. Two matching rows equally specific with different rates or forms are
an error, as is a partner no row matches: a call's table must say what it pays. (With this
order two rows can only tie if they constrain the same fields to the same values, which
`validate_rate_table` refuses as duplicates; the lookup still checks, for unvalidated tables.)

Amounts: eligible costs are Decimal euros; aid is whole euros (`int`). Aid is rounded DOWN to
the euro (never half-up): an aid is a ceiling in State-aid law, so rounding must never push it
above rate x eligible cost; it moves each amount by less than 1 EUR.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .facts import (
    CATEGORIES,
    CATEGORY_LABELS,
    COST_BASES,
    DEFAULT_COMPANY_CATEGORIES,
    DEFAULT_RESEARCH_CATEGORIES,
    SIZE_CLASSES,
    Participation,
    ProposalFacts,
    to_decimal,
)
from .messages import Euros, Message, Percent, plain

GROUPS: tuple[str, ...] = ("company", "sme", "mid", "large", "lab", "other")
TERRITORIES: tuple[str, ...] = ("inside", "outside")
FORMS: tuple[str, ...] = ("grant", "advance")
TERRITORY_LABELS = {"inside": _("inside the territory"), "outside": _("outside the territory")}
FORM_LABELS = {"grant": _("grant"), "advance": _("recoverable advance")}
_ROW_KEYS = frozenset(
    {"funder", "group", "category", "size_class", "territory", "cost_basis", "rate", "form"}
)


class RateError(ValueError):
    """No rate, or no single rate, for a partner; `message` says which, in French and English."""

    def __init__(self, message: Message):
        super().__init__(message.msgid)
        self.message = message


class DecisionError(ValueError):
    """Aid decisions that cannot be computed; `errors` lists every problem at once."""

    def __init__(self, errors: list[Message]):
        super().__init__("; ".join(error.msgid for error in errors))
        self.errors = errors


@dataclass(frozen=True)
class RateRow:
    """One parsed row of a rate table (None means "any")."""

    index: int
    funder: str
    rate: Decimal
    form: str = "grant"
    group: str | None = None
    category: str | None = None
    size_class: str | None = None
    territory: str | None = None
    cost_basis: str | None = None

    @property
    def specificity(self) -> tuple[int, int, int, int, int]:
        """The precedence key: larger wins (see the module docstring for the order)."""
        group_rank = 0 if self.group is None else (1 if self.group == "company" else 2)
        return (
            self.category is not None,
            self.size_class is not None,
            group_rank,
            self.territory is not None,
            self.cost_basis is not None,
        )

    @property
    def selectors(self) -> tuple[str | None, ...]:
        """What the row matches on; two rows with the same selectors conflict."""
        return (self.funder, self.group, self.category, self.size_class, self.territory, self.cost_basis)


def partner_groups(
    participation: Participation,
    company_categories: Sequence[str] = DEFAULT_COMPANY_CATEGORIES,
    research_categories: Sequence[str] = DEFAULT_RESEARCH_CATEGORIES,
) -> frozenset[str]:
    """The rate groups a partner belongs to.

    A company is "sme" when it is an SME, "large" when its size class is large, and "mid"
    (French ETI) otherwise when its size is known: the décret 2008-1354 puts every company that
    is not a PME and not a large firm in the ETI class, a publicly controlled small firm included.
    """
    if participation.category in company_categories:
        groups = {"company"}
        if participation.is_sme:
            groups.add("sme")
        elif participation.size_class == "large":
            groups.add("large")
        elif participation.size_class is not None:
            groups.add("mid")
        return frozenset(groups)
    if participation.category in research_categories:
        return frozenset({"lab"})
    return frozenset({"other"})


def _choice(value: Any, allowed: Sequence[str]) -> str | None:
    if value is None or value == "any":
        return None
    if value not in allowed:
        raise ValueError(value)
    return value


def parse_rate_table(rows: Any) -> tuple[list[RateRow], list[Message]]:
    """Parse a JSON rate table into rows, with every problem as a bilingual message."""
    if not isinstance(rows, list | tuple):
        return [], [Message(_("The rate table must be a list of rows."))]
    parsed: list[RateRow] = []
    errors: list[Message] = []
    for index, row in enumerate(rows):
        position = index + 1
        if not isinstance(row, Mapping):
            errors.append(Message(_("Rate row %(position)s is not an object."), {"position": position}))
            continue
        extra = sorted(set(row) - _ROW_KEYS)
        if extra:
            errors.append(
                Message(
                    _("Rate row %(position)s has unknown keys: %(keys)s."),
                    {"position": position, "keys": ", ".join(map(str, extra))},
                )
            )
        funder = row.get("funder")
        if not isinstance(funder, str) or not funder:
            errors.append(Message(_("Rate row %(position)s names no funder."), {"position": position}))
            continue
        try:
            rate = to_decimal(row.get("rate"), "rate")
            if isinstance(row.get("rate"), bool) or not Decimal(0) <= rate <= Decimal(1):
                raise ValueError
        except ValueError:
            errors.append(
                Message(
                    _('Rate row %(position)s: the rate must be a fraction between 0 and 1, not "%(rate)s".'),
                    {"position": position, "rate": row.get("rate")},
                )
            )
            continue
        values: dict[str, Any] = {}
        bad = False
        for key, allowed in (
            ("group", GROUPS),
            ("category", CATEGORIES),
            ("size_class", SIZE_CLASSES),
            ("territory", TERRITORIES),
            ("cost_basis", COST_BASES),
        ):
            try:
                values[key] = _choice(row.get(key), allowed)
            except ValueError:
                bad = True
                errors.append(
                    Message(
                        _(
                            'Rate row %(position)s: "%(value)s" is not a valid %(key)s; expected one '
                            "of %(allowed)s."
                        ),
                        {
                            "position": position,
                            "value": row.get(key),
                            "key": key,
                            "allowed": ", ".join(allowed),
                        },
                    )
                )
        form = row.get("form", "grant")
        if form not in FORMS:
            bad = True
            errors.append(
                Message(
                    _('Rate row %(position)s: the form must be "grant" or "advance", not "%(form)s".'),
                    {"position": position, "form": form},
                )
            )
        if bad:
            continue
        parsed.append(RateRow(index=index, funder=funder, rate=rate, form=form, **values))
    seen: dict[tuple[str | None, ...], int] = {}
    for row in parsed:
        if row.selectors in seen:
            errors.append(
                Message(
                    _("Rate rows %(first)s and %(second)s apply to the same partners; keep one."),
                    {"first": seen[row.selectors] + 1, "second": row.index + 1},
                )
            )
        else:
            seen[row.selectors] = row.index
    return parsed, errors


def validate_rate_table(rows: Any) -> list[Message]:
    """Every problem of a rate table, for the officers' editor; empty when it can be saved."""
    return parse_rate_table(rows)[1]


def _rows(table: Any) -> list[RateRow]:
    if isinstance(table, list | tuple) and all(isinstance(row, RateRow) for row in table):
        return list(table)
    rows, errors = parse_rate_table(table)
    if errors:
        raise DecisionError(errors)
    return rows


def _matches(row: RateRow, participation: Participation, groups: frozenset[str]) -> bool:
    territory = "inside" if participation.in_territory else "outside"
    return (
        (row.group is None or row.group in groups)
        and (row.category is None or row.category == participation.category)
        and (row.size_class is None or row.size_class == participation.size_class)
        and (row.territory is None or row.territory == territory)
        and (row.cost_basis is None or row.cost_basis == participation.cost_basis)
    )


def lookup_rate(
    table: Any,
    funder: str,
    participation: Participation,
    company_categories: Sequence[str] = DEFAULT_COMPANY_CATEGORIES,
    research_categories: Sequence[str] = DEFAULT_RESEARCH_CATEGORIES,
) -> RateRow:
    """The row of `table` that sets `funder`'s rate for `participation` (most specific wins).

    Raises `RateError` when no row matches or two equally specific rows disagree.
    """
    rows = _rows(table)
    groups = partner_groups(participation, company_categories, research_categories)
    matching = [row for row in rows if row.funder == funder and _matches(row, participation, groups)]
    if not matching:
        raise RateError(
            Message(
                _(
                    "The rate table has no rate from %(funder)s for %(name)s (%(category)s, size %(size)s, "
                    "%(territory)s)."
                ),
                {
                    "funder": funder,
                    "name": participation.label,
                    "category": CATEGORY_LABELS[participation.category],
                    "size": participation.size_class or "-",
                    "territory": TERRITORY_LABELS["inside" if participation.in_territory else "outside"],
                },
            )
        )
    best = max(row.specificity for row in matching)
    winners = [row for row in matching if row.specificity == best]
    if len({(row.rate, row.form) for row in winners}) > 1:
        raise RateError(
            Message(
                _(
                    "Rate rows %(rows)s give different rates from %(funder)s for %(name)s; make one more specific."
                ),
                {
                    "rows": ", ".join(str(row.index + 1) for row in winners),
                    "funder": funder,
                    "name": participation.label,
                },
            )
        )
    return winners[0]


def floor_euro(amount: Decimal) -> int:
    """Whole euros, rounded down: an aid never exceeds what the rate allows."""
    return int(amount.to_integral_value(rounding=ROUND_FLOOR))


@dataclass(frozen=True)
class AidComputation:
    """Aid for one partner before project caps: the exact figure, the euros, what bound it."""

    uncapped: Decimal
    exact: Decimal
    amount: int
    capped_by: str  # "rate", or the name of the binding cap


def compute_aid(
    eligible_cost: Decimal, rate: Decimal, caps: Mapping[str, Decimal | None] | None = None
) -> AidComputation:
    """Aid = rate x eligible cost, capped by each given ceiling, rounded down to the euro.

    `caps` names ceilings in euros (e.g. {"per_partner": ..., "requested": ...}); None values
    are ignored. Negative inputs are refused: a negative aid has no meaning.
    """
    eligible_cost = to_decimal(eligible_cost, "eligible_cost")
    rate = to_decimal(rate, "rate")
    if eligible_cost < 0 or rate < 0:
        raise ValueError("eligible cost and rate must not be negative")
    uncapped = rate * eligible_cost
    exact, capped_by = uncapped, "rate"
    for name, cap in sorted((caps or {}).items()):
        if cap is None:
            continue
        cap = to_decimal(cap, name)
        if cap < 0:
            raise ValueError(f"cap {name} must not be negative")
        if cap < exact:
            exact, capped_by = cap, name
    return AidComputation(uncapped=uncapped, exact=exact, amount=floor_euro(exact), capped_by=capped_by)


@dataclass(frozen=True)
class FunderCaps:
    """A funder's ceilings in euros: per partner and per project (None: no ceiling)."""

    per_partner: Decimal | None = None
    per_project: Decimal | None = None


def parse_caps(caps: Mapping[str, Any] | None) -> tuple[dict[str, FunderCaps], list[Message]]:
    """Parse ``{"state": {"per_partner": "500000", "per_project": "2000000"}}`` into FunderCaps."""
    parsed: dict[str, FunderCaps] = {}
    errors: list[Message] = []
    for funder, values in (caps or {}).items():
        if not isinstance(values, Mapping) or set(values) - {"per_partner", "per_project"}:
            errors.append(
                Message(
                    _('The caps of %(funder)s must be an object with "per_partner" and/or "per_project".'),
                    {"funder": funder},
                )
            )
            continue
        amounts: dict[str, Decimal | None] = {}
        for key in ("per_partner", "per_project"):
            value = values.get(key)
            if value is None:
                amounts[key] = None
                continue
            try:
                if isinstance(value, bool):
                    raise ValueError
                amounts[key] = to_decimal(value, key)
                if amounts[key] < 0:
                    raise ValueError
            except ValueError:
                errors.append(
                    Message(
                        _("The cap %(key)s of %(funder)s must be an amount in euros, zero or more."),
                        {"key": key, "funder": funder},
                    )
                )
                amounts[key] = None
        parsed[str(funder)] = FunderCaps(**amounts)
    return parsed, errors


@dataclass(frozen=True)
class AidDecision:
    """One funder's aid to one partner of one selected project.

    `exact` is the amount before rounding, after every cap (the project cap shares the funder's
    ceiling pro rata); `amount` is whole euros, never above `uncapped` = rate x eligible cost,
    and less than 1 EUR away from `exact`.
    """

    proposal_id: str
    org_id: str
    funder: str
    eligible_cost: Decimal
    rate: Decimal
    rate_row: int
    form: str
    uncapped: Decimal
    exact: Decimal
    amount: int
    capped_by: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able snapshot for the Decision model or an export."""
        return plain(
            {
                "proposal_id": self.proposal_id,
                "org_id": self.org_id,
                "funder": self.funder,
                "eligible_cost": self.eligible_cost,
                "rate": self.rate,
                "rate_row": self.rate_row,
                "form": self.form,
                "uncapped": self.uncapped,
                "exact": self.exact,
                "amount": self.amount,
                "capped_by": list(self.capped_by),
            }
        )

    def explain(self) -> Message:
        """A one-line bilingual explanation of the amount, for the decision letter or page."""
        return Message(
            _("%(funder)s: %(rate)s %% of EUR %(cost)s of eligible cost gives EUR %(amount)s as a %(form)s."),
            {
                "funder": self.funder,
                "rate": Percent(self.rate),
                "cost": Euros(self.eligible_cost),
                "amount": Euros(self.amount),
                "form": FORM_LABELS[self.form],
            },
        )


@dataclass(frozen=True)
class DecisionSet:
    """All decisions for a selection, with totals that are exact sums of the decided euros."""

    decisions: tuple[AidDecision, ...]
    totals: dict[str, int] = field(default_factory=dict)
    project_totals: dict[tuple[str, str], int] = field(default_factory=dict)


def funder_totals(decisions: Iterable[AidDecision]) -> dict[str, int]:
    """Total euros per funder: the sum of the rounded partner amounts, nothing else."""
    totals: dict[str, int] = {}
    for decision in decisions:
        totals[decision.funder] = totals.get(decision.funder, 0) + decision.amount
    return dict(sorted(totals.items()))


def reconcile(decisions: Iterable[AidDecision], totals: Mapping[str, int]) -> list[Message]:
    """Differences between stored per-funder totals and the sum of stored decisions (empty: they agree)."""
    computed = funder_totals(decisions)
    problems = []
    for funder in sorted(set(computed) | set(totals)):
        if computed.get(funder, 0) != totals.get(funder, 0):
            problems.append(
                Message(
                    _(
                        "The total of %(funder)s is EUR %(stored)s but its decisions add up to EUR "
                        "%(computed)s."
                    ),
                    {
                        "funder": funder,
                        "stored": Euros(totals.get(funder, 0)),
                        "computed": Euros(computed.get(funder, 0)),
                    },
                )
            )
    return problems


def _share_project_cap(items: list[dict[str, Any]], cap: Decimal) -> None:
    """Scale a project's partner amounts down to the funder's project cap, in whole euros.

    Each partner keeps the same fraction of its exact amount; euros lost by rounding down are
    handed back by largest remainder (ties by organisation id), but only to partners whose
    fraction is not zero and never above their own amount before the project cap (itself
    within rate x eligible cost, the aid requested and the per-partner cap), so no amount moves by
    1 EUR or more and none exceeds rate x eligible cost.
    """
    total_exact = sum((item["exact"] for item in items), Decimal(0))
    if total_exact <= cap:
        return
    for item in items:
        item["ceiling"] = item["exact"]
        item["exact"] = item["exact"] * cap / total_exact
        item["amount"] = floor_euro(item["exact"])
        item["capped_by"] = (*item["capped_by"], "per_project")
    # The scaled amounts add up to the cap (up to Decimal's 28 digits), so aim at the cap itself.
    target = floor_euro(cap)
    missing = target - sum(item["amount"] for item in items)
    candidates = sorted(
        (item for item in items if item["exact"] > item["amount"] and item["amount"] + 1 <= item["ceiling"]),
        key=lambda item: (-(item["exact"] - item["amount"]), item["org_id"]),
    )
    for item in candidates[: max(missing, 0)]:
        item["amount"] += 1


def decide(
    projects: Sequence[ProposalFacts],
    rate_table: Any,
    caps: Mapping[str, Any] | None = None,
    eligible_costs: Mapping[tuple[str, str, str], Decimal] | None = None,
    company_categories: Sequence[str] = DEFAULT_COMPANY_CATEGORIES,
    research_categories: Sequence[str] = DEFAULT_RESEARCH_CATEGORIES,
) -> DecisionSet:
    """Aid decisions for the selected projects of a call, per funder and partner, with totals.

    A decision is made for every partner and every funder it asked aid from (a positive amount
    in `Participation.aid_requested`). The eligible cost is the partner's total budget unless
    `eligible_costs[(proposal_id, org_id, funder)]` sets it (an officer may exclude costs).
    Aid = rate x eligible cost, capped by the aid requested and the funder's per-partner cap,
    then by its per-project cap shared pro rata; whole euros, rounded down. Per-funder and
    per-project totals are sums of the partner amounts, so they reconcile exactly.

    Raises `DecisionError` listing every partner without a rate, and any bad cap.
    """
    rows = _rows(rate_table)
    funder_caps, errors = parse_caps(caps)
    eligible_costs = eligible_costs or {}
    decisions: list[AidDecision] = []
    for project in projects:
        per_funder: dict[str, list[dict[str, Any]]] = {}
        for participation in project.participations:
            for funder, requested in sorted(participation.aid_requested.items()):
                if requested <= 0:
                    continue
                try:
                    row = lookup_rate(rows, funder, participation, company_categories, research_categories)
                except RateError as exc:
                    errors.append(exc.message)
                    continue
                key = (project.proposal_id, participation.org_id, funder)
                eligible = to_decimal(eligible_costs.get(key, participation.total_budget), "eligible_cost")
                if eligible < 0:
                    errors.append(
                        Message(
                            _("The eligible cost of %(name)s for %(funder)s is negative."),
                            {"name": participation.label, "funder": funder},
                        )
                    )
                    continue
                limits = funder_caps.get(funder, FunderCaps())
                aid = compute_aid(
                    eligible, row.rate, {"requested": requested, "per_partner": limits.per_partner}
                )
                per_funder.setdefault(funder, []).append(
                    {
                        "org_id": participation.org_id,
                        "eligible": eligible,
                        "row": row,
                        "uncapped": aid.uncapped,
                        "exact": aid.exact,
                        "amount": aid.amount,
                        "capped_by": () if aid.capped_by == "rate" else (aid.capped_by,),
                    }
                )
        for funder, items in sorted(per_funder.items()):
            limit = funder_caps.get(funder, FunderCaps()).per_project
            if limit is not None:
                _share_project_cap(items, limit)
            for item in items:
                decisions.append(
                    AidDecision(
                        proposal_id=project.proposal_id,
                        org_id=item["org_id"],
                        funder=funder,
                        eligible_cost=item["eligible"],
                        rate=item["row"].rate,
                        rate_row=item["row"].index,
                        form=item["row"].form,
                        uncapped=item["uncapped"],
                        exact=item["exact"],
                        amount=item["amount"],
                        capped_by=item["capped_by"],
                    )
                )
    if errors:
        raise DecisionError(errors)
    project_totals: dict[tuple[str, str], int] = {}
    for decision in decisions:
        key = (decision.proposal_id, decision.funder)
        project_totals[key] = project_totals.get(key, 0) + decision.amount
    return DecisionSet(
        decisions=tuple(decisions), totals=funder_totals(decisions), project_totals=project_totals
    )
