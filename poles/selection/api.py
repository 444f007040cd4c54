"""Selection and decision API.

Endpoints (state changes are explicit POST actions; updates carry If-Match):
    POST /api/calls/{id}/select/               run the selection engine on the call
    POST /api/calls/{id}/decisions/            compute the missing decisions of selected projects
    GET  /api/selection-runs/[{id}/]           runs with their items (reasons, outcomes)
    POST /api/selection-runs/{id}/confirm/     confirm: proposals move, decisions are proposed
    POST /api/selection-items/{id}/adjust/     select / reserve / reject against the optimiser, with a reason
    GET  /api/decisions/[{id}/]                decisions per funder and partner (ETag)
    PATCH /api/decisions/{id}/                 change the eligible cost (If-Match; 412 if stale)
    POST /api/decisions/{id}/decide/           the funder decides (If-Match; 412 if stale)
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.calls.models import Call
from poles.core.api import ReadOnlyViewSet, RestrictedViewSetMixin, ServiceModelViewSet
from poles.grants.models import Decision

from . import decisions, services
from .filters import DecisionFilter, SelectionRunFilter
from .models import SelectionItem, SelectionRun
from .serializers import (
    AdjustSerializer,
    ComputeResultSerializer,
    ConfirmResultSerializer,
    ConfirmSerializer,
    DecisionSerializer,
    RunInputSerializer,
    SelectionItemSerializer,
    SelectionRunSerializer,
)


class CallSelectionViewSet(viewsets.GenericViewSet):
    """Officers' selection actions on a whole call."""

    queryset = Call.objects.all()
    serializer_class = RunInputSerializer

    @extend_schema(request=RunInputSerializer, responses={201: SelectionRunSerializer})
    @action(detail=True, methods=["post"])
    def select(self, request, pk=None):
        """Run the selection engine on the call's scored proposals (409 once aid is decided)."""
        call = get_object_or_404(Call, pk=pk)
        payload = RunInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = services.run_selection(
            call, actor=request.user, time_limit=payload.validated_data["time_limit"]
        )
        return Response(SelectionRunSerializer(run).data, status=201)

    @extend_schema(request=None, responses={200: ComputeResultSerializer})
    @action(detail=True, methods=["post"], url_path="decisions")
    def compute_decisions(self, request, pk=None):
        """Compute the decisions of selected projects that have none yet."""
        call = get_object_or_404(Call, pk=pk)
        outcome = decisions.compute(call, actor=request.user)
        return Response(
            {"created": [d.pk for d in outcome.created], "errors": [str(e) for e in outcome.errors]}
        )


class SelectionRunViewSet(ReadOnlyViewSet):
    """Selection runs of the calls the caller follows (officers, analysts, the call's funders)."""

    base_queryset = SelectionRun.objects.select_related("call").prefetch_related("items__project")
    serializer_class = SelectionRunSerializer
    filterset_class = SelectionRunFilter
    ordering = ["-created_at"]

    @extend_schema(request=ConfirmSerializer, responses={200: ConfirmResultSerializer})
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """Confirm the run: each proposal moves to its outcome; selected ones get proposed decisions."""
        run = self.get_object()
        payload = ConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        outcome = services.confirm(run, actor=request.user, reason=payload.validated_data["reason"])
        run.refresh_from_db()
        return Response(
            {
                "run": SelectionRunSerializer(run).data,
                "moved": outcome.moved,
                "decisions": outcome.decisions,
                "errors": [str(e) for e in outcome.errors],
            }
        )


class SelectionItemViewSet(RestrictedViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One proposal of a run; officers adjust its outcome."""

    base_queryset = SelectionItem.objects.select_related("run__call", "project")
    serializer_class = SelectionItemSerializer

    @extend_schema(request=AdjustSerializer, responses={200: SelectionItemSerializer})
    @action(detail=True, methods=["post"])
    def adjust(self, request, pk=None):
        """Select, reserve or reject this proposal against the optimiser's choice, with a reason."""
        item = self.get_object()
        payload = AdjustSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        saved = services.adjust(item, actor=request.user, **payload.validated_data)
        return Response(SelectionItemSerializer(saved).data)


class DecisionViewSet(ServiceModelViewSet):
    """Co-financing decisions: read per the permission layer; eligible cost changed with If-Match."""

    base_queryset = Decision.objects.select_related("funder", "participation", "project")
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter
    ordering = ["id"]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        raise exceptions.MethodNotAllowed("POST")

    def perform_service_update(self, obj, data, expected_version):
        if "eligible_cost" not in data:
            raise exceptions.ValidationError(
                {
                    "eligible_cost": [
                        str(DecisionSerializer().fields["eligible_cost"].error_messages["required"])
                    ]
                }
            )
        return decisions.adjust(
            obj,
            actor=self.request.user,
            eligible_cost=data["eligible_cost"],
            reason=data.get("reason", ""),
            expected_version=expected_version,
        )

    @extend_schema(request=None, responses={200: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """The funder decides this aid (If-Match: the ETag read); 412 if it changed meanwhile."""
        decision = self.get_object()
        expected = self.check_if_match(decision)
        saved = decisions.decide(decision, actor=request.user, expected_version=expected)
        response = Response(DecisionSerializer(saved).data)
        response["ETag"] = saved.etag
        return response


def register(router) -> None:
    router.register("calls", CallSelectionViewSet, basename="call-selection")
    router.register("selection-runs", SelectionRunViewSet, basename="selection-run")
    router.register("selection-items", SelectionItemViewSet, basename="selection-item")
    router.register("decisions", DecisionViewSet, basename="decision")
