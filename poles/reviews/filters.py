"""One filter definition per model of the review, shared by the pages, the API and the exports."""

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Assignment, Reviewer


class ReviewerFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Name, user name or expertise"), method="search")
    organisation = filters.NumberFilter(label=_("Employer (id)"), field_name="organisation_id")
    active = filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Reviewer
        fields = ["q", "organisation", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(user__first_name__icontains=value)
            | Q(user__last_name__icontains=value)
            | Q(user__username__icontains=value)
            | Q(expertise__icontains=value)
        )


class AssignmentFilter(filters.FilterSet):
    call = filters.NumberFilter(label=_("Call (id)"), field_name="project__call_id")
    project = filters.NumberFilter(label=_("Proposal (id)"), field_name="project_id")
    reviewer = filters.NumberFilter(label=_("Reviewer (id)"), field_name="reviewer_id")
    status = filters.ChoiceFilter(label=_("Status"), choices=Assignment.Status.choices)

    class Meta:
        model = Assignment
        fields = ["call", "project", "reviewer", "status"]
