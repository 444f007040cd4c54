"""Who may open which dashboard, and who sees figures about unfunded proposals (one place).

Dashboards only aggregate, but not every aggregate is public:

- the programme, region and call dashboards are public; their public version counts funded projects only
  (funded projects, their consortium and aid are public — projects/rules.py);
- figures about proposals (how many were submitted, selection rates) come from confidential proposals:
  they are shown to programme officers and analysts, to a funder's officers on their funder's and calls'
  dashboards, and to a cluster's staff on their cluster's dashboard;
- the funder dashboard is for that funder's officers and the programme's officers and analysts; the
  cluster dashboard for that cluster's staff and the programme's officers and analysts.

The collaboration network is built from public projects only and is open to everyone.
"""

import rules

from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster
from poles.core.roles import roles_of
from poles.instruments.models import Programme


@rules.predicate
def reads_programme_of(user, obj) -> bool:
    """Officers and analysts of the programme the object belongs to (any programme for funders and regions,
    which are shared by programmes)."""
    roles = roles_of(user)
    if roles.superuser:
        return True
    programme_id = _programme_of(obj)
    if programme_id is None:
        return bool(roles.reads_programme)
    return programme_id in roles.reads_programme


@rules.predicate
def is_officer_of_funder(user, obj) -> bool:
    """The funder's own officers: of the funder itself, or of one of a call's funders."""
    funder_of = roles_of(user).funder_of
    if isinstance(obj, Funder):
        return obj.pk in funder_of
    if isinstance(obj, Call):
        return obj.call_funders.filter(funder_id__in=funder_of).exists()
    return False


@rules.predicate
def is_staff_of(user, obj) -> bool:
    """The cluster's own staff."""
    return isinstance(obj, Cluster) and obj.pk in roles_of(user).cluster_of


def _programme_of(obj) -> int | None:
    if isinstance(obj, Programme):
        return obj.pk
    return getattr(obj, "programme_id", None)


rules.add_perm("analytics.view_funder_dashboard", reads_programme_of | is_officer_of_funder)
rules.add_perm("analytics.view_cluster_dashboard", reads_programme_of | is_staff_of)
rules.add_perm("analytics.view_proposal_figures", reads_programme_of | is_officer_of_funder | is_staff_of)
