"""The demo programme: a deterministic synthetic cluster programme calibrated on POLICY.md.

`generate(scale, seed)` builds, inside one transaction, the programme, its 71 clusters labelled
2005–2007 (15 in Rhône-Alpes, among them Minalogic and Tenerrdis in Grenoble), six eco-technology
clusters labelled in 2010 when six others lost the label, the 2008 and 2012 evaluations, member
firms growing from about 4,000 (2006) to 9,000 (2012), labs, universities and training centres,
comparable non-member firms, yearly figures 2003–2022, performance contracts and demo accounts.

The firm panel carries a planted effect of membership on R&D spending (see reference.EFFECT_RD)
and selection of already better-performing firms (reference.SELECTION_RD_PREMIUM), so that the
impact evaluation can be checked against the truth stored in `DemoDataset.truth`.

Later steps (calls, follow-up…) register themselves in STEPS; each step is a function of the
shared `DemoContext`. Everything is bulk-inserted: the default scale loads in well under a minute.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from stdnum import luhn

from poles.calls.models import Funder
from poles.clusters.models import (
    Cluster,
    ClusterLabel,
    ClusterRating,
    ContractParty,
    GovernanceBody,
    GovernanceSeat,
    Kpi,
    KpiTarget,
    LabelPhase,
    Membership,
    PerformanceContract,
    SpecialisationField,
)
from poles.core import audit, maintenance
from poles.core.bulk import copy_rows
from poles.instruments.models import Instrument, PolicyKeyword, Programme, TargetGroup
from poles.organisations import sizing
from poles.organisations.models import Category, Contact, Organisation, YearlyFigures
from poles.organisations.validators import ror_checksum
from poles.territories.models import Departement, Region

from . import names, places, reference
from .models import DemoDataset


@dataclass(frozen=True)
class Scale:
    """How big the synthetic programme is."""

    name: str
    member_factor: float  # multiplies the member-firm and other-member targets of reference.py
    non_member_firms: int
    other_orgs_factor: float


SCALES = {
    "default": Scale("default", 1.0, 6000, 1.0),
    "national": Scale("national", 1.6, 14000, 1.6),
    # A small programme for tests and quick looks: same structure, fewer organisations.
    "tiny": Scale("tiny", 0.04, 200, 0.05),
}

FIRST_YEAR, LAST_YEAR = 2005, 2026
BATCH = 2000


@dataclass
class DemoContext:
    """What the steps share: the random generators, the scale, and what was created so far."""

    seed: int
    scale: Scale
    log: Callable[[str], None]
    rng: random.Random = field(init=False)
    np_rng: np.random.Generator = field(init=False)
    counts: dict[str, int] = field(default_factory=dict)
    truth: dict = field(default_factory=dict)
    programme: Programme | None = None
    clusters: dict[str, Cluster] = field(default_factory=dict)
    cluster_region: dict[str, str] = field(default_factory=dict)  # slug -> former region code
    phases: dict[int, LabelPhase] = field(default_factory=dict)
    funders: dict[str, Funder] = field(default_factory=dict)
    fields: dict[str, SpecialisationField] = field(default_factory=dict)
    org_ids: dict[str, list[int]] = field(default_factory=dict)  # kind -> ids
    # membership facts kept in memory for later steps: (org_id, cluster slug, start, end)
    memberships: list[tuple[int, str, dt.date, dt.date | None]] = field(default_factory=list)
    firm_join_year: dict[int, int] = field(default_factory=dict)
    demo_member_org: int | None = None
    accounts: bool = False

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.np_rng = np.random.default_rng(self.seed)

    def count(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n


Step = Callable[[DemoContext], None]
STEPS: list[tuple[str, Step]] = []
LAST_STEPS: list[tuple[str, Step]] = []


def step(name: str, *, last: bool = False):
    """Register a generation step. Steps run in a fixed order whatever the import order: the
    registry's (this module), then each app's demo.py in INSTALLED_APPS order, each app's steps in
    definition order; `last` steps run after all of them."""

    def register(fn: Step) -> Step:
        (LAST_STEPS if last else STEPS).append((name, fn))
        return fn

    return register


def ordered_steps() -> list[tuple[str, Step]]:
    from django.apps import apps

    def app_rank(fn: Step) -> int:
        if fn.__module__ == __name__:
            return -1
        config = apps.get_containing_app_config(fn.__module__)
        names = [c.name for c in apps.get_app_configs()]
        return names.index(config.name) if config else len(names)

    ranked = sorted(enumerate(STEPS), key=lambda item: (app_rank(item[1][1]), item[0]))
    return [entry for _index, entry in ranked] + LAST_STEPS


def siren_from(number: int) -> str:
    body = f"{number:08d}"
    return body + luhn.calc_check_digit(body)


def siret_from(siren: str) -> str:
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


def random_ror(rng: random.Random) -> str:
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    base = "0" + "".join(rng.choice(alphabet) for _ in range(6))
    return f"{base}{ror_checksum(base):02d}"


def _date_in(rng: random.Random, year: int, first_month: int = 1) -> dt.date:
    return dt.date(year, rng.randint(first_month, 12), rng.randint(1, 28))


def _interpolate(points: dict[int, int], year: int) -> float:
    years = sorted(points)
    if year <= years[0]:
        return points[years[0]]
    for a, b in zip(years, years[1:], strict=False):
        if a <= year <= b:
            return points[a] + (points[b] - points[a]) * (year - a) / (b - a)
    return points[years[-1]]


# ---------------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------------


@step("programme")
def make_programme(ctx: DemoContext) -> None:
    instrument = Instrument.objects.filter(title_en=reference.INSTRUMENT_TITLE_EN).first()
    ctx.programme = Programme.objects.create(
        slug="poles-competitivite",
        name_fr="Pôles de compétitivité",
        name_en="Competitiveness clusters",
        authority="État — Direction générale des entreprises",
        authority_kind=Programme.AuthorityKind.STATE,
        instrument=instrument,
        start_year=2005,
    )
    practice = Instrument.objects.create(
        kind=Instrument.Kind.PRACTICE,
        status=Instrument.Status.PUBLISHED,
        title_fr="Labellisation des projets collaboratifs par les pôles",
        title_en="Cluster labelling of collaborative R&D projects",
        country="FR",
        contact_person="Service innovation",
        contact_organisation="Ville de Grenoble",
        aim_fr="Faire examiner chaque projet collaboratif par le pôle de son territoire avant son dépôt.",
        aim_en="Have each collaborative project reviewed by the cluster of its territory before submission.",
        overview_fr="Le pôle vérifie l'ancrage territorial, la qualité du consortium et l'intérêt du projet, "
        "puis le labellise ; les financeurs n'examinent que les projets labellisés.",
        overview_en="The cluster checks the project's territorial anchoring, the quality of its consortium and its "
        "interest, then labels it; funders only consider labelled projects.",
        created_on=dt.date(2006, 5, 1),
        active=True,
    )
    practice.keywords.set(PolicyKeyword.objects.filter(code__in=["knowledge-transfer", "collaborative-rd"]))
    practice.target_groups.set(
        TargetGroup.objects.filter(code__in=["company", "hei_research", "public_research"])
    )
    if instrument is not None:
        instrument.linked_practices.add(practice)
    for number, start, end in reference.PHASES:
        ctx.phases[number] = LabelPhase.objects.create(
            programme=ctx.programme,
            number=number,
            start=dt.date.fromisoformat(start),
            end=dt.date.fromisoformat(end),
        )
    for slug, fr, en, _stem in reference.FIELDS:
        ctx.fields[slug] = SpecialisationField.objects.get_or_create(
            slug=slug, defaults={"label_fr": fr, "label_en": en}
        )[0]


@step("funders")
def make_funders(ctx: DemoContext) -> None:
    rows = [
        Funder(slug="fui", name="Fonds unique interministériel", acronym="FUI", kind=Funder.Kind.STATE_FUND),
        Funder(slug="bpifrance", name="Bpifrance", acronym="Bpifrance", kind=Funder.Kind.PUBLIC_BANK),
        Funder(slug="feder", name="Fonds européen de développement régional", acronym="FEDER", kind=Funder.Kind.EU_FUND),
        Funder(
            slug="isere", name="Département de l'Isère", kind=Funder.Kind.DEPARTEMENT,
            departement=Departement.objects.get(code="38"),
        ),
        Funder(slug="grenoble-metropole", name="Grenoble-Alpes Métropole", kind=Funder.Kind.CITY,
               departement=Departement.objects.get(code="38")),
    ]  # fmt: skip
    for region in Region.objects.filter(kind="current").exclude(code__in=["01", "02", "03", "04", "06"]):
        rows.append(
            Funder(
                slug=f"region-{region.code}",
                name=f"Région {region.name}",
                kind=Funder.Kind.REGION,
                region=region,
            )
        )
    for funder in rows:
        funder.save()
        ctx.funders[funder.slug] = funder
    ctx.count("funders", len(rows))


@step("clusters")
def make_clusters(ctx: DemoContext) -> None:
    rng = ctx.rng
    regions_current = {r.code: r for r in Region.objects.filter(kind="current")}
    regions_former = {r.code: r for r in Region.objects.filter(kind="former").select_related("successor")}
    departements = {d.code: d for d in Departement.objects.all()}
    field_slugs = [
        slug for slug, *_ in reference.FIELDS if slug not in ("micro-nano", "embedded-software", "energy")
    ]
    specs = []
    used_names = set()
    for region_code, (n, suffixes, head_offices) in reference.REGIONS.items():
        for i in range(n):
            if region_code == "82" and i < 2:
                slug = ["minalogic", "tenerrdis"][i]
                spec = dict(reference.REAL_CLUSTERS[slug], slug=slug, region=region_code)
            else:
                while True:
                    field_slug = rng.choice(field_slugs)
                    stem = next(s for f, _fr, _en, s in reference.FIELDS if f == field_slug)
                    name = f"{stem} {rng.choice(suffixes)}"
                    if name not in used_names and _slugify(name) not in {"minalogic", "tenerrdis"}:
                        break
                extra = rng.choice(field_slugs)
                dept = rng.choice(head_offices)
                label_fr = next(fr for f, fr, _en, _s in reference.FIELDS if f == field_slug)
                label_en = next(en for f, _fr, en, _s in reference.FIELDS if f == field_slug)
                spec = {
                    "name": name,
                    "acronym": "",
                    "fields": sorted({field_slug, extra}),
                    "city": places.TOWNS[dept][0],
                    "departement": dept,
                    "category": "national",
                    "description_fr": f"Pôle de compétitivité ({label_fr.lower()}), région {regions_former[region_code].name}.",
                    "description_en": f"Competitiveness cluster ({label_en.lower()}), {regions_former[region_code].name} region.",
                    "slug": _slugify(name),
                    "region": region_code,
                }
            used_names.add(spec["name"])
            specs.append(spec)
    # Categories of 2005: Minalogic is world-class; five more world-class, nine world-vocation.
    others = [s for s in specs if s["slug"] not in reference.REAL_CLUSTERS]
    rng.shuffle(others)
    for s in others[: reference.WORLD_CLASS - 1]:
        s["category"] = "world_class"
    for s in others[reference.WORLD_CLASS - 1 : reference.WORLD_CLASS - 1 + reference.WORLD_VOCATION]:
        s["category"] = "world_vocation"
    # 67 labelled in July 2005, 4 more by July 2007.
    late = {s["slug"] for s in others[-4:]}
    for s in specs:
        s["labelled_on"] = dt.date(2007, 7, 5) if s["slug"] in late else dt.date(2005, 7, 12)
    # Six eco-technology clusters labelled in 2010.
    eco_regions = ["11", "93", "73", "52", "42", "31"]
    for i, region_code in enumerate(eco_regions):
        suffixes, head_offices = reference.REGIONS[region_code][1], reference.REGIONS[region_code][2]
        name = f"Écotech {suffixes[0]}" if i % 2 == 0 else f"Eau {suffixes[-1]}"
        while name in used_names:
            name += " Écotech"
        used_names.add(name)
        dept = head_offices[0]
        specs.append({
            "name": name, "acronym": "", "fields": ["water", "chemistry"], "city": places.TOWNS[dept][0],
            "departement": dept, "category": "national", "slug": _slugify(name), "region": region_code,
            "description_fr": "Pôle des écotechnologies labellisé en 2010.",
            "description_en": "Eco-technology cluster labelled in 2010.", "labelled_on": dt.date(2010, 5, 11),
            "ecotech": True,
        })  # fmt: skip
    for s in specs:
        cluster = Cluster.objects.create(
            programme=ctx.programme, name=s["name"], acronym=s["acronym"], slug=s["slug"],
            description_fr=s["description_fr"], description_en=s["description_en"], city=s["city"],
            departement=departements[s["departement"]], category=s["category"], labelled_on=s["labelled_on"],
        )  # fmt: skip
        former = regions_former[s["region"]]
        cluster.regions.set([former, regions_current[former.successor.code]])
        cluster.fields.set([ctx.fields[f] for f in s["fields"]])
        ctx.clusters[s["slug"]] = cluster
        ctx.cluster_region[s["slug"]] = s["region"]
    ctx.count("clusters", len(specs))
    _label_history(
        ctx,
        [s["slug"] for s in specs if not s.get("ecotech")],
        [s["slug"] for s in specs if s.get("ecotech")],
    )


def _label_history(ctx: DemoContext, original: list[str], ecotech: list[str]) -> None:
    """2008 and 2012 evaluations, the 2010 delabelling, labels per phase (POLICY.md)."""
    rng = ctx.rng
    grenoble = ["minalogic", "tenerrdis"]
    rest = [s for s in original if s not in grenoble]
    rng.shuffle(rest)
    # 2008: Grenoble clusters reached their objectives; the 13 to reconfigure are drawn among the rest.
    order_2008 = grenoble + rest
    ratings, labels = [], []
    cursor = 0
    verdict_2008 = {}
    for rating, n in reference.EVALUATION_2008:
        for slug in order_2008[cursor : cursor + n]:
            verdict_2008[slug] = rating
        cursor += n
    reconfigure = [s for s, r in verdict_2008.items() if r == "reconfigure"]
    delabelled = set(reconfigure[: reference.DELABELLED_2010])
    for slug, rating in verdict_2008.items():
        ratings.append(ClusterRating(
            cluster=ctx.clusters[slug], evaluation="Évaluation nationale 2008 (BCG, CM International)", year=2008,
            rating=rating, rated_on=dt.date(2008, 6, 18),
            text_fr="Évaluation de la phase 1 des pôles.", text_en="Evaluation of the clusters' phase 1.",
        ))  # fmt: skip
    active_2012 = [s for s in original if s not in delabelled] + ecotech
    others_2012 = [s for s in active_2012 if s not in grenoble]
    rng.shuffle(others_2012)
    order_2012 = grenoble + others_2012
    cursor = 0
    for rating, n in reference.EVALUATION_2012:
        for slug in order_2012[cursor : cursor + n]:
            ratings.append(ClusterRating(
                cluster=ctx.clusters[slug], evaluation="Évaluation nationale 2012 (BearingPoint, Erdyn, Technopolis)",
                year=2012, rating=rating, rated_on=dt.date(2012, 6, 21),
                text_fr="Évaluation de la phase 2 des pôles.", text_en="Evaluation of the clusters' phase 2.",
            ))  # fmt: skip
        cursor += n
    ClusterRating.objects.bulk_create(ratings)
    # Label decisions: phase 1 for the original clusters; phase 2 for all but the delabelled;
    # phases 3-5 shrink to 66, 56 and 55 labelled clusters (mergers, non-renewals).
    active = list(original)
    for s in original:
        labels.append(ClusterLabel(cluster=ctx.clusters[s], phase=ctx.phases[1], decision="labelled",
                                   decided_on=ctx.clusters[s].labelled_on))  # fmt: skip
    for s in original:
        decision = (
            "not_renewed"
            if s in delabelled
            else ("probation" if verdict_2008[s] == "reconfigure" else "labelled")
        )
        labels.append(ClusterLabel(cluster=ctx.clusters[s], phase=ctx.phases[2], decision=decision,
                                   decided_on=dt.date(2010, 5, 11)))  # fmt: skip
    for s in ecotech:
        labels.append(ClusterLabel(cluster=ctx.clusters[s], phase=ctx.phases[2], decision="labelled",
                                   decided_on=dt.date(2010, 5, 11)))  # fmt: skip
    active = [s for s in original if s not in delabelled] + ecotech
    less = list(others_2012[-16:])  # the less performant of 2012
    for phase, keep, decided in (
        (3, 66, dt.date(2013, 1, 4)),
        (4, 56, dt.date(2019, 2, 5)),
        (5, 55, dt.date(2023, 5, 16)),
    ):
        droppable = [s for s in less + others_2012 if s in active and s not in grenoble]
        dropping = set(droppable[: max(0, len(active) - keep)])
        for s in active:
            labels.append(ClusterLabel(cluster=ctx.clusters[s], phase=ctx.phases[phase],
                                       decision="not_renewed" if s in dropping else "labelled", decided_on=decided))  # fmt: skip
        for s in dropping:
            cluster = ctx.clusters[s]
            cluster.status = Cluster.Status.MERGED if phase == 3 else Cluster.Status.DELABELLED
            cluster.save(update_fields=["status"])
        active = [s for s in active if s not in dropping]
    for s in delabelled:
        cluster = ctx.clusters[s]
        cluster.status = Cluster.Status.DELABELLED
        cluster.save(update_fields=["status"])
    ClusterLabel.objects.bulk_create(labels)
    ctx.truth["delabelled_2010"] = sorted(delabelled)
    ctx.truth["cluster_end"] = {
        s: _end_of_label(ctx, s, delabelled)
        for s in ctx.clusters
        if ctx.clusters[s].status != Cluster.Status.ACTIVE
    }
    ctx.count("ratings", len(ratings))
    ctx.count("label_decisions", len(labels))


def _end_of_label(ctx: DemoContext, slug: str, delabelled: set[str]) -> str:
    if slug in delabelled:
        return "2010-06-30"
    last = ClusterLabel.objects.filter(cluster=ctx.clusters[slug], decision="not_renewed").order_by(
        "phase__number"
    )
    decision = last.first()
    if decision is None:
        return ""
    return (decision.phase.start - dt.timedelta(days=1)).isoformat()


def _slugify(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)


@step("organisations")
def make_organisations(ctx: DemoContext) -> None:
    """Member firms (joining over the years), comparable non-member firms, labs and other bodies."""
    rng, nprng = ctx.rng, ctx.np_rng
    scale = ctx.scale
    departements = {d.code: d for d in Departement.objects.select_related("former_region")}
    dept_by_former: dict[str, list[str]] = defaultdict(list)
    for code, d in departements.items():
        dept_by_former[d.former_region.code].append(code)
    region_weights = {code: n for code, (n, _s, _h) in reference.REGIONS.items()}
    regions, weights = list(region_weights), [region_weights[r] + 1 for r in region_weights]

    def place() -> tuple[str, str]:
        region = rng.choices(regions, weights)[0]
        dept = rng.choice(dept_by_former[region])
        return dept, rng.choice(places.TOWNS[dept])

    firm_target = {y: round(v * scale.member_factor) for y, v in reference.MEMBER_FIRMS.items()}
    join_years, leave_years = _simulate_members(rng, firm_target)
    n_member_firms = len(join_years)
    n_firms = n_member_firms + scale.non_member_firms
    used_sirens: set[str] = set()
    used_names: set[str] = set()

    def new_siren() -> str:
        while True:
            s = siren_from(rng.randrange(10_000_000, 99_999_999))
            if s not in used_sirens:
                used_sirens.add(s)
                return s

    def firm_name(town: str) -> str:
        """A new name; after a few collisions the town is added, as real homonymous firms do."""
        for attempt in range(40):
            pattern = rng.random()
            root = rng.choice(names.FIRM_ROOTS)
            if pattern < 0.5:
                name = f"{root}{rng.choice(names.FIRM_ENDINGS)} {rng.choice(names.LEGAL_FORMS)}"
            elif pattern < 0.85:
                name = f"{root}{rng.choice(names.FIRM_ENDINGS)} {rng.choice(names.FIRM_WORDS)}"
            else:
                name = f"{rng.choice(names.LAST_NAMES)} {rng.choice(names.FIRM_WORDS)} {rng.choice(names.LEGAL_FORMS)}"
            if attempt >= 5:
                name = f"{name} {town}"
            if name not in used_names:
                used_names.add(name)
                return name
        name = f"{name} {len(used_names)}"
        used_names.add(name)
        return name

    member_size = ["micro"] * 22 + ["small"] * 33 + ["medium"] * 22 + ["mid"] * 13 + ["large"] * 10
    other_size = ["micro"] * 35 + ["small"] * 35 + ["medium"] * 18 + ["mid"] * 8 + ["large"] * 4
    firms, firm_meta = [], []
    for i in range(n_firms):
        member = i < n_member_firms
        dept, town = place()
        siren = new_siren()
        ntbf = rng.random() < 0.15
        firms.append(Organisation(
            name=firm_name(town), category=Category.NTBF if ntbf else Category.COMPANY, siren=siren, siret=siret_from(siren),
            departement=departements[dept], commune=town, postcode=f"{dept[:2]}{rng.randint(0, 999):03d}"
            if len(dept) == 2 and dept.isdigit() else "", street=f"{rng.randint(1, 250)} rue {rng.choice(names.LAST_NAMES)}",
            founded_on=dt.date(rng.randint(1996, 2002) if ntbf else rng.randint(1950, 2002), rng.randint(1, 12), 1),
            findable=rng.random() < 0.6,
        ))  # fmt: skip
        firm_meta.append({
            "member": member, "dept": dept, "size": rng.choice(member_size if member else other_size),
            "join": join_years[i] if member else None, "leave": leave_years[i] if member else None,
        })  # fmt: skip
    others, other_kinds = [], []
    other_counts = {
        Category.PUBLIC_RESEARCH: 700, Category.HEI_RESEARCH: 1100, Category.NONPROFIT_RESEARCH: 250, Category.HEI: 300,
        Category.TRAINING: 600, Category.BUSINESS_ORG: 450, Category.CONSULTANCY: 450, Category.LOCAL_AUTHORITY: 550,
    }  # fmt: skip
    for category, n in other_counts.items():
        for _ in range(max(2, round(n * scale.other_orgs_factor))):
            dept, town = place()
            research = category in (
                Category.PUBLIC_RESEARCH,
                Category.HEI_RESEARCH,
                Category.NONPROFIT_RESEARCH,
            )
            if research:
                name = f"{rng.choice(names.LAB_KINDS)} de {town}"
            elif category == Category.HEI:
                name = f"École d'ingénieurs de {town}" if rng.random() < 0.5 else f"Université de {town}"
            elif category == Category.TRAINING:
                name = f"{rng.choice(names.TRAINING_KINDS)} de {town}"
            elif category == Category.BUSINESS_ORG:
                name = f"{rng.choice(names.BUSINESS_ORGS)} de {departements[dept].name}"
            elif category == Category.CONSULTANCY:
                name = f"{rng.choice(names.CONSULTANCIES)} {rng.choice(names.FIRM_ROOTS)}{rng.choice(names.FIRM_ENDINGS)}"
            else:
                name = f"Communauté d'agglomération de {town}"
            base = name
            k = 2
            while name in used_names:
                name = f"{base} {k}"
                k += 1
            used_names.add(name)
            siren = new_siren()
            others.append(Organisation(
                name=name, category=category, siren=siren, departement=departements[dept], commune=town,
                rnsr=f"{rng.randint(195000000, 201999999)}{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}" if research else "",
                ror=random_ror(rng) if category in (Category.PUBLIC_RESEARCH, Category.HEI) and rng.random() < 0.5 else "",
                findable=rng.random() < (0.8 if research else 0.4),
            ))  # fmt: skip
            other_kinds.append(category)
    insert_objects(Organisation, firms + others)
    pk_of = dict(Organisation.objects.values_list("siren", "pk"))  # every demo organisation has a SIREN
    for obj in firms + others:
        obj.pk = pk_of[obj.siren]
    created = firms + others
    firm_ids = [o.pk for o in created[:n_firms]]
    other_ids = [o.pk for o in created[n_firms:]]
    ctx.org_ids["firm"] = firm_ids
    ctx.org_ids["member_firm"] = firm_ids[:n_member_firms]
    ctx.org_ids["non_member_firm"] = firm_ids[n_member_firms:]
    ctx.org_ids["other"] = other_ids
    for category in other_counts:
        ctx.org_ids[str(category)] = [
            pk for pk, kind in zip(other_ids, other_kinds, strict=True) if kind == category
        ]
    ctx._firm_meta = dict(zip(firm_ids, firm_meta, strict=True))
    ctx._other_dept = {pk: o.departement.code for pk, o in zip(other_ids, others, strict=True)}
    ctx._other_kind = dict(zip(other_ids, other_kinds, strict=True))
    ctx.count("organisations", len(created))
    ctx.truth["member_firms_ever"] = n_member_firms
    _ = nprng  # numpy generator is used by the figures step


def _simulate_members(rng: random.Random, target: dict[int, int]) -> tuple[list[int], list[int | None]]:
    """Join and leave years of every member, so that 31 December counts follow `target`."""
    joins: list[int] = []
    leaves: list[int | None] = []
    current: list[int] = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if current:
            n_leave = round(len(current) * reference.MEMBER_CHURN) if year > FIRST_YEAR else 0
            for index in rng.sample(current, min(n_leave, len(current))):
                leaves[index] = year
            leaving = {i for i in current if leaves[i] == year}
            current = [i for i in current if i not in leaving]
        n_join = max(0, round(_interpolate(target, year)) - len(current))
        for _ in range(n_join):
            joins.append(year)
            leaves.append(None)
            current.append(len(joins) - 1)
    return joins, leaves


@step("figures")
def make_figures(ctx: DemoContext) -> None:
    """Yearly figures 2003–2022 of every firm, with the planted effect on members' R&D."""
    nprng = ctx.np_rng
    first, last = reference.FIGURE_YEARS
    years = np.arange(first, last + 1)
    meta = ctx._firm_meta
    ids = list(meta)
    n, t = len(ids), len(years)
    size_ranges = {
        "micro": (2, 9),
        "small": (10, 49),
        "medium": (50, 240),
        "mid": (260, 4500),
        "large": (5200, 60000),
    }
    start = np.empty(n)
    for i, pk in enumerate(ids):
        lo, hi = size_ranges[meta[pk]["size"]]
        start[i] = np.exp(nprng.uniform(np.log(lo), np.log(hi)))
    growth = nprng.normal(0.02, 0.02, n)
    shocks = nprng.normal(0, 0.04, (n, t))
    log_head = (
        np.log(start)[:, None]
        + np.cumsum(growth[:, None] + shocks, axis=1)
        - (growth[:, None] + shocks[:, :1])
    )
    headcount = np.round(np.exp(log_head), 1).clip(1)
    per_head = np.exp(nprng.normal(np.log(140_000), 0.35, n))
    turnover = np.round(headcount * per_head[:, None] * np.exp(nprng.normal(0, 0.05, (n, t))), -3)
    balance = np.round(turnover * nprng.uniform(0.5, 1.1, n)[:, None], -3)
    member = np.array([meta[pk]["member"] for pk in ids])
    intensity = np.minimum(np.exp(nprng.normal(np.log(0.04), 0.6, n)), 0.35)
    intensity = intensity * np.where(member, 1 + reference.SELECTION_RD_PREMIUM, 1.0)
    trend = 1.02 ** (years - first)
    rd0 = turnover * intensity[:, None] * trend[None, :] * np.exp(nprng.normal(0, 0.05, (n, t)))
    join = np.array([meta[pk]["join"] if meta[pk]["member"] else 0 for pk in ids])
    exposure = years[None, :] - join[:, None]
    effect = np.where(
        (join[:, None] > 0) & (exposure >= 1), reference.EFFECT_RD[1],
        np.where((join[:, None] > 0) & (exposure == 0), reference.EFFECT_RD[0], 0.0),
    )  # fmt: skip
    rd = np.round(rd0 * (1 + effect), -2)
    rd_cf = np.round(rd0, -2)
    rd_staff = np.round(rd / 85_000, 1)
    patents = nprng.poisson(rd_staff * 0.08)
    _record_truth(ctx, years, join, rd, rd_cf)
    size_eu, size_fr, unified = sizing.classify_arrays(headcount, turnover, balance)
    now = timezone.now()
    columns = [
        "organisation_id", "year", "headcount", "turnover", "balance_sheet", "rd_spending", "rd_staff",
        "patents_filed", "size_eu", "size_fr", "size_class", "created_at", "updated_at",
    ]  # fmt: skip
    rows = [
        (pk, int(years[j]), float(headcount[i, j]), int(turnover[i, j]), int(balance[i, j]), int(rd[i, j]),
         float(rd_staff[i, j]), int(patents[i, j]), size_eu[i, j], size_fr[i, j], unified[i, j], now, now)
        for i, pk in enumerate(ids)
        for j in range(t)
    ]  # fmt: skip
    copy_rows(YearlyFigures, columns, rows)
    for i, pk in enumerate(ids):
        meta[pk]["size_class"] = unified[i, -1]
    by_class: dict[str, list[int]] = defaultdict(list)
    for pk in ids:
        by_class[meta[pk]["size_class"]].append(pk)
    for size_class, pks in by_class.items():
        for chunk in range(0, len(pks), 900):
            Organisation.objects.filter(pk__in=pks[chunk : chunk + 900]).update(size_class=size_class)
    ctx.count("yearly_figures", len(rows))


