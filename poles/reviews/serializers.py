"""API shapes of the review: pool members, assignments, declarations, reviews, scores, actions."""

from __future__ import annotations

from rest_framework import serializers

from poles.organisations.models import Organisation
from poles.projects.models import Participation, Project

from .models import Assignment, ConflictDeclaration, ProjectScore, Review, Reviewer


def score_field() -> serializers.DecimalField:
    """A score, or null for "not applicable" (a new field each time: DRF fields bind once)."""
    return serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True, coerce_to_string=False)


class ReviewerSerializer(serializers.ModelSerializer):
    """A pool member. Creating one names an existing account or the new account's details."""

    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    expertise = serializers.ListField(child=serializers.CharField(max_length=100), allow_empty=True)

    class Meta:
        model = Reviewer
        fields = ["id", "username", "name", "organisation", "expertise", "max_load", "active", "version"]
        read_only_fields = ["version"]

    def get_name(self, obj) -> str:
        return str(obj)


class ReviewerCreateSerializer(ReviewerSerializer):
    """Who joins the pool: an existing user name, or the new account's names and e-mail."""

    username = serializers.CharField(max_length=150, write_only=True)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, write_only=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, write_only=True)
    email = serializers.EmailField(required=False, allow_blank=True, write_only=True)

    class Meta(ReviewerSerializer.Meta):
        fields = [*ReviewerSerializer.Meta.fields, "first_name", "last_name", "email"]


class AssignmentSerializer(serializers.ModelSerializer):
    """An assignment as its reviewer or an officer sees it."""

    project_acronym = serializers.CharField(source="project.acronym", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    call = serializers.IntegerField(source="project.call_id", read_only=True)
    reviewer_name = serializers.SerializerMethodField()
    declared = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id", "project", "project_acronym", "project_title", "call", "reviewer", "reviewer_name", "status",
            "manual", "reason", "match_score", "declared", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_reviewer_name(self, obj) -> str:
        return str(obj.reviewer)

    def get_declared(self, obj) -> str | None:
        """Whether the reviewer signed: "none" (no conflict), "conflict", or null (not yet)."""
        if hasattr(obj, "declaration"):  # annotated by the viewset: no query per row
            has_conflict = obj.declaration
        else:
            declaration = ConflictDeclaration.objects.filter(
                reviewer_id=obj.reviewer_id, project_id=obj.project_id
            ).first()
            has_conflict = None if declaration is None else declaration.has_conflict
        if has_conflict is None:
            return None
        return "conflict" if has_conflict else "none"


class DeclarationSerializer(serializers.Serializer):
    """The reviewer's signed declaration: a conflict (with what it is) or none."""

    has_conflict = serializers.BooleanField()
    statement = serializers.CharField(required=False, allow_blank=True, default="")


class DeclarationResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConflictDeclaration
        fields = ["id", "reviewer", "project", "has_conflict", "statement", "signed_at"]


class ReviewSerializer(serializers.ModelSerializer):
    """A review: scores per criterion code (null: not applicable), comments, status."""

    scores = serializers.DictField(child=score_field())

    class Meta:
        model = Review
        fields = ["id", "assignment", "scores", "comments", "status", "submitted_at", "version"]
        read_only_fields = ["id", "assignment", "status", "submitted_at", "version"]


class ReviewInputSerializer(serializers.Serializer):
    """Save a draft, or submit (`submit: true`, final: every criterion scored or null)."""

    scores = serializers.DictField(child=score_field())
    comments = serializers.CharField(required=False, allow_blank=True, default="")
    submit = serializers.BooleanField(required=False, default=False)


class PartnerSerializer(serializers.ModelSerializer):
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    budget = serializers.SerializerMethodField()
    aid_requested = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = [
            "organisation",
            "organisation_name",
            "role",
            "category",
            "size_class",
            "budget",
            "aid_requested",
        ]

    def get_budget(self, obj) -> dict[str, str]:
        return {line.cost_type: str(line.amount) for line in obj.budget_lines.all()}

    def get_aid_requested(self, obj) -> dict[str, str]:
        return {request.funder.slug: str(request.amount) for request in obj.aid_requests.all()}


class ProposalForReviewSerializer(serializers.ModelSerializer):
    """The proposal content a reviewer reads once they declared no conflict."""

    participations = PartnerSerializer(many=True, read_only=True)

    class Meta:
        model = Project
        fields = ["id", "acronym", "title", "summary", "keywords", "call", "participations"]


class ManualAssignmentSerializer(serializers.Serializer):
    reviewer = serializers.PrimaryKeyRelatedField(queryset=Reviewer.objects.all())
    reason = serializers.CharField()


class AutoAssignmentSerializer(serializers.Serializer):
    per_proposal = serializers.IntegerField(min_value=1, max_value=10, default=3)


class AutoAssignmentResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField(), help_text="ids of the new assignments")
    started = serializers.ListField(child=serializers.IntegerField(), help_text="proposals sent to review")
    shortfalls = serializers.DictField(
        child=serializers.CharField(), help_text="proposal id -> why it misses reviewers"
    )


class ManualAssignmentResultSerializer(serializers.Serializer):
    assignment = AssignmentSerializer()
    warnings = serializers.ListField(child=serializers.CharField())


class ConsensusSerializer(serializers.Serializer):
    """Agreed scores per criterion code (null: not applicable; absent: keep the reviewers' mean)."""

    consensus = serializers.DictField(child=score_field())
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class ProjectScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectScore
        fields = [
            "project", "criteria", "consensus", "consensus_comment", "overall", "passed", "reasons", "position",
            "ex_aequo", "version",
        ]  # fmt: skip
        read_only_fields = fields
