"""Ecosystem services on real rows: registration and waiting list, B2B meetings, fund-raising."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from poles.core.audit import history
from poles.core.exceptions import TransitionNotAllowed
from poles.ecosystem import selectors, services
from poles.ecosystem.models import Action, FundRaising, Meeting, Registration
from tests.grants.factories import funded_project, member_organisation

from .factories import make_action, make_event, member_account, minalogic, other_minalogic_member

pytestmark = pytest.mark.django_db


def test_actions_are_recorded_by_the_clusters_staff_and_checked(users):
    action = services.create_action(
        minalogic(), actor=users["cluster"], kind="competence", format="training", title_fr="Formation",
        title_en="Training", start_date=dt.date(2012, 3, 1),
    )  # fmt: skip
    assert history(action).filter(action="ecosystem.action.create").exists()
    with pytest.raises(PermissionDenied):
        services.create_action(
            minalogic(), actor=users["member"], kind="ipr", format="ipr_awareness", title_fr="x", title_en="x",
            start_date=dt.date(2012, 3, 1),
        )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.create_action(
            minalogic(), actor=users["officer"], kind="competence", format="mission", title_fr="x", title_en="x",
            start_date=dt.date(2012, 3, 1),
        )  # fmt: skip
    assert "format" in exc.value.message_dict
    services.add_participant(
        action, member_organisation(users), actor=users["cluster"], result="2 engineers trained"
    )
    with pytest.raises(ValidationError):
        services.add_participant(action, member_organisation(users), actor=users["cluster"])
    assert Action.objects.get(pk=action.pk).participants.count() == 1


def test_registration_waiting_list_and_promotion(users):
    event = make_event(capacity=1)
    own = member_organisation(users)
    other = other_minalogic_member(own)
    other_user = member_account(other, "second-member")
    first = services.register(event, own, actor=users["member"], wants_b2b=True)
    assert first.status == "registered"
    with pytest.raises(PermissionDenied):
        services.register(event, other, actor=users["member"])
    second = services.register(event, other, actor=other_user)
    assert second.status == "waiting"
    with pytest.raises(ValidationError):
        services.register(event, own, actor=users["member"])
    services.cancel_registration(first, actor=users["member"])
    assert Registration.objects.get(pk=second.pk).status == "registered"
    again = services.register(event, own, actor=users["member"])
    assert again.pk == first.pk and again.status == "waiting"


def test_registration_refused_when_not_open(users):
    own = member_organisation(users)
    with pytest.raises(TransitionNotAllowed):
        services.register(make_event(status="draft"), own, actor=users["member"])
    closed = make_event()
    closed.registration_deadline = timezone.localdate() - dt.timedelta(days=1)
    closed.save()
    with pytest.raises(TransitionNotAllowed) as exc:
        services.register(closed, own, actor=users["member"])
    assert exc.value.code == "deadline"
    with pytest.raises(ValidationError):
        services.register(make_event(b2b=False), own, actor=users["member"], wants_b2b=True)


def test_b2b_requests_answers_and_schedule(users):
    event = make_event()
    own = member_organisation(users)
    other = other_minalogic_member(own)
    other_user = member_account(other, "b2b-member")
    mine = services.register(event, own, actor=users["member"], wants_b2b=True, b2b_profile="MEMS sensors")
    theirs = services.register(event, other, actor=other_user, wants_b2b=True, b2b_profile="Packaging")
    with pytest.raises(ValidationError):
        services.request_meeting(mine, mine, actor=users["member"])
    with pytest.raises(PermissionDenied):
        services.request_meeting(theirs, mine, actor=users["member"])
    asked = services.request_meeting(mine, theirs, actor=users["member"], message="Talk packaging?")
    with pytest.raises(ValidationError):
        services.request_meeting(mine, theirs, actor=users["member"])
    with pytest.raises(TransitionNotAllowed):
        services.answer_meeting(asked, actor=users["member"], accept=True)  # only the asked organisation
    services.answer_meeting(asked, actor=other_user, accept=True)
    back = services.request_meeting(theirs, mine, actor=other_user)
    services.answer_meeting(back, actor=users["member"], accept=True)
    with pytest.raises(PermissionDenied):
        services.build_schedule(event, actor=users["member"])
    meetings, left = services.build_schedule(event, actor=users["cluster"])
    assert len(meetings) == 2 and left == []
    assert len({m.slot for m in meetings}) == 2  # the same two organisations cannot meet twice at once
    assert set(Meeting.objects.filter(event=event).values_list("table", flat=True)) == {1}
    assert meetings[0].starts_at == event.b2b_starts_at
    assert [m.pk for m in selectors.meetings_for(users["member"], event)] == [m.pk for m in meetings]
    assert list(selectors.meetings_for(users["reviewer"], event)) == []


def test_fundraising_declared_validated_and_in_the_leverage(users):
    own = member_organisation(users)
    with pytest.raises(PermissionDenied):
        services.declare_fundraising(own, actor=users["cluster"], amount=1, investor_type="venture_capital",
                                     closed_on=dt.date(2012, 6, 1))  # fmt: skip
    with pytest.raises(ValidationError):
        services.declare_fundraising(own, actor=users["member"], amount=500_000, investor_type="venture_capital",
                                     closed_on=timezone.localdate() + dt.timedelta(days=3))  # fmt: skip
    raised = services.declare_fundraising(
        own, actor=users["member"], amount=Decimal(2_000_000), investor_type="venture_capital", stage="series_a",
        closed_on=dt.date(2012, 6, 1), investors="Alpes Capital",
    )  # fmt: skip
    with pytest.raises(TransitionNotAllowed):
        services.validate_fundraising(raised, actor=users["analyst"])
    with pytest.raises(TransitionNotAllowed):
        services.validate_fundraising(raised, actor=users["member"])
    services.validate_fundraising(raised, actor=users["cluster"], note="Press release checked")
    assert FundRaising.objects.get(pk=raised.pk).status == "validated"

    project = funded_project(lead=own, amounts={"fui": [500_000, 0, 0]})
    project.decisions.update(decided_at=timezone.make_aware(dt.datetime(2012, 3, 1)))
    rows, total = selectors.leverage_table(2012, 2012)
    row = next(r for r in rows if r.cluster.slug == "minalogic")
    assert row.private >= 2_000_000 and row.public >= 500_000
    assert total.private >= 2_000_000 and total.leverage is not None
    own_row_private = sum(r.private for r in rows)
    assert own_row_private >= total.private  # a firm in two clusters counts in both, once for the programme


def test_action_counts_only_their_kind_and_year(users):
    make_action(2012)
    make_action(2011)
    assert (
        Action.objects.filter(cluster=minalogic(), kind="international", start_date__year=2012).count() >= 1
    )
