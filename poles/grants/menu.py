"""Menu entries of the follow-up: for the people who follow funded projects."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def items(request, roles) -> list[dict]:
    """ "Follow-up" for officers, analysts, funders, members and cluster staff; "Outputs" for everyone."""
    entries = []
    if roles.superuser or roles.reads_programme or roles.funder_of or roles.member_of or roles.cluster_of:
        entries.append({"label": _("Follow-up"), "url": reverse("grants:home")})
    entries.append({"label": pgettext_lazy("menu", "Project outputs"), "url": reverse("grants:outputs")})
    return entries
