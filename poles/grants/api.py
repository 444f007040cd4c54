"""Follow-up API: agreements, instalments and payments, reports, milestones, outputs, IPR.

Reads are restricted by the scopes of grants/rules.py. Money moves and state changes are
explicit POST actions (`/agreements/{id}/sign/`, `/instalments/{id}/pay/`,
`/progress-reports/{id}/submit/`…), never a PATCH of a status; each honours If-Match (412 when
stale) and answers with the changed object and its ETag. Refusals use the shared error envelope:
a payment above the decision is a 400 naming `amount`; an instalment whose condition does not
hold is a 409 with code `condition_not_met`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.core.api import ReadOnlyViewSet, ServiceModelViewSet
from poles.core.permissions import get_or_404

from . import services
from .filters import AgreementFilter, InstalmentFilter, OutputFilter, ReportFilter
from .models import (
    Agreement,
    ConsortiumAgreement,
    Instalment,
    IPDeclaration,
    Licence,
    Milestone,
    Output,
    Payment,
    ProgressReport,
)
from .selectors import followed_projects
from .serializers import (
    AgreementCreateSerializer,
    AgreementSerializer,
    CommentSerializer,
    ConsortiumAgreementSerializer,
    InstalmentSerializer,
    IPDeclarationSerializer,
    LicenceSerializer,
    MilestoneSerializer,
    OutputSerializer,
    PayInputSerializer,
    PaymentSerializer,
    ProgressReportSerializer,
    ReasonSerializer,
    SignSerializer,
)


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _answer(viewset, obj, code=status.HTTP_200_OK):
    response = Response(viewset.get_serializer(obj).data, status=code)
    response["ETag"] = obj.etag
    return response


def _followed_project(request, project):
    """The project, if the user follows it (404 otherwise: hidden and absent look the same)."""
    return get_or_404(followed_projects(request.user), request.user, pk=getattr(project, "pk", project))


class AgreementViewSet(ServiceModelViewSet):
    """Agreements: made from decided aid (POST {project, funder}), signed, terminated."""

    base_queryset = Agreement.objects.select_related("funder").prefetch_related(
        "instalments__decision__participation"
    )
    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    ordering = ["id"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=AgreementCreateSerializer, responses={201: AgreementSerializer(many=True)})
    def create(self, request, *args, **kwargs):
        """Make the funder's agreement(s) on a funded project: one, or one per partner if the call says so."""
        data = _input(AgreementCreateSerializer, request)
        project = _followed_project(request, data["project"])
        try:
            made = services.create_agreements(project, data["funder"], actor=request.user)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc
        return Response(AgreementSerializer(made, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SignSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Record both signatures; instalments whose condition now holds become payable."""
        agreement = self.get_object()
        expected = self.check_if_match(agreement)
        data = _input(SignSerializer, request)
        saved = services.sign_agreement(agreement, actor=request.user, expected_version=expected, **data)
        return _answer(self, Agreement.objects.get(pk=saved.pk))

    @extend_schema(request=ReasonSerializer, responses=AgreementSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """End the agreement early (reason required); unpaid instalments are cancelled."""
        agreement = self.get_object()
        expected = self.check_if_match(agreement)
        reason = _input(ReasonSerializer, request)["reason"]
        saved = services.terminate_agreement(
            agreement, actor=request.user, reason=reason, expected_version=expected
        )
        return _answer(self, saved)


class InstalmentViewSet(ServiceModelViewSet):
    """Instalments of agreements; `POST …/pay/` records a payment."""

    base_queryset = Instalment.objects.select_related("decision__participation")
    serializer_class = InstalmentSerializer
    filterset_class = InstalmentFilter
    ordering = ["id"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    @extend_schema(request=PayInputSerializer, responses=InstalmentSerializer)
    @action(detail=True, methods=["post"])
    def pay(self, request, pk=None):
        """Pay all or part of an instalment (refused before its condition, or above the decision)."""
        instalment = self.get_object()
        expected = self.check_if_match(instalment)
        data = _input(PayInputSerializer, request)
        services.pay_instalment(instalment, actor=request.user, expected_version=expected, **data)
        return _answer(self, Instalment.objects.get(pk=instalment.pk), status.HTTP_201_CREATED)


class PaymentViewSet(ReadOnlyViewSet):
    """Payments recorded on instalments (never edited)."""

    base_queryset = Payment.objects.all()
    serializer_class = PaymentSerializer
    filterset_fields = ["instalment", "paid_on"]
    ordering = ["id"]


class ProgressReportViewSet(ServiceModelViewSet):
    """Reports: the consortium PATCHes narrative and spending, then submits; a funder approves or sends back."""

    base_queryset = ProgressReport.objects.prefetch_related("spending")
    serializer_class = ProgressReportSerializer
    filterset_class = ReportFilter
    ordering = ["id"]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    def perform_service_update(self, obj, data, expected_version):
        spending = {
            (line["participation"].pk, line["cost_type"]): line["amount"] for line in data.get("spending", [])
        }
        try:
            return services.save_report(
                obj, actor=self.request.user, narrative=data.get("narrative"), spending=spending,
                expected_version=expected_version,
            )  # fmt: skip
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc

    def _transition(self, request, fn, **kwargs):
        report = self.get_object()
        expected = self.check_if_match(report)
        saved = fn(report, actor=request.user, expected_version=expected, **kwargs)
        return _answer(self, ProgressReport.objects.get(pk=saved.pk))

    @extend_schema(request=None, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the report to the project's funders (the consortium)."""
        return self._transition(request, services.submit_report)

    @extend_schema(request=CommentSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the report (a funder of the project or an officer): waiting instalments become payable."""
        return self._transition(
            request, services.approve_report, comment=_input(CommentSerializer, request)["comment"]
        )

    @extend_schema(request=ReasonSerializer, responses=ProgressReportSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        """Send the report back to the consortium with the reason."""
        return self._transition(
            request, services.send_back_report, reason=_input(ReasonSerializer, request)["reason"]
        )


class _ProjectChildViewSet(ServiceModelViewSet):
    """Rows of a followed project that the consortium writes (create needs the project's permission)."""

    create_service = None
    http_method_names = ["get", "post", "patch", "head", "options"]
    ordering = ["id"]

    def perform_service_create(self, data):
        project = _followed_project(self.request, data.pop("project"))
        try:
            return type(self).create_service(project, actor=self.request.user, **data)
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc

    def perform_service_update(self, obj, data, expected_version):
        if "project" in data and data["project"] != obj.project:
            raise exceptions.ValidationError({"project": ["read-only"]})
        data.pop("project", None)
        try:
            return self.update_service(
                obj, actor=self.request.user, expected_version=expected_version, **data
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc


class MilestoneViewSet(_ProjectChildViewSet):
    """Milestones and deliverables of funded projects."""

    base_queryset = Milestone.objects.all()
    serializer_class = MilestoneSerializer
    filterset_fields = ["project", "kind", "status"]
    create_service = staticmethod(services.add_milestone)
    update_service = staticmethod(services.update_milestone)


class OutputViewSet(_ProjectChildViewSet):
    """Outputs: validated ones are public; partners declare, funders validate or reject."""

    base_queryset = Output.objects.all()
    serializer_class = OutputSerializer
    filterset_class = OutputFilter
    create_service = staticmethod(services.declare_output)
    update_service = staticmethod(services.update_output)

    @extend_schema(request=CommentSerializer, responses=OutputSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """The evidence holds: the output counts (a funder of the project or an officer)."""
        output = self.get_object()
        expected = self.check_if_match(output)
        note = _input(CommentSerializer, request)["comment"]
        return _answer(
            self, services.validate_output(output, actor=request.user, note=note, expected_version=expected)
        )

    @extend_schema(request=ReasonSerializer, responses=OutputSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The evidence does not hold: back to the partner, with the reason."""
        output = self.get_object()
        expected = self.check_if_match(output)
        reason = _input(ReasonSerializer, request)["reason"]
        return _answer(
            self, services.reject_output(output, actor=request.user, reason=reason, expected_version=expected)
        )


def _update_ipr(obj, *, actor, expected_version=None, **changes):
    from poles.core import services as core_services
    from poles.core.permissions import can

    if not can(actor, "grants.manage_ipr", obj.project):
        raise DjangoPermissionDenied
    return core_services.update(obj, actor=actor, expected_version=expected_version, **changes)


class ConsortiumAgreementViewSet(_ProjectChildViewSet):
    """Consortium agreements of funded projects (one per project)."""

    base_queryset = ConsortiumAgreement.objects.all()
    serializer_class = ConsortiumAgreementSerializer
    filterset_fields = ["project", "status"]
    create_service = staticmethod(services.save_consortium_agreement)
    update_service = staticmethod(_update_ipr)


class IPDeclarationViewSet(_ProjectChildViewSet):
    """Background and foreground IP declared by partners."""

    base_queryset = IPDeclaration.objects.all()
    serializer_class = IPDeclarationSerializer
    filterset_fields = ["project", "kind", "participation"]
    create_service = staticmethod(services.declare_ip)
    update_service = staticmethod(_update_ipr)


class LicenceViewSet(_ProjectChildViewSet):
    """Licences between partners or to third parties."""

    base_queryset = Licence.objects.all()
    serializer_class = LicenceSerializer
    filterset_fields = ["project", "kind"]
    create_service = staticmethod(services.record_licence)
    update_service = staticmethod(_update_ipr)


def register(router) -> None:
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("instalments", InstalmentViewSet, basename="instalment")
    router.register("payments", PaymentViewSet, basename="payment")
    router.register("progress-reports", ProgressReportViewSet, basename="progressreport")
    router.register("milestones", MilestoneViewSet, basename="milestone")
    router.register("outputs", OutputViewSet, basename="output")
    router.register("consortium-agreements", ConsortiumAgreementViewSet, basename="consortiumagreement")
    router.register("ip-declarations", IPDeclarationViewSet, basename="ipdeclaration")
    router.register("licences", LicenceViewSet, basename="licence")
