"""Writes of the review: the pool, assignments (automatic and by hand), declarations, reviews,
the panel's consensus, and the scores and ranking they produce.

Each write checks its permission and state, happens inside one transaction, writes its audit
event and queues its e-mails after commit. Proposals move to `under_review` through the
workflow's `start_review` transition (core.workflow.perform), once, when their first reviewer is
assigned. Refusals raise `TransitionNotAllowed` (state, permission, conflict of interest),
`ValidationError` (bad values) or `StaleObject` (someone changed it meanwhile).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poles.accounts.models import RoleAssignment
from poles.calls.engine.criteria import EvaluationGrid
from poles.calls.engine.facts import to_decimal
from poles.calls.engine.messages import Message
from poles.calls.models import Call
from poles.core import audit
from poles.core import services as core_services
from poles.core.exceptions import StaleObject, TransitionNotAllowed
from poles.core.permissions import can
from poles.core.workflow import perform
from poles.projects.models import Project
from poles.projects.workflow import PROPOSAL

from . import engine, notify, selectors
from .models import Assignment, ConflictDeclaration, ProjectScore, Review, Reviewer

DEFAULT_PER_PROPOSAL = 3
ASSIGNABLE = (Project.Status.ELIGIBLE, Project.Status.UNDER_REVIEW)


def _refuse(message, code: str = "refused") -> TransitionNotAllowed:
    return TransitionNotAllowed(message, code=code)


def _require(user, perm: str, obj) -> None:
    if not can(user, perm, obj):
        raise _refuse(_("You are not allowed to do this."), "permission_denied")


# --------------------------------------------------------------------------- the pool


def expertise_list(text: str | list[str]) -> list[str]:
    """Keywords typed as "énergie, capteurs; IoT" become a clean list, in the order given."""
    items = text if isinstance(text, list) else re.split(r"[,;\n]", text or "")
    seen, out = set(), []
    for item in items:
        word = str(item).strip()
        key = engine.normalise_keyword(word)
        if word and key not in seen:
            seen.add(key)
            out.append(word)
    return out


def add_reviewer(
    programme,
    *,
    actor,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    organisation=None,
    expertise: list[str] | str = (),
    max_load: int = 8,
) -> Reviewer:
    """Put a person in the programme's reviewer pool, creating their account if needed.

    A new account gets no usable password: the expert sets one with the password-reset page. The
    reviewer role is granted on the programme, so that the pages and the API know who they are.
    """
    _require(actor, "reviews.manage_pool", Reviewer(programme=programme))
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.filter(username=username).first()
        if user is not None and Reviewer.objects.filter(user=user).exists():
            raise ValidationError({"username": _("This person is already in a reviewer pool.")})
        if user is None:
            user = user_model(username=username, first_name=first_name, last_name=last_name, email=email)
            user.set_unusable_password()
            user.full_clean(exclude=["password"])
            user.save()
        reviewer = core_services.create(
            Reviewer,
            actor=actor,
            user=user,
            programme=programme,
            organisation=organisation,
            expertise=expertise_list(expertise),
            max_load=max_load,
        )
        if not RoleAssignment.objects.filter(user=user, role="reviewer", programme=programme).exists():
            # A role change: through the audited service, like every other write.
            core_services.create(RoleAssignment, actor=actor, user=user, role="reviewer", programme=programme)
    return reviewer


def update_reviewer(
    reviewer: Reviewer, *, actor, expected_version: int | None = None, **changes: Any
) -> Reviewer:
    """Change a pool member's organisation, expertise, load limit or activity (audited, locked)."""
    _require(actor, "reviews.manage_pool", reviewer)
    if "expertise" in changes:
        changes["expertise"] = expertise_list(changes["expertise"])
    return core_services.update(reviewer, actor=actor, expected_version=expected_version, **changes)


# --------------------------------------------------------------------------- assignment


@dataclass
class AssignmentOutcome:
    """What an automatic assignment did: new assignments, proposals sent to review, shortfalls."""

    created: list[Assignment] = field(default_factory=list)
    started: list[int] = field(default_factory=list)
    shortfalls: dict[int, Message] = field(default_factory=dict)


