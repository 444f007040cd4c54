"""Demo step: the follow-up of every project funded by the past calls (2006–2012).

For each funded project with decided aid (made by the reviews/selection demo step), its funders'
agreements and each decision's instalments follow the call's schedule (`engine.split`, so they
reconcile to the euro); the reports are scheduled as the service does (`engine.report_schedule`)
and written, submitted and approved on plausible dates; instalments are paid once their
condition held, with the payment rows. Most projects are complete; a few have their final report
still missing (late, their balance unpaid), a few were terminated early. Milestones, spending
against the budget, outputs (jobs, patents, publications with DOIs, products, licences,
spin-offs, follow-up projects, private funding), consortium agreements, IP declarations and
licences complete the files.

Without funded projects (the calls and reviews steps not merged yet) the step does nothing.
Everything is bulk-written from the demo's seeded generators, so the same seed gives the same data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from poles.core.bulk import copy_rows
from poles.demo.generator import DemoContext, _bulk, step
from poles.projects.models import BudgetLine, Participation, Project

from . import engine
from .models import (
    Agreement,
    ConsortiumAgreement,
    Decision,
    Instalment,
    IPDeclaration,
    Licence,
    Milestone,
    Output,
    Payment,
    ProgressReport,
    SpendingLine,
)

DECIDED = (Decision.Status.DECIDED, Decision.Status.NOTIFIED)
LAST_CALL_YEAR = 2012
LATE_FINAL_SHARE = 0.05  # projects whose final report never came: flagged late, balance unpaid
TERMINATED_SHARE = 0.02
SME = {"micro", "small", "medium"}


def _day(rng, start: dt.date, low: int, high: int) -> dt.date:
    return start + dt.timedelta(days=rng.randint(low, high))


@step("follow-up of funded projects")
def make_follow_up(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = timezone.localdate()
    projects = list(
        Project.objects.filter(
            status=Project.Status.FUNDED, call__opens_at__year__lte=LAST_CALL_YEAR, agreements__isnull=True
        )
        .select_related("call")
        .order_by("pk")
    )
    if not projects:
        ctx.log("follow-up: no funded project yet (the calls and reviews demo steps add them)")
        return
    ids = [p.pk for p in projects]
    decisions = defaultdict(list)
    for d in (
        Decision.objects.filter(project_id__in=ids, status__in=DECIDED)
        .select_related("funder")
        .order_by("pk")
    ):
        decisions[d.project_id].append(d)
    participations = defaultdict(list)
    for p in Participation.objects.filter(project_id__in=ids).select_related("organisation").order_by("pk"):
        participations[p.project_id].append(p)
    budget = defaultdict(list)
    for line in BudgetLine.objects.filter(participation__project_id__in=ids).order_by("pk"):
        budget[line.participation_id].append(line)

    agreements, instalment_plans, reports, milestones, outputs = [], [], [], [], []
    consortium, ip_rows, licence_plans, spending_plans = [], [], [], []
    project_plans = {}
    for project in projects:
        project_decisions = decisions.get(project.pk)
        if not project_decisions:
            continue
        try:
            tranches = engine.parse_schedule(project.call.instalments if project.call_id else {})
        except engine.ScheduleError:
            tranches = engine.parse_schedule({})
        decided = min((d.decided_at for d in project_decisions if d.decided_at), default=None)
        decided_on = (
            decided.date() if decided else project.call.submission_deadline.date() + dt.timedelta(days=120)
        )
        start = project.start_date or decided_on + dt.timedelta(days=30)
        duration = project.duration_months or 36
        fate = rng.random()
        late_final = fate < LATE_FINAL_SHARE
        terminated = LATE_FINAL_SHARE <= fate < LATE_FINAL_SHARE + TERMINATED_SHARE
        signed_on = _day(rng, decided_on, 30, 120)
        # reports: the schedule of the service, then when each was submitted and approved
        intermediates = sum(1 for t in tranches if t.kind == engine.INTERMEDIATE)
        slots = engine.report_schedule(start, duration, intermediates)
        approvals = {}  # (kind, number) -> approval date
        for slot in slots:
            if terminated and slot.kind == "final" or (terminated and slot.number > 1):
                continue
            if slot.due_on > today:
                continue
            if late_final and slot.kind == "final":
                reports.append(ProgressReport(
                    project=project, kind=slot.kind, number=slot.number, period_start=slot.period_start,
                    period_end=slot.period_end, due_on=slot.due_on, status=ProgressReport.Status.DRAFT,
                ))  # fmt: skip
                continue
            submitted = _day(rng, slot.due_on, -25, 25 if rng.random() < 0.8 else 90)
            approved = _day(rng, submitted, 10, 50)
            returned = rng.random() < 0.12
            comment = (
                "Renvoyé une fois pour compléter les dépenses du laboratoire ; complété." if returned else ""
            )
            reports.append(ProgressReport(
                project=project, kind=slot.kind, number=slot.number, period_start=slot.period_start,
                period_end=slot.period_end, due_on=slot.due_on, status=ProgressReport.Status.APPROVED,
                narrative=f"Avancement {project.acronym} : lots de travail conformes au plan ; jalons atteints.",
                submitted_at=_aware(submitted), reviewed_at=_aware(approved), review_comment=comment,
            ))  # fmt: skip
            approvals[slot.kind, slot.number] = approved
            for part in participations[project.pk]:
                for line in budget[part.pk]:
                    share = Decimal((slot.period_end - slot.period_start).days + 1) / Decimal(duration * 30.4)
                    spent = (line.amount * share * Decimal(rng.uniform(0.75, 1.1))).quantize(Decimal("0.01"))
                    spending_plans.append(
                        (project.pk, slot.kind, slot.number, part.pk, line.cost_type, spent)
                    )
        project_plans[project.pk] = (signed_on, approvals, terminated, start, duration)
        option = (project.call.instalments or {}).get("per_partner", False) if project.call_id else False
        by_funder = defaultdict(list)
        for d in project_decisions:
            by_funder[d.funder].append(d)
        for funder, group in by_funder.items():
            split = option is True or (isinstance(option, list) and funder.slug in option)
            groups = [([d], d.participation_id) for d in group] if split else [(group, None)]
            for members, participation_id in groups:
                base = f"{project.call.reference if project.call_id else 'P'}-{project.pk}-{funder.slug}"
                agreement = Agreement(
                    project=project, funder=funder, participation_id=participation_id,
                    reference=(f"{base}-{participation_id}" if participation_id else base)[:80],
                    amount=sum((d.amount for d in members), Decimal(0)), status=Agreement.Status.SIGNED,
                    funder_signed_on=signed_on, beneficiary_signed_on=signed_on - dt.timedelta(days=rng.randint(0, 20)),
                )  # fmt: skip
                agreements.append(agreement)
                instalment_plans.append((agreement, members, tranches, project.pk))
        _files(ctx, project, participations[project.pk], start, duration, today, milestones, outputs, consortium,
               ip_rows, licence_plans, terminated)  # fmt: skip

    _bulk(Agreement, agreements)
    _bulk(ProgressReport, reports)
    report_ids = {
        (r.project_id, r.kind, r.number): r.pk
        for r in ProgressReport.objects.filter(project_id__in=ids).only("pk", "project_id", "kind", "number")
    }
    copy_rows(
        SpendingLine,
        ["report_id", "participation_id", "cost_type", "amount"],
        [
            (report_ids[(pid, kind, number)], part, cost, spent)
            for pid, kind, number, part, cost, spent in spending_plans
            if (pid, kind, number) in report_ids
        ],
    )
    instalments, paid_plan = [], []
    for agreement, members, tranches, project_id in instalment_plans:
        signed_on, approvals, terminated, _start, _duration = project_plans[project_id]
        facts = engine.Conditions(
            signed=True,
            approved_progress_reports=sum(1 for kind, _n in approvals if kind == "progress"),
            final_report_approved=("final", 1) in approvals,
        )
        for decision in members:
            for tranche, amount in zip(
                tranches, engine.split(decision.amount, [t.share for t in tranches]), strict=True
            ):
                row = Instalment(
                    agreement=agreement, decision=decision, number=tranche.number, kind=tranche.kind,
                    progress_reports_needed=tranche.progress_reports_needed, share=tranche.share, amount=amount,
                )  # fmt: skip
                met = engine.unmet_condition(tranche.kind, tranche.progress_reports_needed, facts) is None
                if met:
                    if tranche.kind == engine.ADVANCE:
                        since = signed_on
                    elif (
                        tranche.kind == engine.BALANCE
                        or ("progress", tranche.progress_reports_needed) not in approvals
                    ):
                        since = approvals[("final", 1)]
                    else:
                        since = approvals[("progress", tranche.progress_reports_needed)]
                    row.payable_since = since
                    paid_on = _day(ctx.rng, since, 15, 60)
                    if paid_on <= today:
                        row.status, row.paid, row.paid_on = Instalment.Status.PAID, amount, paid_on
                        if amount:
                            paid_plan.append((row, amount, paid_on))
                    else:
                        row.status = Instalment.Status.PAYABLE
                elif terminated:
                    row.status = Instalment.Status.CANCELLED
                instalments.append(row)
        if terminated:
            agreement.status = Agreement.Status.TERMINATED
    # The largest tables go through the generator's raw bulk path (COPY on PostgreSQL).
    now = timezone.now()
    copy_rows(
        Instalment,
        ["agreement_id", "decision_id", "number", "kind", "progress_reports_needed", "share", "amount", "paid",
         "status", "payable_since", "paid_on", "version", "created_at", "updated_at"],
        [
            (r.agreement.pk, r.decision_id, r.number, r.kind, r.progress_reports_needed, r.share, r.amount, r.paid,
             r.status, r.payable_since, r.paid_on, 1, now, now)
            for r in instalments
        ],
    )  # fmt: skip
    ids_by_key = {
        (decision, number): pk
        for pk, decision, number in Instalment.objects.filter(agreement__project_id__in=ids).values_list(
            "pk", "decision_id", "number"
        )
    }
    copy_rows(
        Payment,
        ["instalment_id", "amount", "paid_on", "reference", "created_at", "updated_at"],
        [
            (
                ids_by_key[(row.decision_id, row.number)],
                amount,
                day,
                f"VIR-{row.agreement.pk}-{row.number}",
                now,
                now,
            )
            for row, amount, day in paid_plan
        ],
    )
    for row in instalments:
        row.agreement_id = row.agreement.pk
    open_agreements = set(
        Instalment.objects.filter(
            agreement__project_id__in=ids, status__in=[Instalment.Status.PLANNED, Instalment.Status.PAYABLE]
        ).values_list("agreement_id", flat=True)
    )
    last_paid: dict[int, dt.date] = {}
    for row in instalments:
        if row.paid_on and (row.agreement_id not in last_paid or row.paid_on > last_paid[row.agreement_id]):
            last_paid[row.agreement_id] = row.paid_on
    closing = [a for a in agreements if a.status == Agreement.Status.SIGNED and a.pk not in open_agreements]
    for agreement in closing:
        agreement.status = Agreement.Status.CLOSED
        agreement.closed_on = last_paid.get(agreement.pk)
    Agreement.objects.bulk_update(
        closing + [a for a in agreements if a.status == "terminated"], ["status", "closed_on"]
    )
    _bulk(Milestone, milestones, returning=False)
    _bulk(Output, outputs, returning=False)
    _bulk(ConsortiumAgreement, consortium, returning=False)
    declarations = _bulk(IPDeclaration, ip_rows)
    by_project = defaultdict(list)
    for declaration in declarations:
        by_project[declaration.project_id].append(declaration)
    licences = []
    for project_id, licensor, licensee, name, kind, day in licence_plans:
        background = [d for d in by_project[project_id] if d.participation_id == licensor]
        licences.append(Licence(
            project_id=project_id, licensor_id=licensor, licensee_partner_id=licensee, licensee_name=name, kind=kind,
            signed_on=day, ip=background[0] if background else None, field_of_use="Applications industrielles",
        ))  # fmt: skip
    _bulk(Licence, licences, returning=False)
    for name, rows in [
        ("agreements", agreements), ("instalments", instalments), ("payments", paid_plan), ("reports", reports),
        ("spending_lines", spending_plans), ("milestones", milestones), ("outputs", outputs),
        ("consortium_agreements", consortium), ("ip_declarations", ip_rows), ("licences", licences),
    ]:  # fmt: skip
        ctx.count(name, len(rows))


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def _files(
    ctx,
    project,
    parts,
    start,
    duration,
    today,
    milestones,
    outputs,
    consortium,
    ip_rows,
    licences,
    terminated,
):
    """Milestones, outputs, consortium agreement and IP of one project."""
    rng = ctx.rng
    end = engine.add_months(start, duration)
    lead = next((p for p in parts if p.role == "lead"), parts[0] if parts else None)
    if lead is None:
        return
    for k in range(1, rng.randint(3, 6)):
        due = engine.add_months(start, round(duration * k / 5))
        achieved = due <= today and (not terminated or k == 1)
        milestones.append(Milestone(
            project=project, participation=rng.choice(parts), kind="deliverable" if k % 2 else "milestone",
            title=f"{'Livrable' if k % 2 else 'Jalon'} {k} — {project.acronym}", due_on=due,
            status="achieved" if achieved and rng.random() < 0.9 else ("delayed" if due <= today else "planned"),
            achieved_on=_day(rng, due, -10, 40) if achieved else None,
        ))  # fmt: skip
    consortium.append(ConsortiumAgreement(
        project=project, status="signed", signed_on=_day(rng, start, -60, 30),
        ownership="Chaque partenaire est propriétaire des résultats qu'il génère ; copropriété au prorata des apports.",
        access_rights="Droits d'accès gratuits pour les besoins du projet ; conditions équitables pour l'exploitation.",
        document_reference=f"AC-{project.acronym}",
    ))  # fmt: skip
    for part in parts:
        if part.category in ("company", "ntbf") and rng.random() < 0.5:
            ip_rows.append(IPDeclaration(
                project=project, participation=part, kind="background", protection=rng.choice(["patent", "software", "know_how"]),
                title=f"Savoir-faire antérieur de {part.organisation.name[:60]}", declared_on=_day(rng, start, -30, 10),
            ))  # fmt: skip
    if terminated:
        return
    horizon = [end]

    def when(low=-180, high=900) -> dt.date | None:
        day = _day(rng, horizon[0], low, high)
        return day if day <= today else None

    def add(part, kind, title, **extra):
        day = when()
        if day is None:
            return
        outputs.append(Output(
            project=project, participation=part, kind=kind, achieved_on=day, title=title[:300],
            status="validated" if rng.random() < 0.88 else "declared",
            evidence_note=extra.pop("evidence_note", "Justificatif transmis au financeur."), **extra,
        ))  # fmt: skip

    for part in parts:
        company = part.category in ("company", "ntbf")
        if company and rng.random() < 0.55:
            add(part, "jobs", f"Emplois créés chez {part.organisation.name[:80]}",
                quantity=Decimal(str(round(rng.uniform(0.5, 4.5), 1))), evidence_note="Registre du personnel")  # fmt: skip
        if company and rng.random() < 0.3:
            number = f"FR{rng.randint(1000000, 3099999)}"
            add(part, "patent_filed", f"Brevet {project.acronym}", patent_number=number)
            if rng.random() < 0.5:
                ip_rows.append(IPDeclaration(
                    project=project, participation=part, kind="foreground", protection="patent",
                    title=f"Résultat breveté {project.acronym}", reference=number, declared_on=_day(rng, end, -200, 60),
                ))  # fmt: skip
                if rng.random() < 0.4:
                    add(part, "patent_granted", f"Brevet délivré {project.acronym}", patent_number=number)
        if not company and rng.random() < 0.8:
            for _ in range(rng.randint(1, 3)):
                year = min(when(0, 600) or end, today).year
                add(part, "publication", f"Article {project.acronym} ({part.organisation.name[:40]})",
                    doi=f"10.5555/poles.{year}.{project.pk}.{rng.randint(100, 999)}",
                    evidence_url=f"https://doi.org/10.5555/poles.{year}.{project.pk}")  # fmt: skip
        if part.size_class in SME and company and rng.random() < 0.08:
            add(part, "private_funding", f"Levée de fonds de {part.organisation.name[:80]}",
                quantity=Decimal(rng.randint(3, 40) * 100_000))  # fmt: skip
    if rng.random() < 0.35:
        add(lead, "product", f"Produit issu de {project.acronym}")
    if rng.random() < 0.12:
        licensee = f"Société licenciée {rng.randint(1, 999)}"
        add(
            lead,
            "licence",
            f"Licence {project.acronym}",
            licensee=licensee,
            licence_kind=rng.choice(["exclusive", "non_exclusive"]),
        )
        licences.append((project.pk, lead.pk, None, licensee, "non_exclusive", when(0, 400) or end))
    if len(parts) > 1 and rng.random() < 0.1:
        other = rng.choice([p for p in parts if p.pk != lead.pk])
        licences.append((project.pk, lead.pk, other.pk, "", "non_exclusive", _day(rng, end, -100, 100)))
    if rng.random() < 0.03:
        add(lead, "spin_off", f"Essaimage {project.acronym}")
    if rng.random() < 0.2:
        add(lead, "follow_up", f"Projet de suite de {project.acronym}")
