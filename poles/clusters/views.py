"""Cluster pages: the list with filters, one cluster's page, membership management."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from poles.core import audit, downloads
from poles.core.exceptions import StaleObject
from poles.core.permissions import can, get_for_change, get_or_404
from poles.core.views import FilteredListView

from . import selectors, services
from .filters import ClusterFilter
from .forms import EndMembershipForm, MembershipForm
from .models import Cluster, Membership


class ClusterList(FilteredListView):
    template_name = "clusters/list.html"
    partial_template_name = "clusters/_results.html"
    filterset_class = ClusterFilter
    download_name = "clusters"
    download_columns = (
        (gettext_lazy("name"), "name"), (gettext_lazy("acronym"), "acronym"), (gettext_lazy("status"), "get_status_display"),
        (gettext_lazy("members"), "n_members"),
    )  # fmt: skip
    paginate_by = 30

    def get_base_queryset(self):
        return selectors.list_clusters(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Clusters"), breadcrumb=[(_("Clusters"), None)], **kwargs)


# The member table's columns, for `?format=csv|xlsx` on a cluster's page: what the page shows.
MEMBER_COLUMNS = (
    (gettext_lazy("organisation"), "organisation.name"), (gettext_lazy("SIREN"), "organisation.siren"),
    (gettext_lazy("category"), "organisation.get_category_display"),
    (gettext_lazy("size class"), "organisation.get_size_class_display"),
    (gettext_lazy("département"), "organisation.departement.code"), (gettext_lazy("member since"), "start"),
)  # fmt: skip


def cluster_detail(request, slug):
    cluster = get_or_404(Cluster.objects.select_related("programme", "departement"), request.user, slug=slug)
    today = timezone.localdate()
    fmt = request.GET.get("format")
    if fmt in downloads.FORMATS:
        return downloads.table_response(
            selectors.members(cluster, today), MEMBER_COLUMNS, f"{cluster.slug}-members-{today}", fmt
        )
    members = Paginator(selectors.members(cluster, today), 50).get_page(request.GET.get("page"))
    contracts = cluster.contracts.prefetch_related("parties", "targets__kpi").order_by("-start_year")
    first = cluster.labelled_on.year
    context = {
        "title": cluster.name,
        "breadcrumb": [(_("Clusters"), reverse("clusters:list")), (cluster.name, None)],
        "cluster": cluster,
        "members": members,
        "member_total": members.paginator.count,
        "contracts": contracts,
        "labels": cluster.labels.select_related("phase").order_by("phase__number"),
        "ratings": cluster.ratings.order_by("-year"),
        "bodies": cluster.bodies.prefetch_related("seats__organisation"),
        "history": selectors.memberships_by_year(cluster, range(first, today.year + 1)),
        "can_manage": can(request.user, "clusters.manage_memberships", cluster),
    }
    return render(request, "clusters/detail.html", context)


@login_required
def membership_add(request, slug):
    cluster = get_for_change(Cluster.objects.all(), request.user, slug=slug)
    if not can(request.user, "clusters.manage_memberships", cluster):
        raise PermissionDenied
    form = MembershipForm(request.POST or None, cluster=cluster)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.add_membership(
            cluster,
            data["organisation"],
            actor=request.user,
            start=data["start"],
            end=data["end"],
            kind=data["kind"],
        )
        messages.success(request, _("Membership recorded."))
        return redirect("clusters:detail", slug=cluster.slug)
    context = {
        "title": _("Add a member"),
        "breadcrumb": [
            (_("Clusters"), reverse("clusters:list")),
            (cluster.name, cluster_url(cluster)),
            (_("Add a member"), None),
        ],
        "form": form,
        "cluster": cluster,
    }
    return render(request, "clusters/membership_form.html", context, status=400 if form.errors else 200)


@login_required
def membership_end(request, pk):
    membership = get_for_change(
        Membership.objects.select_related("cluster", "organisation"), request.user, pk=pk
    )
    form = EndMembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_membership(
                membership,
                actor=request.user,
                end=form.cleaned_data["end"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleObject as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Membership ended."))
            return redirect("clusters:detail", slug=membership.cluster.slug)
    context = {
        "title": _("End a membership"),
        "breadcrumb": [
            (_("Clusters"), reverse("clusters:list")),
            (membership.cluster.name, cluster_url(membership.cluster)),
            (_("End a membership"), None),
        ],
        "form": form,
        "membership": membership,
        "history": audit.history(membership),
    }
    return render(request, "clusters/membership_end.html", context, status=400 if form.errors else 200)


def cluster_url(cluster: Cluster) -> str:
    return reverse("clusters:detail", kwargs={"slug": cluster.slug})
