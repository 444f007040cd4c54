"""The catalogue API: anyone reads published records and may share one; officers moderate."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from poles.core import services as core_services
from poles.core.api import ReadOnlyViewSet, ServiceModelViewSet

from . import services
from .filters import InstrumentFilter
from .models import Instrument, Programme
from .serializers import InstrumentSerializer, ProgrammeSerializer

ReasonSerializer = inline_serializer(
    "ModerationReason", {"reason": serializers.CharField(required=False, allow_blank=True)}
)


class InstrumentViewSet(ServiceModelViewSet):
    """Policy instruments and knowledge-transfer practices (FR and EN)."""

    base_queryset = Instrument.objects.prefetch_related("keywords", "target_groups", "linked_practices")
    serializer_class = InstrumentSerializer
    filterset_class = InstrumentFilter
    ordering = ["title_fr"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_throttles(self):
        return [AnonRateThrottle()] if self.request.method == "POST" else super().get_throttles()

    def perform_service_create(self, data):
        email = data.pop("submitter_email", "")
        return services.share_instrument(actor=self.request.user, submitter_email=email, **data)

    def perform_service_update(self, obj, data, expected_version):
        data.pop("submitter_email", None)
        return core_services.update(obj, actor=self.request.user, expected_version=expected_version, **data)

    def _moderate(self, request, transition):
        instrument = super().get_object()
        reason = request.data.get("reason", "") if hasattr(request, "data") else ""
        saved = services.moderate(instrument, transition, actor=request.user, reason=reason)
        return Response(self.get_serializer(saved).data, status=status.HTTP_200_OK)

    @extend_schema(request=ReasonSerializer, responses=InstrumentSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a record awaiting moderation (officers)."""
        return self._moderate(request, "publish")

    @extend_schema(request=ReasonSerializer, responses=InstrumentSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a record awaiting moderation, with a reason (officers)."""
        return self._moderate(request, "reject")


class ProgrammeViewSet(ReadOnlyViewSet):
    """Programmes run on this platform."""

    base_queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer
    filterset_fields = ["slug", "authority_kind"]


def register(router) -> None:
    router.register("instruments", InstrumentViewSet, basename="instrument")
    router.register("programmes", ProgrammeViewSet, basename="programme")
