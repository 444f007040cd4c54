"""Menu entries of partner search: searching for every signed-in user, building for members."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    """Partner search for signed-in users; the consortium builder for those who act for an organisation."""
    if not roles.authenticated:
        return []
    entries = [{"label": _("Partner search"), "url": reverse("matchmaking:search")}]
    if roles.member_of:
        entries.append({"label": _("Build a consortium"), "url": reverse("matchmaking:builder")})
    return entries
