"""A call's rules, rates, caps, criteria and selection policy in words, for applicants and officers.

The call stores them as data (the engines' JSON shapes); applicants should not have to read JSON
to know whether their consortium qualifies. Each function turns one section into sentences in
the reader's language, with numbers in the reader's format.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .engine.eligibility import RULES
from .engine.facts import CATEGORY_LABELS, DEFAULT_COMPANY_CATEGORIES, DEFAULT_RESEARCH_CATEGORIES
from .engine.messages import Euros, Message, Number, Percent
from .engine.rates import FORM_LABELS, TERRITORY_LABELS

GROUP_LABELS = {
    "company": _("any company"),
    "sme": _("SMEs"),
    "mid": _("mid-size companies (ETI)"),
    "large": _("large companies"),
    "lab": _("research and training bodies"),
    "other": _("other organisations"),
}
SIZE_LABELS = {
    "micro": _("micro-enterprises"),
    "small": _("small enterprises"),
    "medium": _("medium-sized enterprises"),
    "mid": _("mid-size companies"),
    "large": _("large companies"),
}
COST_BASIS_LABELS = {"full": _("on full cost"), "additional": _("on additional cost")}
OBJECTIVE_LABELS = {
    "score": _("the highest total score"),
    "score_per_euro": _("the highest score per euro of aid"),
}


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _categories(codes: Any, default: tuple[str, ...]) -> str:
    if not codes or tuple(codes) == tuple(default):
        return ""
    return " (" + ", ".join(str(CATEGORY_LABELS.get(code, code)) for code in codes) + ")"


def describe_rule(item: Mapping[str, Any]) -> dict[str, Any]:
    """One rule of the rule set as a sentence, its label and whether it is a warning or required."""
    code = item.get("rule")
    params = item.get("params") or {}
    severity = item.get("severity", "fail")
    minimum = params.get("min")
    if code == "lead_is_company":
        text = Message(
            _("The lead partner is a company%(cats)s."),
            {"cats": _categories(params.get("company_categories"), DEFAULT_COMPANY_CATEGORIES)},
        )
    elif code == "min_companies":
        text = Message(
            _("At least %(min)s companies%(cats)s in the consortium."),
            {
                "min": params.get("min", 2),
                "cats": _categories(params.get("company_categories"), DEFAULT_COMPANY_CATEGORIES),
            },
        )
    elif code == "min_research_bodies":
        text = Message(
            _("At least %(min)s research or training bodies%(cats)s in the consortium."),
            {
                "min": params.get("min", 1),
                "cats": _categories(params.get("research_categories"), DEFAULT_RESEARCH_CATEGORIES),
            },
        )
    elif code == "sme_required":
        text = Message(_("At least %(min)s SMEs in the consortium."), {"min": params.get("min", 1)})
    elif code == "min_labels":
        if params.get("before_deadline", True):
            text = Message(
                _("Labelled by at least %(min)s cluster(s) before the submission deadline."),
                {"min": params.get("min", 1)},
            )
        else:
            text = Message(_("Labelled by at least %(min)s cluster(s)."), {"min": params.get("min", 1)})
    elif code == "budget_bounds":
        low, high = params.get("min"), params.get("max")
        if low is not None and high is not None:
            text = Message(
                _("Total budget between EUR %(min)s and EUR %(max)s."),
                {"min": Euros(_dec(low)), "max": Euros(_dec(high))},
            )
        elif low is not None:
            text = Message(_("Total budget of at least EUR %(min)s."), {"min": Euros(_dec(low))})
        else:
            text = Message(_("Total budget of at most EUR %(max)s."), {"max": Euros(_dec(high or 0))})
    elif code == "territory_share":
        template = (
            _("More than %(min)s %% of the R&D done in the labelling clusters' territories.")
            if params.get("strict")
            else _("At least %(min)s %% of the R&D done in the labelling clusters' territories.")
        )
        text = Message(template, {"min": Percent(_dec(minimum or 0))})
    elif code == "lead_cluster_share":
        template = (
            _("More than %(min)s %% of the R&D done in the lead cluster's territory.")
            if params.get("strict")
            else _("At least %(min)s %% of the R&D done in the lead cluster's territory.")
        )
        text = Message(template, {"min": Percent(_dec(minimum or 0))})
    elif code == "lab_aid_share":
        text = Message(
            _("Research and training bodies receive at most %(max)s %% of the aid requested."),
            {"max": Percent(_dec(params.get("max", 0)))},
        )
    elif code == "no_duplicate":
        text = Message(
            _(
                "No duplicate submission: not the same title with the same lead in this call, nor the same title and consortium in any call."
            )
        )
    else:
        text = Message(_("Unknown rule %(code)s."), {"code": code})
    definition = RULES.get(code)
    return {
        "code": code,
        "label": definition.label if definition else code,
        "text": text,
        "severity": severity,
        "warning": severity == "warning",
    }


def describe_rules(rules: Any) -> list[dict[str, Any]]:
    """Every rule of a rule set in words (an unreadable rule set gives an empty list)."""
    if not isinstance(rules, list):
        return []
    return [describe_rule(item) for item in rules if isinstance(item, Mapping)]


def describe_rate_row(row: Mapping[str, Any], funder_names: Mapping[str, str]) -> dict[str, Any]:
    """Who a rate row applies to, the rate and the form of aid."""
    who = []
    if row.get("category") not in (None, "any"):
        who.append(str(CATEGORY_LABELS.get(row["category"], row["category"])))
    if row.get("group") not in (None, "any"):
        who.append(str(GROUP_LABELS.get(row["group"], row["group"])))
    if row.get("size_class") not in (None, "any"):
        who.append(str(SIZE_LABELS.get(row["size_class"], row["size_class"])))
    if not who:
        who.append(str(_("every partner")))
    if row.get("territory") not in (None, "any"):
        who.append(str(TERRITORY_LABELS.get(row["territory"], row["territory"])))
    if row.get("cost_basis") not in (None, "any"):
        who.append(str(COST_BASIS_LABELS.get(row["cost_basis"], row["cost_basis"])))
    funder = str(row.get("funder", ""))
    return {
        "funder": funder_names.get(funder, funder),
        "who": ", ".join(who),
        "rate": Percent(_dec(row.get("rate", 0))),
        "form": FORM_LABELS.get(row.get("form", "grant"), row.get("form")),
    }


def describe_rates(rates: Any, funder_names: Mapping[str, str]) -> list[dict[str, Any]]:
    """The rate table in words, row by row."""
    if not isinstance(rates, list):
        return []
    return [describe_rate_row(row, funder_names) for row in rates if isinstance(row, Mapping)]


def describe_caps(caps: Any, funder_names: Mapping[str, str]) -> list[Message]:
    """Each funder's ceilings as a sentence."""
    out = []
    for funder, values in sorted((caps or {}).items()):
        if not isinstance(values, Mapping):
            continue
        name = funder_names.get(funder, funder)
        if values.get("per_partner") is not None:
            out.append(
                Message(
                    _("%(funder)s: at most EUR %(amount)s per partner."),
                    {"funder": name, "amount": Euros(_dec(values["per_partner"]))},
                )
            )
        if values.get("per_project") is not None:
            out.append(
                Message(
                    _("%(funder)s: at most EUR %(amount)s per project."),
                    {"funder": name, "amount": Euros(_dec(values["per_project"]))},
                )
            )
    return out


