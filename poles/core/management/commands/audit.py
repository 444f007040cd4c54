"""`poles audit verify`: walk the audit hash chain; exit 1 and say where it breaks.

`poles audit history TYPE ID` prints one object's events (e.g. `grants.agreement 12`).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from poles.core import audit
from poles.core.models import AuditEvent


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, or print an object's history."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check every event's hash and link to the previous one")
        verify.add_argument("--json", action="store_true", help="print the result as JSON")
        history = sub.add_parser("history", help="the events about one object")
        history.add_argument("object_type", help="app_label.model, e.g. grants.agreement")
        history.add_argument("object_id")

    def handle(self, *args, **options):
        if options["action"] == "verify":
            return self._verify(options["json"])
        return self._history(options["object_type"], options["object_id"])

    def _verify(self, as_json: bool):
        intact, count, broken = audit.verify_chain()
        last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
        result = {"intact": intact, "events": count, "broken_at": broken, "last": last and list(last)}
        if broken is not None:
            event = AuditEvent.objects.filter(pk=broken).first()
            if event is not None:
                result["broken_event"] = {
                    "id": event.pk,
                    "when": event.created_at.isoformat(),
                    "action": event.action,
                    "object": f"{event.object_type} {event.object_id}",
                }
        if as_json:
            self.stdout.write(json.dumps(result))
        elif intact:
            self.stdout.write(
                _("Audit trail intact: %(count)d events, last event %(id)s with hash %(hash)s.")
                % {"count": count, "id": last[0] if last else "-", "hash": last[1] if last else "-"}
            )
        if not intact:
            where = result.get("broken_event") or {"id": broken}
            raise CommandError(
                _(
                    "Audit trail broken at event %(id)s (%(action)s on %(object)s, %(when)s): "
                    "this event or the one before it was altered or removed."
                )
                % {
                    "id": where.get("id"),
                    "action": where.get("action", "?"),
                    "object": where.get("object", "?"),
                    "when": where.get("when", "?"),
                },
                returncode=1,
            )

    def _history(self, object_type: str, object_id: str):
        events = AuditEvent.objects.filter(object_type=object_type.lower(), object_id=str(object_id))
        for event in events.order_by("id"):
            self.stdout.write(
                json.dumps(
                    {
                        "id": event.pk,
                        "when": event.created_at.isoformat(),
                        "who": event.actor_repr,
                        "action": event.action,
                        "before": event.before,
                        "after": event.after,
                        "reason": event.reason,
                    },
                    ensure_ascii=False,
                )
            )
