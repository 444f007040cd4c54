"""From the models to the engines: a proposal's `ProposalFacts`, and what the registry says at submission.

The calls engines (eligibility, aid) read plain data; this module is the one place that reads a
proposal, its consortium, budgets, aid requests and labels from the database and hands them over.
The review and selection services build their aid decisions from the same facts.

Identifiers in the facts are the codes people read: organisations by primary key, clusters and
funders by slug (the codes the call's rate table uses).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from poles.calls.engine.facts import (
    ClusterLabel,
    ProposalFacts,
    SubmissionFingerprint,
    normalise_title,
)
from poles.calls.engine.facts import Participation as FactParticipation
from poles.organisations.models import COMPANY_CATEGORIES, Organisation, YearlyFigures

from .models import AidRequest, BudgetLine, LabelRequest, Participation, Project

# Submissions that still count for duplicates: not drafts, and not finally out of the programme.
NOT_LIVE = (
    Project.Status.DRAFT,
    Project.Status.WITHDRAWN,
    Project.Status.REJECTED,
    Project.Status.INELIGIBLE,
    Project.Status.EXTERNAL,
)
PUBLIC_CONTROL_THRESHOLD = Decimal(25)


def size_classes_at(organisation_ids, year: int) -> dict[int, str]:
    """Each organisation's size class in `year` from its yearly figures, else the latest year before,
    else the latest known; organisations without figures are left out."""
    best: dict[int, tuple[int, str]] = {}
    rows = YearlyFigures.objects.filter(organisation_id__in=list(organisation_ids)).exclude(size_class="")
    for org_id, row_year, size_class in rows.values_list("organisation_id", "year", "size_class"):
        # Rank: the year itself, then earlier years (nearest first), then later years (nearest first).
        rank = (
            (0, 0)
            if row_year == year
            else ((1, year - row_year) if row_year < year else (2, row_year - year))
        )
        if org_id not in best or rank < best[org_id][0]:
            best[org_id] = (rank, size_class)
    return {org_id: value[1] for org_id, value in best.items()}


def territory_regions(project: Project) -> set[int]:
    """The regions (current and former) of the clusters asked to label the proposal."""
    return {pk for pk in project.label_requests.values_list("cluster__regions", flat=True) if pk is not None}


def registry_capture(project: Project, when: dt.datetime) -> list[Participation]:
    """Each partner's category, size class, public control and establishment in a labelling cluster's
    territory as the registry says at `when`: what the rules and rates read from then on."""
    participations = list(project.participations.select_related("organisation__departement"))
    sizes = size_classes_at([p.organisation_id for p in participations], when.year)
    regions = territory_regions(project)
    for participation in participations:
        org: Organisation = participation.organisation
        participation.category = org.category
        company = org.category in COMPANY_CATEGORIES
        participation.size_class = (sizes.get(org.pk) or org.size_class or "") if company else ""
        participation.public_controlled = Decimal(org.public_control or 0) >= PUBLIC_CONTROL_THRESHOLD
        dept = org.departement
        participation.in_territory = bool(dept and {dept.region_id, dept.former_region_id} & regions)
    Participation.objects.bulk_update(
        participations, ["category", "size_class", "public_controlled", "in_territory"]
    )
    return participations


def fact_participation(participation: Participation, budget: dict, aid: dict) -> FactParticipation:
    """One participation as the engines see it."""
    return FactParticipation(
        org_id=str(participation.organisation_id),
        category=participation.category,
        role=participation.role,
        size_class=participation.size_class or None,
        budget=budget,
        territory_share=participation.territory_share,
        lead_cluster_share=participation.lead_cluster_share,
        in_territory=participation.in_territory,
        cost_basis=participation.cost_basis,
        aid_requested=aid,
        public_controlled=participation.public_controlled,
        name=participation.organisation.name,
    )


def fingerprints(project: Project) -> list[SubmissionFingerprint]:
    """The other live submissions that could duplicate this one: only those with the same title key
    can (see SubmissionFingerprint), so only those are read."""
    key = project.title_key or normalise_title(project.title)
    others = (
        Project.objects.filter(source=Project.Source.PROGRAMME, title_key=key)
        .exclude(pk=project.pk)
        .exclude(status__in=NOT_LIVE)
    )
    consortia: dict[int, set[str]] = defaultdict(set)
    leads: dict[int, str] = {}
    calls: dict[int, int | None] = {}
    for pk, call_id in others.values_list("pk", "call_id"):
        calls[pk] = call_id
    rows = Participation.objects.filter(project_id__in=list(calls)).values_list(
        "project_id", "organisation_id", "role"
    )
    for project_id, org_id, role in rows:
        consortia[project_id].add(str(org_id))
        if role == Participation.Role.LEAD:
            leads[project_id] = str(org_id)
    return [
        SubmissionFingerprint(
            submission_id=str(pk),
            call_id=str(call_id),
            lead_org_id=leads.get(pk),
            title_key=key,
            consortium=frozenset(consortia[pk]),
        )  # fmt: skip
        for pk, call_id in sorted(calls.items())
    ]


def proposal_facts(project: Project, *, with_duplicates: bool = True) -> ProposalFacts:
    """The engines' view of a proposal: consortium, budgets, aid asked per funder, labels, deadline."""
    participations = list(project.participations.select_related("organisation").order_by("role", "pk"))
    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pid, cost_type, amount in BudgetLine.objects.filter(participation__project=project).values_list(
        "participation_id", "cost_type", "amount"
    ):
        budgets[pid][cost_type] = amount
    aid: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pid, funder, amount in AidRequest.objects.filter(participation__project=project).values_list(
        "participation_id", "funder__slug", "amount"
    ):
        aid[pid][funder] = amount
    labels = [
        ClusterLabel(cluster_id=slug, status=status, decided_at=decided_at)
        for slug, status, decided_at in LabelRequest.objects.filter(project=project)
        .order_by("cluster__slug")
        .values_list("cluster__slug", "status", "decided_at")
    ]
    call = project.call
    return ProposalFacts(
        proposal_id=str(project.pk),
        call_id=str(project.call_id),
        title=project.title,
        participations=tuple(fact_participation(p, budgets[p.pk], aid[p.pk]) for p in participations),
        labels=tuple(labels),
        lead_cluster_id=project.lead_cluster.slug if project.lead_cluster_id else None,
        submitted_at=project.submitted_at,
        deadline=call.submission_deadline if call else None,
        keywords=tuple(str(k) for k in project.keywords or ()),
        other_submissions=tuple(fingerprints(project)) if with_duplicates else (),
    )
