"""Reading proposals: the lists each role sees and everything one proposal's page shows."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from poles.calls.engine.facts import CATEGORY_LABELS
from poles.core.permissions import CHANGE, VIEW, can, restrict
from poles.core.roles import roles_of
from poles.organisations.models import SizeClass

from . import guards
from .models import AidRequest, Attachment, BudgetLine, LabelRequest, Participation, Project


def proposals_for(user) -> QuerySet[Project]:
    """The programme's proposals and projects a user may see (public ones included)."""
    return restrict(Project.objects.filter(source=Project.Source.PROGRAMME), user, VIEW)


def list_proposals(user) -> QuerySet[Project]:
    return (
        proposals_for(user)
        .select_related("call", "lead_cluster")
        .prefetch_related(
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(role=Participation.Role.LEAD).select_related(
                    "organisation"
                ),
                to_attr="leads",
            )
        )
        .order_by("-created_at", "-pk")
    )


def my_proposals(user) -> QuerySet[Project]:
    """Proposals of the applicant's organisations (as lead or partner) and those they created."""
    roles = roles_of(user)
    mine = Q(participations__organisation_id__in=roles.member_of) | Q(created_by=user)
    ids = Project.objects.filter(mine).values("pk")
    return list_proposals(user).filter(pk__in=ids)


def labelling_queue(user) -> QuerySet[LabelRequest]:
    """The labelling requests a cluster's staff may answer: submitted proposals, pending first."""
    return (
        restrict(LabelRequest.objects.all(), user, CHANGE)
        .select_related("project__call", "cluster", "project__lead_cluster")
        .order_by("status", "project__call__labelling_deadline", "pk")
    )


def consortium(project: Project, *, confidential: bool) -> list[dict[str, Any]]:
    """Each partner with its budget and aid asked per funder (figures only for confidential readers)."""
    participations = list(
        project.participations.select_related("organisation").order_by("role", "organisation__name")
    )
    budgets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    aid: dict[int, dict[str, Decimal]] = defaultdict(dict)
    if confidential:
        for line in BudgetLine.objects.filter(participation__project=project):
            budgets[line.participation_id][line.cost_type] = line.amount
        for request in AidRequest.objects.filter(participation__project=project).select_related("funder"):
            aid[request.participation_id][request.funder.slug] = request.amount
    return [
        {
            "participation": p,
            "category": CATEGORY_LABELS.get(p.category, p.category),
            "size_class": SizeClass(p.size_class).label if p.size_class in SizeClass.values else "",
            "budget": budgets[p.pk],
            "budget_total": sum(budgets[p.pk].values(), Decimal(0)),
            "aid": aid[p.pk],
            "aid_total": sum(aid[p.pk].values(), Decimal(0)),
        }
        for p in participations
    ]


def self_check(project: Project) -> list[dict[str, Any]]:
    """The call's rules run on the proposal as it stands, for the applicant before submitting
    (labels come after submission, so the labelling rule can only pass later)."""
    from poles.calls.engine.eligibility import InvalidRuleSet, evaluate

    from .facts import proposal_facts

    try:
        results = evaluate(project.call.rules, proposal_facts(project))
    except (InvalidRuleSet, ValueError):
        return []
    return [
        {"rule": r.rule, "status": r.status, "message": r.message, "later": r.rule == "min_labels"}
        for r in results
    ]


def proposal_page(project: Project, user) -> dict[str, Any]:
    """What the proposal page shows to this user: public facts always, the rest if they may read it."""
    confidential = can(user, "projects.view_confidential", project)
    rows = consortium(project, confidential=confidential)
    page: dict[str, Any] = {
        "confidential": confidential,
        "consortium": rows,
        "labels": project.label_requests.select_related("cluster").order_by("cluster__name"),
    }
    if confidential:
        page.update(
            budget_total=sum((r["budget_total"] for r in rows), Decimal(0)),
            aid_total=sum((r["aid_total"] for r in rows), Decimal(0)),
            attachments=project.attachments.order_by("kind", "created_at"),
            revisions=project.revisions.order_by("-number"),
            check=guards.latest_check(project),
        )
    if project.status == Project.Status.FUNDED:
        page["decided_aid"] = decided_aid(project)
    return page


def decided_aid(project: Project) -> list[tuple[str, Decimal]]:
    """Aid decided per funder for a funded project (public), from the decisions of the grants app."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for name, amount in project.decisions.filter(status__in=["decided", "notified"]).values_list(
        "funder__name", "amount"
    ):
        totals[name] += amount
    return sorted(totals.items())


def confidential_ids(user, ids) -> set[int]:
    """Which of these proposals the user reads in full, in one query (for lists)."""
    from .rules import confidential_access

    roles = roles_of(user)
    if roles.superuser:
        return set(ids)
    if not roles.authenticated:
        return set()
    return set(
        Project.objects.filter(pk__in=list(ids))
        .filter(confidential_access(roles, user))
        .values_list("pk", flat=True)
    )


def attachments_for(user, project: Project) -> QuerySet[Attachment]:
    return restrict(Attachment.objects.filter(project=project), user, VIEW)
