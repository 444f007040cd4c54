"""Small builders for review, selection and decision tests: calls, proposals in status eligible
with their consortium, budgets, aid requests and label requests, reviewers, past projects.

They write rows directly (the calls helper's services build proposals in the real flow), on top
of the `tiny` demo programme every test database holds, so the data that could leak is there.
Organisations are created fresh, so no demo link, seat or past project touches them unless a
test says so.
"""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from poles.accounts.models import RoleAssignment
from poles.calls.engine.presets import get_preset
from poles.calls.models import Call, CallFunder, Funder
from poles.clusters.models import Cluster, GovernanceBody, GovernanceSeat
from poles.instruments.models import Programme
from poles.organisations.models import Organisation, OrganisationLink
from poles.projects.models import AidRequest, BudgetLine, LabelRequest, Participation, Project
from poles.reviews.models import Assignment, ConflictDeclaration, Review, Reviewer

_seq = itertools.count(1)


def programme() -> Programme:
    return Programme.objects.get(slug="poles-competitivite")


def funder(slug: str = "fui") -> Funder:
    return Funder.objects.get(slug=slug)


def cluster(slug: str = "minalogic") -> Cluster:
    return Cluster.objects.get(slug=slug)


def rates_for(*funders: str) -> list[dict]:
    """The FUI classic rate table, once per funder code (the preset's "state" rows renamed)."""
    rows = []
    for code in funders:
        for row in get_preset("fui_classic")["rates"]:
            rows.append({**row, "funder": code})
    return rows


def make_call(
    *,
    envelopes: dict[str, int] | None = None,
    rates: list[dict] | None = None,
    caps: dict | None = None,
    evaluation: dict | None = None,
    selection: dict | None = None,
    year: int = 2024,
) -> Call:
    """A closed call of the demo programme with FUI classic rules, funders and envelopes."""
    envelopes = envelopes or {"fui": 3_000_000}
    n = next(_seq)
    opens = timezone.make_aware(dt.datetime(year, 1, 10, 12))
    call = Call.objects.create(
        programme=programme(),
        reference=f"test-call-{n}-{timezone.now().timestamp():.0f}",
        number=100 + n,
        title_fr=f"Appel d'essai {n}",
        title_en=f"Test call {n}",
        status=Call.Status.CLOSED,
        preset="fui_classic",
        opens_at=opens,
        labelling_deadline=opens + dt.timedelta(days=40),
        submission_deadline=opens + dt.timedelta(days=60),
        rules=get_preset("fui_classic")["rules"],
        rates=rates if rates is not None else rates_for(*envelopes),
        caps=caps or {},
        evaluation=evaluation or copy.deepcopy(get_preset("fui_classic")["evaluation"]),
        selection=selection or {},
    )
    for code, amount in envelopes.items():
        CallFunder.objects.create(call=call, funder=funder(code), envelope=Decimal(amount))
    return call


def make_org(name: str | None = None, category: str = "company", size_class: str = "small") -> Organisation:
    """A fresh organisation (no demo membership, link, seat or past project)."""
    n = next(_seq)
    return Organisation.objects.create(
        name=name or f"Test org {n}",
        category=category,
        size_class=size_class if category in ("company", "ntbf") else "",
    )


