"""Demo data for partner search: competences, partner profiles, past collaborations, an open call.

The registry's demo organisations have no competences and no shared history, so partner search
would have nothing to rank. This step gives every organisation competence keywords drawn from its
clusters' fields (and a sentence in French), partner profiles to part of those that opted in, a few
thousand past external collaborative projects (synthetic, marked `DEMO-…`; real CORDIS data comes
from the open-data import) and, when no call is open yet, one open call with FUI-like rules.
The demo member account's organisation is made findable with a full profile, so the member's
journey (find partners, build a consortium, start a proposal) works on every demo.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from poles.calls.engine.presets import get_preset
from poles.calls.models import Call, CallFunder
from poles.clusters.models import Cluster
from poles.core.bulk import copy_rows
from poles.demo.generator import DemoContext, step
from poles.organisations.models import (
    COMPANY_CATEGORIES,
    RESEARCH_CATEGORIES,
    TRAINING_CATEGORIES,
    Competence,
    Organisation,
)
from poles.projects.models import Participation, Project

from . import indexing
from .models import PartnerProfile
from .vocabulary import APPLICATIONS, COMPETENCES, EQUIPMENT

PROJECTS_PER_ORGANISATION = 0.06
# Rows are written with plain INSERTs (COPY on PostgreSQL): the fixed columns come after the texts.
PROFILE_COLUMNS = [
    "organisation_id", "offer_fr", "offer_en", "equipment", "languages", "past_projects", "looking_for",
    "show_platform_projects", "version", "created_at", "updated_at",
]  # fmt: skip
PROFILE_DEFAULTS = ("", "", True, 1)
PARTICIPATION_COLUMNS = [
    "project_id", "organisation_id", "role", "category", "size_class", "public_controlled", "territory_share",
    "lead_cluster_share", "in_territory", "cost_basis", "total_cost",
]  # fmt: skip
OPEN_CALL_REFERENCE = "aap-rd-collaborative-ouvert"


def _competence_ids() -> dict[str, list[tuple[int, str, str]]]:
    """Create the vocabulary once (idempotent) and return it by field: (id, French, English)."""
    wanted = {slug: (fr, en) for entries in COMPETENCES.values() for slug, fr, en in entries}
    existing = set(Competence.objects.filter(slug__in=wanted).values_list("slug", flat=True))
    Competence.objects.bulk_create(
        [Competence(slug=s, label_fr=fr, label_en=en) for s, (fr, en) in wanted.items() if s not in existing]
    )
    ids = dict(Competence.objects.filter(slug__in=wanted).values_list("slug", "id"))
    return {
        field: [(ids[slug], fr, en) for slug, fr, en in entries] for field, entries in COMPETENCES.items()
    }


def _sentence(category: str, labels: list[str], rng) -> str:
    listed = ", ".join(label.lower() for label in labels[:-1]) + f" et {labels[-1].lower()}"
    if category in RESEARCH_CATEGORIES:
        return f"Recherche en {listed}. " + rng.choice(
            ["Projets collaboratifs avec l'industrie.", "Transfert de technologie vers les PME.", ""]
        )
    if category in TRAINING_CATEGORIES:
        return f"Formation et plateformes pédagogiques en {listed}."
    if category in COMPANY_CATEGORIES:
        return rng.choice(
            [
                f"Nous concevons et industrialisons des solutions en {listed}.",
                f"Savoir-faire en {listed}, de la preuve de concept à la production.",
                f"Produits et services en {listed} pour nos clients industriels.",
            ]
        )
    return f"Accompagnement des entreprises en {listed}."


def _update_texts(rows: list[tuple[str, int]]) -> None:
    """competences_text for many organisations with one prepared UPDATE (fast on both databases)."""
    table = connection.ops.quote_name(Organisation._meta.db_table)
    column = connection.ops.quote_name("competences_text")
    sql = f"UPDATE {table} SET {column} = %s WHERE id = %s"  # noqa: S608 — fixed names
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 20_000):
            cursor.executemany(sql, rows[start : start + 20_000])


@step("partner profiles")
def make_partner_profiles(ctx: DemoContext) -> None:
    rng = ctx.rng
    by_field = _competence_ids()
    field_slugs = sorted(by_field)
    cluster_fields: dict[str, list[str]] = defaultdict(list)
    for slug, field in Cluster.fields.through.objects.values_list(
        "cluster__slug", "specialisationfield__slug"
    ):
        if field in by_field:
            cluster_fields[slug].append(field)
    org_fields: dict[int, list[str]] = defaultdict(list)
    for org_id, slug, _start, _end in ctx.memberships:
        for field in cluster_fields.get(slug, ()):
            if field not in org_fields[org_id]:
                org_fields[org_id].append(field)
    orgs = list(Organisation.objects.values_list("id", "category", "findable", "size_class").order_by("id"))
    member_org = _demo_member_organisation(ctx)

    through = Organisation.competences.through
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    links, texts, profiles = [], [], []
    chosen: dict[int, list[tuple[int, str, str]]] = {}
    for org_id, category, findable, _size in orgs:
        fields = sorted(org_fields.get(org_id) or [rng.choice(field_slugs)])
        if org_id == member_org:
            fields = ["embedded-software", "micro-nano"]
        pool = [c for f in fields for c in by_field[f]]
        picks = rng.sample(pool, min(len(pool), rng.randint(2, 4)))
        if rng.random() < 0.2:
            picks.append(rng.choice(by_field[rng.choice(field_slugs)]))
        if org_id == member_org:
            picks = [c for c in pool if c[1] in ("Capteurs MEMS", "Logiciel embarqué", "Internet des objets")]
        picks = list(dict.fromkeys(picks))
        chosen[org_id] = picks
        links += [(org_id, cid) for cid, _fr, _en in picks]
        texts.append((_sentence(category, [fr for _cid, fr, _en in picks], rng), org_id))
        research = category in RESEARCH_CATEGORIES
        if org_id == member_org or (findable and rng.random() < (0.7 if research else 0.45)):
            equipment = EQUIPMENT.get(fields[0], []) if (research or rng.random() < 0.2) else []
            profiles.append(
                (
                    org_id,
                    "Compétences : " + ", ".join(fr for _c, fr, _e in picks) + ".",
                    "Competences: " + ", ".join(en for _c, _f, en in picks) + ".",
                    "\n".join(fr for fr, _en in equipment),
                    json.dumps(["en", "fr"] if rng.random() < 0.7 else ["fr"]),
                    *PROFILE_DEFAULTS,
                    stamp,
                    stamp,
                )
            )
    copy_rows(through, ["organisation_id", "competence_id"], links)
    _update_texts(texts)
    copy_rows(PartnerProfile, PROFILE_COLUMNS, profiles)
    if member_org is not None:
        Organisation.objects.filter(pk=member_org).update(findable=True)
    ctx.count("competence_links", len(links))
    ctx.count("partner_profiles", len(profiles))
    _make_past_projects(ctx, orgs, chosen)
    _make_open_call(ctx)
    indexing.reset()


def _demo_member_organisation(ctx: DemoContext) -> int | None:
    """The organisation the demo member account acts for (chosen by the accounts step, same rule)."""
    from poles.demo.users import demo_member_organisation

    try:
        return demo_member_organisation(ctx).pk
    except IndexError:  # a programme without any SME member of Minalogic: no demo member
        return None


def _acronym(rng, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice("ABCDEFGHIKLMNOPRSTUVZ") for _ in range(rng.randint(4, 7)))
        if name not in used:
            used.add(name)
            return name


def _make_past_projects(ctx: DemoContext, orgs, chosen) -> None:
    """Past external collaborative projects, mostly among members of the same cluster."""
    rng = ctx.rng
    info = {org_id: (category, size) for org_id, category, _findable, size in orgs}
    by_cluster: dict[str, list[tuple[int, dt.date, dt.date | None]]] = defaultdict(list)
    for org_id, slug, start, end in ctx.memberships:
        by_cluster[slug].append((org_id, start, end))
    slugs = sorted(s for s, members in by_cluster.items() if len(members) >= 4)
    if not slugs:
        return
    weights = [len(by_cluster[s]) for s in slugs]
    everyone = [org_id for org_id, *_ in orgs]
    n_projects = max(10, round(PROJECTS_PER_ORGANISATION * len(orgs)))
    used: set[str] = set()
    projects, consortia = [], []
    pools: dict[tuple[str, int], tuple[list[int], list[int], list[int]]] = {}
    for number in range(n_projects):
        slug = rng.choices(slugs, weights)[0]
        year = rng.randint(2009, 2023)
        if (slug, year) not in pools:  # members on 1 January, split once per cluster and year
            day = dt.date(year, 1, 1)
            active = [o for o, start, end in by_cluster[slug] if start <= day and (end is None or end >= day)]
            pools[slug, year] = (
                active,
                [o for o in active if info[o][0] in COMPANY_CATEGORIES],
                [o for o in active if info[o][0] in RESEARCH_CATEGORIES],
            )
        active, companies, labs = pools[slug, year]
        if len(active) < 3:
            continue
        if not companies:
            continue
        members = [rng.choice(companies)]
        for pool, n in ((companies, rng.randint(1, 3)), (labs, rng.randint(1, 2))):
            for _ in range(n):
                candidate = rng.choice(pool) if pool and rng.random() < 0.8 else rng.choice(everyone)
                if candidate not in members:
                    members.append(candidate)
        if len(members) < 2:
            continue
        labels = list(dict.fromkeys(c for o in members[:2] for c in chosen.get(o, ())))
        if len(labels) < 2:
            continue
        a, b = rng.sample(labels, 2)
        application_fr, _application_en = rng.choice(APPLICATIONS)
        cost = Decimal(rng.randrange(600, 6000) * 1000)
        projects.append(
            Project(
                source=Project.Source.CORDIS,
                status=Project.Status.EXTERNAL,
                external_id=f"DEMO-{number:05d}",
                acronym=_acronym(rng, used),
                title=f"{a[1]} et {b[1].lower()} {application_fr}",
                start_date=dt.date(year, rng.randint(1, 12), 1),
                duration_months=rng.choice([24, 30, 36, 42, 48]),
                total_cost=cost,
                external_funding=(cost * Decimal("0.6")).quantize(Decimal(1)),
            )
        )
        consortia.append(members)
    created = Project.objects.bulk_create(projects, batch_size=2000)
    participations = [
        (
            project.pk, org_id, "lead" if i == 0 else "partner", str(info[org_id][0]), info[org_id][1] or "",
            False, Decimal(1), Decimal(0), True, "full", Decimal(0),
        )
        for project, members in zip(created, consortia, strict=True)
        for i, org_id in enumerate(members)
    ]  # fmt: skip
    copy_rows(Participation, PARTICIPATION_COLUMNS, participations)
    ctx.count("past_projects", len(created))
    ctx.count("past_participations", len(participations))


def _make_open_call(ctx: DemoContext) -> None:
    """One open call with FUI-like rules (at least 2 companies including an SME, a lab, most of the
    work in the cluster territories), unless another demo step already opened one."""
    if Call.objects.filter(status=Call.Status.OPEN).exists() or ctx.programme is None:
        return
    preset = get_preset("fui_classic")
    rules = list(preset["rules"])
    rules.insert(2, {"rule": "sme_required", "params": {"min": 1}, "severity": "fail"})
    now = timezone.now().replace(microsecond=0)
    call = Call.objects.create(
        programme=ctx.programme,
        reference=OPEN_CALL_REFERENCE,
        title_fr="Appel à projets de R&D collaborative (ouvert)",
        title_en="Call for collaborative R&D projects (open)",
        description_fr="Projets de R&D collaborative labellisés par un pôle : au moins deux entreprises dont une "
        "PME, au moins un laboratoire, l'essentiel des travaux sur le territoire des pôles.",
        description_en="Collaborative R&D projects labelled by a cluster: at least two companies including an SME, "
        "at least one research lab, most of the work in the clusters' territories.",
        status=Call.Status.OPEN,
        preset="fui_classic",
        opens_at=now - dt.timedelta(days=20),
        labelling_deadline=now + dt.timedelta(days=300),
        submission_deadline=now + dt.timedelta(days=330),
        rules=rules,
        rates=preset["rates"],
        caps=preset["caps"],
        evaluation=preset["evaluation"],
    )
    if "fui" in ctx.funders:
        CallFunder.objects.create(call=call, funder=ctx.funders["fui"], envelope=Decimal(20_000_000))
    ctx.count("open_calls", 1)