def _create_assignment(project_id: int, reviewer_id: int, *, actor, manual: bool, reason: str, score: float):
    assignment = Assignment.objects.create(
        project_id=project_id,
        reviewer_id=reviewer_id,
        manual=manual,
        assigned_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        match_score=score,
    )
    audit.record(
        "reviews.assignment.create", assignment, actor=actor, after=audit.snapshot(assignment), reason=reason
    )
    return assignment


def _start_review(project: Project, actor) -> bool:
    if project.status != Project.Status.ELIGIBLE:
        return False
    perform(PROPOSAL, project, "start_review", actor, reason=str(_("Reviewers assigned.")))
    return True


def _tell_reviewers(assignments: list[Assignment]) -> None:
    by_reviewer: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in assignments:
        by_reviewer[assignment.reviewer_id].append(assignment)
    for reviewer in Reviewer.objects.filter(pk__in=by_reviewer).select_related("user"):
        projects = Project.objects.filter(pk__in=[a.project_id for a in by_reviewer[reviewer.pk]])
        notify.send(
            [reviewer.user],
            _("New proposals to review"),
            "reviews/email/assigned.txt",
            {"reviewer": reviewer, "projects": list(projects)},
        )


def auto_assign(call: Call, *, actor, per_proposal: int = DEFAULT_PER_PROPOSAL) -> AssignmentOutcome:
    """Give each eligible (or short-handed) proposal of the call its reviewers, never a conflicted one.

    Existing assignments are kept: a proposal gets only the reviewers it still misses, a reviewer
    only the proposals their load limit in this call still allows, and no pair is assigned twice
    (nor again after its reviewer withdrew). `poles.reviews.engine.assign` decides, one group of
    proposals per number of missing reviewers. Proposals sent to their first reviewers move to
    `under_review`.
    """
    _require(actor, "reviews.assign", call)
    if per_proposal < 1:
        raise ValidationError({"per_proposal": _("Each proposal needs at least one reviewer.")})
    outcome = AssignmentOutcome()
    with transaction.atomic():
        ids = list(
            Project.objects.select_for_update()
            .filter(call=call, status__in=ASSIGNABLE)
            .values_list("pk", flat=True)
        )
        existing = list(
            Assignment.objects.filter(project_id__in=ids).values_list("reviewer_id", "project_id", "status")
        )
        active: dict[int, int] = defaultdict(int)
        for _r, project_id, status in existing:
            if status != Assignment.Status.WITHDRAWN:
                active[project_id] += 1
        need = {pk: per_proposal - active[pk] for pk in ids if per_proposal - active[pk] > 0}
        if not need:
            return outcome
        projects = Project.objects.in_bulk(list(need))
        facts = selectors.bulk_facts(need)
        years = {str(pk): selectors.facts_year(f) for pk, f in facts.items()}
        reviewers = list(
            Reviewer.objects.filter(programme_id=call.programme_id, active=True).select_related("user")
        )
        data = selectors.load_conflict_data(reviewers)
        loads = selectors.call_loads(call)
        capacity = {r.pk: max(r.max_load - loads.get(r.pk, 0), 0) for r in reviewers}
        engine_reviewers = {
            r.pk: selectors.reviewer_facts(r, data.declared.get(str(r.pk), ())) for r in reviewers
        }
        conflicts = selectors.conflict_map(list(engine_reviewers.values()), list(facts.values()), data, years)
        forbidden = set(conflicts) | {(str(r), str(p)) for r, p, _s in existing}
        chosen: list[tuple[int, int, float]] = []
        for missing in sorted(set(need.values()), reverse=True):
            group = [facts[pk] for pk, n in need.items() if n == missing]
            pool = [
                selectors.reviewer_facts(r, data.declared.get(str(r.pk), ()), capacity[r.pk])
                for r in reviewers
            ]
            result = engine.assign(group, pool, per_proposal=missing, conflicts=forbidden)
            for proposal_id, reviewer_ids in result.assignments.items():
                for reviewer_id in reviewer_ids:
                    chosen.append(
                        (int(proposal_id), int(reviewer_id), result.scores[(reviewer_id, proposal_id)])
                    )
                    capacity[int(reviewer_id)] -= 1
            for proposal_id, message in result.messages.items():
                params = dict(message.params)
                params["proposal"] = projects[int(proposal_id)].acronym or proposal_id
                outcome.shortfalls[int(proposal_id)] = Message(message.template, params)
        for project_id, reviewer_id, score in sorted(chosen):
            outcome.created.append(
                _create_assignment(project_id, reviewer_id, actor=actor, manual=False, reason="", score=score)
            )
        for project_id in sorted({a.project_id for a in outcome.created}):
            if _start_review(projects[project_id], actor):
                outcome.started.append(project_id)
        _tell_reviewers(outcome.created)
    return outcome


