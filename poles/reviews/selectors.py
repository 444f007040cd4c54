"""Reading the review data, and building the review engine's plain inputs from the models.

The engines (`poles.reviews.engine`, `poles.calls.engine.rates`, `poles.selection.engine`) reason
on frozen facts; this module is the one place that turns projects, participations, reviewers,
links between organisations, past projects and governance seats into those facts, so that the
pages, the API, the demo and the tests all feed the engines the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from poles.calls.engine.criteria import EvaluationGrid, parse_evaluation
from poles.calls.engine.facts import CATEGORIES, SIZE_CLASSES, ClusterLabel, Participation, ProposalFacts
from poles.calls.engine.messages import Message
from poles.calls.models import Call
from poles.clusters.models import Cluster, GovernanceSeat
from poles.core.permissions import VIEW, restrict
from poles.core.roles import roles_of
from poles.organisations.models import Organisation, OrganisationLink
from poles.projects.models import AidRequest, BudgetLine, LabelRequest, Project
from poles.projects.models import Participation as ParticipationModel

from . import engine
from .models import Assignment, ConflictDeclaration, Review, Reviewer

# Proposals whose reviews are under way or done: the review pages list these.
REVIEW_STATUSES = (
    Project.Status.ELIGIBLE,
    Project.Status.UNDER_REVIEW,
    Project.Status.SELECTED,
    Project.Status.RESERVE,
    Project.Status.REJECTED,
    Project.Status.FUNDED,
)
# Past projects that count as a collaboration for the co-participation conflict: projects that
# ran (funded by the programme, or external EU projects) or are about to (selected). Proposals
# that were never funded are not collaborations.
HISTORY = Q(status__in=[Project.Status.FUNDED, Project.Status.SELECTED]) | Q(source=Project.Source.CORDIS)


# --------------------------------------------------------------------------- proposal facts


def with_facts(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """Prefetch what `proposal_facts` reads, so building facts for a call costs a handful of queries."""
    return queryset.select_related("call", "lead_cluster").prefetch_related(
        Prefetch(
            "participations",
            queryset=ParticipationModel.objects.select_related("organisation").prefetch_related(
                Prefetch("budget_lines", queryset=BudgetLine.objects.all()),
                Prefetch("aid_requests", queryset=AidRequest.objects.select_related("funder")),
            ),
        ),
        Prefetch("label_requests", queryset=LabelRequest.objects.all()),
    )


def participation_facts(participation: ParticipationModel) -> Participation:
    """One participation as the engines see it; funders are keyed by their code (`Funder.slug`)."""
    category = participation.category if participation.category in CATEGORIES else "company"
    size = participation.size_class if participation.size_class in SIZE_CLASSES else None
    budget: dict[str, Decimal] = {}
    for line in participation.budget_lines.all():
        budget[line.cost_type] = budget.get(line.cost_type, Decimal(0)) + line.amount
    requested: dict[str, Decimal] = {}
    for request in participation.aid_requests.all():
        requested[request.funder.slug] = requested.get(request.funder.slug, Decimal(0)) + request.amount
    return Participation(
        org_id=str(participation.organisation_id),
        category=category,
        role=participation.role if participation.role in ("lead", "partner") else "partner",
        size_class=size,
        budget=budget,
        territory_share=participation.territory_share,
        lead_cluster_share=participation.lead_cluster_share,
        in_territory=participation.in_territory,
        cost_basis=participation.cost_basis,
        aid_requested=requested,
        public_controlled=participation.public_controlled,
        name=participation.organisation.name,
    )


def proposal_facts(project: Project) -> ProposalFacts:
    """A proposal as the engines see it (prefetch with `with_facts` first)."""
    labels = tuple(
        ClusterLabel(str(label.cluster_id), label.status, label.decided_at)
        for label in project.label_requests.all()
    )
    call = project.call
    return ProposalFacts(
        proposal_id=str(project.pk),
        call_id=str(project.call_id or ""),
        title=project.title,
        participations=tuple(participation_facts(p) for p in project.participations.all()),
        labels=labels,
        lead_cluster_id=str(project.lead_cluster_id) if project.lead_cluster_id else None,
        submitted_at=project.submitted_at,
        deadline=call.submission_deadline if call is not None else None,
        keywords=tuple(str(k) for k in (project.keywords or [])),
    )


def bulk_facts(project_ids) -> dict[int, ProposalFacts]:
    """Facts of many proposals from five flat queries (no model instances): what the assignment,
    the selection and the demo read for a whole call. Same result as `proposal_facts`."""
    ids = list(project_ids)
    if not ids:
        return {}
    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pid, cost_type, amount in BudgetLine.objects.filter(participation__project_id__in=ids).values_list(
        "participation_id", "cost_type", "amount"
    ):
        budgets[pid][cost_type] = budgets[pid].get(cost_type, Decimal(0)) + amount
    requests: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pid, funder, amount in AidRequest.objects.filter(participation__project_id__in=ids).values_list(
        "participation_id", "funder__slug", "amount"
    ):
        requests[pid][funder] = requests[pid].get(funder, Decimal(0)) + amount
    labels: dict[int, list[ClusterLabel]] = defaultdict(list)
    for project_id, cluster_id, status, decided_at in LabelRequest.objects.filter(
        project_id__in=ids
    ).values_list("project_id", "cluster_id", "status", "decided_at"):
        labels[project_id].append(ClusterLabel(str(cluster_id), status, decided_at))
    parts: dict[int, list[Participation]] = defaultdict(list)
    for row in (
        ParticipationModel.objects.filter(project_id__in=ids)
        .order_by("project_id", "-role", "id")
        .values(
            "id", "project_id", "organisation_id", "organisation__name", "role", "category", "size_class",
            "territory_share", "lead_cluster_share", "in_territory", "cost_basis", "public_controlled",
        )
    ):  # fmt: skip
        parts[row["project_id"]].append(
            Participation(
                org_id=str(row["organisation_id"]),
                category=row["category"] if row["category"] in CATEGORIES else "company",
                role=row["role"] if row["role"] in ("lead", "partner") else "partner",
                size_class=row["size_class"] if row["size_class"] in SIZE_CLASSES else None,
                budget=budgets.get(row["id"], {}),
                territory_share=row["territory_share"],
                lead_cluster_share=row["lead_cluster_share"],
                in_territory=row["in_territory"],
                cost_basis=row["cost_basis"],
                aid_requested=requests.get(row["id"], {}),
                public_controlled=row["public_controlled"],
                name=row["organisation__name"],
            )
        )
    out = {}
    for row in Project.objects.filter(pk__in=ids).values(
        "pk", "call_id", "title", "lead_cluster_id", "submitted_at", "call__submission_deadline", "keywords"
    ):
        out[row["pk"]] = ProposalFacts(
            proposal_id=str(row["pk"]),
            call_id=str(row["call_id"] or ""),
            title=row["title"],
            participations=tuple(parts.get(row["pk"], [])),
            labels=tuple(labels.get(row["pk"], [])),
            lead_cluster_id=str(row["lead_cluster_id"]) if row["lead_cluster_id"] else None,
            submitted_at=row["submitted_at"],
            deadline=row["call__submission_deadline"],
            keywords=tuple(str(k) for k in (row["keywords"] or [])),
        )
    return out


def facts_year(facts: ProposalFacts) -> int:
    """The reference year of a proposal's facts: its submission, else its call's deadline."""
    moment = facts.submitted_at or facts.deadline
    return (moment or timezone.now()).year


def reference_year(project: Project) -> int:
    """The year the co-participation window counts back from: submission, else the call's deadline."""
    moment = project.submitted_at or (project.call.submission_deadline if project.call_id else None)
    return (moment or timezone.now()).year


