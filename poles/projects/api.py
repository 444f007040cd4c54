"""Proposals API: drafting with If-Match, the consortium, documents, and explicit workflow actions.

    GET/POST        /api/projects/                          (applicants create drafts)
    GET/PATCH       /api/projects/{id}/                     (If-Match; drafts and revisions only)
    GET/POST        /api/projects/{id}/participations/      (add a partner)
    GET/PATCH/DELETE /api/projects/{id}/participations/{pid}/ (budget, aid, shares; If-Match: the project's ETag)
    GET/POST        /api/projects/{id}/attachments/         (PDF upload, multipart)
    GET/DELETE      /api/projects/{id}/attachments/{aid}/   (download / remove)
    GET             /api/projects/{id}/revisions/
    POST            /api/projects/{id}/submit/ | withdraw/ | request-revision/
    GET/POST        /api/projects/{id}/eligibility/         (results / run the check)
    POST            /api/projects/{id}/eligibility/override/ | declare-eligible/ | declare-ineligible/
    GET             /api/label-requests/ ; POST /api/label-requests/{id}/label/ | decline/ (If-Match)

Reading follows the permission layer: what a user may not see answers 404; what they see but
may not change, 403; a stale If-Match, 412; a refused transition, 409 with the reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from poles.core.api import ETagMixin, ReadOnlyViewSet, ServiceModelViewSet
from poles.core.permissions import can
from poles.core.roles import roles_of
from poles.organisations.models import Organisation

from . import guards, selectors, services
from .filters import LabelRequestFilter, ProjectFilter
from .models import Attachment, LabelRequest, Participation, Project
from .serializers import (
    AttachmentSerializer,
    EligibilityCheckSerializer,
    LabelRequestSerializer,
    OpinionSerializer,
    OverrideSerializer,
    ParticipationSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ProposalReasonSerializer,
    ProposalRequiredReasonSerializer,
    RevisionSerializer,
)


def _project_response(project: Project, request, code=status.HTTP_200_OK) -> Response:
    project = Project.objects.prefetch_related("participations__organisation", "label_requests__cluster").get(
        pk=project.pk
    )
    response = Response(ProjectSerializer(project, context={"request": request}).data, status=code)
    response["ETag"] = project.etag
    return response


class ProjectViewSet(ServiceModelViewSet):
    """The programme's proposals and projects: applicants read their consortium's, clusters those they
    were asked to label (not drafts), officers and the call's funders their calls', the public funded ones."""

    base_queryset = (
        Project.objects.filter(source=Project.Source.PROGRAMME)
        .select_related("call", "lead_cluster")
        .prefetch_related("participations__organisation", "label_requests__cluster")
    )
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = ["created_at", "submitted_at", "id"]
    ordering = ["-created_at", "-id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_serializer_class(self):
        return ProjectCreateSerializer if self.action == "create" else super().get_serializer_class()

    # ----------------------------------------------------------------- create / update

    def perform_service_create(self, data):
        roles = roles_of(self.request.user)
        organisation = data.pop("organisation", None)
        if organisation is None:
            if len(roles.member_of) != 1:
                raise exceptions.ValidationError(
                    {"organisation": [_("Say which of your organisations leads the proposal.")]}
                )
            organisation = Organisation.objects.get(pk=next(iter(roles.member_of)))
        call = data.pop("call")
        clusters = data.pop("clusters", [])
        return services.create_proposal(
            call, organisation, actor=self.request.user, clusters=clusters, **data
        )

    def perform_service_update(self, obj, data, expected_version):
        clusters = data.pop("clusters", None)
        return services.update_proposal(
            obj, actor=self.request.user, expected_version=expected_version, clusters=clusters, **data
        )

    def list(self, request, *args, **kwargs):
        """Filtered, paginated proposals; which ones the caller reads in full is asked once per page."""
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = page if page is not None else list(queryset)
        context = {
            **self.get_serializer_context(),
            "confidential_ids": selectors.confidential_ids(request.user, [p.pk for p in rows]),
        }
        data = ProjectSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def destroy(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed(request.method)

    # ----------------------------------------------------------------- helpers

    def _confidential(self, project: Project) -> None:
        if not can(self.request.user, "projects.view_confidential", project):
            raise Http404

    def _action(self, request, fn, serializer_class=ProposalReasonSerializer):
        project = self.get_object()  # POST: 403 unless the user may change the proposal
        expected = self.check_if_match(project)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = fn(project, expected, serializer.validated_data)
        return _project_response(saved, request)

    # ----------------------------------------------------------------- workflow actions

    @extend_schema(request=None, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the proposal (before the deadline, with a lead and at least one cluster asked)."""
        return self._action(
            request, lambda p, v, d: services.submit(p, actor=request.user, expected_version=v)
        )

    @extend_schema(request=ProposalRequiredReasonSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Withdraw the proposal, with a reason."""
        return self._action(
            request, lambda p, v, d: services.withdraw(p, actor=request.user, reason=d["reason"], expected_version=v),
            ProposalRequiredReasonSerializer,
        )  # fmt: skip

    @extend_schema(request=ProposalRequiredReasonSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="request-revision")
    def request_revision(self, request, pk=None):
        """Officers: send the proposal back to the applicant, saying what to revise."""
        return self._action(
            request,
            lambda p, v, d: services.request_revision(
                p, actor=request.user, reason=d["reason"], expected_version=v
            ),
            ProposalRequiredReasonSerializer,
        )

    @extend_schema(request=ProposalReasonSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="declare-eligible")
    def declare_eligible(self, request, pk=None):
        """Officers: declare the proposal eligible (latest check passes once warnings are overridden)."""
        return self._action(
            request,
            lambda p, v, d: services.declare_eligible(
                p, actor=request.user, expected_version=v, reason=d.get("reason", "")
            ),
        )

    @extend_schema(request=ProposalReasonSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"], url_path="declare-ineligible")
    def declare_ineligible(self, request, pk=None):
        """Officers: declare the proposal ineligible (a rule fails, or a warning refused with a reason)."""
        return self._action(
            request,
            lambda p, v, d: services.declare_ineligible(
                p, actor=request.user, expected_version=v, reason=d.get("reason", "")
            ),
        )

    # ----------------------------------------------------------------- eligibility

    @extend_schema(
        methods=["GET"], request=None,
        responses={200: EligibilityCheckSerializer, 404: OpenApiResponse(description="No check yet, or hidden.")},
    )  # fmt: skip
    @extend_schema(methods=["POST"], request=None, responses={201: EligibilityCheckSerializer})
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=EligibilityCheckSerializer,
        filterset_class=None,
    )
    def eligibility(self, request, pk=None):
        """The latest eligibility check (GET), or run the check now (POST, officers)."""
        project = self.get_object()
        if request.method == "POST":
            check = services.run_eligibility_check(project, actor=request.user)
            return Response(EligibilityCheckSerializer(check).data, status=status.HTTP_201_CREATED)
        self._confidential(project)
        check = guards.latest_check(project)
        if check is None:
            raise Http404
        return Response(EligibilityCheckSerializer(check).data)

    @extend_schema(request=OverrideSerializer, responses={201: EligibilityCheckSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="eligibility/override",
        serializer_class=OverrideSerializer,
        filterset_class=None,
    )
    def eligibility_override(self, request, pk=None):
        """Officers: pass over a warning of the latest check, with a reason (never a failure)."""
        project = self.get_object()
        serializer = OverrideSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        check = guards.latest_check(project)
        if check is None:
            raise exceptions.ValidationError({"rule_index": [_("Run the eligibility check first.")]})
        services.override_warning(
            check,
            serializer.validated_data["rule_index"],
            actor=request.user,
            reason=serializer.validated_data["reason"],
        )
        return Response(EligibilityCheckSerializer(check).data, status=status.HTTP_201_CREATED)

    # ----------------------------------------------------------------- consortium

    def _participations(self, project):
        return project.participations.select_related("organisation").prefetch_related(
            "budget_lines", "aid_requests__funder"
        )

    @extend_schema(methods=["GET"], request=None, responses=ParticipationSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=ParticipationSerializer, responses={201: ParticipationSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=ParticipationSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def participations(self, request, pk=None):
        """The consortium with budgets and aid asked (GET); add a partner (POST, If-Match: the project)."""
        project = self.get_object()
        if request.method == "GET":
            self._confidential(project)
            return Response(ParticipationSerializer(self._participations(project), many=True).data)
        expected = self.check_if_match(project)
        serializer = ParticipationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        participation = services.add_partner(
            project, data.pop("organisation"), actor=request.user, expected_version=expected
        )
        if data:
            participation = services.update_participation(participation, actor=request.user, **data)
        saved = self._participations(project).get(pk=participation.pk)
        response = Response(ParticipationSerializer(saved).data, status=status.HTTP_201_CREATED)
        response["ETag"] = Project.objects.get(pk=project.pk).etag
        return response

    @extend_schema(methods=["GET"], request=None, responses=ParticipationSerializer)
    @extend_schema(methods=["PATCH"], request=ParticipationSerializer, responses=ParticipationSerializer)
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(
        detail=True, methods=["get", "patch", "delete"], url_path=r"participations/(?P<participation_id>[0-9]+)",
        url_name="participation", serializer_class=ParticipationSerializer, filterset_class=None,
    )  # fmt: skip
    def participation(self, request, pk=None, participation_id=None):
        """One partner: read, change its budget/aid/shares, or remove it (If-Match: the project's ETag)."""
        project = self.get_object()
        if request.method == "GET":
            self._confidential(project)
        try:
            target = self._participations(project).get(pk=participation_id)
        except Participation.DoesNotExist as exc:
            raise Http404 from exc
        if request.method == "GET":
            return Response(ParticipationSerializer(target).data)
        expected = self.check_if_match(project)
        if request.method == "DELETE":
            services.remove_partner(target, actor=request.user, expected_version=expected)
            return Response(status=status.HTTP_204_NO_CONTENT)
        serializer = ParticipationSerializer(target, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "organisation" in data and data.pop("organisation") != target.organisation:
            raise exceptions.ValidationError(
                {"organisation": [_("A participation cannot change organisation.")]}
            )
        services.update_participation(target, actor=request.user, expected_version=expected, **data)
        response = Response(ParticipationSerializer(self._participations(project).get(pk=target.pk)).data)
        response["ETag"] = Project.objects.get(pk=project.pk).etag
        return response

    # ----------------------------------------------------------------- documents and revisions

    @extend_schema(methods=["GET"], request=None, responses=AttachmentSerializer(many=True))
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentSerializer},
        responses={201: AttachmentSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=AttachmentSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def attachments(self, request, pk=None):
        """The proposal's PDF documents (GET); attach one (POST multipart `file` and `kind`)."""
        project = self.get_object()
        if request.method == "GET":
            self._confidential(project)
            return Response(
                AttachmentSerializer(project.attachments.order_by("kind", "created_at"), many=True).data
            )
        expected = self.check_if_match(project)
        serializer = AttachmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            attachment = services.add_attachment(
                project, serializer.validated_data["file"], serializer.validated_data["kind"], actor=request.user,
                expected_version=expected,
            )  # fmt: skip
        except ValidationError as exc:
            raise exceptions.ValidationError({"file": exc.messages}) from exc
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={(200, "application/pdf"): OpenApiResponse(description="The PDF file.")},
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None})
    @action(
        detail=True, methods=["get", "delete"], url_path=r"attachments/(?P<attachment_id>[0-9]+)", url_name="document",
        filterset_class=None,
    )  # fmt: skip
    def document(self, request, pk=None, attachment_id=None):
        """Download a document (those who read the proposal in full) or remove it (the lead, in draft)."""
        project = self.get_object()
        if request.method == "GET":
            self._confidential(project)
        try:
            attachment = project.attachments.get(pk=attachment_id)
        except Attachment.DoesNotExist as exc:
            raise Http404 from exc
        if request.method == "DELETE":
            services.remove_attachment(
                attachment, actor=request.user, expected_version=self.check_if_match(project)
            )
            return Response(status=status.HTTP_204_NO_CONTENT)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        response = FileResponse(
            handle, content_type="application/pdf", as_attachment=True, filename=attachment.name
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    @extend_schema(request=None, responses=RevisionSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        serializer_class=RevisionSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def revisions(self, request, pk=None):
        """Every submitted state of the proposal (snapshots), oldest first."""
        project = self.get_object()
        self._confidential(project)
        return Response(
            RevisionSerializer(project.revisions.select_related("author").order_by("number"), many=True).data
        )


class LabelRequestViewSet(ETagMixin, ReadOnlyViewSet):
    """Labelling requests: a cluster's staff see theirs (submitted proposals only) and answer them."""

    base_queryset = LabelRequest.objects.select_related("project__call", "cluster")
    serializer_class = LabelRequestSerializer
    filterset_class = LabelRequestFilter
    ordering = ["status", "id"]

    def _answer(self, request, decision):
        label_request = self.get_object()  # POST: 403 unless the user is staff of the cluster asked
        expected = self.check_if_match(label_request)
        serializer = OpinionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.answer_label_request(
            label_request,
            decision,
            actor=request.user,
            opinion=serializer.validated_data["opinion"],
            expected_version=expected,
        )
        saved = LabelRequest.objects.select_related("project__call", "cluster").get(pk=saved.pk)
        response = Response(LabelRequestSerializer(saved).data)
        response["ETag"] = saved.etag
        return response

    @extend_schema(request=OpinionSerializer, responses=LabelRequestSerializer)
    @action(detail=True, methods=["post"])
    def label(self, request, pk=None):
        """Label the proposal, with the cluster's opinion (before the labelling deadline)."""
        return self._answer(request, LabelRequest.Status.LABELLED)

    @extend_schema(request=OpinionSerializer, responses=LabelRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline to label the proposal, with the cluster's opinion (before the labelling deadline)."""
        return self._answer(request, LabelRequest.Status.DECLINED)


def register(router) -> None:
    # Route names start with "api-" so that they are told apart from pages.
    router.register("projects", ProjectViewSet, basename="api-project")
    router.register("label-requests", LabelRequestViewSet, basename="api-label-request")
