"""Who holds which role where: the facts every permission rule is computed from.

Roles are assigned to users by `accounts.RoleAssignment`, each scoped to a programme, a funder,
a cluster or an organisation. `roles_of(user)` reads them once per request (cached on the user
object) so a page that checks permissions on a hundred rows makes one query, not a hundred.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OFFICER = "officer"
FUNDER = "funder"
CLUSTER = "cluster"
MEMBER = "member"
REVIEWER = "reviewer"
ANALYST = "analyst"

ROLE_CHOICES = [
    (OFFICER, _("Programme officer")),
    (FUNDER, _("Funder officer")),
    (CLUSTER, _("Cluster staff")),
    (MEMBER, _("Member / applicant")),
    (REVIEWER, _("Reviewer")),
    (ANALYST, _("Analyst")),
]

# Which scope each role is given in: (role, the RoleAssignment field holding the scope).
ROLE_SCOPE = {
    OFFICER: "programme",
    ANALYST: "programme",
    REVIEWER: "programme",
    FUNDER: "funder",
    CLUSTER: "cluster",
    MEMBER: "organisation",
}


@dataclass(frozen=True)
class Roles:
    """The scopes of each role a user holds today."""

    authenticated: bool = False
    superuser: bool = False
    officer_of: frozenset[int] = field(default_factory=frozenset)
    analyst_of: frozenset[int] = field(default_factory=frozenset)
    reviewer_of: frozenset[int] = field(default_factory=frozenset)
    funder_of: frozenset[int] = field(default_factory=frozenset)
    cluster_of: frozenset[int] = field(default_factory=frozenset)
    member_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_officer(self) -> bool:
        return self.superuser or bool(self.officer_of)

    @property
    def reads_programme(self) -> frozenset[int]:
        """Programmes whose whole non-personal data the user may read (officers, analysts)."""
        return self.officer_of | self.analyst_of

    def names(self) -> list[str]:
        held = [
            (OFFICER, self.officer_of),
            (FUNDER, self.funder_of),
            (CLUSTER, self.cluster_of),
            (MEMBER, self.member_of),
            (REVIEWER, self.reviewer_of),
            (ANALYST, self.analyst_of),
        ]
        return [name for name, scope in held if scope]


ANONYMOUS = Roles()


def roles_of(user) -> Roles:
    """The user's roles valid today, computed once per user object."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_poles_roles", None)
    if cached is not None:
        return cached
    assignment = apps.get_model("accounts", "RoleAssignment")
    today = timezone.localdate()
    rows = assignment.objects.filter(user=user, start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )
    scopes: dict[str, set[int]] = {role: set() for role, _label in ROLE_CHOICES}
    for role, programme, funder, cluster, organisation in rows.values_list(
        "role", "programme_id", "funder_id", "cluster_id", "organisation_id"
    ):
        scope_id = {
            "programme": programme,
            "funder": funder,
            "cluster": cluster,
            "organisation": organisation,
        }[ROLE_SCOPE[role]]
        if scope_id is not None:
            scopes[role].add(scope_id)
    roles = Roles(
        authenticated=True,
        superuser=user.is_superuser,
        officer_of=frozenset(scopes[OFFICER]),
        analyst_of=frozenset(scopes[ANALYST]),
        reviewer_of=frozenset(scopes[REVIEWER]),
        funder_of=frozenset(scopes[FUNDER]),
        cluster_of=frozenset(scopes[CLUSTER]),
        member_of=frozenset(scopes[MEMBER]),
    )
    user._poles_roles = roles
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles after a role assignment changed."""
    if hasattr(user, "_poles_roles"):
        del user._poles_roles