# --------------------------------------------------------------------------- reviewers and conflicts


def reviewer_facts(
    reviewer: Reviewer, declared: Iterable[int] = (), capacity: int | None = None
) -> engine.Reviewer:
    """A pool member as the engine sees it; `declared` are the projects they declared a conflict on."""
    return engine.Reviewer(
        reviewer_id=str(reviewer.pk),
        org_id=str(reviewer.organisation_id) if reviewer.organisation_id else None,
        keywords=frozenset(str(k) for k in (reviewer.expertise or [])),
        max_load=reviewer.max_load if capacity is None else max(capacity, 0),
        declared_proposals=frozenset(str(p) for p in declared),
        name=str(reviewer),
    )


@dataclass
class ConflictData:
    """The platform facts conflicts are computed from, loaded once for a set of reviewers."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    # reviewer organisation id -> [(project id, year, organisation ids)] of projects it took part in
    history: dict[str, list[tuple[int, int, frozenset[str]]]] = field(default_factory=dict)
    # reviewer organisation id -> cluster ids where it holds a governance seat, with the seat's period
    seats: dict[str, list[tuple[str, dt.date, dt.date | None]]] = field(default_factory=dict)
    # reviewer id -> project ids declared as conflicts
    declared: dict[str, set[str]] = field(default_factory=dict)


def _project_year(start_date, submitted_at, created_at) -> int:
    moment = start_date or submitted_at or created_at
    return moment.year


def load_conflict_data(reviewers: Sequence[Reviewer]) -> ConflictData:
    """Links, past co-participations, governance seats and declarations of these reviewers (4 queries)."""
    data = ConflictData()
    orgs = {r.organisation_id for r in reviewers if r.organisation_id}
    # Links form groups through chains, so the whole (small) link table is read.
    data.groups = engine.linked_groups(OrganisationLink.objects.values_list("organisation_id", "other_id"))
    if orgs:
        projects = Project.objects.filter(HISTORY, participations__organisation_id__in=orgs).values("pk")
        rows = ParticipationModel.objects.filter(project_id__in=projects).values_list(
            "project_id",
            "organisation_id",
            "project__start_date",
            "project__submitted_at",
            "project__created_at",
        )
        members: dict[int, set[str]] = defaultdict(set)
        years: dict[int, int] = {}
        for project_id, org_id, start, submitted, created in rows:
            members[project_id].add(str(org_id))
            years[project_id] = _project_year(start, submitted, created)
        for project_id, orgs_in in members.items():
            for org in orgs_in & {str(o) for o in orgs}:
                data.history.setdefault(org, []).append((project_id, years[project_id], frozenset(orgs_in)))
        for org_id, cluster_id, start, end in GovernanceSeat.objects.filter(
            organisation_id__in=orgs
        ).values_list("organisation_id", "body__cluster_id", "start", "end"):
            data.seats.setdefault(str(org_id), []).append((str(cluster_id), start, end))
    for reviewer_id, project_id in ConflictDeclaration.objects.filter(
        reviewer__in=[r.pk for r in reviewers], has_conflict=True
    ).values_list("reviewer_id", "project_id"):
        data.declared.setdefault(str(reviewer_id), set()).add(str(project_id))
    return data


def _governance(reviewer: engine.Reviewer, data: ConflictData, day: dt.date) -> list[tuple[str, str]]:
    """(reviewer, cluster) pairs for the seats the reviewer's organisation held on `day` or holds now."""
    today = timezone.localdate()
    pairs = []
    for cluster, start, end in data.seats.get(reviewer.org_id or "", []):
        if start <= max(day, today) and (end is None or end >= day):
            pairs.append((reviewer.reviewer_id, cluster))
    return pairs


