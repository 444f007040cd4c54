"""The history page of any object: every audited change, with who, when, before, after and why.

Shown to programme officers and analysts, and to the people who may change the object (its
owners); to anyone else the object does not exist (404), as everywhere else.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import audit
from .permissions import CHANGE, get_or_404, restrict
from .roles import roles_of


def may_read_history(user, obj) -> bool:
    roles = roles_of(user)
    if roles.superuser or roles.reads_programme:
        return True
    model = type(obj)
    return restrict(model._default_manager.all(), user, CHANGE).filter(pk=obj.pk).exists()


def changes(event) -> list[tuple[str, object, object]]:
    """(field, before, after) for each field that differs."""
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    return [
        (name, before.get(name), after.get(name))
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name) and name not in ("version", "updated_at")
    ]


@login_required
def object_history(request, object_type: str, object_id: str):
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError) as exc:
        raise Http404 from exc
    if model._meta.label_lower == "core.auditevent":
        raise Http404
    obj = get_or_404(model._default_manager.all(), request.user, pk=object_id)
    if not may_read_history(request.user, obj):
        raise Http404
    events = [(event, changes(event)) for event in audit.history(obj).order_by("-id")[:500]]
    context = {
        "object": obj,
        "events": events,
        "title": _("History of %(object)s") % {"object": obj},
    }
    return render(request, "poles/history_page.html", context)
