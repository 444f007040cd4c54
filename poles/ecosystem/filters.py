"""One filter definition per ecosystem list, shared by the pages, the API and the exports."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Action, Event, FundRaising, Skill


class ActionFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Title"), method="search")
    cluster = filters.CharFilter(label=_("Cluster (code)"), field_name="cluster__slug")
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Action.Kind.choices)
    format = filters.ChoiceFilter(label=_("Format"), choices=Action.Format.choices)
    year = filters.NumberFilter(
        label=_("Year"), field_name="start_date__year", min_value=1900, max_value=2100
    )

    class Meta:
        model = Action
        fields = ["q", "cluster", "kind", "format", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title_fr__icontains=value) | Q(title_en__icontains=value))


class EventFilter(filters.FilterSet):
    cluster = filters.CharFilter(label=_("Cluster (code)"), field_name="cluster__slug")
    status = filters.ChoiceFilter(label=_("Status"), choices=Event.Status.choices)
    year = filters.NumberFilter(label=_("Year"), field_name="starts_at__year", min_value=1900, max_value=2100)
    b2b = filters.BooleanFilter(label=_("With B2B meetings"))

    class Meta:
        model = Event
        fields = ["cluster", "status", "year", "b2b"]


class SkillFilter(filters.FilterSet):
    cluster = filters.CharFilter(label=_("Cluster (code)"), field_name="cluster__slug")
    direction = filters.ChoiceFilter(label=_("Offered or sought"), choices=Skill.Direction.choices)
    q = filters.CharFilter(label=_("Skill"), field_name="label", lookup_expr="icontains")

    class Meta:
        model = Skill
        fields = ["cluster", "direction", "q"]


class FundRaisingFilter(filters.FilterSet):
    organisation = filters.NumberFilter(label=_("Organisation (id)"), field_name="organisation_id")
    status = filters.ChoiceFilter(label=_("Status"), choices=FundRaising.Status.choices)
    investor_type = filters.ChoiceFilter(label=_("Investor type"), choices=FundRaising.InvestorType.choices)
    year = filters.NumberFilter(label=_("Year"), field_name="closed_on__year", min_value=1900, max_value=2100)

    class Meta:
        model = FundRaising
        fields = ["organisation", "status", "investor_type", "year"]