def conflicts_for(
    reviewer: engine.Reviewer, facts: ProposalFacts, data: ConflictData, year: int
) -> list[engine.Conflict]:
    """The engine's verdict on one pair, fed only with the history that concerns the reviewer."""
    history = [
        (project_year, orgs)
        for project_id, project_year, orgs in data.history.get(reviewer.org_id or "", [])
        if str(project_id) != facts.proposal_id
    ]
    return engine.find_conflicts(
        reviewer,
        facts,
        history=history,
        links=data.groups,
        governance=_governance(reviewer, data, dt.date(year, 1, 1)),
        reference_year=year,
    )


def _might_conflict(reviewer: engine.Reviewer, facts: ProposalFacts, data: ConflictData) -> bool:
    """A cheap superset test, so the engine is asked only about pairs that share something."""
    if facts.proposal_id in reviewer.declared_proposals:
        return True
    consortium = facts.org_ids
    org = reviewer.org_id
    if org is not None:
        if org in consortium or data.groups.get(org, frozenset()) & consortium:
            return True
        if any(orgs & consortium for _p, _y, orgs in data.history.get(org, [])):
            return True
        clusters = {label.cluster_id for label in facts.labels} | {facts.lead_cluster_id}
        if any(cluster in clusters for cluster, _s, _e in data.seats.get(org, [])):
            return True
    return False


