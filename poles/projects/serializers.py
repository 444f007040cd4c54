"""API shapes of proposals, their consortium, documents, revisions, labels and eligibility checks.

A proposal's confidential figures (budgets, aid asked) appear only to those who may read it in
full; a funded project shows the public part (title, summary, consortium, status) to everyone.
"""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster
from poles.core.permissions import can
from poles.organisations.models import Organisation

from . import guards
from .models import (
    Attachment,
    BudgetLine,
    EligibilityCheck,
    LabelRequest,
    Participation,
    Project,
    ProjectRevision,
)


class ConsortiumMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "organisation", "name", "role", "category", "size_class"]


class ProjectSerializer(serializers.ModelSerializer):
    """A proposal; `clusters` are the clusters asked to label it (the lead cluster always is)."""

    call = serializers.PrimaryKeyRelatedField(read_only=True)
    lead_cluster = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Cluster.objects.filter(status=Cluster.Status.ACTIVE),
        required=False,
        allow_null=True,
    )
    clusters = serializers.SlugRelatedField(
        slug_field="slug", queryset=Cluster.objects.filter(status=Cluster.Status.ACTIVE), many=True, required=False,
        write_only=True,
    )  # fmt: skip
    clusters_asked = serializers.SerializerMethodField()
    consortium = ConsortiumMemberSerializer(source="participations", many=True, read_only=True)
    keywords = serializers.ListField(child=serializers.CharField(max_length=80), required=False)

    class Meta:
        model = Project
        fields = [
            "id", "call", "acronym", "title", "summary", "keywords", "lead_cluster", "clusters", "clusters_asked",
            "start_date", "duration_months", "status", "submitted_at", "total_cost", "consortium", "version",
        ]  # fmt: skip
        read_only_fields = ["status", "submitted_at", "total_cost", "version"]

    def get_clusters_asked(self, obj) -> list[str]:
        return sorted(r.cluster.slug for r in obj.label_requests.all())

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        known = self.context.get("confidential_ids")
        confidential = (
            instance.pk in known
            if known is not None
            else (request is None or can(request.user, "projects.view_confidential", instance))
        )
        if not confidential:
            for private in ("total_cost", "clusters_asked", "submitted_at"):
                data.pop(private, None)
        return data


class ProjectCreateSerializer(ProjectSerializer):
    """A new draft: the call and the lead organisation (one of the applicant's own)."""

    call = serializers.PrimaryKeyRelatedField(queryset=Call.objects.filter(status=Call.Status.OPEN))
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), write_only=True, required=False
    )

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "organisation"]


class ParticipationSerializer(serializers.ModelSerializer):
    """A partner with its budget per cost type and the aid it asks per funder (funder code → EUR)."""

    name = serializers.CharField(source="organisation.name", read_only=True)
    organisation = serializers.PrimaryKeyRelatedField(queryset=Organisation.objects.all())
    budget = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0), required=False
    )
    aid = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0), required=False
    )

    class Meta:
        model = Participation
        fields = [
            "id", "organisation", "name", "role", "category", "size_class", "public_controlled", "in_territory",
            "territory_share", "lead_cluster_share", "cost_basis", "total_cost", "budget", "aid",
        ]  # fmt: skip
        read_only_fields = [
            "role",
            "category",
            "size_class",
            "public_controlled",
            "in_territory",
            "total_cost",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["budget"] = {line.cost_type: str(line.amount) for line in instance.budget_lines.all()}
        data["aid"] = {request.funder.slug: str(request.amount) for request in instance.aid_requests.all()}
        return data

    def validate_budget(self, value):
        unknown = sorted(set(value) - set(BudgetLine.CostType.values))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown cost types: %(types)s; expected %(known)s.")
                % {"types": ", ".join(unknown), "known": ", ".join(BudgetLine.CostType.values)}
            )
        return value

    def validate_aid(self, value):
        funders = {f.slug: f for f in Funder.objects.filter(slug__in=list(value))}
        unknown = sorted(set(value) - set(funders))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown funders: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return {funders[slug]: Decimal(amount) for slug, amount in value.items()}


class AttachmentSerializer(serializers.ModelSerializer):
    file = serializers.FileField(write_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "name", "size", "content_type", "sha256", "created_at", "file", "download"]
        read_only_fields = ["name", "size", "content_type", "sha256", "created_at"]

    def get_download(self, obj) -> str:
        return reverse("api-project-document", args=[obj.project_id, obj.pk])


class RevisionSerializer(serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ProjectRevision
        fields = ["number", "created_at", "author", "snapshot"]


class LabelRequestSerializer(serializers.ModelSerializer):
    cluster = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    acronym = serializers.CharField(source="project.acronym", read_only=True)
    title = serializers.CharField(source="project.title", read_only=True)
    labelling_deadline = serializers.DateTimeField(source="project.call.labelling_deadline", read_only=True)

    class Meta:
        model = LabelRequest
        fields = [
            "id", "project", "acronym", "title", "cluster", "status", "opinion", "decided_at",
            "labelling_deadline", "version",
        ]  # fmt: skip
        read_only_fields = fields


class OpinionSerializer(serializers.Serializer):
    opinion = serializers.CharField()


class ProposalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class ProposalRequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class OverrideSerializer(serializers.Serializer):
    rule_index = serializers.IntegerField(min_value=0)
    reason = serializers.CharField()


class EligibilityCheckSerializer(serializers.ModelSerializer):
    """A check's results per rule (status, reasons in French and English, figures) and its verdict
    before (`verdict`) and after (`effective_verdict`) the officers' overrides of warnings."""

    effective_verdict = serializers.SerializerMethodField()
    overrides = serializers.SerializerMethodField()
    checked_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = EligibilityCheck
        fields = [
            "id",
            "checked_at",
            "checked_by",
            "verdict",
            "effective_verdict",
            "rules",
            "results",
            "overrides",
        ]

    def get_effective_verdict(self, obj) -> str:
        return guards.effective_verdict(obj)

    def get_overrides(self, obj) -> list[dict]:
        return [
            {"rule_index": o.rule_index, "reason": o.reason, "decided_at": o.decided_at.isoformat(),
             "decided_by": o.decided_by.get_username() if o.decided_by else None}
            for o in obj.overrides.select_related("decided_by").order_by("rule_index")
        ]  # fmt: skip
