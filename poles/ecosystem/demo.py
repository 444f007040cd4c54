"""Demo step: the clusters' ecosystem life, 2006–2012, and what is coming.

Each cluster open in a year runs international actions (missions, partnerships, trade fairs),
competence actions (training sessions, skills workshops) and IPR support, with member
organisations taking part; it holds one or two events with registrations, some with B2B
meetings scheduled by the engine. Member SMEs raise private funding now and then (validated by
their cluster). Minalogic and Tenerrdis announce an event open to registration, with B2B meetings.
The counts sit around the performance contracts' targets (4 international and 3 training
actions a year), so the 2012 cluster reports show actuals computed from these rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from poles.demo.generator import DemoContext, _bulk, step
from poles.organisations.models import Organisation

from . import engine
from .models import (
    Action,
    ActionParticipant,
    Event,
    FundRaising,
    Meeting,
    MeetingRequest,
    Registration,
    Skill,
)

YEARS = range(2006, 2013)
FAIRS = [
    "Semicon Europa",
    "Hannover Messe",
    "CES Las Vegas",
    "Electronica Munich",
    "Embedded World",
    "Pollutec",
]
PARTNERS = [
    ("JP", "Tsukuba Science City"), ("CA", "Ottawa Photonics Cluster"), ("DE", "Silicon Saxony"),
    ("US", "Nanotech Albany"), ("BR", "Porto Digital"), ("KR", "Daedeok Innopolis"), ("IT", "Distretto Tecnologico"),
]  # fmt: skip
SKILLS = [
    "Conception de circuits basse consommation", "Packaging de MEMS", "Logiciel embarqué temps réel",
    "Caractérisation de matériaux", "Vision industrielle", "Cybersécurité des objets connectés", "Prototypage rapide",
]  # fmt: skip
COMPANY = ("company", "ntbf")


def _date(rng, year: int) -> dt.date:
    return dt.date(year, rng.randint(1, 12), rng.randint(1, 28))


@step("ecosystem actions, events and fund-raising")
def make_ecosystem(ctx: DemoContext) -> None:
    rng = ctx.rng
    if not ctx.clusters:
        return
    end_of = {s: dt.date.fromisoformat(v) for s, v in ctx.truth.get("cluster_end", {}).items() if v}
    members: dict[tuple[str, int], list[int]] = defaultdict(list)
    for org, slug, start, end in ctx.memberships:
        for year in YEARS:
            day = dt.date(year, 12, 31)
            if start <= day and (end is None or end >= dt.date(year, 1, 1)):
                members[slug, year].append(org)
    orgs = dict(
        Organisation.objects.filter(pk__in={o for o, *_ in ctx.memberships}).values_list("pk", "category")
    )
    sizes = dict(Organisation.objects.filter(pk__in=list(orgs)).values_list("pk", "size_class"))

    actions, participant_plans = [], []

    def full(slug: str) -> bool:
        # At the small test scales, only the Rhône-Alpes clusters (Minalogic, Tenerrdis…) get a full
        # ecosystem; the others one action a year, so that the test database stays quick to build.
        return ctx.scale.member_factor >= 0.5 or ctx.cluster_region.get(slug) == "82"

    events, registration_plans = [], []
    for slug, cluster in ctx.clusters.items():
        for year in YEARS:
            if cluster.labelled_on.year > year or (slug in end_of and end_of[slug].year < year):
                continue
            pool = sorted(set(members[slug, year]))
            if not full(slug):
                actions.append(_action(rng, cluster, year, "international", "mission"))
                participant_plans.append(rng.sample(pool, min(len(pool), 2)))
                continue
            plan = (
                [("international", rng.choice(["mission", "partnership", "trade_fair"])) for _ in range(rng.randint(2, 6))]
                + [("competence", "training") for _ in range(rng.randint(1, 5))]
                + [("competence", "skills") for _ in range(rng.randint(0, 2))]
                + [("ipr", rng.choice(["ipr_awareness", "ipr_diagnosis"])) for _ in range(rng.randint(0, 2))]
            )  # fmt: skip
            for kind, fmt in plan:
                actions.append(_action(rng, cluster, year, kind, fmt))
                participant_plans.append(rng.sample(pool, min(len(pool), rng.randint(2, 6))))
            for _ in range(rng.randint(1, 2)):
                starts = timezone.make_aware(dt.datetime.combine(_date(rng, year), dt.time(9)))
                b2b = rng.random() < 0.3
                events.append(Event(
                    cluster=cluster, title_fr=f"Journée {cluster.name} {year}", title_en=f"{cluster.name} day {year}",
                    description_fr="Conférences, démonstrations et rencontres entre membres.",
                    description_en="Talks, demonstrations and meetings between members.",
                    starts_at=starts, ends_at=starts + dt.timedelta(hours=8), venue=cluster.city,
                    capacity=rng.choice([None, 60, 120]), status=Event.Status.PUBLISHED, b2b=b2b,
                    b2b_starts_at=starts + dt.timedelta(hours=5) if b2b else None, b2b_slots=8, b2b_tables=12,
                ))  # fmt: skip
                registration_plans.append(rng.sample(pool, min(len(pool), rng.randint(5, 20))))
    _bulk(Action, actions)
    ActionParticipant.objects.bulk_create(
        [
            ActionParticipant(
                action=action,
                organisation_id=org,
                role="participant",
                result=rng.choice(["", "Contacts commerciaux", "Compétences acquises", "Partenariat engagé"]),
            )  # fmt: skip
            for action, pool in zip(actions, participant_plans, strict=True)
            for org in pool
        ],
        batch_size=2000,
    )
    events += _coming_events(ctx)
    registration_plans += [None] * (len(events) - len(registration_plans))
    _bulk(Event, events)
    registrations = []
    for event, pool in zip(events, registration_plans, strict=True):
        for org in pool or []:
            registrations.append(Registration(
                event=event, organisation_id=org, wants_b2b=event.b2b and rng.random() < 0.7,
                attendees=rng.randint(1, 3), b2b_profile="Partenaires industriels et technologies recherchées.",
            ))  # fmt: skip
    registrations = _bulk(Registration, registrations)
    n_requests, n_meetings = _meetings(rng, events, registrations)
    skills = _skills(rng, ctx, members)
    raisings = _fundraisings(rng, ctx, members, orgs, sizes)
    for name, n in [
        ("ecosystem_actions", len(actions)), ("events", len(events)), ("registrations", len(registrations)),
        ("meeting_requests", n_requests), ("meetings", n_meetings), ("skills", skills), ("fund_raisings", raisings),
    ]:  # fmt: skip
        ctx.count(name, n)


def _action(rng, cluster, year: int, kind: str, fmt: str) -> Action:
    start = _date(rng, year)
    if kind == "international":
        country, partner = rng.choice(PARTNERS)
        if fmt == "trade_fair":
            partner = rng.choice(FAIRS)
        title_fr = {"mission": f"Mission d'affaires ({partner})", "partnership": f"Partenariat avec {partner}",
                    "trade_fair": f"Pavillon commun sur {partner}"}[fmt]  # fmt: skip
        title_en = {"mission": f"Business mission ({partner})", "partnership": f"Partnership with {partner}",
                    "trade_fair": f"Joint stand at {partner}"}[fmt]  # fmt: skip
        return Action(
            cluster=cluster, kind=kind, format=fmt, title_fr=title_fr, title_en=title_en, start_date=start,
            end_date=start + dt.timedelta(days=rng.randint(1, 5)), country=country, partner_name=partner,
            results_fr="Rendez-vous d'affaires et accords de coopération.", results_en="Business meetings and cooperation agreements.",
        )  # fmt: skip
    titles = {
        "training": ("Formation des membres", "Members' training"), "skills": ("Atelier compétences", "Skills workshop"),
        "ipr_awareness": ("Sensibilisation à la propriété industrielle", "IPR awareness session"),
        "ipr_diagnosis": ("Diagnostic propriété industrielle", "IPR diagnosis"),
    }  # fmt: skip
    fr, en = titles[fmt]
    return Action(
        cluster=cluster, kind=kind, format=fmt, title_fr=f"{fr} {year}", title_en=f"{en} {year}", start_date=start,
        end_date=start, country="FR", results_fr="Participants formés.", results_en="Participants trained.",
    )  # fmt: skip


def _coming_events(ctx) -> list[Event]:
    """Events open to registration now, for the demo accounts to try."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    out = []
    for slug, days in (("minalogic", 45), ("tenerrdis", 60)):
        cluster = ctx.clusters.get(slug)
        if cluster is None:
            continue
        starts = (now + dt.timedelta(days=days)).replace(hour=9)
        out.append(Event(
            cluster=cluster, title_fr=f"Rencontres d'affaires {cluster.name}", title_en=f"{cluster.name} business meetings",
            description_fr="Rendez-vous B2B de 20 minutes entre membres, sur demande acceptée.",
            description_en="20-minute B2B meetings between members, on accepted requests.",
            starts_at=starts, ends_at=starts + dt.timedelta(hours=8), venue=cluster.city, capacity=80,
            registration_deadline=(starts - dt.timedelta(days=7)).date(), status=Event.Status.PUBLISHED, b2b=True,
            b2b_starts_at=starts + dt.timedelta(hours=5), b2b_slots=8, b2b_tables=15,
        ))  # fmt: skip
    return out


