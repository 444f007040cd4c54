from rest_framework import serializers

from poles.territories.models import Departement

from .models import Contact, EuSize, FrSize, Organisation, SizeClass, YearlyFigures


class OrganisationSerializer(serializers.ModelSerializer):
    departement = serializers.SlugRelatedField(
        slug_field="code", queryset=Departement.objects.all(), required=False, allow_null=True
    )
    region = serializers.SerializerMethodField()
    competences = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    # Declared so that the schema says "" is possible (no figures yet): editable=False fields lose it.
    size_class = serializers.ChoiceField(choices=SizeClass.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id", "name", "acronym", "category", "siren", "siret", "rnsr", "ror", "vat", "pic",
            "street", "postcode", "commune", "departement", "region", "country", "website", "description",
            "competences", "competences_text", "public_control", "findable", "founded_on", "size_class",
            "version", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["size_class", "version", "created_at", "updated_at"]

    def get_region(self, obj) -> str | None:
        return obj.departement.region.code if obj.departement_id else None


class YearlyFiguresSerializer(serializers.ModelSerializer):
    size_eu = serializers.ChoiceField(choices=EuSize.choices, allow_blank=True, read_only=True)
    size_fr = serializers.ChoiceField(choices=FrSize.choices, allow_blank=True, read_only=True)
    size_class = serializers.ChoiceField(choices=SizeClass.choices, allow_blank=True, read_only=True)

    class Meta:
        model = YearlyFigures
        fields = [
            "year", "headcount", "turnover", "balance_sheet", "rd_spending", "rd_staff", "patents_filed",
            "size_eu", "size_fr", "size_class",
        ]  # fmt: skip
        read_only_fields = ["size_eu", "size_fr", "size_class"]
        validators = []  # one row per year is replaced, not refused (save_yearly_figures)


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = ["id", "first_name", "last_name", "job_title", "email", "phone", "is_main"]
