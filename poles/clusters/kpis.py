"""Indicator actuals of a cluster for a year, computed from the platform's data.

Each `Kpi.source` names one computation below (see clusters/reference.py). The figures come from
memberships and organisations' yearly figures, labelled and funded projects and their decisions,
the cluster's ecosystem actions and its member SMEs' validated fund-raisings, so that a cluster
report never shows a typed-in figure for what poles knows. Indicators without a source are
reported by the cluster (ReportedValue).

The clusters app sits below projects, grants and ecosystem in the import order; their models are
read through `apps.get_model` at call time so that this module imports nothing from above it.

Definitions (documented in docs/follow-up.md):
* members: organisations with a membership running on 31 December of the year;
* member SMEs: of those, companies of class micro / small / medium that year (their yearly
  figures' class, else their current class) and less than 25 % held by public bodies;
* research and training members: public or non-profit research bodies, universities, schools
  and training centres among the members;
* labelled projects: projects the cluster labelled during the year (labelling decision date);
* funded projects: projects the cluster labelled whose first funding decision falls in the year;
* public aid: the aid decided on those projects, all funders and partners;
* triple-helix projects: those funded projects whose consortium joins a public research body, an
  SME and a large company;
* international / training actions: the cluster's international actions, and its competence
  actions in the format "training session", starting in the year;
* SME private funding: validated fund-raisings closed in the year by firms that were SME members
  of the cluster on the closing date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Min, Q, Sum
from django.utils.translation import gettext_lazy as _

from poles.organisations.models import (
    COMPANY_CATEGORIES,
    RESEARCH_CATEGORIES,
    TRAINING_CATEGORIES,
    YearlyFigures,
)

from .models import Cluster, Kpi, KpiTarget, Membership

SME_CLASSES = frozenset({"micro", "small", "medium"})
PUBLIC_RESEARCH = frozenset({"public_research", "hei_research"})
DECIDED = ("decided", "notified")
# A target is "reached" at 100 %, "close" from 80 % (the contracts' usual tolerance), else "behind".
CLOSE_SHARE = Decimal("0.8")


@dataclass
class Actual:
    """One indicator's actual value, how it was obtained, and the rows it counts (for drill-down)."""

    source: str
    value: Decimal | None
    how: Any = ""
    reported: bool = False
    items: list = field(default_factory=list)


def _model(label: str):
    return apps.get_model(*label.split("."))


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def members_on(cluster: Cluster, day: dt.date) -> list[int]:
    """Organisations with a membership of `cluster` running on `day`."""
    rows = Membership.objects.filter(cluster=cluster, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gte=day)
    )
    return sorted(set(rows.values_list("organisation_id", flat=True)))


def smes_among(org_ids, year: int) -> set[int]:
    """The SMEs among `org_ids` in `year` (companies, SME class that year, not publicly controlled)."""
    organisation = _model("organisations.Organisation")
    orgs = {
        pk: (category, size, control)
        for pk, category, size, control in organisation.objects.filter(pk__in=list(org_ids)).values_list(
            "pk", "category", "size_class", "public_control"
        )
    }
    yearly = dict(
        YearlyFigures.objects.filter(organisation_id__in=list(orgs), year=year)
        .exclude(size_class="")
        .values_list("organisation_id", "size_class")
    )
    return {
        pk
        for pk, (category, size, control) in orgs.items()
        if category in COMPANY_CATEGORIES and yearly.get(pk, size) in SME_CLASSES and (control or 0) < 25
    }


def members_breakdown(cluster: Cluster, year: int) -> dict[str, dict[str, int]]:
    """Members on 31 December by category and size class ("" for organisations without a class)."""
    organisation = _model("organisations.Organisation")
    ids = members_on(cluster, year_end(year))
    yearly = dict(
        YearlyFigures.objects.filter(organisation_id__in=ids, year=year)
        .exclude(size_class="")
        .values_list("organisation_id", "size_class")
    )
    table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pk, category, size in organisation.objects.filter(pk__in=ids).values_list(
        "pk", "category", "size_class"
    ):
        size = yearly.get(pk, size) if category in COMPANY_CATEGORIES else ""
        table[category][size or ""] += 1
    return {category: dict(sizes) for category, sizes in table.items()}