def _meetings(rng, events, registrations) -> tuple[int, int]:
    by_event = defaultdict(list)
    for r in registrations:
        if r.wants_b2b:
            by_event[r.event_id].append(r)
    requests = []
    for event in events:
        regs = by_event.get(event.pk, [])
        if not event.b2b or len(regs) < 2 or event.starts_at > timezone.now():
            continue
        pairs = set()
        for _ in range(len(regs) * 2):
            a, b = rng.sample(regs, 2)
            if (a.pk, b.pk) not in pairs:
                pairs.add((a.pk, b.pk))
                requests.append(MeetingRequest(
                    event=event, requester=a, target=b, status="accepted" if rng.random() < 0.8 else "declined"
                ))  # fmt: skip
    requests = _bulk(MeetingRequest, requests)
    meetings = []
    by_event_requests = defaultdict(list)
    for r in requests:
        if r.status == "accepted":
            by_event_requests[r.event_id].append(r)
    events_by_pk = {e.pk: e for e in events}
    for event_id, accepted in by_event_requests.items():
        event = events_by_pk[event_id]
        placed, _left = engine.schedule_meetings(
            [(r.pk, r.requester.organisation_id, r.target.organisation_id) for r in accepted],
            slots=event.b2b_slots, tables=event.b2b_tables,
        )  # fmt: skip
        step_ = dt.timedelta(minutes=event.b2b_slot_minutes)
        meetings += [
            Meeting(
                event=event,
                request_id=p.key,
                slot=p.slot + 1,
                table=p.table,
                starts_at=event.b2b_starts_at + step_ * p.slot,
            )
            for p in placed
        ]
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    return len(requests), len(meetings)


