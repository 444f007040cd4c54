"""One filter definition per follow-up list, shared by the pages, the API and the exports."""

import django_filters as filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.calls.models import Funder
from poles.projects.models import Project

from .models import Agreement, Instalment, Output, ProgressReport


class FollowedProjectFilter(filters.FilterSet):
    q = filters.CharFilter(label=_("Acronym or title"), method="search")
    funder = filters.ModelChoiceFilter(
        label=_("Funder"), queryset=Funder.objects.all(), method="funded_by", to_field_name="slug"
    )
    cluster = filters.CharFilter(label=_("Labelled by cluster (code)"), method="labelled_by")
    late = filters.BooleanFilter(label=_("With a late report"), method="with_late")
    year = filters.NumberFilter(
        label=_("Start year"), field_name="start_date__year", min_value=1900, max_value=2100
    )

    class Meta:
        model = Project
        fields = ["q", "funder", "cluster", "late", "year"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(acronym__icontains=value) | Q(title__icontains=value))

    def funded_by(self, queryset, name, value):
        return queryset.filter(decisions__funder=value).distinct()

    def labelled_by(self, queryset, name, value):
        return queryset.filter(
            label_requests__cluster__slug=value, label_requests__status="labelled"
        ).distinct()

    def with_late(self, queryset, name, value):
        late = Q(
            reports__status__in=[ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED],
            reports__due_on__lt=timezone.localdate(),
        )
        ids = Project.objects.filter(late).values("pk")
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)


class AgreementFilter(filters.FilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=Agreement.Status.choices)
    funder = filters.CharFilter(label=_("Funder (code)"), field_name="funder__slug")
    project = filters.NumberFilter(label=_("Project (id)"), field_name="project_id")
    q = filters.CharFilter(label=_("Reference or project"), method="search")

    class Meta:
        model = Agreement
        fields = ["status", "funder", "project", "q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(reference__icontains=value) | Q(project__acronym__icontains=value))


class InstalmentFilter(filters.FilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=Instalment.Status.choices)
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Instalment.Kind.choices)
    agreement = filters.NumberFilter(label=_("Agreement (id)"), field_name="agreement_id")
    funder = filters.CharFilter(label=_("Funder (code)"), field_name="agreement__funder__slug")

    class Meta:
        model = Instalment
        fields = ["status", "kind", "agreement", "funder"]


class ReportFilter(filters.FilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=ProgressReport.Status.choices)
    kind = filters.ChoiceFilter(label=_("Kind"), choices=ProgressReport.Kind.choices)
    late = filters.BooleanFilter(label=_("Late"), method="is_late")
    project = filters.NumberFilter(label=_("Project (id)"), field_name="project_id")
    due_before = filters.DateFilter(label=_("Due before"), field_name="due_on", lookup_expr="lt")

    class Meta:
        model = ProgressReport
        fields = ["status", "kind", "late", "project", "due_before"]

    def is_late(self, queryset, name, value):
        late = Q(
            status__in=[ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED],
            due_on__lt=timezone.localdate(),
        )
        return queryset.filter(late) if value else queryset.exclude(late)


class OutputFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(label=_("Kind"), choices=Output.Kind.choices)
    status = filters.ChoiceFilter(label=_("Validation status"), choices=Output.Status.choices)
    project = filters.NumberFilter(label=_("Project (id)"), field_name="project_id")
    organisation = filters.NumberFilter(
        label=_("Organisation (id)"), field_name="participation__organisation_id"
    )
    year = filters.NumberFilter(
        label=_("Year"), field_name="achieved_on__year", min_value=1900, max_value=2100
    )

    class Meta:
        model = Output
        fields = ["kind", "status", "project", "organisation", "year"]
