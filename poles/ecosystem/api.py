"""Ecosystem API: actions, skills, events (register, schedule), registrations (cancel), meeting
requests (accept, decline), meetings, fund-raisings (validate, reject) and the leverage table."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.core import services as core_services
from poles.core.api import ReadOnlyViewSet, ServiceModelViewSet

from . import selectors, services
from .filters import ActionFilter, EventFilter, FundRaisingFilter, SkillFilter
from .models import Action, Event, FundRaising, Meeting, MeetingRequest, Registration, Skill
from .serializers import (
    ActionSerializer,
    EventSerializer,
    FundRaisingSerializer,
    LeverageRowSerializer,
    MeetingRequestSerializer,
    MeetingSerializer,
    NoteSerializer,
    RegistrationSerializer,
    SkillSerializer,
)


def _guard(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied() from exc


def _note(request) -> str:
    serializer = NoteSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["note"]


class ActionViewSet(ServiceModelViewSet):
    """Ecosystem actions (public); the cluster's staff and officers record them."""

    base_queryset = Action.objects.select_related("cluster").prefetch_related("participations")
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    ordering = ["-start_date", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_service_create(self, data):
        return _guard(services.create_action, data.pop("cluster"), actor=self.request.user, **data)

    def perform_service_update(self, obj, data, expected_version):
        return _guard(
            services.update_action, obj, actor=self.request.user, expected_version=expected_version, **data
        )


class SkillViewSet(ServiceModelViewSet):
    """Skills offered and sought by organisations in a cluster (public)."""

    base_queryset = Skill.objects.select_related("cluster")
    serializer_class = SkillSerializer
    filterset_class = SkillFilter
    ordering = ["id"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_service_create(self, data):
        return _guard(
            services.add_skill, data.pop("cluster"), data.pop("organisation"), actor=self.request.user, **data
        )

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)


class EventViewSet(ServiceModelViewSet):
    """Events; `POST …/publish/`, `…/register/` (an organisation), `…/schedule/` (B2B)."""

    base_queryset = Event.objects.select_related("cluster")
    serializer_class = EventSerializer
    filterset_class = EventFilter
    ordering = ["-starts_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_service_create(self, data):
        return _guard(services.create_event, data.pop("cluster"), actor=self.request.user, **data)

    def perform_service_update(self, obj, data, expected_version):
        return _guard(
            services.update_event, obj, actor=self.request.user, expected_version=expected_version, **data
        )

    @extend_schema(request=None, responses=EventSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Open the event to registration (its cluster's staff or an officer)."""
        event = self.get_object()
        saved = services.publish_event(event, actor=request.user, expected_version=self.check_if_match(event))
        response = Response(self.get_serializer(saved).data)
        response["ETag"] = saved.etag
        return response

    @extend_schema(request=RegistrationSerializer, responses={201: RegistrationSerializer})
    @action(detail=True, methods=["post"], serializer_class=RegistrationSerializer)
    def register(self, request, pk=None):
        """Register an organisation (a member for its own; waiting list when full)."""
        event = self._visible(pk)  # registering is not changing the event: visible is enough
        serializer = RegistrationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        registration = _guard(services.register, event, data.pop("organisation"), actor=request.user, **data)
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MeetingSerializer(many=True))
    @action(detail=True, methods=["post"])
    def schedule(self, request, pk=None):
        """Build the B2B schedule from accepted requests (organisers)."""
        event = self.get_object()
        meetings, _left = _guard(services.build_schedule, event, actor=request.user)
        return Response(MeetingSerializer(meetings, many=True).data)

    def _visible(self, pk):
        try:
            return self.get_queryset().get(pk=pk)
        except (Event.DoesNotExist, ValueError) as exc:
            raise exceptions.NotFound() from exc


class RegistrationViewSet(ReadOnlyViewSet):
    """Registrations: the organisation's own, and all of an event for its organisers."""

    base_queryset = Registration.objects.select_related("event")
    serializer_class = RegistrationSerializer
    filterset_fields = ["event", "organisation", "status"]
    ordering = ["id"]

    @extend_schema(request=None, responses=RegistrationSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a registration; the first organisation waiting takes the place."""
        registration = self.get_object()
        return Response(
            self.get_serializer(services.cancel_registration(registration, actor=request.user)).data
        )


class MeetingRequestViewSet(ServiceModelViewSet):
    """B2B meeting requests between registered organisations; the target accepts or declines."""

    base_queryset = MeetingRequest.objects.select_related("requester", "target")
    serializer_class = MeetingRequestSerializer
    filterset_fields = ["event", "status"]
    ordering = ["id"]
    http_method_names = ["get", "post", "head", "options"]

    def perform_service_create(self, data):
        return _guard(
            services.request_meeting, data["requester"], data["target"], actor=self.request.user,
            message=data.get("message", ""),
        )  # fmt: skip

    def _answer(self, request, accept: bool):
        meeting_request = self.get_object()
        saved = services.answer_meeting(meeting_request, actor=request.user, accept=accept)
        return Response(self.get_serializer(saved).data)

    @extend_schema(request=None, responses=MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the meeting (the asked organisation)."""
        return self._answer(request, True)

    @extend_schema(request=None, responses=MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline the meeting (the asked organisation)."""
        return self._answer(request, False)


class MeetingViewSet(ReadOnlyViewSet):
    """Scheduled B2B meetings (the two organisations and the organisers)."""

    base_queryset = Meeting.objects.all()
    serializer_class = MeetingSerializer
    filterset_fields = ["event"]
    ordering = ["slot", "table"]


class FundRaisingViewSet(ServiceModelViewSet):
    """Fund-raisings: the firm declares; its cluster's staff or an officer validates or rejects."""

    base_queryset = FundRaising.objects.all()
    serializer_class = FundRaisingSerializer
    filterset_class = FundRaisingFilter
    ordering = ["-closed_on", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_service_create(self, data):
        return _guard(services.declare_fundraising, data.pop("organisation"), actor=self.request.user, **data)

    def perform_service_update(self, obj, data, expected_version):
        if obj.status != FundRaising.Status.DECLARED:
            raise exceptions.ValidationError({"status": [obj.get_status_display()]})
        data.pop("organisation", None)
        return core_services.update(obj, actor=self.request.user, expected_version=expected_version, **data)

    @extend_schema(request=NoteSerializer, responses=FundRaisingSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request, pk=None):
        """Validate: the amount counts in the cluster's indicators and leverage."""
        fundraising = self.get_object()
        return Response(
            self.get_serializer(
                services.validate_fundraising(fundraising, actor=request.user, note=_note(request))
            ).data
        )

    @extend_schema(request=NoteSerializer, responses=FundRaisingSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject, with the reason."""
        fundraising = self.get_object()
        return Response(
            self.get_serializer(
                services.reject_fundraising(fundraising, actor=request.user, reason=_note(request))
            ).data
        )


class LeverageViewSet(viewsets.ViewSet):
    """Private money raised by member SMEs per euro of public aid, per cluster and for the programme."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", int, description="first year (1900-2100)"),
            OpenApiParameter("to", int, description="last year (1900-2100)"),
        ],
        responses=LeverageRowSerializer(many=True),
    )
    def list(self, request):
        year = timezone.localdate().year
        try:
            first, last = (
                int(request.query_params.get("from", year - 5)),
                int(request.query_params.get("to", year)),
            )
        except ValueError as exc:
            raise exceptions.ValidationError({"from": ["integer"]}) from exc
        for name, value in (("from", first), ("to", last)):
            if not 1900 <= value <= 2100:  # year 0 used to reach the database and fail with a 500
                raise exceptions.ValidationError({name: [_("Give a year between 1900 and 2100.")]})
        rows, total = selectors.leverage_table(first, last)
        data = [
            {"cluster": r.cluster.slug if r.cluster else None, "private": r.private, "public": r.public,
             "raisings": r.raisings, "leverage": r.leverage}
            for r in [*rows, total]
        ]  # fmt: skip
        return Response(LeverageRowSerializer(data, many=True).data)


def register(router) -> None:
    router.register("ecosystem-actions", ActionViewSet, basename="ecosystem-action")
    router.register("skills", SkillViewSet, basename="skill")
    router.register("events", EventViewSet, basename="event")
    router.register("registrations", RegistrationViewSet, basename="registration")
    router.register("meeting-requests", MeetingRequestViewSet, basename="meetingrequest")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("fund-raisings", FundRaisingViewSet, basename="fundraising")
    router.register("leverage", LeverageViewSet, basename="leverage")