def _skills(rng, ctx, members) -> int:
    rows = []
    for slug, cluster in ctx.clusters.items():
        pool = sorted(set(members[slug, 2012]))
        for org in rng.sample(pool, min(len(pool), 4)):
            rows.append(Skill(
                cluster=cluster, organisation_id=org, direction=rng.choice(["offered", "sought"]), label=rng.choice(SKILLS),
            ))  # fmt: skip
    Skill.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _fundraisings(rng, ctx, members, categories, sizes) -> int:
    """Member SMEs raise private funding: about 5 % of them a year (at least one a year in the
    two Grenoble clusters, so that their reports have something to show at every scale)."""
    rows, seen = [], set()
    investors = (
        ["venture_capital"] * 4 + ["business_angels"] * 3 + ["corporate", "crowdfunding", "family_office"]
    )
    for slug in ctx.clusters:
        for year in YEARS:
            smes = [o for o in sorted(set(members[slug, year])) if categories.get(o) in ("company", "ntbf")
                    and sizes.get(o) in ("micro", "small", "medium")]  # fmt: skip
            chosen = [o for o in smes if rng.random() < 0.05]
            if not chosen and smes and slug in ("minalogic", "tenerrdis"):
                chosen = [rng.choice(smes)]
            for org in chosen:
                if (org, year) in seen:
                    continue
                seen.add((org, year))
                amount = Decimal(round(rng.lognormvariate(13.9, 0.8), -4))
                rows.append(FundRaising(
                    organisation_id=org, amount=max(amount, Decimal(50_000)), investor_type=rng.choice(investors),
                    stage=rng.choice(["seed", "seed", "series_a", "series_b"]), closed_on=_date(rng, year),
                    investors="Fonds régional d'amorçage" if rng.random() < 0.4 else "",
                    status="validated" if rng.random() < 0.9 else "declared",
                ))  # fmt: skip
    FundRaising.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
