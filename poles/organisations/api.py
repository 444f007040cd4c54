"""Organisations API: public profiles; figures and contacts only for those allowed."""

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from poles.core.api import ServiceModelViewSet
from poles.core.permissions import can

from . import selectors, services
from .filters import OrganisationFilter
from .models import Organisation
from .serializers import ContactSerializer, OrganisationSerializer, YearlyFiguresSerializer


class OrganisationViewSet(ServiceModelViewSet):
    """Organisations of the programme. Anyone reads profiles; members and officers change them."""

    base_queryset = Organisation.objects.select_related("departement__region").prefetch_related("competences")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "id", "updated_at"]
    ordering = ["name", "id"]

    def perform_service_create(self, data):
        if not can(self.request.user, "organisations.add_organisation"):
            raise exceptions.PermissionDenied()
        return services.create_organisation(actor=self.request.user, **data)

    def perform_service_update(self, obj, data, expected_version):
        return services.update_organisation(
            obj, actor=self.request.user, expected_version=expected_version, **data
        )

    def _changeable(self, organisation, perm):
        if not can(self.request.user, perm, organisation):
            raise exceptions.PermissionDenied()

    @extend_schema(
        request=YearlyFiguresSerializer,
        responses={200: YearlyFiguresSerializer(many=True), 201: YearlyFiguresSerializer},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=YearlyFiguresSerializer,
        filterset_class=None,
        pagination_class=None,  # a short list, answered whole (as the schema now says)
    )
    def figures(self, request, pk=None):
        """Yearly figures with derived size classes (the organisation, its clusters, officers, analysts)."""
        organisation = self.get_object()  # POST: 403 unless the organisation is changeable
        if request.method == "POST":
            self._changeable(organisation, "organisations.change_figures")
            serializer = YearlyFiguresSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            row = services.save_yearly_figures(organisation, data.pop("year"), actor=request.user, **data)
            return Response(YearlyFiguresSerializer(row).data, status=status.HTTP_201_CREATED)
        rows = selectors.figures_for(request.user, organisation)
        return Response(YearlyFiguresSerializer(rows, many=True).data)

    @extend_schema(
        request=ContactSerializer, responses={200: ContactSerializer(many=True), 201: ContactSerializer}
    )
    @action(
        detail=True,
        methods=["get", "post"],
        serializer_class=ContactSerializer,
        filterset_class=None,
        pagination_class=None,
    )
    def contacts(self, request, pk=None):
        """Contacts (personal data): the organisation, its clusters' staff and officers only."""
        organisation = self.get_object()  # POST: 403 unless the organisation is changeable
        if request.method == "POST":
            self._changeable(organisation, "organisations.change_contacts")
            serializer = ContactSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            contact = services.add_contact(organisation, actor=request.user, **serializer.validated_data)
            return Response(ContactSerializer(contact).data, status=status.HTTP_201_CREATED)
        return Response(ContactSerializer(selectors.contacts_for(request.user, organisation), many=True).data)


def register(router) -> None:
    router.register("organisations", OrganisationViewSet, basename="organisation")
