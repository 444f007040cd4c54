"""One filter definition per model of the selection, shared by the pages, the API and the exports."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from poles.grants.models import Decision

from .models import SelectionRun


class SelectionRunFilter(filters.FilterSet):
    call = filters.NumberFilter(label=_("Call (id)"), field_name="call_id")
    confirmed = filters.BooleanFilter(
        label=_("Confirmed"), field_name="confirmed_at", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = SelectionRun
        fields = ["call", "confirmed"]


class DecisionFilter(filters.FilterSet):
    call = filters.NumberFilter(label=_("Call (id)"), field_name="project__call_id")
    project = filters.NumberFilter(label=_("Project (id)"), field_name="project_id")
    funder = filters.CharFilter(label=_("Funder (code)"), field_name="funder__slug")
    organisation = filters.NumberFilter(
        label=_("Partner organisation (id)"), field_name="participation__organisation_id"
    )
    status = filters.ChoiceFilter(label=_("Status"), choices=Decision.Status.choices)

    class Meta:
        model = Decision
        fields = ["call", "project", "funder", "organisation", "status"]
