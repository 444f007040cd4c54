"""Menu entries of the projects app: applicants' proposals and the clusters' labelling queue."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    entries = []
    if roles.member_of:
        entries.append({"label": _("My proposals"), "url": reverse("projects:mine")})
    if roles.cluster_of:
        entries.append({"label": _("Labelling"), "url": reverse("projects:labelling")})
    return entries
