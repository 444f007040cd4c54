"""Demo calls and proposals: the FUI calls 1–14 (2006–2012) and one call open today.

Past calls are shaped on POLICY.md: two calls a year, 1,736 proposals submitted to calls 1–9 and
about 2,800 over calls 1–14 (216 to the 10th call), scaled with the demo's member factor. Each
proposal is led by a member company of its lead cluster, with at least two companies and one
research or training body (a few on purpose fall short), a total budget drawn around EUR 2 M (a
typical project EUR 1.5 M of R&D), State aid asked at the call's rates and regional aid for the
partners of regions that co-finance. Clusters label (sometimes co-label, sometimes decline),
then the call's real rules run through the eligibility engine: every past proposal ends eligible,
ineligible or withdrawn, with its eligibility check, revision snapshot and labels stored. The
review and selection steps then review, select and decide the eligible ones; the envelopes set
here aim at the published counts (813 funded over calls 1–9, 73 of 216 in the 10th call, about
1,170 in all), kept in `ctx.truth["calls"]`.

The open call (FUI 25 rules) holds a few drafts, submitted, labelled and eligible proposals, among
them a draft of the demo member's organisation and a proposal awaiting Minalogic's label.

Everything is bulk-inserted; audit events are not written per row (one summary event).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.utils import timezone, translation

from poles.calls import services as call_services
from poles.calls.engine import get_preset
from poles.calls.engine.eligibility import evaluate, verdict
from poles.calls.engine.facts import ClusterLabel, ProposalFacts, SubmissionFingerprint, normalise_title
from poles.calls.engine.facts import Participation as FactParticipation
from poles.calls.engine.messages import plain
from poles.calls.engine.rates import RateError, lookup_rate, parse_rate_table
from poles.calls.models import Call, CallFunder, CallVersion, Funder
from poles.core import audit
from poles.demo.generator import DemoContext, step
from poles.organisations.models import Organisation, YearlyFigures

from .models import (
    AidRequest,
    BudgetLine,
    EligibilityCheck,
    EligibilityOverride,
    LabelRequest,
    Participation,
    Project,
    ProjectRevision,
)

# (call number, proposals submitted at the default scale): calls 1–9 add up to 1,736, the 10th
# call had 216, calls 1–14 about 2,800 (POLICY.md).
PAST_CALLS = [
    (1, 150), (2, 170), (3, 180), (4, 200), (5, 195), (6, 205), (7, 210), (8, 210), (9, 216),
    (10, 216), (11, 215), (12, 212), (13, 210), (14, 211),
]  # fmt: skip
FUNDED_1_TO_9 = 813
FUNDED_10 = 73
FUNDED_TOTAL = 1170

# Regional co-financing of past calls (POLICY.md gives no figures: regions co-finance "with their
# own rules (grants or recoverable advances)"); these rates give about EUR 0.55 of local money per
# euro of State aid, close to the 570 M / 1 bn of calls 1–9.
REGION_RATES = [("sme", "0.25", "grant"), ("company", "0.10", "advance"), ("lab", "0.20", "grant")]

TECH = {
    "micro-nano": ["capteurs MEMS", "puces photoniques", "nanomatériaux conducteurs", "circuits 3D"],
    "embedded-software": [
        "logiciels embarqués",
        "systèmes temps réel",
        "jumeaux numériques",
        "compilateurs sûrs",
    ],
    "energy": [
        "piles à combustible",
        "stockage d'hydrogène",
        "réseaux électriques",
        "modules photovoltaïques",
    ],
    "aerospace": ["structures composites", "drones", "moteurs électriques", "antennes satellites"],
    "mobility": ["batteries", "véhicules autonomes", "freinage régénératif", "bornes de recharge"],
    "health": ["biomarqueurs", "dispositifs médicaux", "thérapies cellulaires", "imagerie médicale"],
    "chemistry": ["catalyseurs", "solvants biosourcés", "procédés de recyclage", "membranes filtrantes"],
    "materials": ["alliages légers", "céramiques techniques", "revêtements", "matériaux composites"],
    "digital": ["plateformes de données", "cybersécurité", "intelligence artificielle", "réseaux 5G"],
    "agrifood": ["emballages actifs", "procédés de fermentation", "traçabilité", "protéines végétales"],
    "textiles": ["textiles connectés", "fibres techniques", "non-tissés", "tissus protecteurs"],
    "mechanics": [
        "robots collaboratifs",
        "fabrication additive",
        "usinage de précision",
        "maintenance prédictive",
    ],
    "plastics": ["polymères recyclés", "injection de précision", "bioplastiques", "moules intelligents"],
    "maritime": ["navires hybrides", "énergies marines", "capteurs océaniques", "aquaculture"],
    "water": ["traitement des eaux", "capteurs de pollution", "réseaux d'eau", "dessalement"],
    "logistics": ["entrepôts automatisés", "logistique urbaine", "suivi de flotte", "intermodalité"],
    "construction": [
        "bâtiments à énergie positive",
        "béton bas carbone",
        "isolants biosourcés",
        "façades actives",
    ],
    "cosmetics": ["actifs naturels", "formulations", "tests in vitro", "emballages"],
    "media": ["réalité virtuelle", "contenus 3D", "diffusion vidéo", "moteurs de jeu"],
    "photonics": ["lasers", "fibres optiques", "optique adaptative", "capteurs d'images"],
    "sports": ["équipements connectés", "matériaux de glisse", "textiles sportifs", "suivi de performance"],
    "wood": ["bois de construction", "chimie du bois", "scieries numériques", "panneaux composites"],
}
QUALIFIERS = [
    "intelligents", "sobres", "de nouvelle génération", "robustes", "à bas coût", "éco-conçus",
    "haute performance", "miniaturisés", "modulaires", "souverains",
]  # fmt: skip
PURPOSES = [
    "pour l'industrie du futur", "pour la santé connectée", "pour la transition énergétique",
    "pour les territoires", "pour le transport durable", "pour l'usine sobre", "pour l'économie circulaire",
    "pour les environnements extrêmes", "pour la ville durable", "pour l'export",
]  # fmt: skip
OPINIONS_OK = [
    "Projet structurant pour la filière, consortium solide et bien ancré sur le territoire.",
    "Innovation crédible, retombées économiques claires ; le pôle soutient ce projet.",
    "Bon équilibre entre PME et recherche publique ; projet cohérent avec la feuille de route du pôle.",
]
OPINIONS_NO = [
    "Le projet ne relève pas des thématiques du pôle.",
    "Consortium trop faible sur la partie industrielle ; retombées peu démontrées.",
]
LAB_CATEGORIES = ("public_research", "hei_research", "nonprofit_research", "hei", "training")
COMPANY_CATEGORIES = ("company", "ntbf")
COST_SPLIT = {"staff": 0.55, "overheads": 0.2, "equipment": 0.12, "subcontracting": 0.08, "other": 0.05}


def _euros(value: float) -> Decimal:
    return Decimal(int(round(value / 100.0)) * 100)


def _floor(value: Decimal) -> Decimal:
    return value.to_integral_value(rounding=ROUND_FLOOR)


def _aware(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, 0))


class _Programme:
    """What the generation reads once: organisations, members per cluster and year, sizes, regions."""

    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng
        orgs = Organisation.objects.values_list(
            "pk", "name", "category", "size_class", "departement__region_id", "departement__former_region_id",
            "departement__region__code",
        )  # fmt: skip
        self.org = {
            pk: {"name": n, "category": c, "size": s, "regions": {r, f}, "region_code": rc}
            for pk, n, c, s, r, f, rc in orgs
        }
        through = ctx.clusters["minalogic"].regions.through
        self.cluster_regions: dict[int, set[int]] = defaultdict(set)
        for cluster_id, region_id in through.objects.values_list("cluster_id", "region_id"):
            self.cluster_regions[cluster_id].add(region_id)
        fields_through = ctx.clusters["minalogic"].fields.through
        field_slugs = dict(ctx.clusters["minalogic"].fields.model.objects.values_list("pk", "slug"))
        self.cluster_fields: dict[int, list[str]] = defaultdict(list)
        for cluster_id, field_id in fields_through.objects.values_list(
            "cluster_id", "specialisationfield_id"
        ):
            self.cluster_fields[cluster_id].append(field_slugs[field_id])
        self.end_of = {s: dt.date.fromisoformat(v) for s, v in ctx.truth.get("cluster_end", {}).items() if v}
        companies = [pk for pk, o in self.org.items() if o["category"] in COMPANY_CATEGORIES]
        years = [*range(2005, 2013), 2022]
        self.sizes: dict[tuple[int, int], str] = {}
        for chunk in range(0, len(companies), 5000):
            rows = YearlyFigures.objects.filter(
                organisation_id__in=companies[chunk : chunk + 5000], year__in=years
            )
            for org_id, year, size in rows.values_list("organisation_id", "year", "size_class"):
                self.sizes[(org_id, year)] = size

    def open_cluster(self, slug: str, day: dt.date) -> bool:
        cluster = self.ctx.clusters[slug]
        end = self.end_of.get(slug)
        return cluster.labelled_on <= day and (end is None or end > day)

    def members(self, day: dt.date) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        """Member companies and member research/training bodies of each cluster on `day`."""
        firms: dict[str, list[int]] = defaultdict(list)
        labs: dict[str, list[int]] = defaultdict(list)
        for org_id, slug, start, end in self.ctx.memberships:
            if start <= day and (end is None or end >= day) and self.open_cluster(slug, day):
                category = self.org[org_id]["category"]
                if category in COMPANY_CATEGORIES:
                    firms[slug].append(org_id)
                elif category in LAB_CATEGORIES:
                    labs[slug].append(org_id)
        return firms, labs

    def size_at(self, org_id: int, year: int) -> str | None:
        if self.org[org_id]["category"] not in COMPANY_CATEGORIES:
            return None
        for candidate in (year, year - 1, 2022):
            if (org_id, candidate) in self.sizes:
                return self.sizes[(org_id, candidate)] or None
        return self.org[org_id]["size"] or None


class _Builder:
    """Accumulates proposals as plain dicts, then writes them all at once."""

    def __init__(self, ctx: DemoContext, data: _Programme):
        self.ctx, self.data, self.rng = ctx, data, ctx.rng
        self.proposals: list[dict[str, Any]] = []
        self.live: dict[str, list[SubmissionFingerprint]] = defaultdict(list)
        self.acronyms: set[str] = set()
        self.next_id = 0

    # ------------------------------------------------------------------ one proposal

    def title(self, cluster) -> tuple[str, str, list[str]]:
        rng = self.rng
        field = rng.choice(self.data.cluster_fields.get(cluster.pk) or ["digital"])
        tech = rng.choice(TECH.get(field, TECH["digital"]))
        title = f"{tech} {rng.choice(QUALIFIERS)} {rng.choice(PURPOSES)}"
        title = title[0].upper() + title[1:]
        stem = "".join(ch for ch in normalise_title(tech).upper() if ch.isalpha())[:5]
        while True:
            acronym = (
                f"{stem}{rng.choice(['', '-', ''])}{rng.randint(2, 99)}"
                if rng.random() < 0.5
                else f"{stem}{rng.choice('AEIOUXYZ')}{rng.choice('NRSTL')}"
            )
            if acronym not in self.acronyms:
                self.acronyms.add(acronym)
                return acronym, title, [tech, field]

    def consortium(
        self, call, lead_cluster_slug: str, firms, labs, defect: str | None
    ) -> list[dict[str, Any]]:
        rng = self.rng
        region = self.ctx.cluster_region[lead_cluster_slug]
        near = [s for s, r in self.ctx.cluster_region.items() if r == region and s in firms]
        all_firms = [o for s in firms for o in firms[s]]
        all_labs = [o for s in labs for o in labs[s]] or self.ctx.org_ids.get("public_research", [])
        near_labs = [o for s in near for o in labs.get(s, [])]
        n_companies = rng.choices([2, 3, 4, 5], [35, 35, 20, 10])[0]
        n_labs = rng.choices([1, 2, 3], [50, 35, 15])[0]
        if defect == "one_company":
            n_companies = 1
        elif defect == "no_lab":
            n_labs = 0
        chosen: list[int] = []

        def pick(pools: list[list[int]], weights: list[float]) -> None:
            for _ in range(20):
                pool = rng.choices(pools, weights)[0] or pools[-1]
                if not pool:
                    return
                org_id = rng.choice(pool)
                if org_id not in chosen:
                    chosen.append(org_id)
                    return

        local_firms = firms.get(lead_cluster_slug, [])
        pick([local_firms, all_firms], [1, 0.0001])  # the lead: a company of the lead cluster
        for _ in range(n_companies - 1):
            pick([local_firms, [o for s in near for o in firms[s]], all_firms], [0.6, 0.25, 0.15])
        n_firms = len(chosen)
        for _ in range(n_labs):
            pick([labs.get(lead_cluster_slug, []), near_labs, all_labs], [0.5, 0.3, 0.2])
        partners = []
        for index, org_id in enumerate(chosen):
            partners.append(
                {"org_id": org_id, "role": "lead" if index == 0 else "partner", "company": index < n_firms}
            )
        if defect == "lab_lead" and len(partners) > n_firms:
            lab = partners.pop(n_firms)
            partners[0]["role"] = "partner"
            lab["role"] = "lead"
            partners.insert(0, lab)
        return partners

    def budgets(
        self,
        partners,
        total: float,
        rates_table,
        funders_by_region,
        state_code: str,
        call_year: int,
        low_share: bool,
        lead_regions: set[int],
    ):
        rng = self.rng
        weights = [(3.0 if p["role"] == "lead" else 1.0) * rng.uniform(0.6, 1.4) for p in partners]
        scale = total / sum(weights)
        for partner, weight in zip(partners, weights, strict=True):
            info = self.data.org[partner["org_id"]]
            partner["category"] = info["category"]
            partner["size_class"] = self.data.size_at(partner["org_id"], call_year)
            partner["cost_basis"] = (
                "additional" if info["category"] in LAB_CATEGORIES and rng.random() < 0.2 else "full"
            )
            amount = weight * scale * (0.4 if partner["cost_basis"] == "additional" else 1.0)
            partner["budget"] = {
                k: _euros(amount * share * rng.uniform(0.85, 1.15)) for k, share in COST_SPLIT.items()
            }
            inside = bool(info["regions"] & partner["territory_regions"])
            partner["in_territory"] = inside
            if low_share:
                partner["territory_share"] = Decimal(str(round(rng.uniform(0.1, 0.4), 2)))
            elif inside:
                partner["territory_share"] = Decimal(str(round(rng.uniform(0.85, 1.0), 2)))
            else:
                partner["territory_share"] = Decimal(str(round(rng.uniform(0.3, 0.7), 2)))
            in_lead = bool(info["regions"] & lead_regions)
            partner["lead_cluster_share"] = partner["territory_share"] if in_lead else Decimal(0)
            facts = self.fact(partner)
            aid: dict[str, Decimal] = {}
            for code in [state_code, funders_by_region.get(info["region_code"])]:
                if code is None or (code != state_code and rng.random() > 0.8):
                    continue
                try:
                    row = lookup_rate(rates_table, code, facts)
                except RateError:
                    continue
                aid[code] = _floor(row.rate * facts.total_budget)
            partner["aid"] = aid

    def fact(self, partner: dict[str, Any]) -> FactParticipation:
        return FactParticipation(
            org_id=str(partner["org_id"]), category=partner["category"], role=partner["role"],
            size_class=partner.get("size_class"), budget=partner.get("budget", {}),
            territory_share=partner.get("territory_share", Decimal(1)),
            lead_cluster_share=partner.get("lead_cluster_share", Decimal(0)),
            in_territory=partner.get("in_territory", True), cost_basis=partner.get("cost_basis", "full"),
            aid_requested=partner.get("aid", {}), name=self.data.org[partner["org_id"]]["name"],
        )  # fmt: skip

    def proposal(
        self,
        call: Call,
        spec: dict[str, Any],
        rates_table,
        funders_by_region,
        state_code,
        firms,
        labs,
        *,
        when: dt.datetime,
        defect=None,
        copy_of=None,
    ) -> dict[str, Any]:
        """One submitted proposal to `call` (labels decided, not yet checked)."""
        rng = self.rng
        lead_slug = spec["lead_cluster"]
        lead_cluster = self.ctx.clusters[lead_slug]
        if copy_of is not None:
            acronym, title, keywords = copy_of["acronym"] + "-B", copy_of["title"], copy_of["keywords"]
            partners = [dict(p) for p in copy_of["partners"]]
        else:
            acronym, title, keywords = self.title(lead_cluster)
            partners = self.consortium(call, lead_slug, firms, labs, defect)
        clusters = [lead_slug]
        if rng.random() < 0.25:  # co-labelling by another open cluster of a partner or of the region
            others = [
                s for s in self.ctx.clusters if s != lead_slug and self.data.open_cluster(s, when.date())
            ]
            region = self.ctx.cluster_region[lead_slug]
            near = [s for s in others if self.ctx.cluster_region[s] == region]
            if others:
                clusters.append(rng.choice(near if near and rng.random() < 0.6 else others))
        territory = set().union(*(self.data.cluster_regions[self.ctx.clusters[s].pk] for s in clusters))
        for partner in partners:
            partner["territory_regions"] = territory
        total = min(max(rng.lognormvariate(0.64, 0.5), 0.4), 9.0) * 1_000_000  # median EUR 1.9 M
        self.budgets(
            partners, total, rates_table, funders_by_region, state_code, call.opens_at.year, defect == "low_share",
            self.data.cluster_regions[lead_cluster.pk],
        )  # fmt: skip
        labels = []
        deadline = call.labelling_deadline
        for index, slug in enumerate(clusters):
            declines = (
                defect == "no_label"
                or (index > 0 and rng.random() < 0.2)
                or (index == 0 and rng.random() < 0.02)
            )
            decided = when + (deadline - when) * rng.uniform(0.2, 0.9)
            labels.append({
                "cluster": slug, "status": "declined" if declines else "labelled", "decided_at": decided,
                "opinion": rng.choice(OPINIONS_NO if declines else OPINIONS_OK),
            })  # fmt: skip
        self.next_id += 1
        return {
            "call": call,
            "acronym": acronym,
            "title": title,
            "keywords": keywords,
            "lead_cluster": lead_slug,
            "partners": partners,
            "labels": labels,
            "submitted_at": when,
            "status": "submitted",
            "summary": (
                f"Le projet {acronym} développe des {keywords[0]} {rng.choice(QUALIFIERS)} "
                f"{rng.choice(PURPOSES)}. Il associe {sum(p['company'] for p in partners)} entreprises "
                f"et {sum(not p['company'] for p in partners)} organismes de recherche ou de formation."
            ),
            "start_date": (when + dt.timedelta(days=rng.randint(150, 270))).date(),
            "duration_months": rng.choice([24, 30, 36, 36, 42, 48]),
            "check": None,
        }

    def evaluate(self, item: dict[str, Any]) -> None:
        """Run the call's rules through the engine, as an officer's check would, and decide."""
        call = item["call"]
        facts = ProposalFacts(
            proposal_id=f"demo-{id(item)}", call_id=str(call.pk), title=item["title"],
            participations=tuple(self.fact(p) for p in item["partners"]),
            labels=tuple(ClusterLabel(l["cluster"], l["status"], l["decided_at"]) for l in item["labels"]),  # noqa: E741
            lead_cluster_id=item["lead_cluster"], submitted_at=item["submitted_at"],
            deadline=call.submission_deadline, other_submissions=tuple(self.live[normalise_title(item["title"])]),
        )  # fmt: skip
        results = evaluate(call.rules, facts)
        found = verdict(results)
        overrides = []
        if found == "warnings":
            warnings = [r.index for r in results if r.status == "warning"]
            if self.rng.random() < 0.75:
                overrides = warnings
                found = "eligible"
            else:
                found = "refused"
        item["check"] = {"results": results, "verdict": verdict(results), "overrides": overrides}
        item["status"] = "eligible" if found == "eligible" else "ineligible"
        if item["status"] == "eligible":
            key = normalise_title(item["title"])
            lead = next(p for p in item["partners"] if p["role"] == "lead")
            self.live[key].append(
                SubmissionFingerprint(
                    submission_id=facts.proposal_id,
                    call_id=str(call.pk),
                    lead_org_id=str(lead["org_id"]),
                    title_key=key,
                    consortium=frozenset(str(p["org_id"]) for p in item["partners"]),
                )  # fmt: skip
            )

    # ------------------------------------------------------------------ writing

    def write(self) -> dict[str, int]:
        """Insert everything with a few statements per table (plain INSERTs for the large ones)."""
        ctx = self.ctx
        names = {s: c.name for s, c in ctx.clusters.items()}
        funder_ids = dict(Funder.objects.values_list("slug", "pk"))
        projects = []
        for item in self.proposals:
            call = item["call"]
            total = sum((sum(p.get("budget", {}).values(), Decimal(0)) for p in item["partners"]), Decimal(0))
            projects.append(Project(
                source=Project.Source.PROGRAMME, programme_id=call.programme_id, call=call, status=item["status"],
                acronym=item["acronym"], title=item["title"], title_key=normalise_title(item["title"]),
                summary=item["summary"], keywords=item["keywords"], lead_cluster=ctx.clusters[item["lead_cluster"]],
                start_date=item["start_date"], duration_months=item["duration_months"],
                submitted_at=item["submitted_at"], total_cost=total, version=3 if item["submitted_at"] else 1,
            ))  # fmt: skip
        projects = _bulk(Project, projects)
        rows = []
        for project, item in zip(projects, self.proposals, strict=True):
            item["project"] = project
            for p in item["partners"]:
                rows.append((
                    project.pk, p["org_id"], p["role"], p["category"], p.get("size_class") or "", False,
                    p.get("territory_share", Decimal(1)), p.get("lead_cluster_share", Decimal(0)),
                    p.get("in_territory", True), p.get("cost_basis", "full"), sum(p.get("budget", {}).values(), Decimal(0)),
                ))  # fmt: skip
        _raw_insert(Participation, [
            "project", "organisation", "role", "category", "size_class", "public_controlled", "territory_share",
            "lead_cluster_share", "in_territory", "cost_basis", "total_cost",
        ], rows)  # fmt: skip
        ids = {}
        project_ids = [p.pk for p in projects]
        for chunk in range(0, len(project_ids), 5000):
            found = Participation.objects.filter(project_id__in=project_ids[chunk : chunk + 5000])
            ids.update(
                {(pr, org): pk for pk, pr, org in found.values_list("pk", "project_id", "organisation_id")}
            )
        lines, requests, labels = [], [], []
        for item in self.proposals:
            project = item["project"]
            for p in item["partners"]:
                pid = ids[(project.pk, p["org_id"])]
                lines += [(pid, k, v) for k, v in p.get("budget", {}).items() if v]
                requests += [(pid, funder_ids[k], v) for k, v in p.get("aid", {}).items() if v]
            created = item["call"].opens_at + dt.timedelta(days=7)
            for label in item["labels"]:
                decided = label.get("decided_at") if label["status"] != "pending" else None
                labels.append((
                    project.pk, ctx.clusters[label["cluster"]].pk, label["status"], label.get("opinion", ""), decided,
                    created, created, 1,
                ))  # fmt: skip
        _raw_insert(BudgetLine, ["participation", "cost_type", "amount"], lines)
        _raw_insert(AidRequest, ["participation", "funder", "amount"], requests)
        _raw_insert(
            LabelRequest,
            ["project", "cluster", "status", "opinion", "decided_at", "created_at", "updated_at", "version"],
            labels,
        )
        revisions, checks, check_items = [], [], []
        rendered = _render_messages(
            [r for item in self.proposals if item["check"] for r in item["check"]["results"]]
        )
        for item in self.proposals:
            project = item["project"]
            if item["submitted_at"]:
                revisions.append(ProjectRevision(project=project, number=1, snapshot=_snapshot(item, names)))
            if item["check"]:
                checks.append(EligibilityCheck(
                    project=project, rules=item["call"].rules, verdict=item["check"]["verdict"],
                    results=[rendered[id(r)] for r in item["check"]["results"]],
                ))  # fmt: skip
                check_items.append(item)
        _bulk(ProjectRevision, revisions, returning=False)
        checks = _bulk(EligibilityCheck, checks)
        overrides = [
            EligibilityOverride(
                eligibility_check=check,
                rule_index=index,
                reason="Budget hors de la fourchette habituelle, justifié par l'ampleur des essais prévus.",
            )  # fmt: skip
            for check, item in zip(checks, check_items, strict=True)
            for index in item["check"]["overrides"]
        ]
        _bulk(EligibilityOverride, overrides, returning=False)
        # Past proposals keep their own dates rather than the moment the demo ran.
        now = timezone.now()
        for call in {item["call"] for item in self.proposals}:
            Project.objects.filter(call=call, submitted_at__isnull=False).update(
                created_at=call.opens_at + dt.timedelta(days=7)
            )
            EligibilityCheck.objects.filter(project__call=call).update(
                checked_at=min(now, call.submission_deadline + dt.timedelta(days=15))
            )
        return {
            "proposals": len(projects), "participations": len(rows), "budget_lines": len(lines),
            "aid_requests": len(requests), "label_requests": len(labels), "eligibility_checks": len(checks),
        }  # fmt: skip


def _render_messages(results) -> dict[int, dict[str, Any]]:
    """RuleResult.as_dict for many results, rendering French then English once each (the
    per-message language switch costs more than the engine itself at this scale)."""
    out = {}
    for language in ("fr", "en"):
        with translation.override(language):
            for result in results:
                out.setdefault(id(result), {})[language] = str(result.message)
    with translation.override(None):
        return {
            id(r): {
                "index": r.index,
                "rule": r.rule,
                "status": r.status,
                "severity": r.severity,
                "message": {
                    "msgid": str(r.message.template),
                    "params": plain(r.message.params),
                    "fr": out[id(r)]["fr"],
                    "en": out[id(r)]["en"],
                },
                "figures": plain(r.figures),
            }  # fmt: skip
            for r in results
        }


def _raw_insert(model, fields: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs (the generator's fast path). Date-times go through the backend's adapter (SQLite
    stores them as naive UTC text); numbers, text and keys pass as they are."""
    from django.db import connection, models

    from poles.core.bulk import copy_rows

    concrete = [model._meta.get_field(name) for name in fields]
    moments = [i for i, f in enumerate(concrete) if isinstance(f, models.DateTimeField)]
    if moments:
        adapt = connection.ops.adapt_datetimefield_value
        rows = [tuple(adapt(v) if i in moments else v for i, v in enumerate(row)) for row in rows]
    copy_rows(model, [f.column for f in concrete], rows)


