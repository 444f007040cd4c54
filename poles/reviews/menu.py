"""Menu entries of the review: officers reach the calls in review, reviewers their own list."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def items(request, roles) -> list[dict]:
    """Entries for the main menu, by role."""
    out = []
    if roles.superuser or roles.officer_of:
        out.append({"label": pgettext_lazy("menu", "Expert review"), "url": reverse("reviews:calls")})
    if roles.reviewer_of:
        out.append({"label": _("My reviews"), "url": reverse("reviews:mine")})
    return out