def conflict_map(
    reviewers: Sequence[engine.Reviewer],
    proposals: Sequence[ProposalFacts],
    data: ConflictData,
    years: dict[str, int],
) -> dict[tuple[str, str], list[engine.Conflict]]:
    """Conflicts of every (reviewer id, proposal id) pair that has some (the engine decides each)."""
    found: dict[tuple[str, str], list[engine.Conflict]] = {}
    for facts in proposals:
        for reviewer in reviewers:
            if not _might_conflict(reviewer, facts, data):
                continue
            conflicts = conflicts_for(reviewer, facts, data, years[facts.proposal_id])
            if conflicts:
                found[(reviewer.reviewer_id, facts.proposal_id)] = conflicts
    return found


def readable(conflict: engine.Conflict, names: dict[str, str], clusters: dict[str, str]) -> Message:
    """The engine's message with organisation and cluster names in place of their ids."""
    f = conflict.figures
    params = dict(conflict.message.params)

    def name(org_id: str) -> str:
        return names.get(str(org_id), str(org_id))

    if "org" in f:
        params["org"] = name(f["org"])
    if conflict.code == "linked_organisation":
        params["linked"] = ", ".join(name(o) for o in f["linked"])
    elif conflict.code == "co_participation":
        params["partners"] = ", ".join(f"{name(o)} ({year})" for o, year in f["partners"].items())
    elif conflict.code == "governance_role":
        params["clusters"] = ", ".join(clusters.get(c, c) for c in f["clusters"])
    return Message(conflict.message.template, params)


def names_for(conflicts: Iterable[engine.Conflict]) -> tuple[dict[str, str], dict[str, str]]:
    """Organisation and cluster names needed to show these conflicts (2 queries at most)."""
    orgs: set[str] = set()
    clusters: set[str] = set()
    for c in conflicts:
        f = c.figures
        orgs.update(
            str(o) for o in [f.get("org")] + list(f.get("linked", [])) + list(f.get("partners", {})) if o
        )
        clusters.update(str(x) for x in f.get("clusters", []))
    org_names = {str(pk): n for pk, n in Organisation.objects.filter(pk__in=orgs).values_list("pk", "name")}
    cluster_names = {
        str(pk): n for pk, n in Cluster.objects.filter(pk__in=clusters).values_list("pk", "name")
    }
    return org_names, cluster_names


@dataclass
class PoolRow:
    """One pool member as the assignment page shows them for one proposal."""

    reviewer: Reviewer
    load: int
    match: float
    conflicts: list[Message]
    assigned: Assignment | None


def pool_for_project(project: Project) -> list[PoolRow]:
    """Every active reviewer of the call's programme with their load in the call, expertise match and
    conflicts with this proposal, for the officer choosing a reviewer by hand."""
    project = with_facts(Project.objects.filter(pk=project.pk)).get()
    facts = proposal_facts(project)
    reviewers = list(
        Reviewer.objects.filter(programme_id=project.call.programme_id, active=True)
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__username")
    )
    data = load_conflict_data(reviewers)
    loads = call_loads(project.call)
    existing = {a.reviewer_id: a for a in project.assignments.all()}
    year = reference_year(project)
    rows, found = [], []
    for reviewer in reviewers:
        facts_r = reviewer_facts(reviewer, data.declared.get(str(reviewer.pk), ()))
        conflicts = conflicts_for(facts_r, facts, data, year)
        found.extend(conflicts)
        rows.append(
            PoolRow(
                reviewer=reviewer,
                load=loads.get(reviewer.pk, 0),
                match=engine.match_score(reviewer.expertise or [], project.keywords or []),
                conflicts=conflicts,  # replaced by readable messages below
                assigned=existing.get(reviewer.pk),
            )
        )
    names, clusters = names_for(found)
    for row in rows:
        row.conflicts = [readable(c, names, clusters) for c in row.conflicts]
    rows.sort(key=lambda r: (bool(r.conflicts), -r.match, r.load, str(r.reviewer)))
    return rows


