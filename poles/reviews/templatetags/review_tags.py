"""Display helpers of the review, selection and decision pages: stored codes shown as words."""

from django import template

from poles.calls.engine.facts import CATEGORY_LABELS
from poles.calls.engine.rates import FORM_LABELS
from poles.organisations.models import SizeClass

register = template.Library()


@register.filter
def category_label(code: str) -> str:
    """A participation's category code ("public_research") in the reader's language."""
    return str(CATEGORY_LABELS.get(code, code or ""))


@register.filter
def size_label(code: str) -> str:
    """A size class code ("small") in the reader's language."""
    try:
        return str(SizeClass(code).label)
    except ValueError:
        return code or ""


@register.filter
def aid_form(code: str) -> str:
    """An aid's form ("grant", "advance") in the reader's language."""
    return str(FORM_LABELS.get(code, code or ""))


@register.filter
def score(value) -> str:
    """A stored score or weight ("4.5", "0.30") in the reader's number format; "n/a" when absent."""
    from decimal import Decimal, InvalidOperation

    from django.utils import formats
    from django.utils.translation import gettext as _

    if value in (None, ""):
        return _("n/a")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)
    return formats.number_format(number, decimal_pos=min(places, 3), use_l10n=True)


@register.filter
def scores_by_label(scores: dict, labels: dict) -> list:
    """A review's scores as (criterion label, score) pairs, in the grid's order when known."""
    ordered = [code for code in labels if code in (scores or {})] + [
        c for c in (scores or {}) if c not in labels
    ]
    return [(labels.get(code, code), scores[code]) for code in ordered]
