"""Who may import data (one place): programme officers. Downloads of public data are for everyone."""

import rules

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.roles import roles_of

from .models import ImportRun


@scope(ImportRun, VIEW)
def _visible_imports(qs, roles, user):
    return qs if roles.is_officer else qs.none()


@scope(ImportRun, CHANGE)
def _changeable_imports(qs, roles, user):
    return qs if roles.is_officer else qs.none()


@rules.predicate
def is_officer(user) -> bool:
    return roles_of(user).is_officer


rules.add_perm("opendata.import_data", is_officer)
