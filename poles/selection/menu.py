"""Menu entries of the selection: officers, analysts and funders reach the calls; partners their letters."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    """Entries for the main menu, by role."""
    out = []
    if roles.superuser or roles.reads_programme or roles.funder_of:
        out.append({"label": _("Selection and decisions"), "url": reverse("selection:index")})
    if roles.member_of:
        out.append({"label": _("Decision letters"), "url": reverse("selection:letters")})
    return out
