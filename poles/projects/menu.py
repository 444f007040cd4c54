"""Menu entries of the projects app: the list of proposals and projects (funded ones for the public),
applicants' proposals and the clusters' labelling queue."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def items(request, roles) -> list[dict]:
    sees_proposals = (
        roles.superuser or roles.officer_of or roles.funder_of or roles.cluster_of or roles.member_of
    )
    label = (
        pgettext_lazy("menu", "Proposals and projects")
        if sees_proposals
        else pgettext_lazy("menu", "Funded projects")
    )
    entries = [{"label": label, "url": reverse("projects:list")}]
    if roles.member_of:
        entries.append({"label": _("My proposals"), "url": reverse("projects:mine")})
    if roles.cluster_of:
        entries.append({"label": _("Labelling"), "url": reverse("projects:labelling")})
    return entries
