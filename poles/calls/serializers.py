"""API shapes of funders and calls."""

from __future__ import annotations

from rest_framework import serializers

from .engine.presets import PRESETS
from .models import Call, CallFunder, CallVersion, Funder


class FunderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Funder
        fields = ["id", "slug", "name", "acronym", "kind"]


class CallFunderSerializer(serializers.ModelSerializer):
    funder = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    name = serializers.CharField(source="funder.name", read_only=True)

    class Meta:
        model = CallFunder
        fields = ["funder", "name", "envelope"]


class CallSerializer(serializers.ModelSerializer):
    """A call with its configuration as data; `reason` (write-only) explains a change once published."""

    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    funders = CallFunderSerializer(source="call_funders", many=True, read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)
    rules = serializers.JSONField(required=False)
    rates = serializers.JSONField(required=False)
    caps = serializers.JSONField(required=False)
    evaluation = serializers.JSONField(required=False)
    selection = serializers.JSONField(required=False)
    instalments = serializers.JSONField(required=False)

    class Meta:
        model = Call
        fields = [
            "id", "reference", "number", "programme", "title_fr", "title_en", "description_fr", "description_en",
            "kind", "status", "preset", "opens_at", "labelling_deadline", "submission_deadline", "rules", "rates",
            "caps", "evaluation", "selection", "instalments", "funders", "version", "reason",
        ]  # fmt: skip
        read_only_fields = ["reference", "status", "preset", "version"]


class CallCreateSerializer(serializers.Serializer):
    """A new call from a preset; `state_funder` receives the preset's "state" rates."""

    preset = serializers.ChoiceField(choices=sorted(PRESETS))
    reference = serializers.SlugField(max_length=40)
    number = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    title_fr = serializers.CharField(max_length=255)
    title_en = serializers.CharField(max_length=255)
    description_fr = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)
    opens_at = serializers.DateTimeField()
    labelling_deadline = serializers.DateTimeField()
    submission_deadline = serializers.DateTimeField()
    state_funder = serializers.SlugRelatedField(slug_field="slug", queryset=Funder.objects.all())
    envelope = serializers.DecimalField(max_digits=14, decimal_places=0, min_value=0)
    programme = serializers.SlugField(required=False)

    def validate_reference(self, value):
        if Call.objects.filter(reference=value).exists():
            from django.utils.translation import gettext_lazy as _

            raise serializers.ValidationError(_("Another call already uses this reference."))
        return value


class EnvelopeSerializer(serializers.Serializer):
    funder = serializers.SlugRelatedField(slug_field="slug", queryset=Funder.objects.all())
    envelope = serializers.DecimalField(max_digits=14, decimal_places=0, min_value=0)
    reason = serializers.CharField(required=False, allow_blank=True)


class CallVersionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = CallVersion
        fields = ["number", "created_at", "author", "reason", "snapshot"]


class CallReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)
