"""The public data of the programme, as anonymous visitors may see it: the one source of every export.

Each selector goes through the permission layer as an anonymous user (`restrict(qs, None)`), so an
export can never hold more than the public pages show: funded and external projects, their consortia
and decided aid, validated outputs, the organisations' registry, clusters and their members, calls.
Proposals, reviews, budgets, yearly figures and contacts never appear.
"""

from __future__ import annotations

from django.db.models import QuerySet

from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster, Membership
from poles.core.permissions import restrict
from poles.grants.models import Decision, Output
from poles.instruments.models import Programme
from poles.organisations.models import Organisation
from poles.projects.models import Participation, Project

PUBLIC_DECISIONS = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)


def public_projects() -> QuerySet[Project]:
    return restrict(Project.objects.all(), None).select_related("call", "lead_cluster").order_by("pk")


def public_participations() -> QuerySet[Participation]:
    return (
        restrict(Participation.objects.all(), None)
        .filter(project__in=public_projects().values("pk"))
        .select_related("project", "organisation")
        .order_by("project_id", "pk")
    )


def public_decisions() -> QuerySet[Decision]:
    """Aid decided for funded projects (proposed or cancelled amounts are not public)."""
    return (
        Decision.objects.filter(
            status__in=PUBLIC_DECISIONS,
            project__in=public_projects().filter(source=Project.Source.PROGRAMME).values("pk"),
        )
        .select_related("project", "project__call", "participation__organisation", "funder")
        .order_by("project_id", "funder__slug", "participation__organisation_id")
    )


def public_outputs() -> QuerySet[Output]:
    return (
        restrict(Output.objects.all(), None)
        .filter(status=Output.Status.VALIDATED, project__in=public_projects().values("pk"))
        .select_related("participation__organisation")
        .order_by("pk")
    )


def public_organisations() -> QuerySet[Organisation]:
    return restrict(Organisation.objects.all(), None).select_related("departement").order_by("pk")


def public_programmes() -> QuerySet[Programme]:
    return restrict(Programme.objects.all(), None).order_by("pk")


def public_clusters() -> QuerySet[Cluster]:
    return restrict(Cluster.objects.all(), None).select_related("departement", "programme").order_by("pk")


def public_memberships() -> QuerySet[Membership]:
    return restrict(Membership.objects.all(), None).select_related("cluster").order_by("pk")


def public_calls() -> QuerySet[Call]:
    return restrict(Call.objects.all(), None).select_related("programme").order_by("pk")


def public_funders() -> QuerySet[Funder]:
    return restrict(Funder.objects.all(), None).order_by("slug")
