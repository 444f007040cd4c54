"""Co-financing decisions of selected projects, per funder and partner (grants.Decision rows).

For each selected project, each partner and each funder it asked aid of, `calls.engine.rates.decide`
computes: the eligible cost (the partner's budget unless an officer or the funder adjusted it),
the rate from the call's rate table (funder × partner group, size, territory, cost basis), the aid
= rate × eligible cost capped by the aid requested and the funder's caps, rounded down to the euro,
and the form (grant or recoverable advance) of the rate row. The funder's officers review and
adjust their own decisions (optimistic locking: two officers editing the same decision cannot
overwrite each other) and decide; when every decision of a project is decided, the project moves
to `funded`. Each decided partner gets a decision letter (HTML and PDF) and an e-mail.

Per-funder totals reconcile exactly: `reconciliation(call)` compares, per funder, the envelope,
the aid the selection reserved (requests of the selected projects), the aid requested under the
decisions, the decided euros, and the engine's recomputation of the stored decisions.
"""

from __future__ import annotations

import dataclasses
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from poles.calls.engine import rates
from poles.calls.engine.facts import ProposalFacts
from poles.calls.engine.messages import Message
from poles.calls.models import Call, Funder
from poles.core import audit
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import can
from poles.core.workflow import perform
from poles.grants.models import Decision
from poles.projects.models import AidRequest, Participation, Project
from poles.projects.workflow import PROPOSAL
from poles.reviews import notify
from poles.reviews.selectors import bulk_facts, proposal_facts, with_facts

ACTIVE = (Decision.Status.PROPOSED, Decision.Status.DECIDED, Decision.Status.NOTIFIED)
# The decision and proposal labels these pages show, given their French here until the catalogues
# of grants and projects carry them (an app earlier in INSTALLED_APPS wins where both translate).
SHOWN_LABELS = (
    _("Proposed"), _("Decided"), _("Notified"), _("Cancelled"), _("Grant"), _("Recoverable advance"),
    _("Eligible"), _("Under review"), _("Selected"), _("On the reserve list"), _("Rejected"), _("Funded"),
    _("Lead"), _("Partner"), _("Staff"), _("Overheads"), _("Equipment"), _("Subcontracting"), _("Other costs"),
)  # fmt: skip
DECIDED = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)


def _refuse(message, code: str = "refused") -> TransitionNotAllowed:
    return TransitionNotAllowed(message, code=code)


def _require(user, perm: str, obj) -> None:
    if not can(user, perm, obj):
        raise _refuse(_("You are not allowed to do this."), "permission_denied")


@dataclass
class ComputeOutcome:
    """Decisions created or renewed, and the problems (bilingual messages) that stopped others."""

    created: list[Decision] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)


def _only_funder(facts: ProposalFacts, funder: str) -> ProposalFacts:
    """The same proposal asking aid of one funder only, so another funder's gap cannot block it."""
    parts = tuple(
        dataclasses.replace(p, aid_requested={k: v for k, v in p.aid_requested.items() if k == funder})
        for p in facts.participations
    )
    return dataclasses.replace(facts, participations=parts)


def _store(
    project: Project, aid: rates.AidDecision, participations: dict[str, Participation], funders, actor
):
    """Create the decision row, or renew a cancelled one (one row per partner and funder)."""
    participation = participations[aid.org_id]
    funder = funders[aid.funder]
    values = {
        "project": project,
        "eligible_cost": aid.eligible_cost,
        "rate": aid.rate,
        "amount": Decimal(aid.amount),
        "form": aid.form,
        "capped_by": ",".join(aid.capped_by),
        "status": Decision.Status.PROPOSED,
        "decided_at": None,
        "decided_by": None,
        "notified_at": None,
    }
    row = Decision.objects.filter(participation=participation, funder=funder).first()
    before = None
    if row is None:
        row = Decision(participation=participation, funder=funder, **values)
    else:
        before = audit.snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        row.version += 1
    row.full_clean()
    row.save()
    audit.record("grants.decision.compute", row, actor=actor, before=before, after=audit.snapshot(row))
    return row


