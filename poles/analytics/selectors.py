"""Programme-wide figures, every one computed from the data (no typed-in number)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from poles.clusters.models import Cluster, Membership
from poles.clusters.selectors import active_on
from poles.instruments.models import Programme
from poles.organisations.models import Category, Organisation, SizeClass
from poles.territories.models import Region


def main_programme() -> Programme | None:
    """The programme the home page presents: the oldest one (a platform usually runs one)."""
    return Programme.objects.select_related("instrument").order_by("start_year", "pk").first()


def member_organisations(day: dt.date):
    """Organisations with a running membership on `day`."""
    return Organisation.objects.filter(
        pk__in=Membership.objects.filter(active_on(day)).values("organisation_id")
    )


def glance(day: dt.date | None = None) -> dict:
    """Headline figures of the programme on `day`."""
    day = day or timezone.localdate()
    members = member_organisations(day)
    by_category = dict(members.values_list("category").annotate(n=Count("id")))
    companies = sum(by_category.get(c, 0) for c in (Category.COMPANY, Category.NTBF))
    smes = members.filter(size_class__in=[SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM]).count()
    research = sum(
        by_category.get(c, 0)
        for c in (Category.PUBLIC_RESEARCH, Category.HEI_RESEARCH, Category.NONPROFIT_RESEARCH, Category.HEI)
    )
    return {
        "day": day,
        "clusters": Cluster.objects.filter(status=Cluster.Status.ACTIVE).count(),
        "members": sum(by_category.values()),
        "companies": companies,
        "smes": smes,
        "research": research,
    }


def members_by_category_and_size(day: dt.date | None = None) -> tuple[list[str], list[list]]:
    """A category × size-class table of member organisations on `day`."""
    day = day or timezone.localdate()
    rows = member_organisations(day).values_list("category", "size_class").annotate(n=Count("id"))
    table: dict[str, dict[str, int]] = {}
    for category, size, n in rows:
        table.setdefault(category, {})[size or ""] = n
    sizes = [s for s, _label in SizeClass.choices]
    columns = [str(label) for _s, label in SizeClass.choices]
    out = []
    for code, label in Category.choices:
        if code in table:
            counts = [table[code].get(s, 0) for s in sizes]
            unknown = table[code].get("", 0)
            out.append([str(label), *counts, unknown, sum(counts) + unknown])
    return columns, out


def members_by_year(years: range) -> list[tuple[int, int, int]]:
    """(year, member organisations, member companies) on 31 December of each year."""
    out = []
    for year in years:
        members = member_organisations(dt.date(year, 12, 31))
        stats = members.aggregate(
            total=Count("id"), companies=Count("id", filter=Q(category__in=[Category.COMPANY, Category.NTBF]))
        )
        out.append((year, stats["total"], stats["companies"]))
    return out


def clusters_by_region(
    kind: str = Region.Kind.CURRENT, labelled_by: dt.date | None = None
) -> list[tuple[str, str, int]]:
    """(region code, region name, clusters) for each region of `kind`: the clusters labelled
    today, or, with `labelled_by`, every cluster first labelled by that date."""
    if labelled_by is None:
        condition = Q(clusters__status=Cluster.Status.ACTIVE)
    else:
        condition = Q(clusters__labelled_on__lte=labelled_by)
    rows = (
        Region.objects.filter(kind=kind)
        .annotate(n=Count("clusters", filter=condition))
        .order_by("code")
        .values_list("code", "name", "n")
    )
    return list(rows)
