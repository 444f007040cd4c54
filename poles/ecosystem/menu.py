"""Menu entry of the clusters' ecosystem services (public: actions and events are public)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    """ "Ecosystem" for everyone."""
    return [{"label": _("Ecosystem"), "url": reverse("ecosystem:home")}]