def compute(call: Call, *, actor, projects: list[int] | None = None) -> ComputeOutcome:
    """Compute the decisions of the call's selected projects that have none yet (or the given ones).

    Each project is computed on its own, so one partner without a rate stops only its project's
    decisions, and the message says which partner and funder.
    """
    _require(actor, "selection.compute_decisions", call)
    outcome = ComputeOutcome()
    queryset = Project.objects.filter(call=call, status=Project.Status.SELECTED)
    if projects is not None:
        queryset = queryset.filter(pk__in=projects)
    queryset = queryset.exclude(decisions__status__in=ACTIVE)
    funders = {f.slug: f for f in Funder.objects.filter(call_funders__call=call)}
    projects = list(queryset.order_by("pk").prefetch_related("participations"))
    all_facts = bulk_facts([p.pk for p in projects])
    with transaction.atomic():
        for project in projects:
            facts = all_facts[project.pk]
            try:
                result = rates.decide([facts], call.rates, call.caps)
            except rates.DecisionError as exc:
                outcome.errors.extend(exc.errors)
                continue
            unknown = sorted({d.funder for d in result.decisions} - set(funders))
            if unknown:
                outcome.errors.append(
                    Message(
                        _("%(project)s asks aid of %(funders)s, not a funder of this call."),
                        {"project": project.acronym, "funders": ", ".join(unknown)},
                    )
                )
                continue
            participations = {str(p.organisation_id): p for p in project.participations.all()}
            for aid in result.decisions:
                outcome.created.append(_store(project, aid, participations, funders, actor))
    return outcome


def cancel_for(project: Project, *, actor, reason: str = "") -> int:
    """Cancel a project's proposed decisions when it leaves the selection (decided ones stay)."""
    cancelled = 0
    for row in Decision.objects.select_for_update().filter(project=project, status=Decision.Status.PROPOSED):
        before = audit.snapshot(row)
        row.status = Decision.Status.CANCELLED
        row.version += 1
        row.save()
        audit.record(
            "grants.decision.cancel",
            row,
            actor=actor,
            before=before,
            after=audit.snapshot(row),
            reason=reason,
        )
        cancelled += 1
    return cancelled


