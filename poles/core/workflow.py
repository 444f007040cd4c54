"""Workflows declared as data: states, transitions, who may trigger them, guards.

A workflow is a table of `Transition`s (STYLE.md habit 2; DESIGN.md §4). `perform()` is the one
way to move an object: it locks the row, checks the source state, the permission and the
guards, changes the state inside a transaction, bumps the version, writes the audit event and
queues notifications after commit. Services call it; views and the API call services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from . import audit
from .exceptions import StaleObject, TransitionNotAllowed
from .permissions import can

Guard = Callable[..., Any]  # (obj, **context) -> None, or a message explaining the refusal


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of `sources` to `target`, by holders of `permission`."""

    name: str
    sources: tuple[str, ...]
    target: str
    permission: str
    label: Any = ""
    guards: tuple[Guard, ...] = ()
    needs_reason: bool = False


@dataclass(frozen=True)
class Workflow:
    """The transitions of one model's state field."""

    model: type[models.Model]
    transitions: Sequence[Transition]
    state_field: str = "status"
    notify: Callable[[models.Model, Transition, Any], None] | None = field(default=None, compare=False)

    def get(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise KeyError(name)

    def available(self, obj: models.Model, user) -> list[Transition]:
        """Transitions the user could trigger now (state and permission; guards run on perform)."""
        state = getattr(obj, self.state_field)
        return [t for t in self.transitions if state in t.sources and can(user, t.permission, obj)]

    def states(self) -> set[str]:
        found = set()
        for transition in self.transitions:
            found.update(transition.sources)
            found.add(transition.target)
        return found


def perform(
    workflow: Workflow,
    obj: models.Model,
    name: str,
    user,
    *,
    reason: str = "",
    expected_version: int | None = None,
    apply: Callable[[models.Model], None] | None = None,
    context: dict[str, Any] | None = None,
) -> models.Model:
    """Move `obj` through transition `name`, or raise TransitionNotAllowed / StaleObject."""
    transition = workflow.get(name)
    context = context or {}
    with transaction.atomic():
        locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        if expected_version is not None and getattr(locked, "version", None) != expected_version:
            raise StaleObject(getattr(locked, "version", None))
        state = getattr(locked, workflow.state_field)
        if state not in transition.sources:
            raise TransitionNotAllowed(
                _("This action is not possible in the current state (%(state)s).") % {"state": state},
                code="wrong_state",
            )
        if not can(user, transition.permission, locked):
            raise TransitionNotAllowed(_("You are not allowed to do this."), code="permission_denied")
        if transition.needs_reason and not reason.strip():
            raise TransitionNotAllowed(_("Please give a reason."), code="reason_required")
        for guard in transition.guards:
            refusal = guard(locked, **context)
            if refusal:
                raise TransitionNotAllowed(refusal, code="guard")
        before = audit.snapshot(locked)
        setattr(locked, workflow.state_field, transition.target)
        if apply is not None:
            apply(locked)
        if hasattr(locked, "version"):
            locked.version += 1
        locked.save()
        audit.record(
            f"{locked._meta.label_lower}.{transition.name}",
            locked,
            actor=user,
            before=before,
            after=audit.snapshot(locked),
            reason=reason,
        )
        if workflow.notify is not None:
            transaction.on_commit(lambda: workflow.notify(locked, transition, user))
    return locked