def assign_manually(
    project: Project, reviewer: Reviewer, *, actor, reason: str
) -> tuple[Assignment, list[Message]]:
    """An officer gives a proposal to a chosen reviewer, with a reason kept in the audit trail.

    Refused when the reviewer has a conflict of interest (computed or declared), whatever the
    reason; a load above the reviewer's limit is allowed and returned as a warning.
    """
    _require(actor, "reviews.assign", project)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Please give a reason.")})
    with transaction.atomic():
        project = Project.objects.select_for_update().get(pk=project.pk)
        if project.status not in ASSIGNABLE:
            raise _refuse(
                _("Reviewers are assigned to eligible proposals or proposals under review only."),
                "wrong_state",
            )
        if reviewer.programme_id != project.call.programme_id or not reviewer.active:
            raise ValidationError(
                {"reviewer": _("This reviewer is not in the active pool of the programme.")}
            )
        previous = Assignment.objects.filter(project=project, reviewer=reviewer).first()
        if previous is not None:
            if previous.status == Assignment.Status.WITHDRAWN:
                raise _refuse(
                    _("This reviewer withdrew from this proposal after declaring a conflict of interest."),
                    "conflict_of_interest",
                )
            raise _refuse(_("This reviewer is already assigned to this proposal."), "already_assigned")
        loaded = selectors.with_facts(Project.objects.filter(pk=project.pk)).get()
        facts = selectors.proposal_facts(loaded)
        data = selectors.load_conflict_data([reviewer])
        engine_reviewer = selectors.reviewer_facts(reviewer, data.declared.get(str(reviewer.pk), ()))
        conflicts = selectors.conflicts_for(engine_reviewer, facts, data, selectors.reference_year(loaded))
        load = selectors.call_loads(project.call).get(reviewer.pk, 0)
        check = engine.check_manual_assignment(
            engine_reviewer,
            facts.proposal_id,
            {(engine_reviewer.reviewer_id, facts.proposal_id): conflicts} if conflicts else {},
            current_load=load,
        )
        if not check.allowed:
            names, clusters = selectors.names_for(conflicts)
            reasons = [selectors.readable(c, names, clusters) for c in conflicts]
            text = " ".join(str(m) for m in [*check.blocking, *reasons])
            raise _refuse(text, "conflict_of_interest")
        assignment = _create_assignment(
            project.pk,
            reviewer.pk,
            actor=actor,
            manual=True,
            reason=reason.strip(),
            score=engine.match_score(reviewer.expertise or [], project.keywords or []),
        )
        _start_review(project, actor)
        _tell_reviewers([assignment])
    return assignment, list(check.warnings)


# --------------------------------------------------------------------------- declarations


def declare(assignment: Assignment, *, actor, has_conflict: bool, statement: str = "") -> ConflictDeclaration:
    """The reviewer signs, before reading, that they have no conflict, or declares one.

    A declared conflict withdraws the assignment at once (the proposal stays hidden from them)
    and tells the programme's officers, who then choose another reviewer.
    """
    _require(actor, "reviews.declare", assignment)
    statement = (statement or "").strip()
    if has_conflict and not statement:
        raise ValidationError({"statement": _("Please say what the conflict of interest is.")})
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("project__call")
            .get(pk=assignment.pk)
        )
        if locked.status != Assignment.Status.ASSIGNED:
            raise _refuse(_("This assignment is closed."), "wrong_state")
        if ConflictDeclaration.objects.filter(
            reviewer_id=locked.reviewer_id, project_id=locked.project_id
        ).exists():
            raise _refuse(
                _("You have already signed your declaration for this proposal."), "already_declared"
            )
        declaration = ConflictDeclaration.objects.create(
            reviewer_id=locked.reviewer_id,
            project_id=locked.project_id,
            has_conflict=has_conflict,
            statement=statement,
            signed_at=timezone.now(),
        )
        audit.record(
            "reviews.conflictdeclaration.sign", declaration, actor=actor, after=audit.snapshot(declaration)
        )
        if has_conflict:
            before = audit.snapshot(locked)
            locked.status = Assignment.Status.WITHDRAWN
            locked.version += 1
            locked.save()
            audit.record(
                "reviews.assignment.withdraw",
                locked,
                actor=actor,
                before=before,
                after=audit.snapshot(locked),
                reason=statement,
            )
            notify.send(
                notify.officers_of(locked.project.call.programme_id),
                _("A reviewer declared a conflict of interest"),
                "reviews/email/conflict_declared.txt",
                {"assignment": locked, "statement": statement},
            )
    return declaration


