"""One filter definition for organisations, shared by the pages, the API and the exports."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.territories.models import Departement, Region

from .models import Category, Organisation, SizeClass
from .selectors import search


class OrganisationFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Search (name, SIREN, town, competence)"), method="text")
    category = filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    size_class = filters.ChoiceFilter(label=_("Size class"), choices=SizeClass.choices)
    region = filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.filter(kind="current").order_by("name"),
        field_name="departement__region",
    )
    departement = filters.ModelChoiceFilter(
        label=_("Département"), queryset=Departement.objects.all(), field_name="departement"
    )
    cluster = filters.CharFilter(label=_("Member of cluster (code)"), method="member_of")
    siren = filters.CharFilter(label=_("SIREN"), field_name="siren")

    class Meta:
        model = Organisation
        fields = ["q", "category", "size_class", "region", "departement", "cluster", "siren"]

    def text(self, queryset, name, value):
        return search(queryset, value)

    def member_of(self, queryset, name, value):
        # One filter() call, so that the three conditions apply to the same membership row.
        today = timezone.localdate()
        return queryset.filter(
            Q(memberships__cluster__slug=value)
            & Q(memberships__start__lte=today)
            & (Q(memberships__end__isnull=True) | Q(memberships__end__gte=today))
        ).distinct()
