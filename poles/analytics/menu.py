"""Menu entries: dashboards and the collaboration network, for everyone."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def items(request, roles) -> list[dict]:
    """Dashboards are public (their public version counts funded projects only), as is the network."""
    return [
        {"label": _("Dashboards"), "url": reverse("analytics:index")},
        {"label": _("Network"), "url": reverse("analytics:network")},
    ]