# --------------------------------------------------------------------------- reviews and scores


def clean_scores(grid: EvaluationGrid, scores: Mapping[str, Any], *, complete: bool) -> dict[str, str | None]:
    """Scores as stored: a decimal string per criterion, None for "not applicable".

    A criterion missing from `scores` is not scored yet, which a draft allows and a submission
    does not. Raises ValidationError naming each bad criterion.
    """
    codes = [c.code for c in grid.criteria]
    errors: dict[str, list] = {}
    unknown = sorted(set(scores) - set(codes))
    if unknown:
        errors["scores"] = [_("Unknown criteria: %(codes)s.") % {"codes": ", ".join(unknown)}]
    clean: dict[str, str | None] = {}
    for code in codes:
        if code not in scores:
            if complete:
                errors[code] = [_('Give a score or "not applicable".')]
            continue
        value = scores[code]
        if value is None:
            clean[code] = None
            continue
        try:
            if isinstance(value, bool):
                raise ValueError
            number = to_decimal(value, code)
        except ValueError:
            number = None
        if number is None or not Decimal(0) <= number <= grid.scale_max:
            errors[code] = [
                _("The score must be a number between 0 and %(max)s.") % {"max": grid.scale_max.normalize()}
            ]
            continue
        clean[code] = str(number.normalize()) if number == number.to_integral_value() else str(number)
    if errors:
        raise ValidationError(errors)
    return clean


def save_review(
    assignment: Assignment,
    *,
    actor,
    scores: Mapping[str, Any],
    comments: str = "",
    submit: bool = False,
    expected_version: int | None = None,
) -> Review:
    """Save the reviewer's scores and comments as a draft, or submit them (final).

    The reviewer must have declared no conflict; a submitted review cannot change. Submitting
    refreshes the proposal's aggregated score and the call's ranking.
    """
    _require(actor, "reviews.write_review", assignment)
    with transaction.atomic():
        locked = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("project__call")
            .get(pk=assignment.pk)
        )
        if locked.status == Assignment.Status.WITHDRAWN:
            raise _refuse(_("This assignment was withdrawn."), "wrong_state")
        if locked.status == Assignment.Status.SUBMITTED:
            raise _refuse(_("This review was submitted and can no longer change."), "wrong_state")
        if not selectors.may_read_proposal(locked):
            raise _refuse(
                _("Sign your conflict-of-interest declaration before reviewing."), "declaration_required"
            )
        if locked.project.status != Project.Status.UNDER_REVIEW:
            raise _refuse(_("The review of this proposal is closed."), "wrong_state")
        grid = selectors.grid_of(locked.project.call)
        if grid is None:
            raise _refuse(_("The call has no valid evaluation grid."), "no_grid")
        clean = clean_scores(grid, scores, complete=submit)
        if submit:
            engine.aggregate_scores(grid, [clean])  # the engine's own check of a complete review
        review = Review.objects.select_for_update().filter(assignment=locked).first()
        if review is None:
            if expected_version not in (None, 0):
                raise StaleObject(None)
            review = Review(assignment=locked)
            before = None
        else:
            if expected_version is not None and review.version != expected_version:
                raise StaleObject(review.version)
            before = audit.snapshot(review)
            review.version += 1
        review.scores = clean
        review.comments = comments or ""
        if submit:
            review.status = Review.Status.SUBMITTED
            review.submitted_at = timezone.now()
        review.save()
        audit.record(
            "reviews.review.submit" if submit else "reviews.review.save",
            review,
            actor=actor,
            before=before,
            after=audit.snapshot(review),
        )
        if submit:
            before = audit.snapshot(locked)
            locked.status = Assignment.Status.SUBMITTED
            locked.version += 1
            locked.save()
            audit.record(
                "reviews.assignment.submit", locked, actor=actor, before=before, after=audit.snapshot(locked)
            )
            refresh_call_scores(locked.project.call)
    return review


