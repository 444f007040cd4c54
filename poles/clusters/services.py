"""Writes on clusters: memberships and performance contracts, validated and audited."""

from __future__ import annotations

import datetime as dt

from poles.core import services as core_services

from .models import Cluster, KpiTarget, Membership, PerformanceContract


def add_membership(
    cluster: Cluster, organisation, *, actor, start: dt.date, end: dt.date | None = None, kind="member"
):
    """Record that `organisation` is a member of `cluster` from `start` (to `end`)."""
    return core_services.create(
        Membership, actor=actor, cluster=cluster, organisation=organisation, start=start, end=end, kind=kind
    )


def end_membership(membership: Membership, *, actor, end: dt.date, expected_version: int | None = None):
    """Close a membership on `end` (refused if it would end before it starts)."""
    return core_services.update(membership, actor=actor, expected_version=expected_version, end=end)


def create_contract(cluster: Cluster, *, actor, **values) -> PerformanceContract:
    return core_services.create(PerformanceContract, actor=actor, cluster=cluster, **values)


def set_target(contract: PerformanceContract, kpi, year: int, target, *, actor) -> KpiTarget:
    """Set one indicator's target for one year of a contract (created or replaced, audited)."""
    existing = KpiTarget.objects.filter(contract=contract, kpi=kpi, year=year).first()
    if existing:
        return core_services.update(existing, actor=actor, target=target)
    return core_services.create(KpiTarget, actor=actor, contract=contract, kpi=kpi, year=year, target=target)
