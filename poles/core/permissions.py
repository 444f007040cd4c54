"""The one permission layer (STYLE.md habit 4).

Two questions, answered in one place for pages, API, exports and dashboards alike:

* which rows of a model may this user see (or act on)?  -> `restrict(queryset, user, action)`,
  built from the scope function each app registers with `@scope(Model)`;
* may this user do this to this object?                -> `can(user, "app.perm", obj)`,
  answered by the `rules` predicates each app declares in its `rules.py`.

A model without a registered scope is invisible to everyone but superusers: forgetting to
declare a rule hides data, it never leaks it. Objects a user may not see answer 404.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .roles import Roles, roles_of

ScopeFn = Callable[[models.QuerySet, Roles, object], models.QuerySet]

_SCOPES: dict[tuple[type[models.Model], str], ScopeFn] = {}

VIEW = "view"
CHANGE = "change"


def scope(model: type[models.Model], action: str = VIEW):
    """Register the function that restricts `model`'s rows for `action` to what a user may reach."""

    def register(fn: ScopeFn) -> ScopeFn:
        _SCOPES[(model, action)] = fn
        return fn

    return register


def restrict(queryset: models.QuerySet, user, action: str = VIEW) -> models.QuerySet:
    """The rows of `queryset` that `user` may reach for `action`."""
    roles = roles_of(user)
    if roles.superuser:
        return queryset
    fn = _SCOPES.get((queryset.model, action))
    if fn is None:
        return queryset.none()
    return fn(queryset, roles, user)


def get_or_404(queryset: models.QuerySet, user, action: str = VIEW, **lookup) -> models.Model:
    """One object the user may reach, or 404 — the same answer whether it is hidden or absent."""
    try:
        return restrict(queryset, user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_for_change(queryset: models.QuerySet, user, **lookup) -> models.Model:
    """An object to change: 404 if the user may not even see it, 403 if they only may see it."""
    obj = get_or_404(queryset, user, VIEW, **lookup)
    if not restrict(queryset, user, CHANGE).filter(pk=obj.pk).exists():
        raise PermissionDenied
    return obj


def can(user, perm: str, obj=None) -> bool:
    """Whether `user` holds `perm` (a `rules` permission) on `obj`."""
    return bool(user is not None and user.has_perm(perm, obj))


def registered_scopes() -> dict[tuple[type[models.Model], str], ScopeFn]:
    """Every declared scope, for the generated permission tests and the docs' matrix."""
    return dict(_SCOPES)