def adjust(
    decision: Decision, *, actor, eligible_cost, reason: str, expected_version: int | None = None
) -> Decision:
    """Change the eligible cost of a proposed decision; the aid is recomputed by the engine.

    The project's other decisions for the same funder are recomputed too (a per-project cap
    shares the funder's ceiling among partners); refused if that would change one already decided.
    """
    _require(actor, "selection.adjust_decision", decision)
    try:
        eligible_cost = Decimal(str(eligible_cost))
    except Exception as exc:
        raise ValidationError({"eligible_cost": _("Enter an amount in euros.")}) from exc
    if not eligible_cost.is_finite() or eligible_cost < 0:
        raise ValidationError({"eligible_cost": _("The eligible cost must be zero or more.")})
    eligible_cost = eligible_cost.quantize(Decimal("0.01"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    with transaction.atomic():
        locked = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("funder", "project__call")
            .get(pk=decision.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        if locked.status != Decision.Status.PROPOSED:
            raise _refuse(
                _("This decision is %(status)s and can no longer change.")
                % {"status": locked.get_status_display()},
                "wrong_state",
            )
        project = with_facts(Project.objects.filter(pk=locked.project_id)).get()
        call = project.call
        siblings = list(
            Decision.objects.select_for_update(of=("self",))
            .filter(project=project, funder=locked.funder, status__in=ACTIVE)
            .select_related("participation")
        )
        costs = {
            (str(project.pk), str(d.participation.organisation_id), locked.funder.slug): d.eligible_cost
            for d in siblings
        }
        costs[(str(project.pk), str(locked.participation.organisation_id), locked.funder.slug)] = (
            eligible_cost
        )
        try:
            result = rates.decide(
                [_only_funder(proposal_facts(project), locked.funder.slug)],
                call.rates,
                call.caps,
                eligible_costs=costs,
            )
        except rates.DecisionError as exc:
            raise ValidationError({"eligible_cost": [str(m) for m in exc.errors]}) from exc
        by_org = {a.org_id: a for a in result.decisions}
        changed = []
        for row in siblings:
            aid = by_org.get(str(row.participation.organisation_id))
            if aid is None:
                continue
            new = (aid.eligible_cost, aid.rate, Decimal(aid.amount), aid.form, ",".join(aid.capped_by))
            old = (row.eligible_cost, row.rate, row.amount, row.form, row.capped_by)
            if new == old:
                continue
            if row.status != Decision.Status.PROPOSED:
                raise _refuse(
                    _("This change would alter a decision already taken for %(partner)s; it cannot be made.")
                    % {"partner": row.participation.organisation},
                    "decided",
                )
            changed.append((row, new))
        for row, (cost, rate, amount, form, capped) in changed:
            before = audit.snapshot(row)
            row.eligible_cost, row.rate, row.amount, row.form, row.capped_by = (
                cost,
                rate,
                amount,
                form,
                capped,
            )
            row.version += 1
            row.full_clean()
            row.save()
            audit.record(
                "grants.decision.adjust",
                row,
                actor=actor,
                before=before,
                after=audit.snapshot(row),
                reason=reason.strip(),
            )
        if not changed:
            # Same figures: still a write the caller asked for, so the version moves and the audit says so.
            before = audit.snapshot(locked)
            locked.version += 1
            locked.save()
            audit.record(
                "grants.decision.adjust",
                locked,
                actor=actor,
                before=before,
                after=audit.snapshot(locked),
                reason=reason.strip(),
            )
    locked.refresh_from_db()
    return locked


def decide(decision: Decision, *, actor, expected_version: int | None = None) -> Decision:
    """The funder decides its aid to the partner; the letter is e-mailed; the project is funded
    once every one of its decisions is decided."""
    _require(actor, "selection.decide", decision)
    with transaction.atomic():
        locked = (
            Decision.objects.select_for_update(of=("self",))
            .select_related("project", "participation__organisation")
            .get(pk=decision.pk)
        )
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        if locked.status != Decision.Status.PROPOSED:
            raise _refuse(
                _("This decision is %(status)s and can no longer change.")
                % {"status": locked.get_status_display()},
                "wrong_state",
            )
        if locked.project.status != Project.Status.SELECTED:
            raise _refuse(_("Only the decisions of selected projects are taken."), "wrong_state")
        before = audit.snapshot(locked)
        now = timezone.now()
        locked.status = Decision.Status.DECIDED
        locked.decided_at = now
        locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
        locked.notified_at = now
        locked.version += 1
        locked.save()
        audit.record(
            "grants.decision.decide", locked, actor=actor, before=before, after=audit.snapshot(locked)
        )
        remaining = Decision.objects.filter(project=locked.project, status=Decision.Status.PROPOSED).exists()
        if not remaining:
            perform(
                PROPOSAL,
                locked.project,
                "fund",
                actor,
                reason=str(_("Every co-financing decision is taken.")),
            )
        participation = locked.participation
        notify.send(
            notify.members_of([participation.organisation_id]),
            _("Aid decision for %(project)s") % {"project": locked.project.acronym},
            "selection/email/decision.txt",
            {"decision": locked, "participation": participation, "project": locked.project},
        )
    return locked


# --------------------------------------------------------------------------- reading


def explain(decision: Decision) -> Message:
    """The engine's one-line explanation of a stored decision, in the reader's language."""
    aid = rates.AidDecision(
        proposal_id=str(decision.project_id),
        org_id=str(decision.participation.organisation_id),
        funder=decision.funder.name,
        eligible_cost=decision.eligible_cost,
        rate=decision.rate,
        rate_row=0,
        form=decision.form,
        uncapped=decision.rate * decision.eligible_cost,
        exact=decision.amount,
        amount=int(decision.amount),
    )
    return aid.explain()


@dataclass
class FunderLine:
    """One funder's money in a call, from envelope to decided euros, and whether it all agrees."""

    funder: Funder
    envelope: Decimal
    reserved: Decimal  # aid requested by the projects the selection kept (selected or funded)
    requested: Decimal  # aid requested by the partners that have a decision
    computed: int  # euros of the active decisions (proposed or decided)
    decided: int  # euros already decided
    recomputed: int  # the engine's total for the stored decisions: must equal `computed`
    n_decisions: int
    n_decided: int

    @property
    def returned(self) -> Decimal:
        """Requested but not granted (rates and caps below the request): back to the envelope."""
        return self.requested - self.computed

    @property
    def agrees(self) -> bool:
        return (
            self.recomputed == self.computed
            and self.requested == self.reserved
            and self.computed <= self.reserved <= self.envelope
        )


@dataclass
class Reconciliation:
    """Per-funder lines and the project-level checks behind "the totals reconcile exactly"."""

    lines: list[FunderLine]
    selected_projects: set[int]
    decided_projects: set[int]
    problems: list[str]

    @property
    def agrees(self) -> bool:
        return not self.problems and all(line.agrees for line in self.lines)


def reconciliation(call: Call) -> Reconciliation:
    """Check, per funder, that the decisions add up exactly to what the selection reserved."""
    # Projects the selection kept that ask some aid: each must have its decisions, and only they.
    kept = set(
        Project.objects.filter(
            call=call,
            status__in=[Project.Status.SELECTED, Project.Status.FUNDED],
            participations__aid_requests__amount__gt=0,
        ).values_list("pk", flat=True)
    )
    decisions = list(
        Decision.objects.filter(project__call=call, status__in=ACTIVE).select_related(
            "funder", "participation__organisation", "project"
        )
    )
    with_decisions = {d.project_id for d in decisions}
    reserved: dict[int, Decimal] = defaultdict(Decimal)
    for funder_id, total in (
        AidRequest.objects.filter(participation__project_id__in=kept, amount__gt=0)
        .values_list("funder_id")
        .annotate(total=Sum("amount"))
    ):
        reserved[funder_id] = total
    requested_rows = {
        (p, f): a
        for p, f, a in AidRequest.objects.filter(participation__project_id__in=with_decisions).values_list(
            "participation_id", "funder_id", "amount"
        )
    }
    problems = []
    if kept != with_decisions:
        missing = sorted(kept - with_decisions)
        extra = sorted(with_decisions - kept)
        if missing:
            problems.append(
                str(
                    _("Selected projects without decisions: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
                )
            )
        if extra:
            problems.append(
                str(_("Decisions on projects not selected: %(ids)s.") % {"ids": ", ".join(map(str, extra))})
            )
    recomputed = _recompute(call, decisions, problems)
    lines = []
    for call_funder in call.call_funders.select_related("funder").order_by("funder__name"):
        funder = call_funder.funder
        rows = [d for d in decisions if d.funder_id == funder.pk]
        lines.append(
            FunderLine(
                funder=funder,
                envelope=call_funder.envelope,
                reserved=reserved.get(funder.pk, Decimal(0)),
                requested=sum(
                    (requested_rows.get((d.participation_id, funder.pk), Decimal(0)) for d in rows),
                    Decimal(0),
                ),
                computed=int(sum(d.amount for d in rows)),
                decided=int(sum(d.amount for d in rows if d.status in DECIDED)),
                recomputed=recomputed.get(funder.slug, 0),
                n_decisions=len(rows),
                n_decided=sum(1 for d in rows if d.status in DECIDED),
            )
        )
    return Reconciliation(
        lines=lines, selected_projects=kept, decided_projects=with_decisions, problems=problems
    )


def _recompute(call: Call, decisions: list[Decision], problems: list[str]) -> dict[str, int]:
    """The engine's per-funder totals for the stored decisions, from their stored eligible costs."""
    if not decisions:
        return {}
    costs = {
        (str(d.project_id), str(d.participation.organisation_id), d.funder.slug): d.eligible_cost
        for d in decisions
    }
    facts = bulk_facts({d.project_id for d in decisions})
    try:
        result = rates.decide(
            [facts[pk] for pk in sorted(facts)], call.rates, call.caps, eligible_costs=costs
        )
    except rates.DecisionError as exc:
        problems.extend(str(m) for m in exc.errors)
        return {}
    stored = {
        (str(d.project_id), str(d.participation.organisation_id), d.funder.slug): int(d.amount)
        for d in decisions
    }
    for aid in result.decisions:
        key = (aid.proposal_id, aid.org_id, aid.funder)
        if stored.get(key) != aid.amount:
            problems.append(
                str(
                    _(
                        "The stored aid of %(org)s from %(funder)s (project %(project)s) differs from the engine's %(amount)s EUR."
                    )
                    % {
                        "org": aid.org_id,
                        "funder": aid.funder,
                        "project": aid.proposal_id,
                        "amount": aid.amount,
                    }
                )
            )
    return rates.funder_totals(result.decisions)


def letter_context(participation: Participation) -> dict[str, Any]:
    """What a decision letter shows: the partner, the project, each decided aid with its explanation."""
    decisions = list(
        participation.decisions.filter(status__in=DECIDED)
        .select_related("funder", "decided_by")
        .order_by("funder__name")
    )
    project = participation.project
    return {
        "participation": participation,
        "organisation": participation.organisation,
        "project": project,
        "call": project.call,
        "decisions": [(d, explain(d)) for d in decisions],
        "total": sum((d.amount for d in decisions), Decimal(0)),
        "date": max((d.decided_at for d in decisions if d.decided_at), default=None),
    }


def letter_pdf(participation: Participation, language: str | None = None) -> bytes:
    """The decision letter as a PDF, from the same letter template as the HTML page (xhtml2pdf)."""
    from xhtml2pdf import pisa

    with translation.override(language or translation.get_language() or "fr"):
        html = render_to_string(
            "selection/decision_letter_pdf.html",
            {**letter_context(participation), "LANGUAGE_CODE": translation.get_language()},
        )
    out = io.BytesIO()
    status = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if status.err:
        raise RuntimeError("the decision letter could not be rendered as a PDF")
    return out.getvalue()