def describe_evaluation(evaluation: Any) -> dict[str, Any]:
    """The evaluation grid: each criterion's label (reader's language), weight and threshold."""
    if not isinstance(evaluation, Mapping):
        return {"criteria": [], "scale_max": None, "overall_threshold": None}
    english = (get_language() or "fr").startswith("en")
    criteria = []
    for item in evaluation.get("criteria") or []:
        if not isinstance(item, Mapping):
            continue
        label = item.get("label") or {}
        criteria.append(
            {
                "code": item.get("code"),
                "label": (label.get("en") if english else label.get("fr"))
                or label.get("fr")
                or item.get("code"),
                "weight": Number(_dec(item.get("weight", 0))),
                "threshold": Number(_dec(item["threshold"]), 1)
                if item.get("threshold") is not None
                else None,
            }
        )
    overall = evaluation.get("overall_threshold")
    return {
        "criteria": criteria,
        "scale_max": evaluation.get("scale_max", 5),
        "overall_threshold": Number(_dec(overall), 1) if overall is not None else None,
    }


def describe_selection(selection: Any) -> list[Message]:
    """The selection policy as sentences."""
    selection = selection if isinstance(selection, Mapping) else {}
    out = [
        Message(
            _("Within each funder's envelope, the selection looks for %(objective)s."),
            {
                "objective": OBJECTIVE_LABELS.get(
                    selection.get("objective", "score"), selection.get("objective")
                )
            },
        )
    ]
    if selection.get("min_sme_share") is not None:
        out.append(
            Message(
                _("At least %(share)s %% of the aid goes to SMEs."),
                {"share": Percent(_dec(selection["min_sme_share"]))},
            )
        )
    if selection.get("max_aid_per_cluster") is not None:
        out.append(
            Message(
                _("At most EUR %(amount)s of aid per lead cluster."),
                {"amount": Euros(_dec(selection["max_aid_per_cluster"]))},
            )
        )
    if selection.get("min_score") is not None:
        out.append(
            Message(
                _("Only proposals scoring at least %(score)s."),
                {"score": Number(_dec(selection["min_score"]), 1)},
            )
        )
    return out
