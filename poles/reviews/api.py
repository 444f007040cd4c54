"""Review API: the pool, assignments with the reviewer's declaration and review, and the officers'
actions on calls and proposals (automatic and manual assignment, consensus, scores, ranking).

Endpoints (state changes are explicit POST actions):
    /api/reviewers/                         pool (officers): list, create, PATCH
    /api/assignments/                       own (reviewer) or the programme's (officers)
    /api/assignments/{id}/declare/          POST the signed declaration
    /api/assignments/{id}/proposal/         GET the proposal, once no conflict is declared
    /api/assignments/{id}/reviews/          GET the review; POST scores/comments (draft or submit), If-Match
    /api/calls/{id}/assign/                 POST automatic assignment
    /api/calls/{id}/ranking/                GET the ranked scores
    /api/projects/{id}/assign/              POST manual assignment (reviewer, reason)
    /api/projects/{id}/consensus/           POST consensus (If-Match: the score's ETag)
    /api/projects/{id}/score/               GET the aggregated score
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.calls.models import Call
from poles.core.api import ETagMixin, PreconditionFailed, RestrictedViewSetMixin, ServiceModelViewSet
from poles.core.permissions import VIEW, can, restrict
from poles.instruments.models import Programme
from poles.projects.models import Project

from . import selectors, services
from .filters import AssignmentFilter, ReviewerFilter
from .models import Assignment, ConflictDeclaration, ProjectScore, Review, Reviewer
from .serializers import (
    AssignmentSerializer,
    AutoAssignmentResultSerializer,
    AutoAssignmentSerializer,
    ConsensusSerializer,
    DeclarationResultSerializer,
    DeclarationSerializer,
    ManualAssignmentResultSerializer,
    ManualAssignmentSerializer,
    ProjectScoreSerializer,
    ProposalForReviewSerializer,
    ReviewerCreateSerializer,
    ReviewerSerializer,
    ReviewInputSerializer,
    ReviewSerializer,
)


def _if_match(request, obj) -> int | None:
    """The version the caller read (If-Match), or None; 412 when it is not the current one."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    if obj is None or header.strip() != obj.etag:
        raise PreconditionFailed()
    return obj.version