def labelled_project_ids(cluster: Cluster, year: int) -> list[int]:
    label_request = _model("projects.LabelRequest")
    rows = label_request.objects.filter(
        cluster=cluster, status="labelled", project__source="programme"
    ).filter(Q(decided_at__year=year) | Q(decided_at__isnull=True, project__submitted_at__year=year))
    return sorted(set(rows.values_list("project_id", flat=True)))


def funded_project_ids(cluster: Cluster, year: int) -> list[int]:
    """Projects labelled by the cluster whose first funding decision falls in `year`."""
    decision = _model("grants.Decision")
    labelled = (
        _model("projects.LabelRequest")
        .objects.filter(cluster=cluster, status="labelled")
        .values("project_id")
    )
    firsts = (
        decision.objects.filter(project_id__in=labelled, status__in=DECIDED)
        .order_by()  # no ordering joins in an aggregate
        .values("project_id")
        .annotate(first=Min("decided_at"), deadline=Min("project__call__submission_deadline"))
    )
    out = []
    for row in firsts:
        when = row["first"] or row["deadline"]
        if when is not None and when.year == year:
            out.append(row["project_id"])
    return sorted(out)


def triple_helix(project_ids) -> list[int]:
    """Projects whose consortium joins a public research body, an SME and a large company."""
    participation = _model("projects.Participation")
    kinds: dict[int, set[str]] = defaultdict(set)
    for project_id, category, size, public in participation.objects.filter(
        project_id__in=list(project_ids)
    ).values_list("project_id", "category", "size_class", "public_controlled"):
        if category in PUBLIC_RESEARCH:
            kinds[project_id].add("research")
        if category in COMPANY_CATEGORIES and size in SME_CLASSES and not public:
            kinds[project_id].add("sme")
        if category in COMPANY_CATEGORIES and size == "large":
            kinds[project_id].add("large")
    return sorted(pk for pk, found in kinds.items() if found >= {"research", "sme", "large"})


def _actions(cluster: Cluster, year: int, **filters):
    action = _model("ecosystem.Action")
    return list(
        action.objects.filter(cluster=cluster, start_date__year=year, **filters).values_list("pk", flat=True)
    )


def sme_private_funding(cluster: Cluster, year: int) -> tuple[Decimal, list[int]]:
    """Validated fund-raisings closed in `year` by firms that were SME members on the closing date."""
    fundraising = _model("ecosystem.FundRaising")
    rows = list(
        fundraising.objects.filter(status="validated", closed_on__year=year).values_list(
            "pk", "organisation_id", "closed_on", "amount"
        )
    )
    periods = defaultdict(list)
    for org, start, end in Membership.objects.filter(
        cluster=cluster, organisation_id__in={r[1] for r in rows}
    ).values_list("organisation_id", "start", "end"):
        periods[org].append((start, end))
    members = {
        (pk, org)
        for pk, org, day, _amount in rows
        if any(start <= day and (end is None or end >= day) for start, end in periods[org])
    }
    smes = smes_among({org for _pk, org in members}, year)
    counted = [(pk, amount) for pk, org, _day, amount in rows if (pk, org) in members and org in smes]
    return sum((amount for _pk, amount in counted), Decimal(0)), [pk for pk, _a in counted]


