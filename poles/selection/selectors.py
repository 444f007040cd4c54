"""Reading selection runs and decisions for the pages: calls in reach, readable reasons, lists."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from poles.calls.models import Call, Funder
from poles.core.permissions import VIEW, restrict
from poles.core.roles import roles_of
from poles.grants.models import Decision
from poles.projects.models import Project

from . import cli, engine
from .models import SelectionItem, SelectionRun


def calls_for(user) -> QuerySet[Call]:
    """Calls whose selection the user follows: their programmes' (officers, analysts), or those they co-fund."""
    roles = roles_of(user)
    calls = Call.objects.all()
    if not roles.superuser:
        calls = calls.filter(
            Q(programme_id__in=roles.reads_programme) | Q(call_funders__funder_id__in=roles.funder_of)
        ).distinct()
    return calls.annotate(
        n_runs=Count("selection_runs", distinct=True),
        n_selected=Count("projects", filter=Q(projects__status=Project.Status.SELECTED), distinct=True),
        n_funded=Count("projects", filter=Q(projects__status=Project.Status.FUNDED), distinct=True),
    ).order_by("-opens_at")


def describe(item: SelectionItem, funders: dict[str, str], acronyms: dict[str, str]) -> str:
    """Why a proposal is in or out, in the reader's language, with funder names and acronyms."""
    stored = item.details or {}
    details = dict(stored.get("details") or {})
    if item.reason == engine.BELOW_THRESHOLD and "reasons" in details:
        language = "en" if (get_language() or "fr").startswith("en") else "fr"
        texts = [r.get(language) or r.get("en", "") for r in details["reasons"]]
        return " ".join([_("Below the review thresholds:"), *texts])
    if "funder" in details:
        details["funder"] = funders.get(details["funder"], details["funder"])
    if "displaced_by" in details:
        details["displaced_by"] = [acronyms.get(i, i) for i in details["displaced_by"]]
    return cli.describe({"reason": item.reason, "details": details})


def blocking_texts(item: SelectionItem, funders: dict[str, str]) -> list[str]:
    """Every limit adding the proposal would break, one short line each."""
    out = []
    for block in (item.details or {}).get("blocking", []):
        kind = block.get("constraint")
        if kind == engine.ENVELOPE:
            out.append(
                _("envelope of %(funder)s") % {"funder": funders.get(block["funder"], block["funder"])}
            )
        elif kind == engine.CLUSTER_CAP:
            out.append(_("cap of cluster %(cluster)s") % {"cluster": block["cluster"]})
        elif kind == engine.SME_SHARE:
            out.append(_("minimum share of aid to SMEs"))
    return out


def run_items(run: SelectionRun) -> list[dict[str, Any]]:
    """The run's proposals in rank order with their aid, reasons and outcomes, for the run page."""
    items = list(run.items.select_related("project", "project__score").order_by("rank", "pk"))
    funders = dict(Funder.objects.filter(call_funders__call=run.call).values_list("slug", "name"))
    acronyms = {str(i.project_id): i.project.acronym or str(i.project_id) for i in items}
    aid = {p["id"]: p for p in run.parameters.get("proposals", [])}
    rows = []
    for item in items:
        asked = aid.get(str(item.project_id), {})
        rows.append(
            {
                "item": item,
                "project": item.project,
                "aid": sum(asked.get("aid", {}).values()) if asked else None,
                "aid_by_funder": [(funders.get(f, f), a) for f, a in sorted(asked.get("aid", {}).items())],
                "why": describe(item, funders, acronyms),
                "blocking": blocking_texts(item, funders),
            }
        )
    return rows


def usage_rows(run: SelectionRun) -> list[dict[str, Any]]:
    """Each envelope: limit, used by the optimiser's choice, by the final outcomes, and what is left."""
    from .services import selected_aid

    funders = dict(Funder.objects.filter(call_funders__call=run.call).values_list("slug", "name"))
    final = selected_aid(run)
    rows = []
    for row in (run.parameters.get("usage") or {}).get("envelopes", []):
        rows.append(
            {
                "funder": funders.get(row["funder"], row["funder"]),
                "limit": row["limit"],
                "used": row["used"],
                "final": final.get(row["funder"], 0.0),
                "slack": row["slack"],
            }
        )
    return rows


def decisions_for(user, call: Call) -> QuerySet[Decision]:
    """The call's decisions the user may read, by funder then project and partner."""
    return (
        restrict(Decision.objects.filter(project__call=call), user, VIEW)
        .select_related("funder", "project", "participation__organisation")
        .order_by("funder__name", "project__acronym", "participation__organisation__name")
    )


def letters_for(user) -> QuerySet:
    """The partners whose decision letters the user may read (members: their organisations')."""
    from poles.projects.models import Participation

    roles = roles_of(user)
    decided = Decision.objects.filter(status__in=[Decision.Status.DECIDED, Decision.Status.NOTIFIED])
    if not roles.superuser:
        decided = decided.filter(
            Q(participation__organisation_id__in=roles.member_of)
            | Q(project__call__programme_id__in=roles.officer_of)
            | Q(funder_id__in=roles.funder_of)
        )
    return (
        Participation.objects.filter(pk__in=decided.values("participation_id"))
        .select_related("organisation", "project", "project__call")
        .order_by("-project__call__opens_at", "project__acronym", "organisation__name")
    )
