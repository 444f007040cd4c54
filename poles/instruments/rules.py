"""Who may see and moderate the instrument catalogue."""

import rules

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.predicates import is_officer

from .models import Instrument, Programme


@scope(Instrument, VIEW)
def _visible_instruments(qs, roles, user):
    if roles.is_officer:
        return qs
    return qs.filter(status=Instrument.Status.PUBLISHED)


@scope(Instrument, CHANGE)
def _changeable_instruments(qs, roles, user):
    return qs if roles.is_officer else qs.none()


@scope(Programme, VIEW)
def _visible_programmes(qs, roles, user):
    return qs


rules.add_perm("instruments.moderate_instrument", is_officer)
rules.add_perm("instruments.change_instrument", is_officer)
