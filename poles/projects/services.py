"""Writes on proposals: drafting, consortium, budgets, attachments, and one service per transition.

Applicants (the lead organisation's members) change a proposal only while it is a draft or a
revision is requested; every change bumps the proposal's version (optimistic locking on the whole
proposal, the aggregate people edit) and leaves an audit event with before and after. Transitions
go through `core.workflow.perform` with the guards of projects/workflow.py; e-mails leave after
the commit (projects/notifications.py).

The labelling rule: a proposal moves from submitted to labelled as soon as at least one cluster
has labelled it and either every cluster asked has answered or the call's labelling deadline has
passed. The move happens when the last cluster answers, or when an officer settles the labelling
of the call after its deadline (or runs the eligibility check of that proposal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from poles.calls.engine.eligibility import InvalidRuleSet, RuleResult, check_override, evaluate, verdict
from poles.calls.engine.facts import normalise_title
from poles.calls.engine.messages import Message
from poles.calls.models import Call, Funder
from poles.clusters.models import Cluster
from poles.core import audit
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import can
from poles.core.roles import roles_of
from poles.core.workflow import perform
from poles.organisations.models import Organisation

from . import attachments as attachment_checks
from . import facts, guards, notifications, revisions
from .models import (
    AidRequest,
    Attachment,
    BudgetLine,
    EligibilityCheck,
    EligibilityOverride,
    LabelRequest,
    Participation,
    Project,
)
from .workflow import PROPOSAL

EDITABLE = (Project.Status.DRAFT, Project.Status.REVISION)
PROJECT_FIELDS = ("acronym", "title", "summary", "keywords", "lead_cluster", "start_date", "duration_months")
SHARE_FIELDS = ("territory_share", "lead_cluster_share", "cost_basis")
S = Project.Status


def _require(actor, perm: str, obj=None) -> None:
    if not can(actor, perm, obj):
        raise PermissionDenied


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _state(project: Project) -> dict[str, Any]:
    """What an audit event keeps of a proposal change: the proposal and its declarations."""
    return {"project": audit.snapshot(project), "declared": revisions.snapshot(project)}


def _lock_for_edit(project: Project, actor, expected_version: int | None) -> Project:
    """The locked proposal, if the actor leads its consortium and the proposal may change now."""
    locked = Project.objects.select_for_update(of=("self",)).select_related("call").get(pk=project.pk)
    _require(actor, "projects.submit_project", locked)  # the consortium lead edits its proposal
    if expected_version is not None and locked.version != expected_version:
        raise StaleObject(locked.version)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("A proposal can be changed only as a draft or when a revision is requested (now: %(status)s).")
            % {"status": locked.get_status_display()}
        )
    return locked


def _saved(locked: Project, actor, action: str, before: dict[str, Any], reason: str = "") -> Project:
    """Bump the version, recompute the totals, save and audit one change of a proposal."""
    locked.total_cost = sum(
        BudgetLine.objects.filter(participation__project=locked).values_list("amount", flat=True), Decimal(0)
    )
    locked.title_key = normalise_title(locked.title)
    locked.version += 1
    locked.full_clean(exclude=["call", "programme", "lead_cluster", "created_by"])
    locked.save()
    audit.record(
        f"projects.project.{action}", locked, actor=actor, before=before, after=_state(locked), reason=reason
    )
    return locked


def _check_cluster(cluster: Cluster | None) -> None:
    if cluster is not None and cluster.status != Cluster.Status.ACTIVE:
        raise ValidationError(
            {"lead_cluster": [_("%(name)s is no longer a labelled cluster.") % {"name": cluster.name}]}
        )


def _sync_label_requests(project: Project, clusters: Iterable[Cluster]) -> None:
    """Ask exactly these clusters (plus the lead cluster); answered requests cannot be taken back."""
    wanted = {c.pk: c for c in clusters}
    if project.lead_cluster_id:
        wanted.setdefault(project.lead_cluster_id, project.lead_cluster)
    for cluster in wanted.values():
        _check_cluster(cluster)
    existing = {r.cluster_id: r for r in project.label_requests.select_related("cluster")}
    for cluster_id, request in existing.items():
        if cluster_id not in wanted:
            if request.status != LabelRequest.Status.PENDING:
                raise ValidationError(
                    {
                        "clusters": [
                            _("%(name)s has already answered; its request cannot be withdrawn.")
                            % {"name": request.cluster.name}
                        ]
                    }
                )
            request.delete()
    LabelRequest.objects.bulk_create(
        [LabelRequest(project=project, cluster_id=cid) for cid in wanted if cid not in existing]
    )


def _member_of(actor, organisation: Organisation) -> bool:
    roles = roles_of(actor)
    return roles.superuser or organisation.pk in roles.member_of


def _new_participation(project: Project, organisation: Organisation, role: str) -> Participation:
    participation = Participation(
        project=project, organisation=organisation, role=role, category=organisation.category,
        size_class=organisation.size_class if organisation.is_company else "",
        public_controlled=Decimal(organisation.public_control or 0) >= facts.PUBLIC_CONTROL_THRESHOLD,
    )  # fmt: skip
    participation.full_clean(exclude=["project"])
    participation.save()
    return participation


# --------------------------------------------------------------------------- drafting


def create_proposal(
    call: Call,
    organisation: Organisation,
    *,
    actor,
    acronym: str,
    title: str,
    summary: str = "",
    keywords: Iterable[str] = (),
    lead_cluster: Cluster | None = None,
    clusters: Iterable[Cluster] = (),
    start_date=None,
    duration_months: int | None = None,
) -> Project:
    """A draft proposal in an open call, led by the applicant's organisation."""
    if not getattr(actor, "is_authenticated", False) or not _member_of(actor, organisation):
        raise PermissionDenied
    if call.status != Call.Status.OPEN or timezone.now() > call.submission_deadline:
        raise ValidationError({"call": [_("This call does not accept proposals now.")]})
    _check_cluster(lead_cluster)
    with transaction.atomic():
        project = Project(
            source=Project.Source.PROGRAMME, programme=call.programme, call=call, status=S.DRAFT,
            acronym=acronym, title=title, summary=summary, keywords=[k.strip() for k in keywords if k.strip()],
            lead_cluster=lead_cluster, start_date=start_date, duration_months=duration_months,
            created_by=actor, title_key=normalise_title(title),
        )  # fmt: skip
        project.full_clean()
        project.save()
        _new_participation(project, organisation, Participation.Role.LEAD)
        _sync_label_requests(project, clusters)
        audit.record("projects.project.create", project, actor=actor, after=_state(project))
    return project


