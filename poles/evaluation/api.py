"""Evaluation runs API: list and read stored runs, start one, re-run one (officers and analysts)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.analytics.selectors import main_programme
from poles.core.api import RestrictedViewSetMixin
from poles.core.permissions import can

from . import services
from .filters import EvaluationRunFilter
from .models import EvaluationRun
from .serializers import EvaluationRunListSerializer, EvaluationRunSerializer, RunOptionsSerializer


class EvaluationRunViewSet(
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Impact evaluation runs of the programme. POST starts a run in the background; its `status` says when
    the results are there (`done`) or why not (`failed`, with `error`)."""

    base_queryset = EvaluationRun.objects.select_related("author", "programme")
    serializer_class = EvaluationRunSerializer
    filterset_class = EvaluationRunFilter
    ordering = ["-created_at", "-id"]

    def get_serializer_class(self):
        return EvaluationRunListSerializer if self.action == "list" else EvaluationRunSerializer

    def _programme(self):
        programme = main_programme()
        if programme is None or not can(self.request.user, "evaluation.run_evaluation", programme):
            raise exceptions.PermissionDenied()
        return programme

    @extend_schema(request=RunOptionsSerializer, responses={201: EvaluationRunSerializer})
    def create(self, request, *args, **kwargs):
        """Start a run with the given options."""
        programme = self._programme()
        options = RunOptionsSerializer(data=request.data)
        options.is_valid(raise_exception=True)
        try:
            run = services.start_run(
                request.user, programme, options.options(), title=options.validated_data.get("title", "")
            )
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied() from exc
        return Response(EvaluationRunSerializer(run).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: EvaluationRunSerializer})
    @action(detail=True, methods=["post"])
    def rerun(self, request, pk=None):
        """Re-run identically; the new run fails with `fingerprint_mismatch` if the data changed since."""
        run = self.get_object()
        return Response(
            EvaluationRunSerializer(services.rerun_run(run, request.user)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=None, responses={201: EvaluationRunSerializer})
    @action(detail=True, methods=["post"])
    def repeat(self, request, pk=None):
        """Run the same parameters on today's data."""
        run = self.get_object()
        return Response(
            EvaluationRunSerializer(services.repeat_run(run, request.user)).data,
            status=status.HTTP_201_CREATED,
        )


def register(router) -> None:
    router.register("evaluation-runs", EvaluationRunViewSet, basename="evaluation-run")
