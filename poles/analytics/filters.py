"""The dashboards' filters: one definition, read from the URL by the pages and their CSV downloads.

A dashboard filtered by years, funder, call, cluster or region is a link that can be bookmarked and
shared; the CSV of each chart carries the same query string, so it holds exactly what the chart shows.
Filters narrow the projects counted; the funder and region filters also narrow the aid counted (that
funder's decisions; the aid received by partners located in that region).
"""

import django_filters as filters
from django import forms
from django.db.models import Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster
from poles.core.forms import PolesForm
from poles.projects.models import Project
from poles.territories.models import Region

from .selectors import SOURCES


class FastSelect(forms.Select):
    """A select whose options are written in Python rather than through one template per option: the
    dashboards' cluster, call and funder lists hold a hundred options or more, and Django's per-option
    templates made up a quarter of a dashboard's rendering time."""

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], " selected" if option["selected"] else "", option["label"])
                for _group, group_options, _index in context["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(context["attrs"]), options)


class DashboardFilter(filters.FilterSet):
    """Filters of every dashboard (a dashboard drops the one its own subject fixes)."""

    year_from = filters.NumberFilter(
        label=_("From year"), field_name="year", lookup_expr="gte", min_value=1950
    )
    year_to = filters.NumberFilter(label=_("To year"), field_name="year", lookup_expr="lte", max_value=2100)
    funder = filters.ModelChoiceFilter(
        label=_("Funder"),
        widget=FastSelect,
        queryset=Funder.objects.order_by("name"),
        to_field_name="slug",
        method="funded_by",
    )
    call = filters.ModelChoiceFilter(
        label=_("Call"),
        widget=FastSelect,
        queryset=Call.objects.order_by("-opens_at"),
        to_field_name="reference",
        field_name="call",
    )
    cluster = filters.ModelChoiceFilter(
        label=_("Cluster"),
        widget=FastSelect,
        queryset=Cluster.objects.order_by("name"),
        to_field_name="slug",
        method="of_cluster",
    )
    region = filters.ModelChoiceFilter(
        label=_("Region of a partner"),
        widget=FastSelect,
        queryset=Region.objects.filter(kind=Region.Kind.CURRENT).order_by("name"),
        to_field_name="code",
        method="in_region",
    )

    class Meta:
        model = Project
        fields = ["year_from", "year_to", "funder", "call", "cluster", "region"]
        form = PolesForm

    def __init__(self, *args, exclude: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name in exclude:
            self.filters.pop(name, None)
            self.form.fields.pop(name, None)

    def funded_by(self, queryset, name, value):
        return queryset.filter(pk__in=value.decisions.values("project_id"))

    def of_cluster(self, queryset, name, value):
        return queryset.filter(cluster_projects(value))

    def in_region(self, queryset, name, value):
        return queryset.filter(
            pk__in=Project.objects.filter(participations__organisation__departement__region=value).values(
                "pk"
            )
        )

    def aid_restriction(self) -> Q | None:
        """The decisions a valid filter keeps (None: all of the projects' decisions)."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        condition = Q()
        if data.get("funder") is not None:
            condition &= Q(funder=data["funder"])
        if data.get("region") is not None:
            condition &= Q(participation__organisation__departement__region=data["region"])
        return condition or None


def cluster_projects(cluster: Cluster) -> Q:
    """Projects a cluster led or labelled."""
    return Q(lead_cluster=cluster) | Q(
        pk__in=Project.objects.filter(
            label_requests__cluster=cluster, label_requests__status="labelled"
        ).values("pk")
    )


class NetworkFilter(filters.FilterSet):
    """Period and source of the collaboration network."""

    year_from = filters.NumberFilter(label=_("From year"), min_value=1950, method="keep")
    year_to = filters.NumberFilter(label=_("To year"), max_value=2100, method="keep")
    source = filters.ChoiceFilter(
        label=_("Projects"),
        choices=list(
            zip(
                SOURCES,
                [_("All public projects"), _("Funded projects of the programme"), _("EU projects (CORDIS)")],
                strict=True,
            )
        ),
        empty_label=None,
        method="keep",
    )

    class Meta:
        model = Project
        fields = ["year_from", "year_to", "source"]
        form = PolesForm

    def keep(self, queryset, name, value):
        """The network reads its own rows; the filter set only validates the URL's values."""
        return queryset

    def values(self) -> tuple[str, int | None, int | None]:
        """(source, first year, last year) of a valid filter; defaults otherwise."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return data.get("source") or "all", data.get("year_from"), data.get("year_to")
