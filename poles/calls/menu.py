"""Menu entries of the calls app: the calls for everyone, their management for officers."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    entries = [{"label": _("Calls"), "url": reverse("calls:list")}]
    if roles.is_officer:
        entries.append({"label": _("Call management"), "url": reverse("calls:manage")})
    return entries
