"""Programme-wide figures, every one computed from the data (no typed-in number).

Membership figures over many years come from one query loaded into numpy arrays, so the home
page costs the same whether the programme has 2,000 or 50,000 memberships per year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Q

from poles.clusters.models import Cluster, Membership
from poles.instruments.models import Programme
from poles.organisations.models import COMPANY_CATEGORIES, RESEARCH_CATEGORIES, Category, SizeClass
from poles.territories.models import Region

SME = {SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM}


def main_programme() -> Programme | None:
    """The programme the home page presents: the oldest one (a platform usually runs one)."""
    return Programme.objects.select_related("instrument").order_by("start_year", "pk").first()


@dataclass
class MembershipFrame:
    """Every membership as arrays: organisation, start and end (ordinal days), category, size."""

    org: np.ndarray
    start: np.ndarray
    end: np.ndarray
    category: np.ndarray
    size: np.ndarray

    @classmethod
    def load(cls) -> MembershipFrame:
        rows = list(
            Membership.objects.values_list(
                "organisation_id", "start", "end", "organisation__category", "organisation__size_class"
            )
        )
        far = dt.date.max.toordinal()
        return cls(
            org=np.array([r[0] for r in rows], dtype=np.int64),
            start=np.array([r[1].toordinal() for r in rows], dtype=np.int64),
            end=np.array([r[2].toordinal() if r[2] else far for r in rows], dtype=np.int64),
            category=np.array([r[3] for r in rows], dtype=object),
            size=np.array([r[4] or "" for r in rows], dtype=object),
        )

    def running(self, day: dt.date) -> np.ndarray:
        ordinal = day.toordinal()
        return (self.start <= ordinal) & (self.end >= ordinal)

    def members(self, day: dt.date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(organisation ids, categories, sizes) of distinct members on `day`."""
        mask = self.running(day)
        orgs, first = np.unique(self.org[mask], return_index=True)
        return orgs, self.category[mask][first], self.size[mask][first]


def glance(frame: MembershipFrame, day: dt.date) -> dict:
    """Headline figures of the programme on `day`."""
    _orgs, categories, sizes = frame.members(day)
    companies = np.isin(categories, list(COMPANY_CATEGORIES))
    return {
        "day": day,
        "clusters": Cluster.objects.filter(status=Cluster.Status.ACTIVE).count(),
        "members": int(len(categories)),
        "companies": int(companies.sum()),
        "smes": int((companies & np.isin(sizes, list(SME))).sum()),
        "research": int(np.isin(categories, [*RESEARCH_CATEGORIES, Category.HEI]).sum()),
    }


def members_by_category_and_size(frame: MembershipFrame, day: dt.date) -> tuple[list[str], list[list]]:
    """A category × size-class table of member organisations on `day`."""
    _orgs, categories, sizes = frame.members(day)
    size_codes = [code for code, _label in SizeClass.choices]
    columns = [str(label) for _code, label in SizeClass.choices]
    table = []
    for code, label in Category.choices:
        in_category = categories == code
        if not in_category.any():
            continue
        counts = [int((in_category & (sizes == s)).sum()) for s in size_codes]
        unknown = int((in_category & (sizes == "")).sum())
        table.append([str(label), *counts, unknown, sum(counts) + unknown])
    return columns, table


def members_by_year(frame: MembershipFrame, years: range) -> list[tuple[int, int, int]]:
    """(year, member organisations, member companies) on 31 December of each year."""
    out = []
    for year in years:
        _orgs, categories, _sizes = frame.members(dt.date(year, 12, 31))
        out.append((year, int(len(categories)), int(np.isin(categories, list(COMPANY_CATEGORIES)).sum())))
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