def call_loads(call: Call) -> dict[int, int]:
    """Active (not withdrawn) assignments per reviewer in one call: the load the limit counts."""
    rows = (
        Assignment.objects.filter(project__call=call)
        .exclude(status=Assignment.Status.WITHDRAWN)
        .values("reviewer_id")
        .annotate(n=Count("pk"))
    )
    return {row["reviewer_id"]: row["n"] for row in rows}


# --------------------------------------------------------------------------- reading reviews


def grid_of(call: Call) -> EvaluationGrid | None:
    """The call's evaluation grid, or None when it cannot be parsed (the page says so)."""
    grid, _errors = parse_evaluation(call.evaluation)
    return grid


def assignments_for(user) -> QuerySet[Assignment]:
    """The assignments a user may see (a reviewer: their own; officers: their programme's)."""
    return restrict(Assignment.objects.all(), user, VIEW)


def my_assignments(user) -> QuerySet[Assignment]:
    """A reviewer's own assignments, newest call first, withdrawn ones included (they say why)."""
    if not getattr(user, "is_authenticated", False):
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(reviewer__user=user)
        .select_related("project", "project__call", "review")
        .order_by("-project__call__opens_at", "project__acronym")
    )


def declaration_of(assignment: Assignment) -> ConflictDeclaration | None:
    """The reviewer's signed declaration about the assignment's proposal, if any."""
    return ConflictDeclaration.objects.filter(
        reviewer_id=assignment.reviewer_id, project_id=assignment.project_id
    ).first()


def may_read_proposal(assignment: Assignment) -> bool:
    """A reviewer reads the proposal once they declared no conflict, and only while assigned."""
    if assignment.status == Assignment.Status.WITHDRAWN:
        return False
    declaration = declaration_of(assignment)
    return declaration is not None and not declaration.has_conflict


def submitted_reviews(projects: Iterable[int]) -> dict[int, list[Review]]:
    """Submitted reviews per project (the only ones that count in the scores)."""
    out: dict[int, list[Review]] = defaultdict(list)
    for review in (
        Review.objects.filter(assignment__project_id__in=list(projects), status=Review.Status.SUBMITTED)
        .select_related("assignment", "assignment__reviewer__user")
        .order_by("assignment_id")
    ):
        out[review.assignment.project_id].append(review)
    return out


def call_review_rows(call: Call) -> QuerySet[Project]:
    """The call's proposals in review (or past it), with assignments and scores, for the officer's page."""
    return (
        Project.objects.filter(call=call, status__in=REVIEW_STATUSES)
        .select_related("score", "lead_cluster")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("reviewer__user", "review").order_by("pk"),
            )
        )
        .order_by("acronym", "pk")
    )


def ranking(call: Call) -> QuerySet[Project]:
    """The call's scored proposals in rank order."""
    return (
        Project.objects.filter(call=call, score__isnull=False)
        .select_related("score", "lead_cluster")
        .order_by("score__position", "pk")
    )


def calls_in_review(user) -> QuerySet[Call]:
    """Calls of the officer's programmes, with how many proposals wait for or are in review."""
    roles = roles_of(user)
    calls = Call.objects.all()
    if not roles.superuser:
        calls = calls.filter(programme_id__in=roles.officer_of)
    in_review = Q(projects__status__in=REVIEW_STATUSES)
    return calls.annotate(
        n_review=Count("projects", filter=in_review, distinct=True),
        n_eligible=Count("projects", filter=Q(projects__status=Project.Status.ELIGIBLE), distinct=True),
        n_under_review=Count(
            "projects", filter=Q(projects__status=Project.Status.UNDER_REVIEW), distinct=True
        ),
    ).order_by("-opens_at")


def figures(value: Any) -> Any:
    """Decimal scores as strings for JSON storage (None stays None: not applicable)."""
    return None if value is None else str(value)
