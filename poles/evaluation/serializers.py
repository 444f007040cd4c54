"""Evaluation runs in the API: the stored record, and the options a new run is started with."""

from rest_framework import serializers

from . import services
from .models import EvaluationRun


class EvaluationRunSerializer(serializers.ModelSerializer):
    """A stored run, read-only: parameters, fingerprint, code version, results, summaries, status."""

    author = serializers.CharField(source="author.get_username", default=None, read_only=True)
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = EvaluationRun
        fields = [
            "id", "title", "programme", "status", "parameters", "data_fingerprint", "code_version", "results",
            "summary_fr", "summary_en", "error", "author", "rerun_of", "created_at", "started_at", "finished_at",
            "duration",
        ]  # fmt: skip
        read_only_fields = fields


class EvaluationRunListSerializer(EvaluationRunSerializer):
    """A run in a list: everything but the (large) results; read one run for them."""

    class Meta(EvaluationRunSerializer.Meta):
        fields = [f for f in EvaluationRunSerializer.Meta.fields if f not in ("results", "code_version")]
        read_only_fields = fields


class RunOptionsSerializer(serializers.Serializer):
    """What to evaluate (the same choices as the page's form)."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    outcome = serializers.ChoiceField(choices=list(services.OUTCOMES.items()), default="rd_spending")
    transform = serializers.ChoiceField(choices=list(services.TRANSFORMS.items()), default="log")
    treatment = serializers.ChoiceField(choices=list(services.TREATMENTS.items()), default="membership")
    control = serializers.ChoiceField(choices=list(services.CONTROLS.items()), default="never")
    aggregation = serializers.ChoiceField(choices=list(services.AGGREGATIONS.items()), default="simple")
    covariates = serializers.ListField(
        child=serializers.ChoiceField(choices=list(services.COVARIATES.items())), required=False, default=list
    )
    first_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1950, max_value=2100, default=None
    )
    last_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1950, max_value=2100, default=None
    )
    se = serializers.ChoiceField(choices=list(services.STANDARD_ERRORS.items()), default="analytic")
    matching = serializers.ChoiceField(choices=list(services.MATCHING.items()), default="none")
    horizon = serializers.IntegerField(min_value=0, max_value=10, default=0)

    def options(self) -> services.RunOptions:
        data = dict(self.validated_data)
        data.pop("title", None)
        return services.RunOptions(**{**data, "covariates": tuple(data.get("covariates") or ())})
