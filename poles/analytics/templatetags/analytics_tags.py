"""Numbers as readers of each language write them: shares in per cent, euros with thousands separators."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value, digits: int = 1) -> str:
    """A share (0.452) as a percentage ("45.2 %", "45,2 %"); a dash when it cannot be computed."""
    if value is None or value == "":
        return "—"
    return f"{number_format(100 * float(value), int(digits), force_grouping=True)}\u00a0%"


@register.filter
def euros(value) -> str:
    """Whole euros with thousands separators; a dash when unknown."""
    if value is None or value == "":
        return "—"
    return f"{number_format(round(float(value)), 0, force_grouping=True)}\u00a0€"


@register.filter
def number(value, digits: int = 2) -> str:
    """A decimal number in the reader's format; a dash when unknown."""
    if value is None or value == "":
        return "—"
    return number_format(float(value), int(digits), force_grouping=True)
