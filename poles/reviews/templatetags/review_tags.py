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
