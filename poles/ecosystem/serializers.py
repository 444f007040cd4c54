"""API shapes of the ecosystem."""

from rest_framework import serializers

from poles.clusters.models import Cluster

from .models import (
    Action,
    ActionParticipant,
    Event,
    FundRaising,
    Meeting,
    MeetingRequest,
    Registration,
    Skill,
)


class ParticipantSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActionParticipant
        fields = ["organisation", "role", "result"]


class ActionSerializer(serializers.ModelSerializer):
    cluster = serializers.SlugRelatedField(slug_field="slug", queryset=Cluster.objects.all())
    participations = ParticipantSerializer(many=True, read_only=True)

    class Meta:
        model = Action
        fields = [
            "id", "cluster", "kind", "format", "title_fr", "title_en", "description_fr", "description_en",
            "start_date", "end_date", "country", "partner_name", "results_fr", "results_en", "participations",
            "version",
        ]  # fmt: skip
        read_only_fields = ["version"]


class SkillSerializer(serializers.ModelSerializer):
    cluster = serializers.SlugRelatedField(slug_field="slug", queryset=Cluster.objects.all())

    class Meta:
        model = Skill
        fields = ["id", "cluster", "organisation", "direction", "label", "description"]


class EventSerializer(serializers.ModelSerializer):
    cluster = serializers.SlugRelatedField(slug_field="slug", queryset=Cluster.objects.all())

    class Meta:
        model = Event
        fields = [
            "id", "cluster", "action", "title_fr", "title_en", "description_fr", "description_en", "starts_at",
            "ends_at", "venue", "capacity", "registration_deadline", "status", "b2b", "b2b_starts_at", "b2b_slots",
            "b2b_slot_minutes", "b2b_tables", "version",
        ]  # fmt: skip
        read_only_fields = ["status", "version"]


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Registration
        fields = ["id", "event", "organisation", "attendees", "wants_b2b", "b2b_profile", "status", "version"]
        read_only_fields = ["event", "status", "version"]


class MeetingRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingRequest
        fields = ["id", "event", "requester", "target", "message", "status", "version"]
        read_only_fields = ["event", "status", "version"]


class MeetingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Meeting
        fields = ["id", "event", "request", "slot", "table", "starts_at"]


class FundRaisingSerializer(serializers.ModelSerializer):
    class Meta:
        model = FundRaising
        fields = [
            "id", "organisation", "amount", "investor_type", "stage", "closed_on", "investors", "status",
            "review_note", "version",
        ]  # fmt: skip
        read_only_fields = ["status", "review_note", "version"]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, default="")


class LeverageRowSerializer(serializers.Serializer):
    cluster = serializers.CharField(allow_null=True)
    private = serializers.DecimalField(max_digits=16, decimal_places=0)
    public = serializers.DecimalField(max_digits=16, decimal_places=0)
    raisings = serializers.IntegerField()
    leverage = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