def update_proposal(
    project: Project,
    *,
    actor,
    expected_version: int | None = None,
    clusters: Iterable[Cluster] | None = None,
    **changes: Any,
) -> Project:
    """Change the proposal's texts, lead cluster, dates and the clusters asked to label it."""
    unknown = set(changes) - set(PROJECT_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_for_edit(project, actor, expected_version)
        before = _state(locked)
        if "keywords" in changes:
            changes["keywords"] = [str(k).strip() for k in changes["keywords"] or [] if str(k).strip()]
        for name, value in changes.items():
            setattr(locked, name, value)
        if "lead_cluster" in changes:
            _check_cluster(locked.lead_cluster)
        if clusters is not None or "lead_cluster" in changes:
            current = (
                clusters
                if clusters is not None
                else [r.cluster for r in locked.label_requests.select_related("cluster")]
            )
            _sync_label_requests(locked, current)
        return _saved(locked, actor, "update", before)


def add_partner(
    project: Project, organisation: Organisation, *, actor, expected_version: int | None = None
) -> Participation:
    """Add an organisation to the consortium as a partner."""
    with transaction.atomic():
        locked = _lock_for_edit(project, actor, expected_version)
        if locked.participations.filter(organisation=organisation).exists():
            raise ValidationError(
                {"organisation": [_("%(name)s is already in the consortium.") % {"name": organisation.name}]}
            )
        before = _state(locked)
        participation = _new_participation(locked, organisation, Participation.Role.PARTNER)
        _saved(locked, actor, "partner_add", before)
    return participation


def remove_partner(participation: Participation, *, actor, expected_version: int | None = None) -> None:
    """Take a partner out of the consortium (the lead stays: it owns the proposal)."""
    with transaction.atomic():
        locked = _lock_for_edit(participation.project, actor, expected_version)
        if participation.role == Participation.Role.LEAD:
            raise ValidationError(_("The lead partner cannot be removed."))
        before = _state(locked)
        Participation.objects.filter(pk=participation.pk, project=locked).delete()
        _saved(locked, actor, "partner_remove", before)


def update_participation(
    participation: Participation,
    *,
    actor,
    expected_version: int | None = None,
    budget: Mapping[str, Decimal] | None = None,
    aid: Mapping[Funder, Decimal] | None = None,
    **shares: Any,
) -> Participation:
    """Set a partner's budget per cost type, aid asked per funder of the call, shares of work and cost basis.

    `budget` and `aid` replace the partner's lines: a missing or zero amount removes the line.
    """
    unknown = set(shares) - set(SHARE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_for_edit(participation.project, actor, expected_version)
        participation = Participation.objects.select_for_update().get(pk=participation.pk, project=locked)
        before = _state(locked)
        for name, value in shares.items():
            setattr(participation, name, value)
        participation.full_clean(exclude=["project", "organisation"])
        if budget is not None:
            errors = {}
            for cost_type in budget:
                if cost_type not in BudgetLine.CostType.values:
                    errors[cost_type] = [_("Unknown cost type.")]
                elif budget[cost_type] is not None and Decimal(budget[cost_type]) < 0:
                    errors[cost_type] = [_("An amount cannot be negative.")]
            if errors:
                raise ValidationError(errors)
            participation.budget_lines.all().delete()
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(participation=participation, cost_type=cost_type, amount=Decimal(amount))
                    for cost_type, amount in budget.items()
                    if amount
                ]
            )
            participation.total_cost = sum((Decimal(a) for a in budget.values() if a), Decimal(0))
        if aid is not None:
            allowed = (
                set(locked.call.call_funders.values_list("funder_id", flat=True)) if locked.call_id else set()
            )
            errors = {}
            for funder, amount in aid.items():
                if funder.pk not in allowed:
                    errors[funder.slug] = [_("%(name)s does not fund this call.") % {"name": funder.name}]
                elif amount is not None and Decimal(amount) < 0:
                    errors[funder.slug] = [_("An amount cannot be negative.")]
            if errors:
                raise ValidationError(errors)
            participation.aid_requests.all().delete()
            AidRequest.objects.bulk_create(
                [
                    AidRequest(participation=participation, funder=funder, amount=Decimal(amount))
                    for funder, amount in aid.items()
                    if amount
                ]
            )
        participation.save()
        _saved(locked, actor, "participation_update", before)
    return participation


