"""Regions and départements, read-only reference data."""

from rest_framework import serializers, viewsets

from .models import Departement, Region


class RegionSerializer(serializers.ModelSerializer):
    successor = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Region
        fields = ["id", "code", "kind", "name", "successor"]


class DepartementSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    former_region = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Departement
        fields = ["id", "code", "name", "region", "former_region"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Current regions (since 2016) and former regions (1982–2015)."""

    queryset = Region.objects.select_related("successor").order_by("kind", "code")
    serializer_class = RegionSerializer
    filterset_fields = ["kind", "code"]


class DepartementViewSet(viewsets.ReadOnlyModelViewSet):
    """Départements with their current and former regions."""

    queryset = Departement.objects.select_related("region", "former_region").order_by("code")
    serializer_class = DepartementSerializer
    filterset_fields = ["code"]


def register(router) -> None:
    router.register("regions", RegionViewSet, basename="region")
    router.register("departements", DepartementViewSet, basename="departement")