def _snapshot(item: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The same shape as projects.revisions.snapshot, from the generated data."""
    return {
        "acronym": item["acronym"],
        "title": item["title"],
        "summary": item["summary"],
        "keywords": item["keywords"],
        "lead_cluster": names[item["lead_cluster"]],
        "start_date": item["start_date"].isoformat(),
        "duration_months": item["duration_months"],
        "clusters_asked": sorted(names[l["cluster"]] for l in item["labels"]),  # noqa: E741
        "consortium": [
            {
                "organisation": p.get("name", ""),
                "organisation_id": p["org_id"],
                "role": p["role"],
                "category": p["category"],
                "size_class": p.get("size_class") or "",
                "territory_share": str(p.get("territory_share", "")),
                "lead_cluster_share": str(p.get("lead_cluster_share", "")),
                "cost_basis": p.get("cost_basis", "full"),
                "budget": {k: str(v) for k, v in p.get("budget", {}).items()},
                "aid": {k: str(v) for k, v in p.get("aid", {}).items()},
            }
            for p in item["partners"]
        ],
        "attachments": [],
    }


def _bulk(model, objects: list, *, returning: bool = True) -> list:
    from poles.demo.generator import _bulk as bulk

    return bulk(model, objects, returning=returning)


# ---------------------------------------------------------------------------------------------


def _call_dates(number: int) -> tuple[dt.date, dt.date, dt.date]:
    """Two calls a year from 2006: opening, labelling deadline, submission deadline."""
    year = 2006 + (number - 1) // 2
    if number % 2:
        return dt.date(year, 1, 15), dt.date(year, 3, 1), dt.date(year, 3, 15)
    return dt.date(year, 7, 1), dt.date(year, 9, 15), dt.date(year, 10, 1)


def _rate_rows(state_code: str, regions: list[str]) -> list[dict[str, Any]]:
    rates = get_preset("fui_classic")["rates"]
    for row in rates:
        if row["funder"] == "state":
            row["funder"] = state_code
    for code in regions:
        rates += [
            {"funder": code, "group": group, "rate": rate, "form": form} for group, rate, form in REGION_RATES
        ]
    return rates


def _funded_targets(scale: float) -> dict[int, int]:
    """Funded proposals each call should end with (POLICY.md), at the demo's scale: calls 1–9 share
    813 in proportion to their submissions, the 10th funds 73, calls 11–14 share the rest of about
    1,170; each group is rounded by largest remainder so that it adds up exactly."""
    first = dict(PAST_CALLS[:9])
    total_first = sum(first.values())
    groups = [
        ({n: FUNDED_1_TO_9 * count / total_first for n, count in first.items()}, FUNDED_1_TO_9),
        ({10: FUNDED_10}, FUNDED_10),
        (
            dict.fromkeys((11, 12, 13, 14), (FUNDED_TOTAL - FUNDED_1_TO_9 - FUNDED_10) / 4),
            FUNDED_TOTAL - FUNDED_1_TO_9 - FUNDED_10,
        ),
    ]
    targets: dict[int, int] = {}
    for shares, total in groups:
        exact = {n: v * scale for n, v in shares.items()}
        rounded = {n: int(v) for n, v in exact.items()}
        missing = round(total * scale) - sum(rounded.values())
        for n in sorted(exact, key=lambda n: (rounded[n] - exact[n], n))[: max(missing, 0)]:
            rounded[n] += 1
        targets.update({n: max(1, v) for n, v in rounded.items()})
    return targets


# Proposals that fall short of a rule on purpose (share of all proposals); the budget bounds, a
# warning, and declined labels add their own.
DEFECTS = [
    ("one_company", 0.015),
    ("no_lab", 0.012),
    ("lab_lead", 0.005),
    ("low_share", 0.01),
    ("no_label", 0.01),
]


@step("calls and proposals")
def make_calls_and_proposals(ctx: DemoContext) -> None:
    """Past FUI calls 1–14 with their proposals through eligibility, and one call open today."""
    rng = ctx.rng
    data = _Programme(ctx)
    builder = _Builder(ctx, data)
    state = ctx.funders["fui"]
    region_codes = sorted(slug for slug in ctx.funders if slug.startswith("region-"))
    funders_by_region = {slug.removeprefix("region-"): slug for slug in region_codes}
    scale = ctx.scale.member_factor
    targets = _funded_targets(scale)
    calls: dict[int, Call] = {}
    truth: dict[str, Any] = {
        "submitted": {},
        "eligible": {},
        "ineligible": {},
        "withdrawn": {},
        "funded_target": targets,
    }
    for number, submitted in PAST_CALLS:
        opens, labelling, deadline = _call_dates(number)
        preset = get_preset("fui_classic")
        call = Call.objects.create(
            programme=ctx.programme, reference=f"fui-{number}", number=number,
            title_fr=f"FUI — {number}ᵉ appel à projets R&D collaboratifs ({opens.year})",
            title_en=f"FUI — call {number} for collaborative R&D projects ({opens.year})",
            description_fr="Appel du Fonds unique interministériel pour les projets de R&D collaboratifs labellisés par les pôles.",
            description_en="Call of the single interministerial fund for collaborative R&D projects labelled by the clusters.",
            kind=Call.Kind.RD_PROJECT, status=Call.Status.CLOSED, preset="fui_classic", opens_at=_aware(opens, 9),
            labelling_deadline=_aware(labelling, 18), submission_deadline=_aware(deadline, 18),
            rules=preset["rules"], rates=_rate_rows(state.slug, region_codes), caps={}, evaluation=preset["evaluation"],
            selection={"objective": "score"}, instalments={"advance": "0.3", "intermediate": "0.4", "balance": "0.3"},
        )  # fmt: skip
        calls[number] = call
        table = parse_rate_table(call.rates)[0]
        firms, labs = data.members(opens)
        clusters = [s for s in firms if firms[s]]
        weights = [len(firms[s]) ** 0.8 for s in clusters]
        count = max(3, round(submitted * scale))
        items = []
        for _ in range(count):
            when = _aware(opens) + (_aware(labelling) - _aware(opens)) * rng.uniform(0.1, 0.6)
            u, defect, acc = rng.random(), None, 0.0
            for name, share in DEFECTS:
                acc += share
                if u < acc:
                    defect = name
                    break
            lead = rng.choices(clusters, weights)[0]
            copy_of = items[-1] if items and rng.random() < 0.007 else None
            spec = {"lead_cluster": copy_of["lead_cluster"] if copy_of else lead}
            item = builder.proposal(
                call,
                spec,
                table,
                funders_by_region,
                state.slug,
                firms,
                labs,
                when=when,
                defect=defect,
                copy_of=copy_of,
            )
            for p in item["partners"]:
                p["name"] = data.org[p["org_id"]]["name"]
            items.append(item)
        for item in sorted(items, key=lambda i: i["submitted_at"]):
            if rng.random() < 0.025:
                item["status"] = "withdrawn"
                continue
            builder.evaluate(item)
        builder.proposals += items
        eligible = [i for i in items if i["status"] == "eligible"]
        truth["submitted"][number] = len(items)
        truth["eligible"][number] = len(eligible)
        truth["ineligible"][number] = sum(i["status"] == "ineligible" for i in items)
        truth["withdrawn"][number] = sum(i["status"] == "withdrawn" for i in items)
        _envelopes(call, eligible, targets[number], state.slug, region_codes, ctx.funders)
    open_call = _open_call(ctx, builder, data, funders_by_region)
    counts = builder.write()
    for call in [*calls.values(), open_call]:
        CallVersion.objects.create(
            call=call, number=1, reason="Publié", snapshot=call_services.snapshot(call)
        )
    ctx.truth["calls"] = truth
    ctx.calls = calls  # for the review and selection steps
    ctx.open_call = open_call
    for key, value in counts.items():
        ctx.count(key, value)
    ctx.count("calls", len(calls) + 1)
    audit.record("demo.calls", open_call, after={"calls": len(calls) + 1, **counts})


def _envelopes(
    call: Call, eligible: list[dict], target: int, state_code: str, region_codes: list[str], funders
) -> None:
    """Envelopes that let about `target` of the eligible proposals through: the State's binds, the
    regions' leave a margin so that a proposal is rarely refused for lack of regional money."""
    share = min(1.0, target / max(1, len(eligible)))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for item in eligible:
        for p in item["partners"]:
            for code, amount in p["aid"].items():
                totals[code] += amount
    state_envelope = max(round(float(totals[state_code]) * share, -5), 100_000)
    rows = [CallFunder(call=call, funder=funders[state_code], envelope=Decimal(state_envelope))]
    for code in region_codes:
        envelope = round(float(totals[code]) * min(1.0, share * 1.25), -4)
        rows.append(CallFunder(call=call, funder=funders[code], envelope=Decimal(max(envelope, 100_000))))
    CallFunder.objects.bulk_create(rows)


def _open_call(ctx: DemoContext, builder: _Builder, data: _Programme, funders_by_region) -> Call:
    """A call open today under the FUI 25 rules, with a few proposals at every early stage."""
    from poles.demo.users import demo_member_organisation

    rng = ctx.rng
    today = timezone.localdate()
    preset = get_preset("fui_25")
    state = ctx.funders["fui"]
    region = ctx.funders.get("region-84")  # Auvergne-Rhône-Alpes, the Grenoble clusters' region
    rates = preset["rates"]
    for row in rates:
        if row["funder"] == "state":
            row["funder"] = state.slug
    if region is not None:
        rates += [{"funder": region.slug, "group": g, "rate": r, "form": f} for g, r, f in REGION_RATES]
    call = Call.objects.create(
        programme=ctx.programme, reference=f"aap-rd-{today.year}", number=None,
        title_fr=f"Appel à projets R&D collaboratifs {today.year} (règles FUI 25)",
        title_en=f"Collaborative R&D call {today.year} (FUI 25 rules)",
        description_fr="Projets de R&D collaboratifs labellisés par au moins un pôle : au moins deux entreprises et un "
        "laboratoire, dont au moins la moitié des travaux sur les territoires des pôles labellisateurs.",
        description_en="Collaborative R&D projects labelled by at least one cluster: at least two companies and one "
        "lab, with at least half of the work on the labelling clusters' territories.",
        kind=Call.Kind.RD_PROJECT, status=Call.Status.OPEN, preset="fui_25",
        opens_at=_aware(today - dt.timedelta(days=30), 9), labelling_deadline=_aware(today + dt.timedelta(days=30), 18),
        submission_deadline=_aware(today + dt.timedelta(days=45), 18), rules=preset["rules"], rates=rates, caps={},
        evaluation=preset["evaluation"], selection={"objective": "score", "min_sme_share": "0.3"},
        instalments={"advance": "0.3", "intermediate": "0.4", "balance": "0.3"},
    )  # fmt: skip
    rows = [CallFunder(call=call, funder=state, envelope=Decimal(30_000_000))]
    if region is not None:
        rows.append(CallFunder(call=call, funder=region, envelope=Decimal(10_000_000)))
    CallFunder.objects.bulk_create(rows)
    table = parse_rate_table(call.rates)[0]
    firms, labs = data.members(today)
    member_org = demo_member_organisation(ctx).pk
    plan = [
        # (lead cluster, stage, lead organisation or None)
        ("minalogic", "draft", member_org),
        ("minalogic", "pending", None),
        ("tenerrdis", "draft", None),
        ("minalogic", "labelled", None),
        ("tenerrdis", "labelled", None),
        ("minalogic", "eligible", None),
        ("minalogic", "draft", None),
    ]
    opened = call.opens_at
    for slug, stage, lead_org in plan:
        when = opened + dt.timedelta(days=rng.randint(3, 25))
        item = builder.proposal(
            call, {"lead_cluster": slug}, table, funders_by_region, state.slug, firms, labs, when=when
        )
        if lead_org is not None:
            item["partners"] = [p for p in item["partners"] if p["org_id"] != lead_org]
            next(p for p in item["partners"] if p["role"] == "lead")["org_id"] = lead_org
            builder.budgets(
                item["partners"], 1_800_000.0, table, funders_by_region, state.slug, today.year, False,
                data.cluster_regions[ctx.clusters[slug].pk],
            )  # fmt: skip
        for p in item["partners"]:
            p["name"] = data.org[p["org_id"]]["name"]
        item["labels"] = [{"cluster": slug, "status": "pending"}]
        if stage == "draft":
            item["submitted_at"] = None
            item["status"] = "draft"
        elif stage == "pending":
            item["status"] = "submitted"
        else:
            item["labels"] = [{
                "cluster": slug, "status": "labelled", "decided_at": when + dt.timedelta(days=2),
                "opinion": rng.choice(OPINIONS_OK),
            }]  # fmt: skip
            item["status"] = "labelled"
            if stage == "eligible":
                builder.evaluate(item)
                if item["status"] != "eligible":  # the demo wants one eligible proposal to review
                    item["check"]["overrides"] = [
                        r.index for r in item["check"]["results"] if r.status == "warning"
                    ]
                    item["status"] = (
                        "eligible"
                        if all(r.status != "fail" for r in item["check"]["results"])
                        else "labelled"
                    )
        builder.proposals.append(item)
    return call
