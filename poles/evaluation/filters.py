"""Filters of the evaluation runs list (API)."""

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .models import EvaluationRun


class EvaluationRunFilter(filters.FilterSet):
    status = filters.ChoiceFilter(label=_("Status"), choices=EvaluationRun.Status.choices)
    outcome = filters.CharFilter(label=_("Outcome"), field_name="parameters__options__outcome")

    class Meta:
        model = EvaluationRun
        fields = ["status", "outcome"]
