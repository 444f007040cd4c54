"""E-mails of the follow-up: report transitions, payable instalments, due and late reports.

Transitions notify right after commit. `poles followup notify` (see `notify_due`) sends the
reminders; each e-mail is logged once in FollowupNotice under a key naming what it is about and
for whom, so running the command again (or after an immediate notice) sends nothing twice.
Each message is written in the recipient's language (French unless the user says otherwise).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Decision, FollowupNotice, Instalment, ProgressReport

log = logging.getLogger(__name__)
DECIDED = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)


def _active_roles(today: dt.date | None = None):
    from poles.accounts.models import RoleAssignment

    today = today or timezone.localdate()
    return RoleAssignment.objects.filter(start__lte=today, user__is_active=True).filter(
        Q(end__isnull=True) | Q(end__gte=today)
    )


def consortium_users(project) -> list:
    """Member accounts of the organisations in the project's consortium."""
    org_ids = project.participations.values("organisation_id")
    rows = _active_roles().filter(role="member", organisation_id__in=org_ids).select_related("user")
    return _unique_users(rows)


def funder_users(funder_ids) -> list:
    rows = _active_roles().filter(role="funder", funder_id__in=list(funder_ids)).select_related("user")
    return _unique_users(rows)


def project_funder_users(project) -> list:
    """Officers of every funder that decided aid on the project."""
    ids = Decision.objects.filter(project=project, status__in=DECIDED).values_list("funder_id", flat=True)
    return funder_users(set(ids))


def _unique_users(rows) -> list:
    seen, users = set(), []
    for row in rows:
        if row.user_id not in seen and row.user.email:
            seen.add(row.user_id)
            users.append(row.user)
    return users


def language_of(user) -> str:
    """The user's language when the account records one; French (the programme's language) otherwise."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def send(users, key: str | None, subject_fn, body_fn) -> int:
    """Send one e-mail per user, each in its language; with a key, at most once per user ever."""
    sent = 0
    for user in users:
        if key is not None:
            try:
                with transaction.atomic():
                    FollowupNotice.objects.create(key=f"{key}:{user.pk}"[:120], recipient=user)
            except IntegrityError:
                continue  # already sent
        with translation.override(language_of(user)):
            subject, body = str(subject_fn()), str(body_fn())
        try:
            send_mail(subject, body, None, [user.email])
            sent += 1
        except Exception:  # a mail server down must not undo the business change
            log.exception("follow-up e-mail to %s failed", user.email)
    return sent


def _link(name: str, pk: int) -> str:
    return reverse(f"grants:{name}", kwargs={"pk": pk})


def transition_notice(obj, transition, actor) -> None:
    """After a report or output transition, tell the other side."""
    from .models import Agreement, Output

    if isinstance(obj, ProgressReport):
        link = _link("report_detail", obj.pk)
        if transition.name == "submit":
            send(
                project_funder_users(obj.project),
                None,
                lambda: _("[poles] Report to review: %(report)s") % {"report": obj},
                lambda: (
                    _("The consortium submitted %(report)s. Review it: %(link)s")
                    % {"report": obj, "link": link}
                ),
            )
        elif transition.name in ("approve", "send_back"):
            approved = transition.name == "approve"
            send(
                consortium_users(obj.project),
                None,
                lambda: (
                    (
                        _("[poles] Report approved: %(report)s")
                        if approved
                        else _("[poles] Report sent back: %(report)s")
                    )
                    % {"report": obj}
                ),
                lambda: (
                    (
                        _("%(report)s was approved. %(comment)s\n%(link)s")
                        if approved
                        else _("%(report)s was sent back for changes: %(comment)s\n%(link)s")
                    )
                    % {"report": obj, "comment": obj.review_comment, "link": link}
                ),
            )
    elif isinstance(obj, Output) and transition.name in ("validate", "reject"):
        validated = transition.name == "validate"
        send(
            consortium_users(obj.project),
            None,
            lambda: (_("[poles] Output validated: %(output)s") if validated else _("[poles] Output rejected: %(output)s"))
            % {"output": obj.title},
            lambda: _("%(output)s: %(status)s. %(note)s") % {
                "output": obj.title, "status": obj.get_status_display(), "note": obj.review_note,
            },
        )  # fmt: skip
    elif isinstance(obj, Agreement) and transition.name == "sign":
        send(
            consortium_users(obj.project),
            None,
            lambda: _("[poles] Agreement signed: %(ref)s") % {"ref": obj.reference},
            lambda: (
                _("The agreement %(ref)s with %(funder)s is signed; the advance can be paid.")
                % {"ref": obj.reference, "funder": obj.funder}
            ),
        )


def instalments_payable(ids) -> int:
    """Tell the funders' officers that instalments became payable (once per instalment and officer)."""
    sent = 0
    for instalment in Instalment.objects.filter(pk__in=ids).select_related(
        "agreement__funder", "agreement__project"
    ):
        sent += _payable_mail(instalment)
    return sent


def _payable_mail(instalment: Instalment) -> int:
    agreement = instalment.agreement
    return send(
        funder_users([agreement.funder_id]),
        f"payable:{instalment.pk}",
        lambda: _("[poles] Instalment payable: %(ref)s") % {"ref": agreement.reference},
        lambda: _("%(kind)s of %(amount)s EUR on agreement %(ref)s (%(project)s) can now be paid: %(link)s") % {
            "kind": instalment.get_kind_display(), "amount": instalment.remaining, "ref": agreement.reference,
            "project": agreement.project.acronym, "link": _link("agreement_detail", agreement.pk),
        },
    )  # fmt: skip


def notify_due(today: dt.date | None = None, *, days_ahead: int = 30) -> dict[str, int]:
    """Reminders: reports due within `days_ahead` days, late reports, payable instalments.

    Idempotent: each (subject, recipient) pair is e-mailed once; a report that becomes late after
    its "due soon" reminder gets one "late" e-mail more.
    """
    today = today or timezone.localdate()
    open_states = [ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED]
    counts = {"due": 0, "late": 0, "payable": 0}
    reports = ProgressReport.objects.filter(
        status__in=open_states, project__agreements__isnull=False
    ).distinct()
    for report in reports.filter(
        due_on__gte=today, due_on__lte=today + dt.timedelta(days=days_ahead)
    ).select_related("project"):
        link = _link("report_detail", report.pk)
        counts["due"] += send(
            consortium_users(report.project),
            f"report-due:{report.pk}",
            lambda r=report: (
                _("[poles] Report due on %(date)s: %(report)s") % {"date": r.due_on, "report": r}
            ),
            lambda r=report, link=link: (
                _("%(report)s is due on %(date)s: %(link)s") % {"report": r, "date": r.due_on, "link": link}
            ),
        )
    for report in reports.filter(due_on__lt=today).select_related("project"):
        link = _link("report_detail", report.pk)
        users = consortium_users(report.project) + project_funder_users(report.project)
        counts["late"] += send(
            users,
            f"report-late:{report.pk}",
            lambda r=report: _("[poles] Late report: %(report)s") % {"report": r},
            lambda r=report, link=link: (
                _("%(report)s was due on %(date)s and is not submitted yet: %(link)s")
                % {"report": r, "date": r.due_on, "link": link}
            ),
        )
    payable = Instalment.objects.filter(status=Instalment.Status.PAYABLE).select_related(
        "agreement__funder", "agreement__project"
    )
    for instalment in payable:
        counts["payable"] += _payable_mail(instalment)
    return counts