def add_attachment(
    project: Project, uploaded, kind: str, *, actor, expected_version: int | None = None
) -> Attachment:
    """Attach a PDF (checked before anything is stored) to a proposal being drafted or revised."""
    if kind not in Attachment.Kind.values:
        raise ValidationError({"kind": [_("Unknown kind of document.")]})
    with transaction.atomic():
        locked = _lock_for_edit(project, actor, expected_version)
        data, sha256 = attachment_checks.read_checked(uploaded)
        before = _state(locked)
        attachment = Attachment(
            project=locked, kind=kind, name=attachment_checks.clean_name(uploaded.name), size=len(data),
            content_type="application/pdf", sha256=sha256, uploaded_by=actor,
        )  # fmt: skip
        attachment.file.save(sha256, ContentFile(data), save=False)
        try:
            attachment.save()
            _saved(locked, actor, "attachment_add", before)
        except Exception:
            attachment.file.delete(save=False)
            raise
    return attachment


def remove_attachment(attachment: Attachment, *, actor, expected_version: int | None = None) -> None:
    """Remove an attachment from a proposal being drafted or revised (the file goes when unused)."""
    with transaction.atomic():
        locked = _lock_for_edit(attachment.project, actor, expected_version)
        before = _state(locked)
        name = attachment.file.name
        attachment.delete()
        _saved(locked, actor, "attachment_remove", before)
        still_used = Attachment.objects.filter(file=name).exists()
        if not still_used:
            storage = Attachment._meta.get_field("file").storage
            transaction.on_commit(lambda: storage.delete(name))


# --------------------------------------------------------------------------- transitions


