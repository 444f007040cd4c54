"""Clusters, memberships and performance contracts API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from poles.core import services as core_services
from poles.core.api import ServiceModelViewSet
from poles.core.permissions import can

from . import services
from .filters import ClusterFilter, ContractFilter, MembershipFilter
from .models import Cluster, Membership, PerformanceContract
from .serializers import ClusterSerializer, ContractSerializer, MembershipSerializer


class ClusterViewSet(ServiceModelViewSet):
    """Clusters: public; officers and the cluster's staff update descriptions."""

    base_queryset = Cluster.objects.select_related("programme").prefetch_related(
        "regions", "fields", "ratings"
    )
    serializer_class = ClusterSerializer
    filterset_class = ClusterFilter
    lookup_field = "slug"
    ordering = ["name"]
    http_method_names = ["get", "patch", "head", "options"]

    def perform_service_update(self, obj, data, expected_version):
        return core_services.update(obj, actor=self.request.user, expected_version=expected_version, **data)


class MembershipViewSet(ServiceModelViewSet):
    """Memberships: public; the cluster's staff and officers record and end them."""

    base_queryset = Membership.objects.select_related("cluster", "organisation")
    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_service_create(self, data):
        if not can(self.request.user, "clusters.manage_memberships", data["cluster"]):
            raise exceptions.PermissionDenied()
        return services.add_membership(
            data["cluster"], data["organisation"], actor=self.request.user, start=data["start"],
            end=data.get("end"), kind=data.get("kind", Membership.Kind.MEMBER),
        )  # fmt: skip

    def perform_service_update(self, obj, data, expected_version):
        if "cluster" in data and data["cluster"] != obj.cluster:
            raise exceptions.ValidationError({"cluster": [_("A membership cannot move to another cluster.")]})
        return core_services.update(obj, actor=self.request.user, expected_version=expected_version, **data)


class ContractViewSet(ServiceModelViewSet):
    """Performance contracts: public; officers write them."""

    base_queryset = PerformanceContract.objects.select_related("cluster").prefetch_related(
        "parties", "targets__kpi"
    )
    serializer_class = ContractSerializer
    filterset_class = ContractFilter
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_service_create(self, data):
        if not can(self.request.user, "clusters.change_contract"):
            raise exceptions.PermissionDenied()
        cluster = data.pop("cluster")
        return services.create_contract(cluster, actor=self.request.user, **data)

    def perform_service_update(self, obj, data, expected_version):
        return core_services.update(obj, actor=self.request.user, expected_version=expected_version, **data)


def register(router) -> None:
    router.register("clusters", ClusterViewSet, basename="cluster")
    router.register("memberships", MembershipViewSet, basename="membership")
    router.register("contracts", ContractViewSet, basename="contract")
    from .reports import register_api  # yearly cluster reports (issue 4)

    register_api(router)
