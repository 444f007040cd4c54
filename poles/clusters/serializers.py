from rest_framework import serializers

from poles.organisations.models import Organisation

from .models import Cluster, ClusterRating, ContractParty, KpiTarget, Membership, PerformanceContract


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClusterRating
        fields = ["evaluation", "year", "rating", "rated_on", "text_fr", "text_en"]


class ClusterSerializer(serializers.ModelSerializer):
    regions = serializers.SerializerMethodField()
    fields = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    programme = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    ratings = RatingSerializer(many=True, read_only=True)

    class Meta:
        model = Cluster
        fields = [
            "id", "slug", "name", "acronym", "programme", "category", "status", "labelled_on", "city",
            "regions", "fields", "description_fr", "description_en", "website", "ratings", "version",
        ]  # fmt: skip
        read_only_fields = ["slug", "programme", "category", "status", "labelled_on", "version"]

    def get_regions(self, obj) -> list[dict]:
        return [{"code": r.code, "kind": r.kind, "name": r.name} for r in obj.regions.all()]


class MembershipSerializer(serializers.ModelSerializer):
    cluster = serializers.SlugRelatedField(slug_field="slug", queryset=Cluster.objects.all())
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())

    class Meta:
        model = Membership
        fields = ["id", "cluster", "organisation", "kind", "start", "end", "version"]
        read_only_fields = ["version"]

    def validate(self, attrs):
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end": Membership._meta.constraints[0].violation_error_message}
            )
        return attrs


class TargetSerializer(serializers.ModelSerializer):
    kpi = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = KpiTarget
        fields = ["kpi", "year", "target"]


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractParty
        fields = ["kind", "name", "organisation"]


class ContractSerializer(serializers.ModelSerializer):
    cluster = serializers.SlugRelatedField(slug_field="slug", queryset=Cluster.objects.all())
    parties = PartySerializer(many=True, read_only=True)
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = PerformanceContract
        fields = [
            "id", "cluster", "start_year", "end_year", "signed_on", "priorities_fr", "priorities_en",
            "parties", "targets", "version",
        ]  # fmt: skip
        read_only_fields = ["version"]
