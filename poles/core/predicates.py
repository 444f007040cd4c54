"""`rules` predicates over roles, shared by every app's rules.py."""

import rules

from .roles import roles_of


@rules.predicate
def is_superuser(user) -> bool:
    return roles_of(user).superuser


@rules.predicate
def is_officer(user) -> bool:
    return roles_of(user).is_officer


@rules.predicate
def is_analyst(user) -> bool:
    return bool(roles_of(user).analyst_of)


@rules.predicate
def is_cluster_staff(user) -> bool:
    return bool(roles_of(user).cluster_of)


@rules.predicate
def is_member(user) -> bool:
    return bool(roles_of(user).member_of)


@rules.predicate
def is_funder(user) -> bool:
    return bool(roles_of(user).funder_of)
