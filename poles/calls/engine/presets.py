"""Ready-made call configurations: the FUI rules, classic and FUI 25 (2018), as data.

A preset is what an officer starts a new call from; once copied into a call, every value can be
edited there (rates and thresholds belong to the call, never to code). Figures come from
/shared/reference/POLICY.md ("The collaborative R&D fund (FUI), 2005-2018"); where POLICY.md is
silent the value is marked DEFAULT in a comment and is only a reasonable starting point.

A call configuration is a JSON-able dict, the shape the Call model stores:

    {
      "code": "fui_classic", "kind": "rd_project",
      "name": {"fr": "...", "en": "..."},
      "rules": [...],        # eligibility.evaluate / validate_rules
      "rates": [...],        # rates.lookup_rate / decide / validate_rate_table
      "caps": {...},         # rates.decide: {"<funder>": {"per_partner": ..., "per_project": ...}}
      "evaluation": {...},   # criteria.parse_evaluation; reviews.engine.aggregate_scores
    }
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from .criteria import validate_evaluation
from .eligibility import validate_rules
from .messages import Message
from .rates import parse_caps, validate_rate_table

CALL_KINDS = {
    "rd_project": _("Collaborative R&D project"),
    "platform": _("Innovation platform"),
}

# Evaluation grid shared by both presets. DEFAULT: POLICY.md gives no criteria, weights or
# thresholds; these four headings follow the FUI's published assessment themes and the weights
# and thresholds (0-5 scale, pass mark 3) are a starting point for officers to adjust.
_FUI_EVALUATION: dict[str, Any] = {
    "scale_max": 5,
    "overall_threshold": "3",  # DEFAULT
    "criteria": [
        {
            "code": "scientific_excellence",
            "label": {
                "fr": "Excellence scientifique et technique, caractère innovant",
                "en": "Scientific and technical excellence, degree of innovation",
            },
            "weight": "0.30",  # DEFAULT
            "threshold": "3",  # DEFAULT
        },
        {
            "code": "economic_impact",
            "label": {
                "fr": "Retombées économiques et perspectives de marché",
                "en": "Economic impact and market prospects",
            },
            "weight": "0.30",  # DEFAULT
            "threshold": "3",  # DEFAULT
        },
        {
            "code": "consortium_quality",
            "label": {
                "fr": "Qualité du consortium et de la gestion du projet",
                "en": "Quality of the consortium and of the project management",
            },
            "weight": "0.20",  # DEFAULT
            "threshold": "2.5",  # DEFAULT
        },
        {
            "code": "territorial_anchoring",
            "label": {
                "fr": "Ancrage dans le pôle et son territoire",
                "en": "Anchoring in the cluster and its territory",
            },
            "weight": "0.20",  # DEFAULT
            "threshold": "2.5",  # DEFAULT
        },
    ],
}

# Research labs: 40 % of full cost or 100 % of additional cost (POLICY.md, classic rules).
_LAB_RATES = [
    {"funder": "state", "group": "lab", "cost_basis": "full", "rate": "0.40", "form": "grant"},
    {"funder": "state", "group": "lab", "cost_basis": "additional", "rate": "1.00", "form": "grant"},
]

FUI_CLASSIC: dict[str, Any] = {
    "code": "fui_classic",
    "kind": "rd_project",
    "name": {"fr": "FUI, règles classiques", "en": "FUI, classic rules"},
    "rules": [
        # "led by a company"
        {"rule": "lead_is_company", "params": {}, "severity": "fail"},
        # "at least 2 companies and at least 1 research lab or training body"
        {"rule": "min_companies", "params": {"min": 2}, "severity": "fail"},
        {"rule": "min_research_bodies", "params": {"min": 1}, "severity": "fail"},
        # "labelled by at least one cluster before the submission deadline"
        {"rule": "min_labels", "params": {"min": 1, "before_deadline": True}, "severity": "fail"},
        # "most of the R&D on the labelling clusters' territories": strictly more than half
        {"rule": "territory_share", "params": {"min": "0.5", "strict": True}, "severity": "fail"},
        # "total budget typically EUR 0.75-5 M": typical, not a hard bound, hence a warning
        {"rule": "budget_bounds", "params": {"min": "750000", "max": "5000000"}, "severity": "warning"},
        # DEFAULT: POLICY.md does not mention duplicates; a project is funded once.
        {"rule": "no_duplicate", "params": {}, "severity": "fail"},
    ],
    "rates": [
        # State aid, classic rules: SME 45 % (30 % outside the cluster territory), ETI 30 %, large 25 %.
        {"funder": "state", "group": "sme", "territory": "inside", "rate": "0.45", "form": "grant"},
        {"funder": "state", "group": "sme", "territory": "outside", "rate": "0.30", "form": "grant"},
        {"funder": "state", "group": "mid", "rate": "0.30", "form": "grant"},
        {"funder": "state", "group": "large", "rate": "0.25", "form": "grant"},
        *copy.deepcopy(_LAB_RATES),
        # Regions, départements and cities co-finance with their own rules (grants or
        # recoverable advances): POLICY.md gives no figures, so each call adds its own rows.
    ],
    "caps": {},  # DEFAULT: POLICY.md gives no per-partner or per-project ceiling.
    "evaluation": copy.deepcopy(_FUI_EVALUATION),
}

FUI_25: dict[str, Any] = {
    "code": "fui_25",
    "kind": "rd_project",
    "name": {"fr": "FUI 25 (2018)", "en": "FUI 25 (2018)"},
    "rules": [
        {"rule": "lead_is_company", "params": {}, "severity": "fail"},
        {"rule": "min_companies", "params": {"min": 2}, "severity": "fail"},
        {"rule": "min_research_bodies", "params": {"min": 1}, "severity": "fail"},
        {"rule": "min_labels", "params": {"min": 1, "before_deadline": True}, "severity": "fail"},
        # FUI 25: "at least 50 %" in the labelling clusters' territories ...
        {"rule": "territory_share", "params": {"min": "0.5", "strict": False}, "severity": "fail"},
        # ... "and 25 % in the lead cluster's territory"
        {"rule": "lead_cluster_share", "params": {"min": "0.25", "strict": False}, "severity": "fail"},
        {"rule": "budget_bounds", "params": {"min": "750000", "max": "5000000"}, "severity": "warning"},
        {"rule": "no_duplicate", "params": {}, "severity": "fail"},  # DEFAULT, as in the classic preset
    ],
    "rates": [
        # FUI 25 (2018): SME 50 %, SME outside the territory 35 %, ETI 35 %, other companies 30 %.
        {"funder": "state", "group": "sme", "territory": "inside", "rate": "0.50", "form": "grant"},
        {"funder": "state", "group": "sme", "territory": "outside", "rate": "0.35", "form": "grant"},
        {"funder": "state", "group": "mid", "rate": "0.35", "form": "grant"},
        {"funder": "state", "group": "company", "rate": "0.30", "form": "grant"},
        # DEFAULT: POLICY.md gives no FUI 25 rate for labs; the classic lab rates are kept.
        *copy.deepcopy(_LAB_RATES),
    ],
    "caps": {},  # DEFAULT: no ceiling given by POLICY.md.
    "evaluation": copy.deepcopy(_FUI_EVALUATION),
}

PRESETS: dict[str, dict[str, Any]] = {FUI_CLASSIC["code"]: FUI_CLASSIC, FUI_25["code"]: FUI_25}


def get_preset(code: str) -> dict[str, Any]:
    """A deep copy of a preset, safe to edit and store in a new call."""
    return copy.deepcopy(PRESETS[code])


def validate_call_config(config: Mapping[str, Any]) -> dict[str, list[Message]]:
    """Problems of a call configuration, per section ("kind", "rules", "rates", "caps",
    "evaluation"); sections without problems are left out, so an empty dict means valid."""
    problems: dict[str, list[Message]] = {}
    if config.get("kind") not in CALL_KINDS:
        problems["kind"] = [
            Message(_("The kind of call must be one of %(kinds)s."), {"kinds": ", ".join(CALL_KINDS)})
        ]
    for section, errors in (
        ("rules", validate_rules(config.get("rules", []))),
        ("rates", validate_rate_table(config.get("rates", []))),
        ("caps", parse_caps(config.get("caps") or {})[1]),
        ("evaluation", validate_evaluation(config.get("evaluation"))),
    ):
        if errors:
            problems[section] = errors
    return problems
