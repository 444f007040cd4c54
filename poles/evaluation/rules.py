"""Who may see and run impact evaluations (one place).

Evaluation runs read every firm's yearly figures: the programme's officers and analysts run and read
them; nobody else sees them (a published summary would be a separate, deliberate act).
"""

import rules

from poles.core.permissions import CHANGE, VIEW, scope
from poles.core.roles import roles_of

from .models import EvaluationRun


@scope(EvaluationRun, VIEW)
def _visible_runs(qs, roles, user):
    return qs.filter(programme_id__in=roles.reads_programme)


@scope(EvaluationRun, CHANGE)
def _changeable_runs(qs, roles, user):
    return qs.filter(programme_id__in=roles.reads_programme)


@rules.predicate
def reads_programme(user, programme) -> bool:
    roles = roles_of(user)
    if roles.superuser:
        return True
    if programme is None:
        return bool(roles.reads_programme)
    return programme.pk in roles.reads_programme


rules.add_perm("evaluation.run_evaluation", reads_programme)
