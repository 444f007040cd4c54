"""Reading clusters: lists with their member counts, one cluster's page, programme figures."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from poles.core.permissions import VIEW, restrict

from .models import Cluster, ClusterRating, Membership


def active_on(day: dt.date) -> Q:
    """Memberships running on `day`."""
    return Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))


def clusters_for(user) -> QuerySet[Cluster]:
    return restrict(Cluster.objects.all(), user, VIEW)


def with_member_counts(queryset: QuerySet[Cluster], day: dt.date | None = None) -> QuerySet[Cluster]:
    day = day or timezone.localdate()
    running = Q(memberships__start__lte=day) & (
        Q(memberships__end__isnull=True) | Q(memberships__end__gte=day)
    )
    return queryset.annotate(n_members=Count("memberships", filter=running, distinct=True))


def list_clusters(user, day: dt.date | None = None) -> QuerySet[Cluster]:
    return (
        with_member_counts(clusters_for(user), day)
        .order_by("name", "pk")
        .prefetch_related(
            "regions", "fields", Prefetch("ratings", queryset=ClusterRating.objects.order_by("-year"))
        )
    )


def members(cluster: Cluster, day: dt.date | None = None) -> QuerySet[Membership]:
    day = day or timezone.localdate()
    return (
        cluster.memberships.filter(active_on(day))
        .select_related("organisation", "organisation__departement")
        .order_by("organisation__name")
    )


def memberships_by_year(cluster: Cluster, years: range) -> list[tuple[int, int]]:
    """Members at the end of each year (31 December), for a cluster's history (one query)."""
    periods = list(cluster.memberships.values_list("start", "end"))
    out = []
    for year in years:
        day = dt.date(year, 12, 31)
        out.append((year, sum(1 for start, end in periods if start <= day and (end is None or end >= day))))
    return out


def latest_rating(cluster: Cluster) -> ClusterRating | None:
    ratings = getattr(cluster, "_prefetched_objects_cache", {}).get("ratings")
    if ratings is not None:
        return ratings[0] if ratings else None
    return cluster.ratings.order_by("-year").first()
