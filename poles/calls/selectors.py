"""Reading calls: the lists each role sees, and one call's page in words."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum

from poles.core.permissions import VIEW, restrict

from . import describe
from .models import Call, CallFunder, CallVersion


def calls_for(user) -> QuerySet[Call]:
    """The calls a user may see: published ones, and drafts for their programme's officers."""
    return restrict(Call.objects.all(), user, VIEW)


def list_calls(user) -> QuerySet[Call]:
    """Calls with their funders and total envelope, newest first."""
    return (
        calls_for(user)
        .select_related("programme")
        .annotate(total_envelope=Sum("call_funders__envelope"))
        .prefetch_related(
            Prefetch(
                "call_funders", queryset=CallFunder.objects.select_related("funder").order_by("funder__name")
            )
        )
        .order_by("-opens_at", "pk")
    )


def management_list(user) -> QuerySet[Call]:
    """The officer's calls with their counts of submitted proposals and of drafts in progress."""
    return (
        restrict(Call.objects.all(), user, "change")
        .annotate(
            n_drafts=Count("projects", filter=Q(projects__status="draft"), distinct=True),
            n_proposals=Count("projects", filter=~Q(projects__status="draft"), distinct=True),
        )
        .order_by("-opens_at", "pk")
    )


def funder_names(call: Call) -> dict[str, str]:
    """Funder code → name, for the rate table and caps in words."""
    return {cf.funder.slug: cf.funder.name for cf in call.call_funders.select_related("funder")}


def call_in_words(call: Call) -> dict[str, Any]:
    """Everything the public call page says about rules, rates, caps, criteria and selection."""
    names = funder_names(call)
    return {
        "rules": describe.describe_rules(call.rules),
        "rates": describe.describe_rates(call.rates, names),
        "caps": describe.describe_caps(call.caps, names),
        "evaluation": describe.describe_evaluation(call.evaluation),
        "selection": describe.describe_selection(call.selection),
    }


def versions(call: Call) -> QuerySet[CallVersion]:
    return call.versions.select_related("author").order_by("-number")
