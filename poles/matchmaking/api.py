"""Partner-search API: search with reasons, consortium proposals and checks, contact requests.

    GET  /api/partners/search/?q=...&category=...&size=...&region=...&cluster=...&consortium=1,2&k=20
    POST /api/consortia/propose/   {lead, call, idea, lead_cluster?, extra_partners?, max_results?}
    POST /api/consortia/check/     {lead, call, idea, lead_cluster?, extra_partners?, members: {slot: id}}
    GET|POST /api/contact-requests/

Signed-in users only. The query string and bodies are validated by the same forms as the pages.
Only organisations that opted in to partner search ever appear.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from poles.core.api import Conflict, RestrictedViewSetMixin

from . import consortia, selectors, services
from .composition import InvalidCallRules
from .filters import ContactRequestFilter
from .forms import ConsortiumForm, PartnerSearchForm
from .models import ContactRequest
from .serializers import (
    CheckRequestSerializer,
    ConsortiumSerializer,
    ContactRequestSerializer,
    PartnerSearchResponseSerializer,
    ProposeRequestSerializer,
    ProposeResponseSerializer,
)


def _form_errors(form) -> exceptions.ValidationError:
    return exceptions.ValidationError(
        {field: [str(e) for e in errors] for field, errors in form.errors.items()}
    )


def _reasons(result) -> list[dict]:
    if result is None:
        return []
    return [
        {"code": raw["code"], "text": text, "data": {k: v for k, v in raw.items() if k != "code"}}
        for raw, text in zip(result.raw_reasons, result.reasons, strict=True)
    ]


def _partner(result) -> dict:
    card = result.card
    return {
        "organisation": {
            "id": card.id,
            "name": card.name,
            "acronym": card.acronym,
            "category": card.category,
            "size_class": card.size_class,
            "region": card.region,
            "clusters": list(card.clusters),
            "reachable": card.reachable,
        },
        "score": result.score,
        "components": result.components,
        "reasons": _reasons(result),
    }


SEARCH_PARAMETERS = [
    OpenApiParameter("q", str, description="The need, in free text (French or English)."),
    OpenApiParameter(
        "category", str, many=True, description="Organisation categories (repeat the parameter)."
    ),
    OpenApiParameter("size", str, many=True, description="Size classes: micro, small, medium, mid, large."),
    OpenApiParameter("region", str, description="INSEE code of a current region."),
    OpenApiParameter("cluster", str, description="Code of a cluster the partner belongs to."),
    OpenApiParameter("consortium", str, description="Ids of the consortium so far, comma-separated."),
    OpenApiParameter("k", int, description="How many partners (1-50, default 20)."),
]


class _OneObjectSchema(AutoSchema):
    """`list` answers one object (count, results, …), not an array: say so in the schema."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


class PartnerSearchViewSet(viewsets.ViewSet):
    """Partners ranked for a need, each with the reasons it is suggested (opted-in organisations only)."""

    permission_classes = [IsAuthenticated]
    schema = _OneObjectSchema()

    @extend_schema(parameters=SEARCH_PARAMETERS, responses=PartnerSearchResponseSerializer)
    def list(self, request):
        form = PartnerSearchForm(request.query_params)
        if not form.is_valid():
            raise _form_errors(form)
        outcome = selectors.search_partners(request.user, **form.search_kwargs())
        return Response(
            {
                "count": len(outcome.results),
                "indexed": outcome.indexed,
                "ignored_members": list(outcome.ignored_members),
                "results": [_partner(r) for r in outcome.results],
            }
        )


def _consortium_request(request, data) -> consortia.ConsortiumRequest:
    if not selectors.lead_organisations(request.user).exists():
        raise exceptions.PermissionDenied()
    query = QueryDict(mutable=True)
    query.update(
        {k: v for k, v in data.items() if k in ("lead", "call", "idea", "lead_cluster", "extra_partners")}
    )
    form = ConsortiumForm(query, user=request.user)
    if not form.is_valid():
        raise _form_errors(form)
    cleaned = form.cleaned_data
    return consortia.ConsortiumRequest(
        call=cleaned["call"],
        lead=cleaned["lead"],
        idea=cleaned["idea"],
        lead_cluster=cleaned["lead_cluster"],
        extra_partners=cleaned["extra_partners"],
    )


def _consortium(proposal: consortia.ConsortiumProposal) -> dict:
    return {
        "score": proposal.score,
        "eligible": proposal.check.eligible,
        "members": [
            {
                "slot": seat.slot,
                "organisation": int(seat.org_id),
                "name": seat.name,
                "category": seat.facts.category,
                "size_class": seat.facts.size_class or "",
                "score": seat.score,
                "reasons": _reasons(seat.result),
                "alternatives": [alt.card.id for alt in seat.alternatives],
            }
            for seat in proposal.seats
        ],
        "check": [r.as_dict() for r in proposal.check.results],
    }


class ConsortiumProposeViewSet(viewsets.ViewSet):
    """Ranked consortia for a lead, an idea and an open call, each checked against the call's rules."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ProposeRequestSerializer, responses=ProposeResponseSerializer)
    def create(self, request):
        serializer = ProposeRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            outcome = consortia.propose(_consortium_request(request, data), max_results=data["max_results"])
        except InvalidCallRules as exc:
            raise Conflict(
                _("The rules of this call cannot be checked: please tell the programme officers.")
            ) from exc
        return Response(
            {
                "slots": [slot.name for slot in outcome.slots],
                "lead_findable": outcome.lead_findable,
                "consortia": [_consortium(p) for p in outcome.proposals],
            },
            status=status.HTTP_200_OK,
        )


class ConsortiumCheckViewSet(viewsets.ViewSet):
    """One consortium (after a swap) checked again against the call's rules."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=CheckRequestSerializer, responses=ConsortiumSerializer)
    def create(self, request):
        serializer = CheckRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        members = {slot: str(org) for slot, org in data["members"].items()}
        try:
            proposal = consortia.recheck(_consortium_request(request, data), members)
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"members": exc.messages}) from exc
        except InvalidCallRules as exc:
            raise Conflict(
                _("The rules of this call cannot be checked: please tell the programme officers.")
            ) from exc
        return Response(_consortium(proposal))


class ContactRequestViewSet(
    RestrictedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):  # fmt: skip
    """Messages relayed to organisations: the ones you sent and those your organisations received.

    Sending answers 429 beyond the daily limit; the recipient's e-mail address is never returned.
    """

    base_queryset = ContactRequest.objects.select_related("sender", "recipient", "sender_organisation")
    serializer_class = ContactRequestSerializer
    filterset_class = ContactRequestFilter
    permission_classes = [IsAuthenticated]
    ordering = ["-created_at", "-id"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            saved = services.send_contact_request(
                sender=request.user,
                recipient=data["recipient"],
                subject=data["subject"],
                message=data["message"],
                consent=data.get("consent", False),
                sender_organisation=data.get("sender_organisation"),
            )
        except services.RateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after.total_seconds(), detail=str(exc.message)) from exc
        return Response(self.get_serializer(saved).data, status=status.HTTP_201_CREATED)


def register(router) -> None:
    router.register("partners/search", PartnerSearchViewSet, basename="partner-search")
    router.register("consortia/propose", ConsortiumProposeViewSet, basename="consortium-propose")
    router.register("consortia/check", ConsortiumCheckViewSet, basename="consortium-check")
    router.register("contact-requests", ContactRequestViewSet, basename="contact-request")
