"""Generic write services: create, update and delete with validation, audit and locking.

Reference data (organisations, clusters, memberships, contracts…) is changed through these so
that every write is validated by the model's own rules, happens whole or not at all, bumps the
version and leaves an audit event with before and after.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from . import audit
from .exceptions import StaleObject


def create(model: type[models.Model], *, actor, reason: str = "", **values: Any) -> models.Model:
    """Validate and save a new object, and audit it."""
    m2m = {k: values.pop(k) for k in list(values) if _is_m2m(model, k)}
    with transaction.atomic():
        obj = model(**values)
        obj.full_clean()
        obj.save()
        for name, items in m2m.items():
            getattr(obj, name).set(items)
        audit.record(
            f"{model._meta.label_lower}.create", obj, actor=actor, after=_full_snapshot(obj), reason=reason
        )
    return obj


def update(
    obj: models.Model,
    *,
    actor,
    expected_version: int | None = None,
    reason: str = "",
    **changes: Any,
) -> models.Model:
    """Apply `changes` to `obj` if nobody changed it since `expected_version`; audit before/after."""
    model = type(obj)
    m2m = {k: changes.pop(k) for k in list(changes) if _is_m2m(model, k)}
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=obj.pk)
        if expected_version is not None and getattr(locked, "version", expected_version) != expected_version:
            raise StaleObject(getattr(locked, "version", None))
        before = _full_snapshot(locked)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        if hasattr(locked, "version"):
            locked.version += 1
        locked.save()
        for name, items in m2m.items():
            getattr(locked, name).set(items)
        after = _full_snapshot(locked)
        if before != after:
            audit.record(
                f"{model._meta.label_lower}.update",
                locked,
                actor=actor,
                before=before,
                after=after,
                reason=reason,
            )
    return locked


def delete(obj: models.Model, *, actor, reason: str = "") -> None:
    """Delete `obj`, keeping its last state in the audit trail."""
    with transaction.atomic():
        before = _full_snapshot(obj)
        audit.record(f"{obj._meta.label_lower}.delete", obj, actor=actor, before=before, reason=reason)
        obj.delete()


def _is_m2m(model: type[models.Model], name: str) -> bool:
    try:
        return model._meta.get_field(name).many_to_many
    except Exception:
        return False


def _full_snapshot(obj: models.Model) -> dict[str, Any]:
    data = audit.snapshot(obj)
    for f in obj._meta.many_to_many:
        if obj.pk is not None:
            data[f.name] = sorted(getattr(obj, f.name).values_list("pk", flat=True))
    return data
