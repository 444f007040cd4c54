from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Instrument, PolicyKeyword, Programme, TargetGroup


class InstrumentSerializer(serializers.ModelSerializer):
    keywords = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=PolicyKeyword.objects.all(), required=False
    )
    target_groups = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=TargetGroup.objects.all(),
        error_messages={
            "does_not_exist": _("“{value}” is not one of the target groups of the questionnaire.")
        },
    )
    linked_practices = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Instrument.objects.filter(status="published"), required=False
    )
    submitter_email = serializers.EmailField(write_only=True, required=False)

    class Meta:
        model = Instrument
        fields = [
            "id", "kind", "status", "title_fr", "title_en", "country", "contact_person", "contact_organisation",
            "keywords", "target_groups", "aim_fr", "aim_en", "overview_fr", "overview_en", "created_on", "active",
            "outputs_quantitative_fr", "outputs_quantitative_en", "outputs_qualitative_fr", "outputs_qualitative_en",
            "max_cofinancing_rate", "linked_practices", "submitter_email", "version",
        ]  # fmt: skip
        read_only_fields = ["status", "version"]


class ProgrammeSerializer(serializers.ModelSerializer):
    instrument = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Programme
        fields = [
            "id",
            "slug",
            "name_fr",
            "name_en",
            "authority",
            "authority_kind",
            "instrument",
            "start_year",
        ]
