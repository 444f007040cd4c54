"""Reading the ecosystem: actions, events with their registrations and schedule, fund-raisings and
the leverage of public aid by private money, per cluster and for the programme."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Q, QuerySet

from poles.clusters import kpis
from poles.clusters.models import Cluster, Membership
from poles.core.permissions import VIEW, restrict

from . import engine
from .models import Action, Event, FundRaising, Meeting, MeetingRequest, Registration, Skill


def actions_for(user) -> QuerySet[Action]:
    return restrict(Action.objects.all(), user, VIEW).select_related("cluster")


def events_for(user) -> QuerySet[Event]:
    return (
        restrict(Event.objects.all(), user, VIEW)
        .select_related("cluster")
        .annotate(n_registered=Count("registrations", filter=Q(registrations__status="registered")))
    )


def skills_for(user) -> QuerySet[Skill]:
    return restrict(Skill.objects.all(), user, VIEW).select_related("cluster", "organisation")


def fundraisings_for(user) -> QuerySet[FundRaising]:
    return restrict(FundRaising.objects.all(), user, VIEW).select_related("organisation")


def registrations_for(user, event: Event) -> QuerySet[Registration]:
    return restrict(event.registrations.all(), user, VIEW).select_related("organisation")


def b2b_directory(event: Event) -> QuerySet[Registration]:
    """Organisations registered for B2B meetings: who they are and what they offer and seek.

    Shown to the other registered organisations, since that is the purpose of a B2B directory.
    """
    return event.registrations.filter(status="registered", wants_b2b=True).select_related("organisation")


def requests_for(user, event: Event) -> QuerySet[MeetingRequest]:
    return restrict(event.meeting_requests.all(), user, VIEW).select_related(
        "requester__organisation", "target__organisation"
    )


def meetings_for(user, event: Event) -> QuerySet[Meeting]:
    return restrict(event.meetings.all(), user, VIEW).select_related(
        "request__requester__organisation", "request__target__organisation"
    )


@dataclass
class LeverageRow:
    """Private money raised by a cluster's member SMEs against the public aid they received."""

    cluster: Cluster | None
    private: Decimal
    public: Decimal
    raisings: int

    @property
    def leverage(self) -> Decimal | None:
        return engine.leverage(self.private, self.public)


def _member_periods(org_ids) -> dict[int, list[tuple[int, dt.date, dt.date | None]]]:
    periods = defaultdict(list)
    for org, cluster, start, end in Membership.objects.filter(organisation_id__in=list(org_ids)).values_list(
        "organisation_id", "cluster_id", "start", "end"
    ):
        periods[org].append((cluster, start, end))
    return periods


def _clusters_on(periods, org: int, day: dt.date) -> set[int]:
    return {c for c, start, end in periods.get(org, []) if start <= day and (end is None or end >= day)}


def leverage_table(first_year: int, last_year: int) -> tuple[list[LeverageRow], LeverageRow]:
    """Per cluster and for the programme, over [first_year, last_year]:

    private = validated fund-raisings of firms that were SME members of the cluster when they
    closed; public = aid decided to SME partners (size at submission) that were members of the
    cluster when the aid was decided. The programme line counts each euro once.
    """
    decision = apps.get_model("grants", "Decision")
    raisings = list(
        FundRaising.objects.filter(
            status="validated", closed_on__year__gte=first_year, closed_on__year__lte=last_year
        ).values_list("organisation_id", "closed_on", "amount")
    )
    aids = list(
        decision.objects.filter(
            status__in=kpis.DECIDED, decided_at__year__gte=first_year, decided_at__year__lte=last_year,
            participation__size_class__in=list(kpis.SME_CLASSES), participation__public_controlled=False,
        ).values_list("participation__organisation_id", "decided_at", "amount")
    )  # fmt: skip
    periods = _member_periods({o for o, _d, _a in raisings} | {o for o, _d, _a in aids})
    smes_by_year: dict[int, set[int]] = {}
    private, public, count = defaultdict(Decimal), defaultdict(Decimal), defaultdict(int)
    total = LeverageRow(None, Decimal(0), Decimal(0), 0)
    for org, day, amount in raisings:
        if day.year not in smes_by_year:
            smes_by_year[day.year] = kpis.smes_among(
                {o for o, d, _a in raisings if d.year == day.year}, day.year
            )
        if org not in smes_by_year[day.year]:
            continue
        clusters = _clusters_on(periods, org, day)
        for cluster_id in clusters:
            private[cluster_id] += amount
            count[cluster_id] += 1
        if clusters:
            total.private += amount
            total.raisings += 1
    for org, when, amount in aids:
        clusters = _clusters_on(periods, org, when.date())
        for cluster_id in clusters:
            public[cluster_id] += amount
        if clusters:
            total.public += amount
    names = Cluster.objects.in_bulk(set(private) | set(public))
    rows = [
        LeverageRow(names[pk], private[pk], public[pk], count[pk])
        for pk in sorted(names, key=lambda pk: names[pk].name)
    ]
    return rows, total
