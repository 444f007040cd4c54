"""One filter definition for contact requests, shared by the API list (the page lists both kinds)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .models import ContactRequest


class ContactRequestFilter(filters.FilterSet):
    direction = filters.ChoiceFilter(
        label=_("Direction"),
        choices=[("sent", _("Sent")), ("received", _("Received"))],
        method="by_direction",
    )
    recipient = filters.NumberFilter(label=_("Recipient organisation (id)"), field_name="recipient_id")
    status = filters.ChoiceFilter(label=_("Status"), choices=ContactRequest.Status.choices)

    class Meta:
        model = ContactRequest
        fields = ["direction", "recipient", "status"]

    def by_direction(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value == "sent":
            return queryset.filter(sender=user)
        return queryset.exclude(sender=user)
