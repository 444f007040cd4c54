"""Funded projects with their consortium, budgets and decisions, built directly on the models.

The calls and reviews helpers' services make such projects in the real flow; follow-up tests and
the browser journey start after that flow, so they build the end state here (plain functions,
no mocks). Everything is created inside the tiny demo programme that every test database holds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from poles.calls.models import Call, CallFunder, Funder
from poles.core.roles import roles_of
from poles.instruments.models import Programme
from poles.organisations.models import Organisation
from poles.projects.models import BudgetLine, LabelRequest, Participation, Project

_counter = itertools.count(1)


def member_organisation(users) -> Organisation:
    """The organisation the demo `member` account acts for."""
    return Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))


def make_call(*, instalments: dict | None = None, funders=("fui", "region-84"), year: int = 2010) -> Call:
    """A closed, decided call of the demo programme with the given instalment schedule."""
    n = next(_counter)
    opens = timezone.make_aware(dt.datetime(year, 1, 10, 9))
    call = Call.objects.create(
        programme=Programme.objects.get(slug="poles-competitivite"),
        reference=f"test-call-{n}-{timezone.now():%H%M%S%f}",
        number=90 + n,
        title_fr=f"Appel de test {n}",
        title_en=f"Test call {n}",
        status=Call.Status.DECIDED,
        opens_at=opens,
        labelling_deadline=opens + dt.timedelta(days=40),
        submission_deadline=opens + dt.timedelta(days=60),
        instalments=instalments
        if instalments is not None
        else {"advance": 0.3, "intermediate": 0.4, "balance": 0.3},
    )
    for slug in funders:
        CallFunder.objects.create(call=call, funder=Funder.objects.get(slug=slug), envelope=10_000_000)
    return call


def funded_project(
    *,
    lead: Organisation | None = None,
    call: Call | None = None,
    amounts: dict[str, list[int]] | None = None,
    start: dt.date = dt.date(2011, 1, 1),
    duration_months: int = 36,
    status: str = Project.Status.FUNDED,
    cluster_slug: str = "minalogic",
    decision_status: str = "decided",
) -> Project:
    """A project with three partners (lead company, second company, public lab), budgets, a label
    from `cluster_slug` and decided aid per funder (`amounts`: funder slug -> aid per partner)."""
    from poles.clusters.models import Cluster
    from poles.grants.models import Decision

    call = call or make_call()
    amounts = amounts or {"fui": [180_000, 90_000, 120_000], "region-84": [40_000, 0, 30_001]}
    n = next(_counter)
    companies = Organisation.objects.filter(category="company").exclude(pk=getattr(lead, "pk", None))
    lead = lead or companies.first()
    second = companies.exclude(pk=lead.pk).order_by("-pk").first()
    lab = Organisation.objects.filter(category="public_research").order_by("pk").first()
    cluster = Cluster.objects.get(slug=cluster_slug)
    project = Project.objects.create(
        programme=call.programme, call=call, status=status, acronym=f"TST{n}", title=f"Test project {n}",
        lead_cluster=cluster, start_date=start, duration_months=duration_months, total_cost=Decimal(1_500_000),
        submitted_at=call.submission_deadline - dt.timedelta(days=1),
    )  # fmt: skip
    LabelRequest.objects.create(
        project=project, cluster=cluster, status="labelled", decided_at=call.labelling_deadline
    )
    partners = [
        (lead, "lead", "company", "small"),
        (second, "partner", "company", "large"),
        (lab, "partner", "public_research", ""),
    ]
    participations = []
    for org, role, category, size in partners:
        p = Participation.objects.create(
            project=project, organisation=org, role=role, category=category, size_class=size,
            total_cost=Decimal(500_000),
        )  # fmt: skip
        BudgetLine.objects.create(participation=p, cost_type="staff", amount=Decimal(300_000))
        BudgetLine.objects.create(participation=p, cost_type="equipment", amount=Decimal(200_000))
        participations.append(p)
    for slug, per_partner in amounts.items():
        funder = Funder.objects.get(slug=slug)
        for p, amount in zip(participations, per_partner, strict=True):
            Decision.objects.create(
                project=project, participation=p, funder=funder, eligible_cost=Decimal(500_000),
                rate=(Decimal(amount) / Decimal(500_000)).quantize(Decimal("0.0001")), amount=Decimal(amount),
                status=decision_status, decided_at=call.submission_deadline + dt.timedelta(days=90),
            )  # fmt: skip
    return project
