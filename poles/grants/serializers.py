"""API shapes of the follow-up. Money moves and transitions have their own small input serializers."""

from rest_framework import serializers

from poles.calls.models import Funder
from poles.projects.models import BudgetLine, Participation, Project

from .models import (
    Agreement,
    ConsortiumAgreement,
    Instalment,
    IPDeclaration,
    Licence,
    Milestone,
    Output,
    Payment,
    ProgressReport,
    SpendingLine,
)


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "instalment", "amount", "paid_on", "reference", "created_at"]


class InstalmentSerializer(serializers.ModelSerializer):
    partner = serializers.IntegerField(source="decision.participation.organisation_id", read_only=True)
    remaining = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = Instalment
        fields = [
            "id", "agreement", "decision", "partner", "number", "kind", "progress_reports_needed", "share", "amount",
            "paid", "remaining", "status", "payable_since", "paid_on", "version",
        ]  # fmt: skip
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    funder = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    instalments = InstalmentSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id", "reference", "project", "funder", "participation", "status", "amount", "funder_signed_on",
            "beneficiary_signed_on", "closed_on", "instalments", "version",
        ]  # fmt: skip
        read_only_fields = fields


class AgreementCreateSerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    funder = serializers.SlugRelatedField(slug_field="slug", queryset=Funder.objects.all())


class SignSerializer(serializers.Serializer):
    funder_signed_on = serializers.DateField()
    beneficiary_signed_on = serializers.DateField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, required=False, default="")


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(allow_blank=True, required=False, default="")


class PayInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=16, decimal_places=4)
    paid_on = serializers.DateField()
    reference = serializers.CharField(allow_blank=True, required=False, default="", max_length=80)


class SpendingLineSerializer(serializers.ModelSerializer):
    participation = serializers.PrimaryKeyRelatedField(queryset=Participation.objects.all())
    cost_type = serializers.ChoiceField(choices=BudgetLine.CostType.choices)

    class Meta:
        model = SpendingLine
        fields = ["participation", "cost_type", "amount"]


class ProgressReportSerializer(serializers.ModelSerializer):
    spending = SpendingLineSerializer(many=True, required=False)

    class Meta:
        model = ProgressReport
        fields = [
            "id", "project", "kind", "number", "period_start", "period_end", "due_on", "status", "narrative",
            "spending", "submitted_at", "reviewed_at", "review_comment", "version",
        ]  # fmt: skip
        read_only_fields = [f for f in fields if f not in ("narrative", "spending")]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "participation",
            "kind",
            "title",
            "due_on",
            "status",
            "achieved_on",
            "note",
            "version",
        ]
        read_only_fields = ["version"]


class OutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Output
        fields = [
            "id", "project", "participation", "kind", "achieved_on", "title", "description", "quantity", "doi",
            "patent_number", "licensee", "licence_kind", "evidence_url", "evidence_note", "status", "validated_at",
            "review_note", "version",
        ]  # fmt: skip
        read_only_fields = ["status", "validated_at", "review_note", "version"]


class ConsortiumAgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsortiumAgreement
        fields = [
            "id",
            "project",
            "status",
            "signed_on",
            "ownership",
            "access_rights",
            "document_reference",
            "version",
        ]
        read_only_fields = ["version"]


class IPDeclarationSerializer(serializers.ModelSerializer):
    class Meta:
        model = IPDeclaration
        fields = [
            "id", "project", "participation", "kind", "protection", "title", "description", "reference",
            "declared_on", "version",
        ]  # fmt: skip
        read_only_fields = ["version"]


class LicenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Licence
        fields = [
            "id", "project", "licensor", "licensee_partner", "licensee_name", "ip", "kind", "field_of_use",
            "signed_on", "version",
        ]  # fmt: skip
        read_only_fields = ["version"]