def _record_truth(ctx: DemoContext, years, join, rd, rd_cf) -> None:
    """The planted average effect on treated firm-years, by event time and overall (EUR)."""
    diff = rd - rd_cf
    by_event: dict[int, list[float]] = defaultdict(list)
    for i in np.nonzero(join > 0)[0]:
        for j, year in enumerate(years):
            e = int(year - join[i])
            if e >= 0:
                by_event[e].append(float(diff[i, j]))
    post = [v for values in by_event.values() for v in values]
    ctx.truth["rd_effect"] = {
        "outcome": "rd_spending",
        "treatment": "first membership year",
        "relative_effect": {"joining_year": reference.EFFECT_RD[0], "later_years": reference.EFFECT_RD[1]},
        "selection_premium_on_levels": reference.SELECTION_RD_PREMIUM,
        "att_eur_all_post_years": round(float(np.mean(post)), 2) if post else 0.0,
        "att_eur_by_event_time": {str(e): round(float(np.mean(v)), 2) for e, v in sorted(by_event.items())},
        "panel_years": [int(years[0]), int(years[-1])],
    }


@step("memberships")
def make_memberships(ctx: DemoContext) -> None:
    """Firms join a cluster of their region (mostly); labs and other bodies join too."""
    rng = ctx.rng
    end_of = {s: dt.date.fromisoformat(v) for s, v in ctx.truth.get("cluster_end", {}).items() if v}
    departements = {d.code: d.former_region.code for d in Departement.objects.select_related("former_region")}
    by_region: dict[str, list[str]] = defaultdict(list)
    for slug, region in ctx.cluster_region.items():
        by_region[region].append(slug)
    weight = {
        s: (3 if c.category == "world_class" else 2 if c.category == "world_vocation" else 1)
        for s, c in ctx.clusters.items()
    }
    weight["minalogic"] = weight["tenerrdis"] = 4

    def pick(region: str, year: int, exclude: set[str] = frozenset()) -> str | None:
        local = [s for s in by_region.get(region, []) if _open(ctx, s, year, end_of) and s not in exclude]
        pool = local if local and rng.random() < 0.85 else [
            s for s in ctx.clusters if _open(ctx, s, year, end_of) and s not in exclude
        ]  # fmt: skip
        if not pool:
            return None
        return rng.choices(pool, [weight[s] for s in pool])[0]

    rows: list[Membership] = []

    def add(org_id: int, slug: str, start: dt.date, end: dt.date | None, kind: str = "member") -> None:
        cluster_end = end_of.get(slug)
        if cluster_end and (end is None or end > cluster_end):
            end = cluster_end
        if end is not None and end < start:
            return
        rows.append(
            Membership(cluster=ctx.clusters[slug], organisation_id=org_id, start=start, end=end, kind=kind)
        )
        ctx.memberships.append((org_id, slug, start, end))

    meta = ctx._firm_meta
    for pk in ctx.org_ids["member_firm"]:
        m = meta[pk]
        region = departements[m["dept"]]
        start = _date_in(rng, m["join"], 9 if m["join"] == 2005 else 1)
        end = dt.date(m["leave"], rng.randint(1, 12), 28) if m["leave"] else None
        slug = pick(region, m["join"])
        if slug is None:
            continue
        add(pk, slug, start, end, "founding" if m["join"] == 2005 and rng.random() < 0.3 else "member")
        ctx.firm_join_year[pk] = m["join"]
        if rng.random() < 0.12:  # some firms belong to two clusters
            second = pick(region, m["join"], {slug})
            if second:
                add(pk, second, _date_in(rng, min(m["join"] + rng.randint(0, 3), LAST_YEAR)), end)
        cluster_end = end_of.get(slug)
        if cluster_end and (end is None or end > cluster_end) and rng.random() < 0.8:
            moved = pick(region, cluster_end.year + 1, {slug})
            if moved:
                add(pk, moved, cluster_end + dt.timedelta(days=1), end)
    others_target = {y: round(v * ctx.scale.member_factor) for y, v in reference.MEMBER_OTHERS.items()}
    joins, leaves = _simulate_members(rng, others_target)
    other_ids = list(ctx.org_ids["other"])
    rng.shuffle(other_ids)
    for index, pk in enumerate(other_ids[: len(joins)]):
        year = joins[index]
        region = departements[ctx._other_dept[pk]]
        start = _date_in(rng, year, 9 if year == 2005 else 1)
        end = dt.date(leaves[index], rng.randint(1, 12), 28) if leaves[index] else None
        slug = pick(region, year)
        if slug is None:
            continue
        add(pk, slug, start, end)
        if (
            ctx._other_kind[pk] in (Category.PUBLIC_RESEARCH, Category.HEI_RESEARCH, Category.HEI)
            and rng.random() < 0.4
        ):
            second = pick(region, year, {slug})
            if second:
                add(pk, second, start, end)
    insert_objects(Membership, rows)
    ctx.count("memberships", len(rows))
    ctx.truth["membership_years"] = sum(
        (min((end or dt.date(LAST_YEAR, 12, 31)).year, LAST_YEAR) - start.year + 1)
        for _o, _s, start, end in ctx.memberships
    )


