"""Programme-wide figures, every one computed from the data (no typed-in number).

Membership figures over many years come from one query loaded into numpy arrays, so the home
page costs the same whether the programme has 2,000 or 50,000 memberships per year. Dashboards and the
network read their rows here as plain frames (a few queries each, whatever the size) and hand them to the
engines in `indicators` and `network`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.apps import apps
from django.core.cache import cache
from django.db.models import Count, Max, Q, QuerySet
from django.db.models.functions import Coalesce, ExtractYear
from django.utils import translation

from poles.clusters.models import Cluster, Membership
from poles.instruments.models import Programme
from poles.organisations.models import (
    COMPANY_CATEGORIES,
    RESEARCH_CATEGORIES,
    Category,
    Organisation,
    SizeClass,
)
from poles.territories.models import Region

from . import indicators, network

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


def home_figures(day: dt.date, first_year: int) -> dict:
    """The home page's figures on `day`, cached until memberships, organisations or clusters change.

    Computing them reads every membership (48,000 rows on the `national` data set, about 0.3 s); the stamp
    that keys the cache costs three aggregate queries. Category labels are translated, so the language is
    part of the key. Bulk `QuerySet.update()` calls and many-to-many changes (a cluster's regions) bypass
    `updated_at`: at worst the figures then lag by `CACHE_SECONDS`.
    """
    memberships = Membership.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    organisations = Organisation.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    clusters = Cluster.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    stamp = tuple(str(v) for row in (memberships, organisations, clusters) for v in row.values())
    key = _cache_key("home", stamp, day, first_year, translation.get_language())
    figures = cache.get(key)
    if figures is None:
        frame = MembershipFrame.load()
        columns, table = members_by_category_and_size(frame, day)
        figures = {
            "glance": glance(frame, day),
            "size_columns": columns,
            "size_table": table,
            "history": members_by_year(frame, range(first_year, day.year + 1)),
            "regions": [row for row in clusters_by_region(Region.Kind.CURRENT) if row[2]],
            "former": [
                row
                for row in clusters_by_region(Region.Kind.FORMER, labelled_by=dt.date(first_year + 2, 12, 31))
                if row[2]
            ],
        }
        cache.set(key, figures, CACHE_SECONDS)
    return figures


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


# ---------------------------------------------------------------------------------------------
# Dashboards: the rows of the programme's projects, decisions and outputs, as plain frames
# ---------------------------------------------------------------------------------------------

PROPOSAL_STATES_SELECTED = ("selected", "funded")
AID_DECIDED = ("decided", "notified")


def programme_projects() -> QuerySet:
    """Projects of the programme's calls (not external CORDIS projects), each with its `year`: the year of
    its call's submission deadline, or of its start when it has no call."""
    from poles.projects.models import Project

    return Project.objects.filter(source=Project.Source.PROGRAMME).annotate(
        year=Coalesce(ExtractYear("call__submission_deadline"), ExtractYear("start_date"))
    )


def load_dashboard(
    projects: QuerySet,
    *,
    public_only: bool,
    decisions: Q | None = None,
    outputs: bool = True,
    proposals: QuerySet | None = None,
) -> indicators.DashboardData:
    """The frames of one dashboard.

    `projects` are the dashboard's projects (any state); with `public_only` only funded ones are read, so
    that nothing about unfunded proposals reaches a public page. `decisions` narrows the aid counted (one
    funder's, the aid to one region's partners). Aid counts decided and notified decisions only.
    `proposals`, when given, are the proposals the selection rates count instead of `projects`.
    """
    from poles.grants.models import Decision
    from poles.projects.models import Participation, Project

    if public_only:
        projects = projects.filter(status=Project.Status.FUNDED)
    frame = _project_frame(projects)
    funded = projects.filter(status=Project.Status.FUNDED).values("pk")
    # Frames need no order: `.order_by()` drops the models' default ordering and the joins it costs.
    part_rows = list(
        Participation.objects.filter(project__in=funded)
        .order_by()
        .values_list(
            "pk",
            "project_id",
            "organisation_id",
            "category",
            "size_class",
            "public_controlled",
            "total_cost",
            "organisation__departement__region__code",
            "organisation__departement__code",
        )  # fmt: skip
    )
    participations = pd.DataFrame(
        [
            (pk, project, org, _kind(category, size, public), category in COMPANY_CATEGORIES, float(cost),
             region or "", departement or "")
            for pk, project, org, category, size, public, cost, region, departement in part_rows
        ],
        columns=indicators.PARTICIPATION_COLUMNS,
    )  # fmt: skip
    decision_rows = Decision.objects.filter(project__in=funded, status__in=AID_DECIDED).order_by()
    if decisions is not None:
        decision_rows = decision_rows.filter(decisions)
    decision_frame = pd.DataFrame(
        [(a, b, c, float(d)) for a, b, c, d in decision_rows.values_list("participation_id", "project_id", "funder_id", "amount")],
        columns=indicators.DECISION_COLUMNS,
    )  # fmt: skip
    output_frame, raised = _outputs(funded) if outputs else (None, None)
    submitted = None if proposals is None or public_only else _project_frame(proposals)
    return indicators.DashboardData(frame, participations, decision_frame, output_frame, raised, submitted)


def _project_frame(projects: QuerySet) -> pd.DataFrame:
    """project_id, year, call_id and the submitted / selected / funded flags of each project."""
    from poles.projects.models import Project

    rows = list(projects.order_by().values_list("pk", "year", "call_id", "status"))
    frame = pd.DataFrame(rows, columns=["project_id", "year", "call_id", "status"])
    frame["submitted"] = frame["status"] != Project.Status.DRAFT
    frame["selected"] = frame["status"].isin(PROPOSAL_STATES_SELECTED)
    frame["funded"] = frame["status"] == Project.Status.FUNDED
    return frame.drop(columns="status")


def _kind(category: str, size_class: str, public_controlled: bool) -> str:
    return indicators.partner_kind(
        category, size_class or "", public_controlled, companies=COMPANY_CATEGORIES, research=RESEARCH_OR_HEI
    )


RESEARCH_OR_HEI = frozenset({*RESEARCH_CATEGORIES, Category.HEI})


def output_model():
    """The follow-up app's Output model, or None while it is not installed (outputs come with follow-up)."""
    try:
        return apps.get_model("grants", "Output")
    except LookupError:
        return None


def _outputs(funded: QuerySet) -> tuple[pd.DataFrame | None, float | None]:
    """Validated outputs of the funded projects, and the private funding they raised (EUR)."""
    model = output_model()
    if model is None:
        return None, None
    rows = list(
        model.objects.filter(project__in=funded, status="validated")
        .order_by()
        .values_list("project_id", "kind", "quantity")
    )
    frame = pd.DataFrame(
        [(p, k, float(q) if q is not None else None) for p, k, q in rows], columns=indicators.OUTPUT_COLUMNS
    )
    raised = float(frame.loc[frame["kind"] == "private_funding", "quantity"].fillna(0).sum()) if rows else 0.0
    return frame, raised


def names(model, field: str, keys) -> dict:
    """`field` -> str(object) for the given keys (one query), for labelling charts."""
    return {getattr(obj, field): str(obj) for obj in model.objects.filter(**{f"{field}__in": list(keys)})}


# ---------------------------------------------------------------------------------------------
# Network: public co-participations (funded programme projects and external projects)
# ---------------------------------------------------------------------------------------------

SOURCES = ("all", "programme", "cordis")


def network_participations(source: str = "all") -> pd.DataFrame:
    """(project_id, organisation_id, year) of every public project: funded programme projects and external
    (CORDIS) projects. Unfunded proposals never enter the network: who proposed with whom is confidential."""
    from poles.projects.models import Participation, Project

    public = Q(project__status=Project.Status.FUNDED, project__source=Project.Source.PROGRAMME) | Q(
        project__source=Project.Source.CORDIS
    )
    if source == "programme":
        public = Q(project__status=Project.Status.FUNDED, project__source=Project.Source.PROGRAMME)
    elif source == "cordis":
        public = Q(project__source=Project.Source.CORDIS)
    rows = (
        Participation.objects.filter(public)
        .annotate(
            year=Coalesce(
                ExtractYear("project__call__submission_deadline"), ExtractYear("project__start_date")
            )
        )
        .values_list("project_id", "organisation_id", "year")
    )
    frame = pd.DataFrame(list(rows), columns=["project_id", "organisation_id", "year"])
    return frame.astype({"project_id": "int64", "organisation_id": "int64", "year": "float64"})


def network_organisations(ids) -> pd.DataFrame:
    """Name, kind (from the current category and size class) and region of the given organisations."""
    from poles.organisations.models import Organisation

    rows = Organisation.objects.filter(pk__in=list(ids)).values_list(
        "pk", "name", "category", "size_class", "public_control", "departement__region__code"
    )
    return pd.DataFrame(
        [(pk, name, _kind(category, size, (control or 0) >= 25), region or "")
         for pk, name, category, size, control, region in rows],
        columns=["organisation_id", "name", "kind", "region"],
    )  # fmt: skip


def network_memberships(first: int | None, last: int | None, programme_id: int | None = None) -> pd.DataFrame:
    """(organisation_id, cluster_id) of memberships running at some time in [first, last]."""
    rows = Membership.objects.all()
    if programme_id is not None:
        rows = rows.filter(cluster__programme_id=programme_id)
    if last is not None:
        rows = rows.filter(start__year__lte=last)
    if first is not None:
        rows = rows.filter(Q(end__isnull=True) | Q(end__year__gte=first))
    # Duplicates dropped here rather than by SELECT DISTINCT, which sorts ~10^5 rows in the database.
    frame = pd.DataFrame(
        list(rows.values_list("organisation_id", "cluster_id")), columns=["organisation_id", "cluster_id"]
    )
    return frame.drop_duplicates().reset_index(drop=True).astype("int64")


def network_stamp() -> tuple:
    """Changes whenever projects or participations change: the key under which network results are cached."""
    from poles.projects.models import Participation, Project

    projects = Project.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    participations = Participation.objects.aggregate(n=Count("pk"), last=Max("pk"))
    memberships = Membership.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return (
        projects["n"], str(projects["last"]), participations["n"], participations["last"],
        memberships["n"], str(memberships["last"]),
    )  # fmt: skip


@dataclass
class NetworkBundle:
    """The rows of one network (a source and a period): participations, links, organisations, memberships."""

    participations: pd.DataFrame
    edges: pd.DataFrame
    organisations: pd.DataFrame
    memberships: pd.DataFrame


CACHE_SECONDS = 600


def _cache_key(*parts) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"poles:analytics:{parts[0]}:{digest}"


def network_bundle(
    source: str = "all", first: int | None = None, last: int | None = None, *, stamp: tuple | None = None
) -> NetworkBundle:
    """The network of public projects of `source` in [first, last], cached until the data change (`stamp`:
    `network_stamp()`, passed by callers that already read it)."""
    key = _cache_key("bundle", stamp or network_stamp(), source, first, last)
    bundle = cache.get(key)
    if bundle is None:
        participations = network_participations(source)
        window = network.in_period(participations, first, last)
        edges = network.edges_from(window)
        ids = window["organisation_id"].unique()
        bundle = NetworkBundle(
            participations, edges, network_organisations(ids), network_memberships(first, last)
        )
        cache.set(key, bundle, CACHE_SECONDS)
    return bundle


def network_summary(
    source: str = "all", first: int | None = None, last: int | None = None, *, stamp: tuple | None = None
) -> network.NetworkSummary:
    """The network page's figures (betweenness included), cached until the data change."""
    stamp = stamp or network_stamp()
    key = _cache_key("summary", stamp, source, first, last)
    summary = cache.get(key)
    if summary is None:
        bundle = network_bundle(source, first, last, stamp=stamp)
        summary = network.summarise(bundle.edges, bundle.organisations, bundle.memberships)
        cache.set(key, summary, CACHE_SECONDS)
    return summary
