"""Evaluation criteria of a call (weights and thresholds), stored as data.

A call stores its evaluation grid as a JSON object::

    {
      "scale_max": 5,                      # every criterion is scored from 0 to scale_max
      "overall_threshold": "3",            # weighted mean needed to pass (null: none)
      "criteria": [
        {"code": "excellence", "label": {"fr": "...", "en": "..."}, "weight": "0.3", "threshold": "3"}
      ]
    }

Weights are positive numbers; they need not add up to 1 because the review engine divides by
the sum of the weights of the criteria that apply to a proposal. A criterion's `threshold` is
optional. Labels are typed by officers, so they are stored in both languages, not translated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .facts import to_decimal
from .messages import Message

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Criterion:
    """One evaluation criterion: its code, weight, optional threshold and bilingual label."""

    code: str
    weight: Decimal
    threshold: Decimal | None = None
    label: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationGrid:
    """A call's criteria with the scoring scale and the overall threshold."""

    criteria: tuple[Criterion, ...]
    scale_max: Decimal = Decimal(5)
    overall_threshold: Decimal | None = None


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError(what)
    return to_decimal(value, what)


def parse_evaluation(data: Any) -> tuple[EvaluationGrid | None, list[Message]]:
    """Parse a call's evaluation grid; every problem comes back as a bilingual message."""
    if not isinstance(data, Mapping):
        return None, [Message(_('The evaluation grid must be an object with "criteria".'))]
    errors: list[Message] = []
    extra = sorted(set(data) - {"scale_max", "overall_threshold", "criteria"})
    if extra:
        errors.append(
            Message(_("The evaluation grid has unknown keys: %(keys)s."), {"keys": ", ".join(extra)})
        )
    try:
        scale_max = _number(data.get("scale_max", 5), "scale_max")
        if scale_max <= 0:
            raise ValueError
    except ValueError:
        errors.append(Message(_("The maximum score must be a positive number.")))
        scale_max = Decimal(5)
    overall = data.get("overall_threshold")
    if overall is not None:
        try:
            overall = _number(overall, "overall_threshold")
            if not Decimal(0) <= overall <= scale_max:
                raise ValueError
        except ValueError:
            errors.append(Message(_("The overall threshold must lie between 0 and the maximum score.")))
            overall = None
    raw = data.get("criteria")
    if not isinstance(raw, list | tuple) or not raw:
        errors.append(Message(_("The evaluation grid needs at least one criterion.")))
        return None, errors
    criteria: list[Criterion] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        position = index + 1
        if not isinstance(item, Mapping):
            errors.append(Message(_("Criterion %(position)s is not an object."), {"position": position}))
            continue
        unknown = sorted(set(item) - {"code", "label", "weight", "threshold"})
        if unknown:
            errors.append(
                Message(
                    _("Criterion %(position)s has unknown keys: %(keys)s."),
                    {"position": position, "keys": ", ".join(map(str, unknown))},
                )
            )
        code = item.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            errors.append(
                Message(
                    _("Criterion %(position)s: the code must be lower-case letters, digits and underscores."),
                    {"position": position},
                )
            )
            continue
        if code in seen:
            errors.append(
                Message(
                    _('Criterion %(position)s: the code "%(code)s" is used twice.'),
                    {"position": position, "code": code},
                )
            )
            continue
        seen.add(code)
        label = item.get("label")
        if not (
            isinstance(label, Mapping)
            and all(isinstance(label.get(lang), str) and label.get(lang).strip() for lang in ("fr", "en"))
        ):
            errors.append(
                Message(_("Criterion %(code)s needs a label in French and in English."), {"code": code})
            )
            label = {}
        try:
            weight = _number(item.get("weight"), "weight")
            if weight <= 0:
                raise ValueError
        except ValueError:
            errors.append(
                Message(_("Criterion %(code)s: the weight must be a positive number."), {"code": code})
            )
            continue
        threshold = item.get("threshold")
        if threshold is not None:
            try:
                threshold = _number(threshold, "threshold")
                if not Decimal(0) <= threshold <= scale_max:
                    raise ValueError
            except ValueError:
                errors.append(
                    Message(
                        _("Criterion %(code)s: the threshold must lie between 0 and the maximum score."),
                        {"code": code},
                    )
                )
                threshold = None
        criteria.append(Criterion(code=code, weight=weight, threshold=threshold, label=dict(label)))
    if errors:
        return None, errors
    return EvaluationGrid(criteria=tuple(criteria), scale_max=scale_max, overall_threshold=overall), []


def validate_evaluation(data: Any) -> list[Message]:
    """Every problem of an evaluation grid, for the officers' editor; empty when it can be saved."""
    return parse_evaluation(data)[1]
