"""Who may see and change clusters, memberships and performance contracts (one place)."""

import rules
from django.db.models import Q

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.predicates import is_officer
from poles.core.roles import roles_of

from .models import Cluster, ClusterReport, Membership, PerformanceContract


@scope(Cluster, VIEW)
def _visible_clusters(qs, roles, user):
    return qs


@scope(Cluster, CHANGE)
def _changeable_clusters(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(pk__in=roles.cluster_of)


@scope(Membership, VIEW)
def _visible_memberships(qs, roles, user):
    return qs  # who belongs to which cluster is public, as clusters publish their members


@scope(Membership, CHANGE)
def _changeable_memberships(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(cluster_id__in=roles.cluster_of)


@scope(PerformanceContract, VIEW)
def _visible_contracts(qs, roles, user):
    return qs  # performance contracts are public commitments


@scope(PerformanceContract, CHANGE)
def _changeable_contracts(qs, roles, user):
    return qs if roles.is_officer else qs.none()


@rules.predicate
def is_staff_of_cluster(user, obj) -> bool:
    cluster_id = getattr(obj, "cluster_id", None) if not isinstance(obj, Cluster) else obj.pk
    return cluster_id is not None and cluster_id in roles_of(user).cluster_of


rules.add_perm("clusters.change_cluster", is_officer | is_staff_of_cluster)
rules.add_perm("clusters.manage_memberships", is_officer | is_staff_of_cluster)
rules.add_perm("clusters.change_contract", is_officer)
rules.add_perm("clusters.rate_cluster", is_officer)


@scope(ClusterReport, VIEW)
def _visible_reports(qs, roles, user):
    """Submitted reports are public; drafts are seen by the cluster's staff, officers and analysts."""
    if roles.reads_programme or roles.superuser:
        return qs
    return qs.filter(Q(status=ClusterReport.Status.SUBMITTED) | Q(cluster_id__in=roles.cluster_of))


@scope(ClusterReport, CHANGE)
def _changeable_reports(qs, roles, user):
    return qs if roles.is_officer else qs.filter(cluster_id__in=roles.cluster_of)
