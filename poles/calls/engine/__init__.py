"""The calls engines: eligibility rules, aid-rate tables and decisions, presets, criteria.

Plain Python over plain data (dataclasses, Decimal); the only Django import is
``django.utils.translation`` (and ``formats``) for lazy bilingual messages, which need settings
only when a message is rendered. The Django layer (models, services, views) calls these.
"""

from .criteria import Criterion, EvaluationGrid, parse_evaluation, validate_evaluation
from .eligibility import (
    RULES,
    InvalidRuleSet,
    RuleResult,
    can_override,
    check_override,
    evaluate,
    validate_rules,
    verdict,
)
from .facts import (
    CATEGORIES,
    DEFAULT_COMPANY_CATEGORIES,
    DEFAULT_RESEARCH_CATEGORIES,
    ClusterLabel,
    Participation,
    ProposalFacts,
    SubmissionFingerprint,
    normalise_title,
)
from .messages import Message
from .presets import CALL_KINDS, FUI_25, FUI_CLASSIC, PRESETS, get_preset, validate_call_config
from .rates import (
    AidDecision,
    DecisionError,
    DecisionSet,
    RateError,
    compute_aid,
    decide,
    funder_totals,
    lookup_rate,
    reconcile,
    validate_rate_table,
)

__all__ = [
    "CALL_KINDS",
    "CATEGORIES",
    "DEFAULT_COMPANY_CATEGORIES",
    "DEFAULT_RESEARCH_CATEGORIES",
    "FUI_25",
    "FUI_CLASSIC",
    "PRESETS",
    "RULES",
    "AidDecision",
    "ClusterLabel",
    "Criterion",
    "DecisionError",
    "DecisionSet",
    "EvaluationGrid",
    "InvalidRuleSet",
    "Message",
    "Participation",
    "ProposalFacts",
    "RateError",
    "RuleResult",
    "SubmissionFingerprint",
    "can_override",
    "check_override",
    "compute_aid",
    "decide",
    "evaluate",
    "funder_totals",
    "get_preset",
    "lookup_rate",
    "normalise_title",
    "parse_evaluation",
    "reconcile",
    "validate_call_config",
    "validate_evaluation",
    "validate_rate_table",
    "validate_rules",
    "verdict",
]
