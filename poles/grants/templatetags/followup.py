"""Template helpers of the follow-up pages: status badges and money."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()

_BADGE = {
    "success": {
        "signed",
        "closed",
        "paid",
        "approved",
        "validated",
        "achieved",
        "published",
        "accepted",
        "registered",
    },
    "warning": {"returned", "delayed", "payable", "declared", "submitted", "requested", "waiting"},
    "error": {"terminated", "cancelled", "rejected", "declined"},
    "info": {"draft", "planned", "negotiating"},
}


@register.filter
def badge(status: str) -> str:
    """The DSFR badge variant for a status code (`fr-badge--<variant>`)."""
    for variant, codes in _BADGE.items():
        if status in codes:
            return variant
    return "info"


@register.filter
def eur(value) -> str:
    """An amount in euros with thousands separators; cents only when there are some."""
    if value is None or value == "":
        return ""
    amount = Decimal(value)
    amount = (
        amount.quantize(Decimal("0.01"))
        if amount != amount.to_integral_value()
        else amount.quantize(Decimal(1))
    )
    return f"{intcomma(amount)}\u00a0€"


@register.filter
def percent(value) -> str:
    return "" if value is None else f"{value * 100:.0f}\u00a0%"