def _open(ctx: DemoContext, slug: str, year: int, end_of: dict[str, dt.date]) -> bool:
    cluster = ctx.clusters[slug]
    if cluster.labelled_on.year > year:
        return False
    end = end_of.get(slug)
    return end is None or end.year > year


@step("contacts and governance")
def make_contacts_and_governance(ctx: DemoContext) -> None:
    rng = ctx.rng
    member_ids = sorted({org for org, *_ in ctx.memberships})
    contacts = []
    for pk in member_ids:
        for k in range(2 if rng.random() < 0.3 else 1):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            contacts.append(Contact(
                organisation_id=pk, first_name=first, last_name=last, is_main=k == 0,
                job_title=rng.choice(["Directeur·rice R&D", "Chargé·e d'affaires", "Président·e", "Responsable innovation"]),
                email=f"{_ascii(first)}.{_ascii(last)}@org{pk}.example", phone=f"+33 4 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            ))  # fmt: skip
    insert_objects(Contact, contacts)
    ctx.count("contacts", len(contacts))
    members_of: dict[str, list[int]] = defaultdict(list)
    for org, slug, start, end in ctx.memberships:
        if start.year <= 2008 and end is None:
            members_of[slug].append(org)
    seats = []
    for slug, cluster in ctx.clusters.items():
        body = GovernanceBody.objects.create(
            cluster=cluster, kind=GovernanceBody.Kind.BOARD, name=f"Conseil d'administration — {cluster.name}"
        )
        pool = sorted(members_of.get(slug, []))
        for index, org in enumerate(rng.sample(pool, min(8, len(pool)))):
            role = (
                "chair"
                if index == 0
                else "vice_chair"
                if index == 1
                else "treasurer"
                if index == 2
                else "member"
            )
            seats.append(GovernanceSeat(body=body, organisation_id=org, role=role, start=dt.date(2009, 1, 1)))
    GovernanceSeat.objects.bulk_create(seats)
    ctx.count("governance_seats", len(seats))


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


@step("performance contracts")
def make_contracts(ctx: DemoContext) -> None:
    """Phase 2–5 contracts with yearly targets set from each cluster's membership at signature."""
    kpis = {k.code: k for k in Kpi.objects.all()}
    end_of = {s: dt.date.fromisoformat(v) for s, v in ctx.truth.get("cluster_end", {}).items() if v}
    by_cluster: dict[str, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for _org, slug, start, end in ctx.memberships:
        by_cluster[slug].append((start, end))
    targets, parties = [], []
    n_contracts = 0
    for slug, cluster in ctx.clusters.items():
        for phase_number in (2, 3, 4, 5):
            phase = ctx.phases[phase_number]
            if cluster.labelled_on > phase.end or (slug in end_of and end_of[slug] < phase.start):
                continue
            first, last = max(phase.start.year, cluster.labelled_on.year), phase.end.year
            contract = PerformanceContract.objects.create(
                cluster=cluster, phase=phase, start_year=first, end_year=last, signed_on=dt.date(first, 3, 15),
                priorities_fr=f"Faire croître l'écosystème {cluster.name} ; davantage de projets collaboratifs "
                "associant PME et recherche publique ; développement international ; formation.",
                priorities_en=f"Grow the {cluster.name} ecosystem; more collaborative projects associating SMEs "
                "and public research; international development; training.",
            )  # fmt: skip
            n_contracts += 1
            base = sum(1 for s, e in by_cluster[slug] if s.year < first and (e is None or e.year >= first))
            for offset, year in enumerate(range(first, last + 1)):
                targets.append(KpiTarget(contract=contract, kpi=kpis["members"], year=year,
                                         target=round(max(base, 20) * (1.06 ** (offset + 1)))))  # fmt: skip
                targets.append(KpiTarget(contract=contract, kpi=kpis["labelled-projects"], year=year,
                                         target=max(3, round(max(base, 20) / 25))))  # fmt: skip
                targets.append(
                    KpiTarget(contract=contract, kpi=kpis["international-actions"], year=year, target=4)
                )
                targets.append(
                    KpiTarget(contract=contract, kpi=kpis["training-actions"], year=year, target=3)
                )
            parties += [
                ContractParty(contract=contract, kind="state", name="État (DGE)"),
                ContractParty(contract=contract, kind="local_authority", name=f"Région {cluster.regions.filter(kind='current').first().name}"),
                ContractParty(contract=contract, kind="enterprise", name=cluster.name),
            ]  # fmt: skip
    KpiTarget.objects.bulk_create(targets, batch_size=BATCH)
    ContractParty.objects.bulk_create(parties, batch_size=BATCH)
    ctx.count("contracts", n_contracts)
    ctx.count("kpi_targets", len(targets))


def insert_objects(model, objects: list) -> None:
    """Insert unsaved model instances without building them back (no primary keys returned).

    Much cheaper than bulk_create for hundreds of thousands of rows: values go to the database
    driver as they are, with auto_now fields stamped and JSON fields serialised here.
    """
    if not objects:
        return
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = []
    for obj in objects:
        row = []
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = getattr(obj, f.attname)
            if isinstance(f, models.JSONField):
                value = json.dumps(value)
            row.append(value)
        rows.append(tuple(row))
    copy_rows(model, [f.column for f in fields], rows)


def _bulk(model, objects: list, *, returning: bool = True) -> list:
    """bulk_create in batches; `returning` keeps primary keys (both backends support RETURNING)."""
    created = []
    for start in range(0, len(objects), BATCH):
        chunk = objects[start : start + BATCH]
        created.extend(model.objects.bulk_create(chunk) if returning else model.objects.bulk_create(chunk))
    return created


# ---------------------------------------------------------------------------------------------


def generate(
    scale: str = "default",
    seed: int = 2006,
    *,
    log: Callable[[str], None] = lambda m: None,
    accounts: bool | None = None,
) -> DemoDataset:
    """Build the whole demo programme in one transaction (all or nothing).

    Demo accounts are created when DEBUG is on, or when `accounts` asks for them (tests).
    """
    if scale not in SCALES:
        raise ValueError(scale)
    from poles.core.discovery import app_modules

    app_modules("demo")  # each app's demo.py registers its steps, in INSTALLED_APPS order
    from . import users  # noqa: F401  (demo accounts come last)

    ctx = DemoContext(seed=seed, scale=SCALES[scale], log=log)
    ctx.accounts = settings.DEBUG if accounts is None else accounts
    started = time.perf_counter()
    with transaction.atomic():
        for name, fn in ordered_steps():
            t0 = time.perf_counter()
            fn(ctx)
            log(f"{name}: {time.perf_counter() - t0:.1f} s")
        dataset = DemoDataset.objects.create(
            scale=scale,
            seed=seed,
            seconds=round(time.perf_counter() - started, 2),
            counts=ctx.counts,
            truth=ctx.truth,
        )
        audit.record("demo.load", dataset, after={"scale": scale, "seed": seed, "counts": ctx.counts})
    maintenance.refresh_statistics()
    return dataset
