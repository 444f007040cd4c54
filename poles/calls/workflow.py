"""The life of a call, declared once as data (DESIGN.md §4).

    draft → open → closed → review → selection → decided

`publish` opens a call to submissions once its configuration is valid and complete (guard below);
`close` ends submissions after the submission deadline. The later moves mark the phases of the
expert review and the selection (the review and selection services perform them). Every move is
performed by `core.workflow.perform`: locked, permission-checked, versioned and audited.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.core.workflow import Transition, Workflow

from .models import Call


def ready_to_open(call: Call, **context):
    """A call opens only with a valid configuration, funders with envelopes and a future deadline."""
    from .services import publication_problems  # services import this module: import late

    problems = publication_problems(call)
    if problems:
        return " ".join(str(problem) for problem in problems)
    return None


def submissions_ended(call: Call, **context):
    """Submissions close only once the submission deadline has passed (applicants keep their time)."""
    if call.submission_deadline > timezone.now():
        return _("The submission deadline (%(deadline)s) has not passed yet.") % {
            "deadline": timezone.localtime(call.submission_deadline).strftime("%Y-%m-%d %H:%M")
        }
    return None


S = Call.Status

TRANSITIONS = [
    Transition("publish", (S.DRAFT,), S.OPEN, "calls.manage_call", _("Publish"), guards=(ready_to_open,)),
    Transition(
        "close", (S.OPEN,), S.CLOSED, "calls.manage_call", _("Close submissions"), guards=(submissions_ended,)
    ),
    Transition("start_review", (S.CLOSED,), S.REVIEW, "calls.manage_call", _("Start the review")),
    Transition("start_selection", (S.REVIEW,), S.SELECTION, "calls.manage_call", _("Start the selection")),
    Transition("decide", (S.SELECTION,), S.DECIDED, "calls.manage_call", _("Mark as decided")),
]

CALL = Workflow(model=Call, transitions=TRANSITIONS)