def compute(cluster: Cluster, year: int, source: str) -> Actual:
    """The actual of one indicator source for a cluster and a year."""
    day = year_end(year)
    if source == "members":
        ids = members_on(cluster, day)
        return Actual(source, Decimal(len(ids)), _("memberships running on 31 December"), items=ids)
    if source == "member_smes":
        ids = sorted(smes_among(members_on(cluster, day), year))
        return Actual(
            source,
            Decimal(len(ids)),
            _("members that were SMEs that year (size class, public control)"),
            items=ids,
        )
    if source == "member_research":
        organisation = _model("organisations.Organisation")
        categories = list(RESEARCH_CATEGORIES | TRAINING_CATEGORIES)
        ids = list(
            organisation.objects.filter(pk__in=members_on(cluster, day), category__in=categories).values_list(
                "pk", flat=True
            )
        )
        return Actual(
            source, Decimal(len(ids)), _("members that are research or training bodies"), items=sorted(ids)
        )
    if source == "labelled_projects":
        ids = labelled_project_ids(cluster, year)
        return Actual(
            source, Decimal(len(ids)), _("projects labelled by the cluster during the year"), items=ids
        )
    if source in ("funded_projects", "public_aid", "triple_helix_projects"):
        ids = funded_project_ids(cluster, year)
        if source == "funded_projects":
            return Actual(
                source, Decimal(len(ids)), _("labelled projects first funded during the year"), items=ids
            )
        if source == "public_aid":
            total = (
                _model("grants.Decision")
                .objects.filter(project_id__in=ids, status__in=DECIDED)
                .aggregate(total=Sum("amount"))["total"]
            )
            return Actual(
                source, Decimal(total or 0), _("aid decided on the projects funded that year"), items=ids
            )
        helix = triple_helix(ids)
        return Actual(
            source,
            Decimal(len(helix)),
            _("funded projects joining public research, an SME and a large company"),
            items=helix,
        )
    if source == "international_actions":
        ids = _actions(cluster, year, kind="international")
        return Actual(
            source, Decimal(len(ids)), _("international actions started during the year"), items=ids
        )
    if source == "training_actions":
        ids = _actions(cluster, year, kind="competence", format="training")
        return Actual(source, Decimal(len(ids)), _("training sessions started during the year"), items=ids)
    if source == "sme_private_funding":
        total, ids = sme_private_funding(cluster, year)
        return Actual(
            source, total, _("validated fund-raisings of member SMEs closed during the year"), items=ids
        )
    raise KeyError(source)


SOURCES = (
    "members", "member_smes", "member_research", "labelled_projects", "funded_projects", "public_aid",
    "triple_helix_projects", "international_actions", "training_actions", "sme_private_funding",
)  # fmt: skip


@dataclass
class Row:
    """One line of a cluster report: indicator, target, actual, status."""

    kpi: Kpi
    target: Decimal | None
    actual: Actual | None
    status: str

    @property
    def share(self) -> float | None:
        if self.target in (None, 0) or self.actual is None or self.actual.value is None:
            return None
        return float(self.actual.value / self.target)


STATUS_LABELS = {
    "reached": _("Reached"),
    "close": _("Close to target"),
    "behind": _("Behind target"),
    "no_target": _("No target"),
    "missing": _("Not reported"),
}


def status_of(target: Decimal | None, value: Decimal | None) -> str:
    if value is None:
        return "missing"
    if target is None:
        return "no_target"
    if value >= target:
        return "reached"
    if target and value >= target * CLOSE_SHARE:
        return "close"
    return "behind"


def report_rows(cluster: Cluster, year: int, reported: dict[int, Decimal] | None = None) -> list[Row]:
    """Every indicator with a target that year or a computation: target, actual and status.

    Targets come from the performance contract(s) covering the year; computed indicators use
    `compute`, the others the value the cluster reported (`reported`, by Kpi id).
    """
    reported = reported or {}
    targets = {
        t.kpi_id: t.target
        for t in KpiTarget.objects.filter(
            contract__cluster=cluster, year=year, contract__start_year__lte=year, contract__end_year__gte=year
        )
    }
    rows = []
    order = {source: i for i, source in enumerate(SOURCES)}
    for kpi in sorted(Kpi.objects.all(), key=lambda k: (order.get(k.source, len(order)), k.code)):
        computable = kpi.source in SOURCES
        if not computable and kpi.pk not in targets and kpi.pk not in reported:
            continue
        if computable:
            actual = compute(cluster, year, kpi.source)
        elif kpi.pk in reported:
            actual = Actual(kpi.source, reported[kpi.pk], _("reported by the cluster"), reported=True)
        else:
            actual = Actual(kpi.source, None, _("reported by the cluster"), reported=True)
        target = targets.get(kpi.pk)
        rows.append(Row(kpi, target, actual, status_of(target, actual.value)))
    return rows
