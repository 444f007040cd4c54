"""One filter definition per model, shared by the proposal pages, the API and exports."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poles.calls.models import Call

from .models import LabelRequest, Project


class ProjectFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Acronym or title"), method="search")
    call = filters.ModelChoiceFilter(
        label=_("Call"), queryset=Call.objects.exclude(status="draft").order_by("-opens_at")
    )
    status = filters.ChoiceFilter(label=_("Status"), choices=Project.Status.choices)
    lead_cluster = filters.CharFilter(label=_("Lead cluster (code)"), field_name="lead_cluster__slug")
    organisation = filters.NumberFilter(
        label=_("Organisation (id)"), field_name="participations__organisation_id", distinct=True
    )

    class Meta:
        model = Project
        fields = ["q", "call", "status", "lead_cluster", "organisation"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(acronym__icontains=value) | Q(title__icontains=value))


class LabelRequestFilter(filters.FilterSet):
    status = filters.ChoiceFilter(label=_("Answer"), choices=LabelRequest.Status.choices)
    call = filters.ModelChoiceFilter(
        label=_("Call"),
        field_name="project__call",
        queryset=Call.objects.exclude(status="draft").order_by("-opens_at"),
    )
    cluster = filters.CharFilter(label=_("Cluster (code)"), field_name="cluster__slug")

    class Meta:
        model = LabelRequest
        fields = ["status", "call", "cluster"]
