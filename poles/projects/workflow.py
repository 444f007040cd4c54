"""The life of a proposal, declared once as data (DESIGN.md §4; STYLE.md habit 2).

    draft → submitted → labelled → eligible | ineligible → under_review → selected | reserve | rejected → funded
    submitted | labelled → revision → submitted          (an officer asks for a revision)
    draft | submitted | revision | labelled | eligible | under_review | reserve → withdrawn

Each transition names the permission (a `rules` permission declared in projects/rules.py) that
may trigger it, and the guards (projects/guards.py) it checks on the locked proposal: the
submission deadline, a lead and a cluster asked for `submit`; the labelling rule for `label`; a
fresh eligibility check for the declarations. One service per transition (`projects.services`,
`reviews.services`, `selection.services`, `grants.services`) calls core.workflow.perform.
"""

from django.utils.translation import gettext_lazy as _

from poles.core.workflow import Transition, Workflow

from . import guards
from .models import Project

S = Project.Status

TRANSITIONS = [
    Transition(
        "submit",
        (S.DRAFT, S.REVISION),
        S.SUBMITTED,
        "projects.submit_project",
        _("Submit"),
        guards=(guards.call_accepts_submissions, guards.has_one_lead, guards.asks_a_cluster),
    ),  # fmt: skip
    Transition(
        "request_revision",
        (S.SUBMITTED, S.LABELLED),
        S.REVISION,
        "projects.request_revision",
        _("Ask for a revision"),
        needs_reason=True,
    ),  # fmt: skip
    Transition(
        "label",
        (S.SUBMITTED,),
        S.LABELLED,
        "projects.record_labelling",
        _("Labelled"),
        guards=(guards.labelling_settled,),
    ),  # fmt: skip
    Transition(
        "declare_eligible",
        (S.LABELLED,),
        S.ELIGIBLE,
        "projects.check_eligibility",
        _("Eligible"),
        guards=(guards.checked_eligible,),
    ),  # fmt: skip
    Transition(
        "declare_ineligible",
        (S.LABELLED, S.SUBMITTED),
        S.INELIGIBLE,
        "projects.check_eligibility",
        _("Ineligible"),
        guards=(guards.checked_not_eligible,),
    ),  # fmt: skip
    Transition("start_review", (S.ELIGIBLE,), S.UNDER_REVIEW, "projects.manage_review", _("Send to review")),
    Transition(
        "select", (S.UNDER_REVIEW, S.RESERVE, S.REJECTED), S.SELECTED, "projects.select_project", _("Select")
    ),
    Transition(
        "reserve",
        (S.UNDER_REVIEW, S.SELECTED, S.REJECTED),
        S.RESERVE,
        "projects.select_project",
        _("Reserve list"),
    ),
    Transition(
        "reject", (S.UNDER_REVIEW, S.SELECTED, S.RESERVE), S.REJECTED, "projects.select_project", _("Reject")
    ),
    Transition("fund", (S.SELECTED,), S.FUNDED, "projects.fund_project", _("Funded")),
    Transition(
        "withdraw",
        (S.DRAFT, S.SUBMITTED, S.REVISION, S.LABELLED, S.ELIGIBLE, S.UNDER_REVIEW, S.RESERVE),
        S.WITHDRAWN,
        "projects.withdraw_project",
        _("Withdraw"),
        needs_reason=True,
    ),  # fmt: skip
]

PROPOSAL = Workflow(model=Project, transitions=TRANSITIONS)