class ReviewerViewSet(ServiceModelViewSet):
    """The reviewer pool: officers list, add and update experts; a reviewer sees their own record."""

    base_queryset = Reviewer.objects.select_related("user", "organisation")
    serializer_class = ReviewerSerializer
    filterset_class = ReviewerFilter
    ordering = ["id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return ReviewerCreateSerializer if self.action == "create" else ReviewerSerializer

    def perform_service_create(self, data):
        from poles.core.roles import roles_of

        roles = roles_of(self.request.user)
        programmes = (
            Programme.objects.all() if roles.superuser else Programme.objects.filter(pk__in=roles.officer_of)
        )
        programme = programmes.order_by("pk").first()
        if programme is None:
            raise exceptions.PermissionDenied()
        return services.add_reviewer(programme, actor=self.request.user, **data)

    def perform_service_update(self, obj, data, expected_version):
        return services.update_reviewer(
            obj, actor=self.request.user, expected_version=expected_version, **data
        )


class AssignmentViewSet(ETagMixin, RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                        viewsets.GenericViewSet):  # fmt: skip
    """Assignments: a reviewer lists and reads only their own; officers those of their programme."""

    base_queryset = Assignment.objects.select_related("project", "reviewer__user").annotate(
        declaration=Subquery(
            ConflictDeclaration.objects.filter(
                reviewer=OuterRef("reviewer"), project=OuterRef("project")
            ).values("has_conflict")[:1]
        )
    )
    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    ordering = ["id"]

    def _own_open(self) -> Assignment:
        """The caller's own assignment, not withdrawn; anything else is 404."""
        assignment = self.get_object()
        if (
            assignment.reviewer.user_id != self.request.user.pk
            or assignment.status == Assignment.Status.WITHDRAWN
        ):
            raise exceptions.NotFound()
        return assignment

    @extend_schema(request=DeclarationSerializer, responses={201: DeclarationResultSerializer})
    @action(detail=True, methods=["post"])
    def declare(self, request, pk=None):
        """Sign the conflict-of-interest declaration (a conflict withdraws the assignment)."""
        assignment = self._own_open()
        payload = DeclarationSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        declaration = services.declare(assignment, actor=request.user, **payload.validated_data)
        return Response(DeclarationResultSerializer(declaration).data, status=201)

    @extend_schema(responses={200: ProposalForReviewSerializer})
    @action(detail=True, methods=["get"])
    def proposal(self, request, pk=None):
        """The proposal's content, for its reviewer once they declared no conflict."""
        assignment = self._own_open()
        if not selectors.may_read_proposal(assignment):
            raise exceptions.PermissionDenied(
                _("Sign your conflict-of-interest declaration before reading the proposal.")
            )
        project = Project.objects.prefetch_related(
            "participations__organisation",
            "participations__budget_lines",
            "participations__aid_requests__funder",
        ).get(pk=assignment.project_id)  # fmt: skip
        return Response(ProposalForReviewSerializer(project).data)

    @extend_schema(
        methods=["GET"], responses={200: ReviewSerializer, 404: OpenApiResponse(description="no review yet")}
    )
    @extend_schema(methods=["POST"], request=ReviewInputSerializer, responses={200: ReviewSerializer})
    @action(detail=True, methods=["get", "post"])
    def reviews(self, request, pk=None):
        """GET the review; POST scores and comments as a draft, or with `submit: true` to make them final.

        Send If-Match with the review's ETag to be sure nobody (e.g. you, in another tab) changed it.
        """
        assignment = self._own_open()
        review = Review.objects.filter(assignment=assignment).first()
        if request.method == "GET":
            if review is None:
                raise exceptions.NotFound()
            response = Response(ReviewSerializer(review).data)
            response["ETag"] = review.etag
            return response
        expected = _if_match(request, review)
        payload = ReviewInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = services.save_review(
            assignment, actor=request.user, expected_version=expected, **payload.validated_data
        )
        response = Response(ReviewSerializer(saved).data)
        response["ETag"] = saved.etag
        return response


class CallReviewViewSet(viewsets.GenericViewSet):
    """Officers' review actions on a whole call."""

    queryset = Call.objects.all()
    serializer_class = AutoAssignmentSerializer

    @extend_schema(request=AutoAssignmentSerializer, responses={200: AutoAssignmentResultSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign reviewers automatically to the call's eligible and short-handed proposals."""
        call = get_object_or_404(Call, pk=pk)
        payload = AutoAssignmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        outcome = services.auto_assign(
            call, actor=request.user, per_proposal=payload.validated_data["per_proposal"]
        )
        return Response(
            {
                "created": [a.pk for a in outcome.created],
                "started": outcome.started,
                "shortfalls": {str(k): str(v) for k, v in outcome.shortfalls.items()},
            }
        )

    @extend_schema(responses={200: ProjectScoreSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def ranking(self, request, pk=None):
        """The call's aggregated scores in rank order (officers, analysts, the call's funders)."""
        if not str(pk).isdigit():  # a malformed id is a 404, not a database error
            raise Http404
        call = get_object_or_404(Call, pk=pk)
        if not can(request.user, "reviews.view_scores", call):
            raise exceptions.PermissionDenied()
        scores = ProjectScore.objects.filter(project__call=call).order_by("position", "project_id")
        return Response(ProjectScoreSerializer(scores, many=True).data)


class ProjectReviewViewSet(viewsets.GenericViewSet):
    """Officers' review actions on one proposal; a proposal the caller may not see is 404."""

    serializer_class = ManualAssignmentSerializer

    def get_queryset(self):
        return restrict(Project.objects.select_related("call"), self.request.user, VIEW)

    @extend_schema(request=ManualAssignmentSerializer, responses={201: ManualAssignmentResultSerializer})
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        """Assign one reviewer by hand, with a reason; refused (409) for a conflicted reviewer."""
        project = self.get_object()
        payload = ManualAssignmentSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment, warnings = services.assign_manually(
            project,
            payload.validated_data["reviewer"],
            actor=request.user,
            reason=payload.validated_data["reason"],
        )
        return Response(
            {"assignment": AssignmentSerializer(assignment).data, "warnings": [str(w) for w in warnings]},
            status=201,
        )

    @extend_schema(request=ConsensusSerializer, responses={200: ProjectScoreSerializer})
    @action(detail=True, methods=["post"])
    def consensus(self, request, pk=None):
        """Record the panel's consensus per criterion (If-Match: the score's ETag)."""
        project = self.get_object()
        score = ProjectScore.objects.filter(project=project).first()
        expected = _if_match(request, score)
        payload = ConsensusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = services.set_consensus(
            project, actor=request.user, expected_version=expected, **payload.validated_data
        )
        response = Response(ProjectScoreSerializer(saved).data)
        response["ETag"] = saved.etag
        return response

    @extend_schema(responses={200: ProjectScoreSerializer})
    @action(detail=True, methods=["get"])
    def score(self, request, pk=None):
        """The proposal's aggregated score (officers, analysts, the call's funders)."""
        project = self.get_object()
        score = ProjectScore.objects.filter(project=project).first()
        if score is None or not can(request.user, "reviews.view_scores", project):
            raise exceptions.NotFound()
        response = Response(ProjectScoreSerializer(score).data)
        response["ETag"] = score.etag
        return response


def register(router) -> None:
    router.register("reviewers", ReviewerViewSet, basename="reviewer")
    router.register("assignments", AssignmentViewSet, basename="assignment")
    router.register("calls", CallReviewViewSet, basename="call-review")
    router.register("projects", ProjectReviewViewSet, basename="project-review")