def partner(
    org: Organisation, role: str = "partner", *, budget: int = 500_000, aid: dict | None = None, **kwargs
):
    """A participation spec for `make_proposal`; `aid` maps funder codes to the amount requested."""
    category = kwargs.pop("category", org.category)
    return {
        "org": org,
        "role": role,
        "category": category,
        "size_class": kwargs.pop("size_class", org.size_class),
        "budget": budget,
        "aid": aid if aid is not None else {"fui": budget * 45 // 100},
        **kwargs,
    }


def make_proposal(
    call: Call,
    partners: list[dict] | None = None,
    *,
    status: str = Project.Status.ELIGIBLE,
    acronym: str | None = None,
    keywords: tuple[str, ...] = ("energy", "sensors"),
    lead_cluster: str = "minalogic",
    label_clusters: tuple[str, ...] = ("minalogic",),
    summary: str = "A confidential summary of the proposal.",
) -> Project:
    """A proposal in `call` (eligible by default) with its consortium, budgets, aid requests and labels.

    Without `partners`: a small-company lead, a large company and a public lab, all fresh.
    """
    if partners is None:
        partners = [
            partner(make_org(size_class="small"), "lead"),
            partner(make_org(size_class="large"), aid={"fui": 125_000}),
            partner(make_org(category="public_research"), aid={"fui": 200_000}),
        ]
    n = next(_seq)
    project = Project.objects.create(
        programme=call.programme,
        call=call,
        status=status,
        acronym=acronym or f"PRJ{n}",
        title=f"Proposal {n}",
        summary=summary,
        keywords=list(keywords),
        lead_cluster=cluster(lead_cluster) if lead_cluster else None,
        submitted_at=call.submission_deadline - dt.timedelta(days=5),
    )
    total = Decimal(0)
    for spec in partners:
        participation = Participation.objects.create(
            project=project,
            organisation=spec["org"],
            role=spec["role"],
            category=spec["category"],
            size_class=spec["size_class"] or "",
            in_territory=spec.get("in_territory", True),
            cost_basis=spec.get("cost_basis", "full"),
            public_controlled=spec.get("public_controlled", False),
            total_cost=Decimal(spec["budget"]),
        )
        BudgetLine.objects.create(
            participation=participation, cost_type="staff", amount=Decimal(spec["budget"])
        )
        for code, amount in spec["aid"].items():
            AidRequest.objects.create(
                participation=participation, funder=funder(code), amount=Decimal(amount)
            )
        total += Decimal(spec["budget"])
    project.total_cost = total
    project.save(update_fields=["total_cost"])
    for slug in label_clusters:
        LabelRequest.objects.create(
            project=project,
            cluster=cluster(slug),
            status=LabelRequest.Status.LABELLED,
            decided_at=call.labelling_deadline,
        )
    return project


def make_reviewer(
    username: str | None = None,
    *,
    organisation: Organisation | None = None,
    expertise: tuple[str, ...] = ("energy", "sensors"),
    max_load: int = 8,
    user=None,
) -> Reviewer:
    """A pool member with an account holding the reviewer role on the demo programme."""
    if user is None:
        user = get_user_model().objects.create(
            username=username or f"expert{next(_seq)}", first_name="Expert", last_name=username or "X",
            email=f"{username or 'expert'}@example.org",
        )  # fmt: skip
    reviewer, _created = Reviewer.objects.update_or_create(
        user=user,
        defaults={
            "programme": programme(),
            "organisation": organisation,
            "expertise": list(expertise),
            "max_load": max_load,
        },
    )
    if not RoleAssignment.objects.filter(user=user, role="reviewer").exists():
        RoleAssignment.objects.create(
            user=user, role="reviewer", programme=programme(), start=dt.date(2005, 1, 1)
        )
    return reviewer


def past_project(
    orgs: list[Organisation], year: int, *, source: str = "programme", status: str | None = None
) -> Project:
    """A project the organisations took part in together, starting in `year` (funded, or CORDIS)."""
    n = next(_seq)
    external = source == Project.Source.CORDIS
    project = Project.objects.create(
        source=source,
        external_id=f"H2020-{n}" if external else "",
        status=status or (Project.Status.EXTERNAL if external else Project.Status.FUNDED),
        acronym=f"PAST{n}",
        title=f"Past project {n}",
        start_date=dt.date(year, 3, 1),
    )
    for i, org in enumerate(orgs):
        Participation.objects.create(
            project=project, organisation=org, role="lead" if i == 0 else "partner", category=org.category
        )
    return project


def link(a: Organisation, b: Organisation, share: int = 60) -> OrganisationLink:
    return OrganisationLink.objects.create(organisation=a, other=b, share=Decimal(share))


def seat(
    org: Organisation, cluster_slug: str = "minalogic", start: dt.date = dt.date(2015, 1, 1)
) -> GovernanceSeat:
    body = GovernanceBody.objects.filter(cluster__slug=cluster_slug).first() or GovernanceBody.objects.create(
        cluster=cluster(cluster_slug), kind="board"
    )
    return GovernanceSeat.objects.create(body=body, organisation=org, start=start)


def scored(project: Project, reviewer: Reviewer, scores: dict, comments: str = "Fine.") -> Review:
    """A submitted review written directly (for selection and decision tests that start after review)."""
    assignment, _created = Assignment.objects.get_or_create(reviewer=reviewer, project=project)
    ConflictDeclaration.objects.get_or_create(
        reviewer=reviewer, project=project, defaults={"has_conflict": False, "signed_at": timezone.now()}
    )
    assignment.status = Assignment.Status.SUBMITTED
    assignment.save()
    review, _created = Review.objects.update_or_create(
        assignment=assignment,
        defaults={
            "scores": {k: (None if v is None else str(v)) for k, v in scores.items()},
            "comments": comments,
            "status": Review.Status.SUBMITTED,
            "submitted_at": timezone.now(),
        },
    )
    return review


def uniform(
    value,
    grid_codes=("scientific_excellence", "economic_impact", "consortium_quality", "territorial_anchoring"),
):
    """The same score on every FUI criterion."""
    return dict.fromkeys(grid_codes, value)


def scored_call(
    n: int = 4,
    *,
    envelopes=None,
    scores=(4.5, 4.0, 3.5, 3.2),
    status=Project.Status.UNDER_REVIEW,
    **call_kwargs,
):
    """A call with `n` proposals under review, each scored by one reviewer, and its scores aggregated."""
    from poles.reviews.services import refresh_call_scores

    call = make_call(envelopes=envelopes, **call_kwargs)
    reviewer = make_reviewer()
    projects = []
    for i in range(n):
        project = make_proposal(call, status=status, acronym=f"P{i + 1}-{next(_seq)}")
        scored(project, reviewer, uniform(scores[i % len(scores)]))
        projects.append(project)
    refresh_call_scores(call)
    return call, projects
