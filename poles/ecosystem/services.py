"""Writes of the ecosystem: actions and participants, skills, events, registrations, B2B meetings,
fund-raisings. Validated, audited, one function per transition."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from poles.core import audit
from poles.core import services as core_services
from poles.core.exceptions import TransitionNotAllowed
from poles.core.permissions import can
from poles.core.roles import roles_of
from poles.core.workflow import Transition, Workflow, perform

from . import engine
from .models import (
    Action,
    ActionParticipant,
    Event,
    FundRaising,
    Meeting,
    MeetingRequest,
    Registration,
    Skill,
)

EVENT = Workflow(
    model=Event,
    transitions=[
        Transition(
            "publish", (Event.Status.DRAFT,), Event.Status.PUBLISHED, "ecosystem.manage_event", _("Publish")
        ),
        Transition(
            "cancel",
            (Event.Status.DRAFT, Event.Status.PUBLISHED),
            Event.Status.CANCELLED,
            "ecosystem.manage_event",
            _("Cancel the event"),
            needs_reason=True,
        ),  # fmt: skip
    ],
)
REGISTRATION = Workflow(
    model=Registration,
    transitions=[
        Transition(
            "cancel",
            (Registration.Status.REGISTERED, Registration.Status.WAITING),
            Registration.Status.CANCELLED,
            "ecosystem.change_registration",
            _("Cancel the registration"),
        ),  # fmt: skip
        # A consequence of another organisation's cancellation, not a choice: no permission of its own.
        Transition(
            "promote",
            (Registration.Status.WAITING,),
            Registration.Status.REGISTERED,
            "ecosystem.follow_condition",
            _("Place freed"),
        ),  # fmt: skip
    ],
)
MEETING_REQUEST = Workflow(
    model=MeetingRequest,
    transitions=[
        Transition("accept", ("requested",), "accepted", "ecosystem.answer_meeting", _("Accept")),
        Transition("decline", ("requested",), "declined", "ecosystem.answer_meeting", _("Decline")),
    ],
)
FUNDRAISING = Workflow(
    model=FundRaising,
    transitions=[
        Transition("validate", ("declared",), "validated", "ecosystem.validate_fundraising", _("Validate")),
        Transition(
            "reject",
            ("declared",),
            "rejected",
            "ecosystem.validate_fundraising",
            _("Reject"),
            needs_reason=True,
        ),
    ],
)


def _deny():
    raise PermissionDenied(_("You are not allowed to do this."))


def _user_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# --- Actions and skills ------------------------------------------------------------------------


def create_action(cluster, *, actor, **values) -> Action:
    """Record an ecosystem action of a cluster (its staff or an officer)."""
    if not can(actor, "ecosystem.manage_action", cluster):
        _deny()
    return core_services.create(
        Action, actor=actor, cluster=cluster, created_by=_user_or_none(actor), **values
    )


def update_action(action: Action, *, actor, expected_version: int | None = None, **changes) -> Action:
    if not can(actor, "ecosystem.manage_action", action):
        _deny()
    changes.pop("cluster", None)
    return core_services.update(action, actor=actor, expected_version=expected_version, **changes)


def add_participant(action: Action, organisation, *, actor, role: str = "participant", result: str = ""):
    """Record that an organisation took part in an action (and what it got out of it)."""
    if not can(actor, "ecosystem.manage_action", action):
        _deny()
    if ActionParticipant.objects.filter(action=action, organisation=organisation).exists():
        raise ValidationError({"organisation": _("This organisation is already a participant.")})
    return core_services.create(
        ActionParticipant, actor=actor, action=action, organisation=organisation, role=role, result=result
    )


def add_skill(cluster, organisation, *, actor, **values) -> Skill:
    """An organisation says what it offers or seeks (its members, the cluster's staff, officers)."""
    roles = roles_of(actor)
    if not (roles.is_officer or organisation.pk in roles.member_of or cluster.pk in roles.cluster_of):
        _deny()
    return core_services.create(Skill, actor=actor, cluster=cluster, organisation=organisation, **values)


# --- Events and registrations ------------------------------------------------------------------


def create_event(cluster, *, actor, **values) -> Event:
    if not can(actor, "ecosystem.manage_event", cluster):
        _deny()
    values.pop("status", None)
    return core_services.create(Event, actor=actor, cluster=cluster, **values)


def update_event(event: Event, *, actor, expected_version: int | None = None, **changes) -> Event:
    if not can(actor, "ecosystem.manage_event", event):
        _deny()
    for frozen in ("cluster", "status"):
        changes.pop(frozen, None)
    return core_services.update(event, actor=actor, expected_version=expected_version, **changes)


def publish_event(event: Event, *, actor, expected_version: int | None = None) -> Event:
    return perform(EVENT, event, "publish", actor, expected_version=expected_version)


def cancel_event(event: Event, *, actor, reason: str, expected_version: int | None = None) -> Event:
    return perform(EVENT, event, "cancel", actor, reason=reason, expected_version=expected_version)


def register(
    event: Event, organisation, *, actor, attendees: int = 1, wants_b2b: bool = False, b2b_profile: str = ""
) -> Registration:
    """Register an organisation to a published event; on the waiting list once the event is full."""
    roles = roles_of(actor)
    organiser = can(actor, "ecosystem.manage_event", event)
    if not (organiser or organisation.pk in roles.member_of):
        _deny()
    if event.status != Event.Status.PUBLISHED:
        raise TransitionNotAllowed(_("This event is not open to registration."), code="wrong_state")
    today = timezone.localdate()
    if event.registration_deadline and today > event.registration_deadline and not organiser:
        raise TransitionNotAllowed(
            _("Registration closed on %(date)s.") % {"date": event.registration_deadline}, code="deadline"
        )
    if event.starts_at < timezone.now() and not organiser:
        raise TransitionNotAllowed(_("This event has already started."), code="deadline")
    if wants_b2b and not event.b2b:
        raise ValidationError({"wants_b2b": _("This event has no B2B meetings.")})
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        existing = Registration.objects.filter(event=locked, organisation=organisation).first()
        if existing and existing.status != Registration.Status.CANCELLED:
            raise ValidationError(_("This organisation is already registered."))
        taken = locked.registrations.filter(status=Registration.Status.REGISTERED).count()
        full = locked.capacity is not None and taken >= locked.capacity
        status = Registration.Status.WAITING if full else Registration.Status.REGISTERED
        values = {
            "attendees": attendees, "wants_b2b": wants_b2b, "b2b_profile": b2b_profile, "status": status,
            "registered_by": _user_or_none(actor),
        }  # fmt: skip
        if existing:
            return core_services.update(existing, actor=actor, **values)
        return core_services.create(
            Registration, actor=actor, event=locked, organisation=organisation, **values
        )


def cancel_registration(registration: Registration, *, actor) -> Registration:
    """Cancel a registration; the first organisation waiting takes the place."""
    with transaction.atomic():
        was_registered = registration.status == Registration.Status.REGISTERED
        cancelled = perform(REGISTRATION, registration, "cancel", actor)
        MeetingRequest.objects.filter(requester=cancelled).delete()
        MeetingRequest.objects.filter(target=cancelled).delete()
        if was_registered:
            waiting = cancelled.event.registrations.filter(status=Registration.Status.WAITING).order_by(
                "created_at", "id"
            )
            first = waiting.first()
            if first is not None:
                perform(REGISTRATION, first, "promote", actor, reason=str(_("A place was freed.")))
    return cancelled


def request_meeting(
    requester: Registration, target: Registration, *, actor, message: str = ""
) -> MeetingRequest:
    """A registered organisation asks another for a B2B meeting at the event."""
    if not can(actor, "ecosystem.change_registration", requester):
        _deny()
    event = requester.event
    if not event.b2b:
        raise ValidationError(_("This event has no B2B meetings."))
    if target.event_id != event.pk or target.pk == requester.pk:
        raise ValidationError({"target": _("Choose another organisation registered to this event.")})
    for registration in (requester, target):
        if registration.status != Registration.Status.REGISTERED or not registration.wants_b2b:
            raise ValidationError(
                {"target": _("Both organisations must be registered and taking part in B2B meetings.")}
            )
    if MeetingRequest.objects.filter(requester=requester, target=target).exists():
        raise ValidationError({"target": _("You already asked this organisation for a meeting.")})
    return core_services.create(
        MeetingRequest, actor=actor, event=event, requester=requester, target=target, message=message
    )


def answer_meeting(request: MeetingRequest, *, actor, accept: bool) -> MeetingRequest:
    return perform(MEETING_REQUEST, request, "accept" if accept else "decline", actor)


def build_schedule(event: Event, *, actor) -> tuple[list[Meeting], list[MeetingRequest]]:
    """(Re)build the B2B schedule from the accepted requests; returns (meetings, those left out)."""
    if not can(actor, "ecosystem.manage_event", event):
        _deny()
    if not event.b2b or event.b2b_starts_at is None:
        raise ValidationError(_("This event has no B2B meetings."))
    with transaction.atomic():
        requests = list(
            event.meeting_requests.filter(
                status="accepted", requester__status="registered", target__status="registered"
            ).order_by("id")
        )
        placed, left = engine.schedule_meetings(
            [(r.pk, r.requester.organisation_id, r.target.organisation_id) for r in requests],
            slots=event.b2b_slots,
            tables=event.b2b_tables,
        )
        event.meetings.all().delete()
        step = dt.timedelta(minutes=event.b2b_slot_minutes)
        meetings = Meeting.objects.bulk_create(
            Meeting(
                event=event,
                request_id=p.key,
                slot=p.slot + 1,
                table=p.table,
                starts_at=event.b2b_starts_at + step * p.slot,
            )  # fmt: skip
            for p in placed
        )
        audit.record(
            "ecosystem.event.schedule",
            event,
            actor=actor,
            after={"meetings": len(meetings), "left_out": sorted(left)},
        )
    by_pk = {r.pk: r for r in requests}
    return meetings, [by_pk[k] for k in left]


# --- Fund-raising ------------------------------------------------------------------------------


def declare_fundraising(organisation, *, actor, **values) -> FundRaising:
    """A firm declares private money raised; its cluster's staff or an officer validates it."""
    roles = roles_of(actor)
    if not (roles.is_officer or organisation.pk in roles.member_of):
        _deny()
    values.pop("status", None)
    if isinstance(values.get("closed_on"), str):
        values["closed_on"] = parse_date(values["closed_on"])
    if values.get("closed_on") and values["closed_on"] > timezone.localdate():
        raise ValidationError({"closed_on": _("A fund-raising is declared once closed (not in the future).")})
    return core_services.create(
        FundRaising, actor=actor, organisation=organisation, declared_by=_user_or_none(actor), **values
    )


def validate_fundraising(fundraising: FundRaising, *, actor, note: str = "") -> FundRaising:
    return perform(
        FUNDRAISING,
        fundraising,
        "validate",
        actor,
        reason=note,
        apply=lambda f: setattr(f, "review_note", note),
    )


def reject_fundraising(fundraising: FundRaising, *, actor, reason: str) -> FundRaising:
    return perform(
        FUNDRAISING,
        fundraising,
        "reject",
        actor,
        reason=reason,
        apply=lambda f: setattr(f, "review_note", reason),
    )
