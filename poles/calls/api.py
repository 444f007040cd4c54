"""Funders and calls API: everyone reads published calls; officers create and change them.

Updates carry If-Match (the ETag of the version read) and, once the call is published, a
`reason`; state changes are explicit POST actions (`publish`, `close`, `start-review`…).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.core.api import ReadOnlyViewSet, ServiceModelViewSet
from poles.core.roles import roles_of
from poles.instruments.models import Programme

from . import services
from .filters import CallFilter, FunderFilter
from .models import Call, Funder
from .serializers import (
    CallCreateSerializer,
    CallReasonSerializer,
    CallSerializer,
    CallVersionSerializer,
    EnvelopeSerializer,
    FunderSerializer,
)


class FunderViewSet(ReadOnlyViewSet):
    """Funders: State funds, regions, départements, cities, EU funds, public banks (public)."""

    base_queryset = Funder.objects.all()
    serializer_class = FunderSerializer
    filterset_class = FunderFilter
    lookup_field = "slug"
    ordering = ["name"]


class CallViewSet(ServiceModelViewSet):
    """Calls for projects with rules, rates, caps, criteria and selection policy as data."""

    base_queryset = Call.objects.select_related("programme").prefetch_related("call_funders__funder")
    serializer_class = CallSerializer
    filterset_class = CallFilter
    ordering_fields = ["opens_at", "submission_deadline", "id"]
    ordering = ["-opens_at", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action == "create":
            return CallCreateSerializer
        return super().get_serializer_class()

    @extend_schema(request=CallCreateSerializer, responses={201: CallSerializer})
    def create(self, request, *args, **kwargs):
        serializer = CallCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        call = self.perform_service_create(serializer.validated_data)
        response = Response(CallSerializer(call).data, status=status.HTTP_201_CREATED)
        response["ETag"] = call.etag
        return response

    def perform_service_create(self, data):
        roles = roles_of(self.request.user)
        programmes = (
            Programme.objects.all() if roles.superuser else Programme.objects.filter(pk__in=roles.officer_of)
        )
        slug = data.pop("programme", None)
        programme = programmes.filter(slug=slug).first() if slug else programmes.order_by("pk").first()
        if programme is None:
            raise exceptions.PermissionDenied()
        state_funder = data.pop("state_funder")
        envelope = data.pop("envelope")
        return services.create_call(
            programme,
            actor=self.request.user,
            state_funder=state_funder,
            envelopes={state_funder: envelope},
            **data,
        )

    def perform_service_update(self, obj, data, expected_version):
        reason = data.pop("reason", "")
        return services.update_call(
            obj, actor=self.request.user, expected_version=expected_version, reason=reason, **data
        )

    def _transition(self, request, fn):
        call = self.get_object()
        CallReasonSerializer(data=request.data).is_valid(raise_exception=True)
        expected = self.check_if_match(call)
        saved = fn(call, expected)
        response = Response(CallSerializer(saved).data)
        response["ETag"] = saved.etag
        return response

    @extend_schema(request=CallReasonSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Open the call to submissions (its configuration must be complete and valid)."""
        return self._transition(
            request, lambda c, v: services.publish_call(c, actor=request.user, expected_version=v)
        )

    @extend_schema(request=CallReasonSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """End submissions, once the submission deadline has passed."""
        return self._transition(
            request, lambda c, v: services.close_call(c, actor=request.user, expected_version=v)
        )

    def _advance(self, request, name):
        reason = request.data.get("reason", "") if hasattr(request.data, "get") else ""
        return self._transition(
            request,
            lambda c, v: services.advance_call(
                c, name, actor=request.user, expected_version=v, reason=reason
            ),
        )

    @extend_schema(request=CallReasonSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"], url_path="start-review")
    def start_review(self, request, pk=None):
        """Mark a closed call as under expert review."""
        return self._advance(request, "start_review")

    @extend_schema(request=CallReasonSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"], url_path="start-selection")
    def start_selection(self, request, pk=None):
        """Mark the call as in its selection phase, once the reviews are in."""
        return self._advance(request, "start_selection")

    @extend_schema(request=CallReasonSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Mark the call as decided, once the funders' decisions are taken."""
        return self._advance(request, "decide")

    @extend_schema(request=EnvelopeSerializer, responses=CallSerializer)
    @action(detail=True, methods=["post"], serializer_class=EnvelopeSerializer, filterset_class=None)
    def funders(self, request, pk=None):
        """Add a funder with its envelope, or change an envelope (a reason once published)."""
        call = self.get_object()
        expected = self.check_if_match(call)
        serializer = EnvelopeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.set_envelope(
            call, data["funder"], data["envelope"], actor=request.user, expected_version=expected,
            reason=data.get("reason", ""),
        )  # fmt: skip
        saved = Call.objects.prefetch_related("call_funders__funder").get(pk=call.pk)
        response = Response(CallSerializer(saved).data)
        response["ETag"] = saved.etag
        return response

    @extend_schema(responses=CallVersionSerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        serializer_class=CallVersionSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def versions(self, request, pk=None):
        """Every published version of the call, newest first."""
        call = self.get_object()
        return Response(
            CallVersionSerializer(call.versions.select_related("author").order_by("-number"), many=True).data
        )


def register(router) -> None:
    # Route names start with "api-" so that they are told apart from pages.
    router.register("funders", FunderViewSet, basename="api-funder")
    router.register("calls", CallViewSet, basename="api-call")