def clean_consensus(grid: EvaluationGrid, consensus: Mapping[str, Any]) -> dict[str, str | None]:
    """The panel's agreed scores: only the criteria it settled (None: it found one not applicable)."""
    return clean_scores(grid, consensus, complete=False)


def set_consensus(
    project: Project,
    *,
    actor,
    consensus: Mapping[str, Any],
    comment: str = "",
    expected_version: int | None = None,
) -> ProjectScore:
    """The officer records the panel's consensus per criterion (replacing the mean) and its comment."""
    _require(actor, "reviews.set_consensus", project)
    with transaction.atomic():
        score = ProjectScore.objects.select_for_update().filter(project=project).first()
        if score is None:
            raise _refuse(_("No review of this proposal has been submitted yet."), "no_reviews")
        if expected_version is not None and score.version != expected_version:
            raise StaleObject(score.version)
        if project.status != Project.Status.UNDER_REVIEW:
            raise _refuse(_("The review of this proposal is closed."), "wrong_state")
        grid = selectors.grid_of(project.call)
        if grid is None:
            raise _refuse(_("The call has no valid evaluation grid."), "no_grid")
        clean = clean_consensus(grid, consensus)
        before = audit.snapshot(score)
        score.consensus = clean
        score.consensus_comment = comment or ""
        score.version += 1
        score.save()
        refresh_call_scores(project.call)
        score.refresh_from_db()
        audit.record(
            "reviews.projectscore.consensus", score, actor=actor, before=before, after=audit.snapshot(score)
        )
    return score


def _criteria_dict(summary: engine.ScoreSummary) -> dict[str, dict[str, Any]]:
    out = {}
    for c in summary.criteria:
        out[c.code] = {
            "weight": selectors.figures(c.weight),
            "threshold": selectors.figures(c.threshold),
            "mean": selectors.figures(c.mean),
            "n_scores": c.n_scores,
            "n_not_applicable": c.n_not_applicable,
            "consensus": selectors.figures(c.consensus),
            "score": selectors.figures(c.score),
            "passed": c.passed,
        }
    return out


def refresh_call_scores(call: Call) -> dict[int, ProjectScore]:
    """Aggregate every proposal's submitted reviews (with the consensus) and rank the call.

    Proposals whose stored reviews no longer fit the call's grid (the grid changed after they
    were written) are left without a new score; the others are ranked with `engine.rank`.
    """
    grid = selectors.grid_of(call)
    if grid is None:
        return {}
    stored = {s.project_id: s for s in ProjectScore.objects.filter(project__call=call)}
    reviews = selectors.submitted_reviews(Project.objects.filter(call=call).values_list("pk", flat=True))
    summaries: dict[str, engine.ScoreSummary] = {}
    for project_id, items in reviews.items():
        consensus = stored[project_id].consensus if project_id in stored else {}
        try:
            summaries[str(project_id)] = engine.aggregate_scores(grid, [r.scores for r in items], consensus)
        except engine.ScoringError:
            continue
    ranked = {int(r.proposal_id): r for r in engine.rank(summaries)}
    new, changed = [], []
    for key, summary in summaries.items():
        project_id = int(key)
        row = stored.get(project_id) or ProjectScore(project_id=project_id)
        row.criteria = _criteria_dict(summary)
        row.overall = summary.overall.quantize(Decimal("0.001")) if summary.overall is not None else None
        row.passed = summary.passed
        row.reasons = [r.as_dict() for r in summary.reasons]
        row.position = ranked[project_id].position
        row.ex_aequo = ranked[project_id].ex_aequo
        (changed if row.pk else new).append(row)
    fields = ["criteria", "overall", "passed", "reasons", "position", "ex_aequo", "updated_at"]
    now = timezone.now()
    for row in changed:
        row.updated_at = now
    ProjectScore.objects.bulk_update(changed, fields)
    ProjectScore.objects.bulk_create(new)
    return {row.project_id: row for row in [*changed, *new]}