def submit(project: Project, *, actor, expected_version: int | None = None) -> Project:
    """Submit (or resubmit after a revision): the registry's facts are captured, a revision is stored,
    the applicant gets a receipt and the clusters still to answer get a labelling request."""
    now = timezone.now()

    def stamp(locked: Project) -> None:
        locked.submitted_at = now

    with transaction.atomic():
        submitted = perform(
            PROPOSAL, project, "submit", actor, expected_version=expected_version, apply=stamp
        )
        facts.registry_capture(submitted, now)
        revision = revisions.record(submitted, actor)
        notifications.queue("submitted", submitted, revision=revision.number)
        pending = list(
            submitted.label_requests.filter(status=LabelRequest.Status.PENDING).values_list(
                "cluster_id", flat=True
            )
        )
        if pending:
            notifications.queue("labelling_requested", submitted, recipients="clusters", cluster_ids=pending)
    return submitted


def withdraw(project: Project, *, actor, reason: str, expected_version: int | None = None) -> Project:
    """The applicant (or an officer) withdraws the proposal, with a reason."""
    return perform(PROPOSAL, project, "withdraw", actor, reason=reason, expected_version=expected_version)


def request_revision(project: Project, *, actor, reason: str, expected_version: int | None = None) -> Project:
    """An officer sends the proposal back to the applicant, saying what to revise."""
    with transaction.atomic():
        revised = perform(
            PROPOSAL, project, "request_revision", actor, reason=reason, expected_version=expected_version
        )
        notifications.queue("revision_requested", revised, reason=reason)
    return revised


def answer_label_request(
    request: LabelRequest, decision: str, *, actor, opinion: str, expected_version: int | None = None
) -> LabelRequest:
    """A cluster labels or declines a proposal it was asked about, with its opinion.

    Refused after the call's labelling deadline, on drafts and on proposals out of the labelling
    phase. A cluster may change its answer until the deadline. When the labelling rule is met, the
    proposal moves to labelled.
    """
    if decision not in (LabelRequest.Status.LABELLED, LabelRequest.Status.DECLINED):
        raise ValidationError({"decision": [_('The decision is "labelled" or "declined".')]})
    if not (opinion or "").strip():
        raise ValidationError({"opinion": [_("Give the cluster's opinion on the proposal.")]})
    with transaction.atomic():
        locked = (
            LabelRequest.objects.select_for_update(of=("self",))
            .select_related("project__call", "cluster")
            .get(pk=request.pk)
        )
        _require(actor, "projects.answer_label_request", locked)
        if expected_version is not None and locked.version != expected_version:
            raise StaleObject(locked.version)
        project = locked.project
        if project.status not in (S.SUBMITTED, S.REVISION):
            raise TransitionNotAllowed(
                _("The proposal is not awaiting labels (%(status)s).")
                % {"status": project.get_status_display()},
                code="wrong_state",
            )
        deadline = project.call.labelling_deadline
        if timezone.now() > deadline:
            raise TransitionNotAllowed(
                _(
                    "The labelling deadline (%(deadline)s) has passed: labels can no longer be given or changed."
                )
                % {"deadline": _when(deadline)},
                code="deadline",
            )
        before = audit.snapshot(locked)
        locked.status = decision
        locked.opinion = opinion.strip()
        locked.decided_at = timezone.now()
        locked.decided_by = actor
        locked.version += 1
        locked.save()
        audit.record(
            "projects.labelrequest.answer",
            locked,
            actor=actor,
            before=before,
            after=audit.snapshot(locked),
            reason=opinion,
        )
        notifications.queue(
            "label_decision", project, cluster=locked.cluster.name, decision=decision, opinion=locked.opinion
        )
        if project.status == S.SUBMITTED:
            settle_labelling(project, actor=actor)
    return locked


def settle_labelling(project: Project, *, actor) -> bool:
    """Move a submitted proposal to labelled if the labelling rule is met; say whether it moved."""
    if project.status != S.SUBMITTED or guards.labelling_settled(project):
        return False
    perform(PROPOSAL, project, "label", actor)
    return True


def settle_call_labelling(call: Call, *, actor) -> dict[str, int]:
    """After a call's labelling deadline, move every submitted proposal with a label to labelled.

    Returns how many moved and how many stay submitted without any label (the eligibility check
    will find them ineligible).
    """
    _require(actor, "calls.manage_call", call)
    moved = unlabelled = 0
    for project in (
        Project.objects.filter(call=call, status=S.SUBMITTED).select_related("call").order_by("pk")
    ):
        with transaction.atomic():
            if settle_labelling(project, actor=actor):
                moved += 1
            else:
                unlabelled += 1
    return {"labelled": moved, "waiting": unlabelled}


