"""API shapes of selection runs, their items and co-financing decisions."""

from __future__ import annotations

from rest_framework import serializers

from poles.grants.models import Decision

from .models import SelectionItem, SelectionRun


class SelectionItemSerializer(serializers.ModelSerializer):
    project_acronym = serializers.CharField(source="project.acronym", read_only=True)

    class Meta:
        model = SelectionItem
        fields = [
            "id", "project", "project_acronym", "proposed", "greedy", "reason", "details", "rank", "outcome",
            "adjusted", "adjustment_reason",
        ]  # fmt: skip
        read_only_fields = fields


class SelectionRunSerializer(serializers.ModelSerializer):
    items = SelectionItemSerializer(many=True, read_only=True)

    class Meta:
        model = SelectionRun
        fields = [
            "id", "call", "created_at", "created_by", "parameters", "inputs_fingerprint", "status", "objective",
            "bound", "gap", "greedy_objective", "solve_seconds", "binding", "confirmed_at", "confirmed_by", "items",
        ]  # fmt: skip
        read_only_fields = fields


class RunInputSerializer(serializers.Serializer):
    time_limit = serializers.FloatField(required=False, min_value=0.1, max_value=600, default=20.0)


class AdjustSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=SelectionItem.Outcome.choices)
    reason = serializers.CharField()


class ConfirmSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ConfirmResultSerializer(serializers.Serializer):
    run = SelectionRunSerializer()
    moved = serializers.IntegerField()
    decisions = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class DecisionSerializer(serializers.ModelSerializer):
    """A decision; only the eligible cost (and the reason for changing it) can be written."""

    funder = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation = serializers.IntegerField(source="participation.organisation_id", read_only=True)
    reason = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Decision
        fields = [
            "id", "project", "participation", "organisation", "funder", "eligible_cost", "rate", "amount", "form",
            "capped_by", "status", "decided_at", "notified_at", "version", "reason",
        ]  # fmt: skip
        read_only_fields = [
            "id", "project", "participation", "organisation", "funder", "rate", "amount", "form", "capped_by",
            "status", "decided_at", "notified_at", "version",
        ]  # fmt: skip


class ComputeResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField())
    errors = serializers.ListField(child=serializers.CharField())
