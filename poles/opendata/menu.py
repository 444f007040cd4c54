"""Menu entry of the open data: for everyone (downloads are public)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    return [{"label": _("Open data"), "url": reverse("opendata:home")}]
