"""One filter definition per model, shared by the pages, the API and the exports."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poles.territories.models import Region

from .models import Cluster, ClusterRating, LabelPhase, Membership, PerformanceContract, SpecialisationField
from .selectors import active_on


class ClusterFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Name or acronym"), method="search")
    region = filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.order_by("kind", "name"),
        field_name="regions",
        to_field_name="pk",
    )
    field = filters.ModelChoiceFilter(
        label=_("Specialisation field"), queryset=SpecialisationField.objects.all(), field_name="fields"
    )
    phase = filters.NumberFilter(
        label=_("Labelled in phase"), method="labelled_in_phase", min_value=1, max_value=20
    )
    rating = filters.ChoiceFilter(label=_("Rating"), choices=ClusterRating.Rating.choices, method="rated")
    status = filters.ChoiceFilter(label=_("Status"), choices=Cluster.Status.choices)
    category = filters.ChoiceFilter(label=_("Category"), choices=Cluster.Category.choices)

    class Meta:
        model = Cluster
        fields = ["q", "region", "field", "phase", "rating", "status", "category"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(acronym__icontains=value))

    def labelled_in_phase(self, queryset, name, value):
        return queryset.filter(
            labels__phase__number=value, labels__decision__in=["labelled", "probation"]
        ).distinct()

    def rated(self, queryset, name, value):
        return queryset.filter(ratings__rating=value).distinct()


class MembershipFilter(filters.FilterSet):
    cluster = filters.CharFilter(label=_("Cluster (code)"), field_name="cluster__slug")
    organisation = filters.NumberFilter(label=_("Organisation (id)"), field_name="organisation_id")
    active_on = filters.DateFilter(label=_("Running on"), method="running_on")
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Membership.Kind.choices)

    class Meta:
        model = Membership
        fields = ["cluster", "organisation", "active_on", "kind"]

    def running_on(self, queryset, name, value):
        return queryset.filter(active_on(value))


class ContractFilter(filters.FilterSet):
    cluster = filters.CharFilter(label=_("Cluster (code)"), field_name="cluster__slug")
    year = filters.NumberFilter(label=_("Covers year"), method="covers")

    class Meta:
        model = PerformanceContract
        fields = ["cluster", "year"]

    def covers(self, queryset, name, value):
        return queryset.filter(start_year__lte=value, end_year__gte=value)


class PhaseFilter(filters.FilterSet):
    class Meta:
        model = LabelPhase
        fields = ["programme", "number"]
