"""The follow-up's life cycles, declared once as data (DESIGN.md §4; STYLE.md habit 2).

    agreement:   draft → signed → closed            draft | signed → terminated (reason)
    instalment:  planned → payable → paid           planned | payable → cancelled
    report:      draft | returned → submitted → approved | returned (reason)
    output:      declared → validated | rejected (reason);  rejected → declared (resubmitted)

Transitions whose permission is `grants.follow_condition` are consequences, not choices: an
instalment becomes payable because the agreement was signed or a report approved; an agreement
closes when its last instalment is paid; an instalment is settled when payments reach its amount
(its payment was checked by `pay_instalment`). The service that performs the cause performs them, in
the same transaction, audited under the same actor; pages never offer them as buttons.
"""

from django.utils.translation import gettext_lazy as _

from poles.core.workflow import Transition, Workflow

from .models import Agreement, Instalment, Output, ProgressReport
from .notifications import transition_notice

A = Agreement.Status
I = Instalment.Status  # noqa: E741 — the table reads better with one-letter names
R = ProgressReport.Status
O = Output.Status  # noqa: E741

SYSTEM = "grants.follow_condition"

AGREEMENT = Workflow(
    model=Agreement,
    transitions=[
        Transition("sign", (A.DRAFT,), A.SIGNED, "grants.sign_agreement", _("Record the signature")),
        Transition("close", (A.SIGNED,), A.CLOSED, SYSTEM, _("Close the agreement")),
        Transition(
            "terminate",
            (A.DRAFT, A.SIGNED),
            A.TERMINATED,
            "grants.terminate_agreement",
            _("Terminate"),
            needs_reason=True,
        ),  # fmt: skip
    ],
    notify=transition_notice,
)

INSTALMENT = Workflow(
    model=Instalment,
    transitions=[
        Transition("make_payable", (I.PLANNED,), I.PAYABLE, SYSTEM, _("Condition met")),
        Transition("settle", (I.PAYABLE,), I.PAID, SYSTEM, _("Paid in full")),
        Transition("cancel", (I.PLANNED, I.PAYABLE), I.CANCELLED, SYSTEM, _("Cancelled")),
    ],
)

REPORT = Workflow(
    model=ProgressReport,
    transitions=[
        Transition("submit", (R.DRAFT, R.RETURNED), R.SUBMITTED, "grants.submit_report", _("Submit")),
        Transition("approve", (R.SUBMITTED,), R.APPROVED, "grants.review_report", _("Approve")),
        Transition(
            "send_back", (R.SUBMITTED,), R.RETURNED, "grants.review_report", _("Send back"), needs_reason=True
        ),
    ],
    notify=transition_notice,
)

OUTPUT = Workflow(
    model=Output,
    transitions=[
        Transition("validate", (O.DECLARED,), O.VALIDATED, "grants.validate_output", _("Validate")),
        Transition(
            "reject", (O.DECLARED,), O.REJECTED, "grants.validate_output", _("Reject"), needs_reason=True
        ),
        Transition("resubmit", (O.REJECTED,), O.DECLARED, "grants.declare_output", _("Resubmit")),
    ],
    notify=transition_notice,
)
