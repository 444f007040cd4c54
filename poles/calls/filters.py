"""One filter definition per model, shared by the call pages, the API and exports."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Call, Funder


class CallFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Title or reference"), method="search")
    status = filters.ChoiceFilter(label=_("Status"), choices=Call.Status.choices)
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Call.Kind.choices)
    year = filters.NumberFilter(
        label=_("Opening year"), field_name="opens_at__year", min_value=2000, max_value=2100
    )
    funder = filters.CharFilter(
        label=_("Funder (code)"), field_name="call_funders__funder__slug", distinct=True
    )

    class Meta:
        model = Call
        fields = ["q", "status", "kind", "year", "funder"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title_fr__icontains=value) | Q(title_en__icontains=value) | Q(reference__icontains=value)
        )


class FunderFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Funder.Kind.choices)

    class Meta:
        model = Funder
        fields = ["kind"]
