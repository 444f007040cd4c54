"""Builders for proposal tests: an open call made through the services, and proposals built the
way an applicant builds them (create, add partners, budgets, aid, submit), with the demo accounts.

Everything goes through the services, so each builder also exercises them; tests that need a state
the applicant cannot reach alone (a deadline in the past) move the call's dates directly.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from poles.calls import services as call_services
from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster
from poles.core.roles import roles_of
from poles.instruments.models import Programme
from poles.organisations.models import Organisation
from poles.projects import services
from poles.projects.models import Project


def member_org(users) -> Organisation:
    return Organisation.objects.get(pk=next(iter(roles_of(users["member"]).member_of)))


def make_call(officer, reference="test-call", **overrides) -> Call:
    """An open FUI 25 call: labelling deadline in 10 days, submission deadline in 20."""
    now = timezone.now()
    values = {
        "preset": "fui_25", "reference": reference, "title_fr": "Appel de test", "title_en": "Test call",
        "opens_at": now - dt.timedelta(days=1), "labelling_deadline": now + dt.timedelta(days=10),
        "submission_deadline": now + dt.timedelta(days=20), "state_funder": Funder.objects.get(slug="fui"),
        "envelopes": {Funder.objects.get(slug="fui"): Decimal(5_000_000)},
    }  # fmt: skip
    values.update(overrides)
    call = call_services.create_call(
        Programme.objects.get(slug="poles-competitivite"), actor=officer, **values
    )
    return call_services.publish_call(call, actor=officer)


def shift_deadlines(call: Call, *, labelling_days: float, submission_days: float) -> Call:
    """Move a call's deadlines relative to now (tests of what happens after a deadline)."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=60),
        labelling_deadline=now + dt.timedelta(days=labelling_days),
        submission_deadline=now + dt.timedelta(days=submission_days),
    )
    call.refresh_from_db()
    return call


def companies(exclude, n=1, size="large"):
    return list(Organisation.objects.filter(category="company", size_class=size).exclude(pk__in=exclude)[:n])


def lab(exclude=()):
    return Organisation.objects.filter(category="public_research").exclude(pk__in=exclude).first()


def build_proposal(
    users, call: Call, *, title="Capteurs éco-conçus", partners=None, budget=600_000, submit=True
) -> Project:
    """A proposal by the demo member (lead), with a large company and a lab, labelled-ready:
    every partner has a staff budget and asks the State funder for 30 % of it."""
    member = users["member"]
    lead_org = member_org(users)
    minalogic = Cluster.objects.get(slug="minalogic")
    project = services.create_proposal(
        call, lead_org, actor=member, acronym="CAPTEO", title=title, summary="Des capteurs sobres.",
        keywords=["capteurs", "énergie"], lead_cluster=minalogic, duration_months=36,
    )  # fmt: skip
    if partners is None:
        partners = [*companies([lead_org.pk]), lab()]
    for organisation in partners:
        services.add_partner(project, organisation, actor=member)
    fui = Funder.objects.get(slug="fui")
    for participation in project.participations.all():
        services.update_participation(
            participation, actor=member, budget={"staff": Decimal(budget)}, aid={fui: Decimal(budget) * Decimal("0.3")},
            territory_share=Decimal(1), lead_cluster_share=Decimal(1),
        )  # fmt: skip
    project.refresh_from_db()
    if submit:
        project = services.submit(project, actor=member)
    return project
