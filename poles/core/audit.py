"""Writing and checking the audit trail.

Every service that changes state calls `record()` inside its transaction. Events form a hash
chain: each event's hash covers its content and the previous event's hash, so an edited or
deleted row breaks the chain at that point, and `verify_chain()` says where.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent

# An arbitrary fixed number: the PostgreSQL advisory lock that serialises chain appends.
_CHAIN_LOCK_KEY = 7_304_112_026


def _json_default(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def to_json(value: Any) -> Any:
    """A JSON-safe copy (Decimal as string, dates ISO) so before/after compare exactly."""
    return json.loads(json.dumps(value, default=_json_default, sort_keys=True))


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of a model instance, for an event's before/after."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return to_json({name: getattr(obj, name) for name in names})


def _event_hash(event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "at": event.created_at.isoformat(),
            "actor": event.actor_id,
            "actor_repr": event.actor_repr,
            "action": event.action,
            "type": event.object_type,
            "id": event.object_id,
            "repr": event.object_repr,
            "before": event.before,
            "after": event.after,
            "reason": event.reason,
            "previous": event.previous_hash,
        },
        sort_keys=True,
        default=_json_default,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    actor=None,
    before: Any = None,
    after: Any = None,
    reason: str = "",
    object_type: str | None = None,
    object_id: str | None = None,
    object_repr: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Call it inside the transaction of the change itself."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
        actor = actor if getattr(actor, "is_authenticated", False) else None
        event = AuditEvent(
            created_at=timezone.now(),
            actor=actor,
            actor_repr=actor.get_username() if actor else "system",
            action=action,
            object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=str(object_id if object_id is not None else (obj.pk if obj is not None else "")),
            object_repr=(object_repr if object_repr is not None else str(obj) if obj is not None else "")[
                :300
            ],
            before=to_json(before),
            after=to_json(after),
            reason=reason,
            previous_hash=last,
        )
        event.hash = _event_hash(event)
        event.save()
    return event


def verify_chain() -> tuple[bool, int, int | None]:
    """Walk the whole chain: (intact, events checked, id of the first broken event or None)."""
    previous = ""
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.previous_hash != previous or _event_hash(event) != event.hash:
            return False, count, event.pk
        previous = event.hash
    return True, count, None


def history(obj: models.Model):
    """The events about one object, oldest first."""
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).select_related(
        "actor"
    )
