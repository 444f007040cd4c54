import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .models import Instrument, PolicyKeyword, TargetGroup
from .selectors import search


class InstrumentFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Search"), method="text")
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Instrument.Kind.choices)
    keyword = filters.ModelChoiceFilter(
        label=_("Keyword"), queryset=PolicyKeyword.objects.all(), field_name="keywords", to_field_name="code"
    )
    target_group = filters.ModelChoiceFilter(
        label=_("Target group"),
        queryset=TargetGroup.objects.all(),
        field_name="target_groups",
        to_field_name="code",
    )
    country = filters.CharFilter(label=_("Country (ISO code)"), field_name="country", lookup_expr="iexact")
    active = filters.BooleanFilter(label=_("Still active"))

    class Meta:
        model = Instrument
        fields = ["q", "kind", "keyword", "target_group", "country", "active"]

    def text(self, queryset, name, value):
        return search(queryset, value)
