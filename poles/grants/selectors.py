"""Reading the follow-up: the projects a user follows, one project's file, spending against plan.

Pages, the API and exports read through these functions, which go through the permission layer
(`core.permissions.restrict` and the scopes of grants/rules.py), so a list never shows a row the
user may not open.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Min, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from poles.core.permissions import VIEW, restrict
from poles.core.roles import roles_of
from poles.projects.models import BudgetLine, Project

from .models import (
    Agreement,
    ConsortiumAgreement,
    Decision,
    Instalment,
    IPDeclaration,
    Licence,
    Milestone,
    Output,
    Payment,
    ProgressReport,
    SpendingLine,
)
from .rules import DECIDED, stakeholder_projects

OPEN_REPORT_STATES = (ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED)


def followed_projects(user) -> QuerySet[Project]:
    """Funded projects whose follow-up the user may read (404 for the others)."""
    roles = roles_of(user)
    qs = Project.objects.filter(decisions__status__in=DECIDED)
    if not roles.superuser:
        if not roles.authenticated:
            return Project.objects.none()
        qs = qs.filter(pk__in=Project.objects.filter(stakeholder_projects(roles)).values("pk"))
    return Project.objects.filter(pk__in=qs.values("pk"))


def with_follow_up_figures(qs: QuerySet[Project], today: dt.date | None = None) -> QuerySet[Project]:
    """Annotate agreements, the next report due and the late reports (one query for the page)."""
    today = today or timezone.localdate()
    return (
        qs.select_related("call", "lead_cluster")
        .annotate(
            n_agreements=Count("agreements", distinct=True),
            next_due=Min("reports__due_on", filter=Q(reports__status__in=OPEN_REPORT_STATES)),
            n_late=Count(
                "reports",
                filter=Q(reports__status__in=OPEN_REPORT_STATES, reports__due_on__lt=today),
                distinct=True,
            ),
        )
        .order_by("-start_date", "acronym", "pk")
    )


def aid_by_project(project_ids) -> dict[int, Decimal]:
    rows = (
        Decision.objects.filter(project_id__in=project_ids, status__in=DECIDED)
        .order_by()  # no ordering joins in an aggregate
        .values("project_id")
        .annotate(total=Sum("amount"))
    )
    return {row["project_id"]: row["total"] for row in rows}


def paid_by_project(project_ids) -> dict[int, Decimal]:
    rows = (
        Instalment.objects.filter(agreement__project_id__in=project_ids)
        .order_by()  # no ordering joins in an aggregate
        .values("agreement__project_id")
        .annotate(total=Sum("paid"))
    )
    return {row["agreement__project_id"]: row["total"] for row in rows}


def agreements_for(user) -> QuerySet[Agreement]:
    return restrict(Agreement.objects.all(), user, VIEW).select_related(
        "project", "funder", "participation__organisation"
    )


def reports_for(user) -> QuerySet[ProgressReport]:
    return restrict(ProgressReport.objects.all(), user, VIEW).select_related("project", "project__call")


def outputs_for(user) -> QuerySet[Output]:
    return restrict(Output.objects.all(), user, VIEW).select_related("project", "participation__organisation")


def agreement_file(agreement: Agreement) -> Agreement:
    """An agreement with its instalments, their decisions and payments, ready for one page."""
    return (
        Agreement.objects.select_related("project__call", "funder", "participation__organisation")
        .prefetch_related(
            Prefetch(
                "instalments",
                queryset=Instalment.objects.select_related(
                    "decision__participation__organisation"
                ).prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "id"))),
            )
        )
        .get(pk=agreement.pk)
    )


@dataclass
class ProjectFile:
    """Everything one funded project's follow-up page shows."""

    project: Project
    decisions: list
    agreements: list
    reports: list
    milestones: list
    outputs: list
    ip: list
    licences: list
    consortium_agreement: object | None
    aid: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    late: list = field(default_factory=list)


def project_file(project: Project, user, today: dt.date | None = None) -> ProjectFile:
    today = today or timezone.localdate()
    decisions = list(
        Decision.objects.filter(project=project, status__in=DECIDED)
        .select_related("funder", "participation__organisation")
        .order_by("funder__name", "participation_id")
    )
    agreements = list(
        restrict(project.agreements.all(), user, VIEW)
        .select_related("funder", "participation__organisation")
        .prefetch_related(
            Prefetch(
                "instalments",
                queryset=Instalment.objects.select_related("decision__participation__organisation"),
            )
        )
    )
    reports = list(restrict(project.reports.all(), user, VIEW))
    file = ProjectFile(
        project=project,
        decisions=decisions,
        agreements=agreements,
        reports=reports,
        milestones=list(
            restrict(project.milestones.all(), user, VIEW).select_related("participation__organisation")
        ),
        outputs=list(
            restrict(Output.objects.filter(project=project), user, VIEW).select_related(
                "participation__organisation"
            )
        ),
        ip=list(
            restrict(IPDeclaration.objects.filter(project=project), user, VIEW).select_related(
                "participation__organisation"
            )
        ),
        licences=list(
            restrict(Licence.objects.filter(project=project), user, VIEW).select_related(
                "licensor__organisation", "licensee_partner__organisation", "ip"
            )
        ),
        consortium_agreement=restrict(
            ConsortiumAgreement.objects.filter(project=project), user, VIEW
        ).first(),
    )
    file.aid = sum((d.amount for d in decisions), Decimal(0))
    file.paid = sum((i.paid for a in agreements for i in a.instalments.all()), Decimal(0))
    file.late = [r for r in reports if r.is_late(today)]
    return file


@dataclass
class SpendingRow:
    """One partner's spending: plan, this period, cumulated to this report, share of the plan used."""

    participation: object
    planned: Decimal
    period: Decimal
    cumulated: Decimal

    @property
    def used(self) -> float | None:
        return float(self.cumulated / self.planned) if self.planned else None


def spending_table(report: ProgressReport) -> list[SpendingRow]:
    """Per partner: budget, spent in this report's period, and spent up to its end (earlier periods included)."""
    participations = list(
        report.project.participations.select_related("organisation").order_by("-role", "id")
    )
    planned = defaultdict(Decimal)
    for line in BudgetLine.objects.filter(participation__project=report.project):
        planned[line.participation_id] += line.amount
    period = defaultdict(Decimal)
    cumulated = defaultdict(Decimal)
    upto = SpendingLine.objects.filter(
        report__project=report.project, report__period_end__lte=report.period_end
    )
    for line in upto:
        cumulated[line.participation_id] += line.amount
        if line.report_id == report.pk:
            period[line.participation_id] += line.amount
    return [SpendingRow(p, planned[p.pk], period[p.pk], cumulated[p.pk]) for p in participations]


def spending_values(report: ProgressReport) -> dict[tuple[int, str], Decimal]:
    return {(line.participation_id, line.cost_type): line.amount for line in report.spending.all()}


def payable_for_funder(user) -> QuerySet[Instalment]:
    """Instalments the user's funders can pay now (the funder officer's to-do list)."""
    return restrict(Instalment.objects.filter(status=Instalment.Status.PAYABLE), user, VIEW).select_related(
        "agreement__project", "agreement__funder", "decision__participation__organisation"
    )


def milestones_of(project: Project) -> QuerySet[Milestone]:
    return project.milestones.select_related("participation__organisation")
