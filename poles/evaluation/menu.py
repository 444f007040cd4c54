"""Menu entry: impact evaluation, for the programme's officers and analysts."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    """Only those who may run evaluations see the entry."""
    if not (roles.superuser or roles.reads_programme):
        return []
    return [{"label": _("Impact evaluation"), "url": reverse("evaluation:list")}]