# --------------------------------------------------------------------------- eligibility


def run_eligibility_check(project: Project, *, actor) -> EligibilityCheck:
    """Evaluate the call's rules on the proposal as it stands and keep the results.

    A submitted proposal whose labelling is settled is first moved to labelled, so the check always
    sees the labels that count.
    """
    _require(actor, "projects.check_eligibility", project)
    with transaction.atomic():
        locked = Project.objects.select_for_update(of=("self",)).select_related("call").get(pk=project.pk)
        if locked.status not in (S.SUBMITTED, S.LABELLED):
            raise TransitionNotAllowed(
                _("Only submitted or labelled proposals are checked (now: %(status)s).")
                % {"status": locked.get_status_display()},
                code="wrong_state",
            )
        if locked.status == S.SUBMITTED and not guards.labelling_settled(locked):
            locked = perform(PROPOSAL, locked, "label", actor)
        proposal = facts.proposal_facts(locked)
        try:
            results = evaluate(locked.call.rules, proposal)
        except InvalidRuleSet as exc:
            raise ValidationError([str(m) for m in exc.errors]) from exc
        check = EligibilityCheck.objects.create(
            project=locked, checked_by=actor if getattr(actor, "is_authenticated", False) else None,
            rules=locked.call.rules, results=[r.as_dict() for r in results], verdict=verdict(results),
        )  # fmt: skip
        audit.record(
            "projects.eligibility.check", locked, actor=actor,
            after={"check": check.pk, "verdict": check.verdict, "statuses": [r.status for r in results]},
        )  # fmt: skip
    return check


def override_warning(check: EligibilityCheck, rule_index: int, *, actor, reason: str) -> EligibilityOverride:
    """An officer passes over a warning of the latest check, with a reason (never a failure)."""
    project = check.project
    _require(actor, "projects.check_eligibility", project)
    with transaction.atomic():
        Project.objects.select_for_update().get(pk=project.pk)
        latest = guards.latest_check(project)
        if latest is None or latest.pk != check.pk:
            raise ValidationError(_("Only the latest eligibility check can be overridden."))
        if project.status not in (S.SUBMITTED, S.LABELLED):
            raise ValidationError(_("The eligibility of this proposal is already decided."))
        row = next((r for r in check.results if r["index"] == rule_index), None)
        if row is None:
            raise ValidationError({"rule_index": [_("This check has no such rule.")]})
        result = RuleResult(
            index=row["index"],
            rule=row["rule"],
            status=row["status"],
            severity=row["severity"],
            message=Message(""),
        )
        problems = check_override(result, reason)
        if check.overrides.filter(rule_index=rule_index).exists():
            problems.append(Message(_("This warning is already overridden.")))
        if problems:
            raise ValidationError([str(p) for p in problems])
        override = EligibilityOverride.objects.create(
            eligibility_check=check, rule_index=rule_index, reason=reason.strip(), decided_by=actor
        )
        audit.record(
            "projects.eligibility.override", project, actor=actor,
            after={"check": check.pk, "rule_index": rule_index, "rule": row["rule"]}, reason=reason,
        )  # fmt: skip
    return override


def declare_eligible(
    project: Project, *, actor, expected_version: int | None = None, reason: str = ""
) -> Project:
    """Declare a labelled proposal eligible: its latest check passes once warnings are overridden."""
    with transaction.atomic():
        declared = perform(
            PROPOSAL, project, "declare_eligible", actor, reason=reason, expected_version=expected_version
        )
        notifications.queue("eligibility_verdict", declared, verdict="eligible", reason=reason)
    return declared


def declare_ineligible(
    project: Project, *, actor, expected_version: int | None = None, reason: str = ""
) -> Project:
    """Declare a proposal ineligible: a rule fails, or the officer refuses a warning with a reason."""
    with transaction.atomic():
        declared = perform(
            PROPOSAL, project, "declare_ineligible", actor, reason=reason, expected_version=expected_version,
            context={"reason": reason},
        )  # fmt: skip
        notifications.queue("eligibility_verdict", declared, verdict="ineligible", reason=reason)
    return declared
