"""A deterministic synthetic national partner-search data set, for benchmarks and tests.

Why: the latency target ("under 100 ms p95 on the national data set", about 40,000 member
organisations) has to be measured before the platform holds real profiles, on data shaped like
them: French competence keywords grouped by theme, organisation categories and sizes in
realistic shares, the 13 metropolitan regions, clusters tied to a region and a theme, and a
co-participation history drawn mostly inside clusters. Same seed, same data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poles.matchmaking.engine import Edge, Profile, SearchFilters

THEMES: dict[str, tuple[str, ...]] = {
    "energie": (
        "hydrogène",
        "piles à combustible",
        "photovoltaïque",
        "stockage d'énergie",
        "batteries",
        "réseaux électriques intelligents",
        "efficacité énergétique",
        "biomasse",
        "éolien en mer",
        "électrolyseurs",
        "géothermie",
        "pompes à chaleur",
        "smart grids",
        "conversion de puissance",
    ),
    "sante": (
        "dispositifs médicaux",
        "imagerie médicale",
        "biomarqueurs",
        "diagnostic in vitro",
        "thérapie génique",
        "télémédecine",
        "e-santé",
        "biotechnologies",
        "anticorps",
        "essais cliniques",
        "médecine personnalisée",
        "vaccins",
        "bioproduction",
        "microbiote",
    ),
    "numerique": (
        "intelligence artificielle",
        "apprentissage automatique",
        "cybersécurité",
        "cloud",
        "logiciel embarqué",
        "internet des objets",
        "jumeau numérique",
        "calcul haute performance",
        "traitement du signal",
        "vision par ordinateur",
        "données massives",
        "blockchain",
        "réalité virtuelle",
        "cryptographie",
    ),
    "microelectronique": (
        "microélectronique",
        "nanotechnologies",
        "semi-conducteurs",
        "capteurs",
        "MEMS",
        "photonique",
        "optronique",
        "circuits intégrés",
        "électronique de puissance",
        "composants radiofréquence",
        "salle blanche",
        "lithographie",
        "silicium",
        "GaN",
    ),
    "materiaux": (
        "matériaux composites",
        "fabrication additive",
        "céramiques techniques",
        "polymères",
        "alliages légers",
        "traitement de surface",
        "revêtements",
        "recyclage des matériaux",
        "fibres de carbone",
        "textiles techniques",
        "métallurgie des poudres",
        "élastomères",
        "caractérisation des matériaux",
        "fonderie",
    ),
    "mobilite": (
        "véhicule autonome",
        "véhicule électrique",
        "aéronautique",
        "propulsion",
        "ferroviaire",
        "logistique urbaine",
        "motorisation hybride",
        "allègement des structures",
        "drones",
        "avionique",
        "navigation par satellite",
        "recharge",
        "naval",
        "maintenance prédictive",
    ),
    "agroalimentaire": (
        "agroalimentaire",
        "protéines végétales",
        "fermentation",
        "emballages alimentaires",
        "sécurité sanitaire des aliments",
        "agriculture de précision",
        "semences",
        "viticulture",
        "nutrition",
        "chaîne du froid",
        "produits laitiers",
        "élevage",
        "aquaculture",
        "irrigation",
    ),
    "environnement": (
        "traitement de l'eau",
        "dépollution des sols",
        "économie circulaire",
        "valorisation des déchets",
        "qualité de l'air",
        "captage du carbone",
        "chimie verte",
        "biodiversité",
        "écoconception",
        "analyse du cycle de vie",
        "méthanisation",
        "bois construction",
        "bâtiment basse consommation",
        "gestion des risques naturels",
    ),
    "industrie": (
        "robotique",
        "cobotique",
        "usine du futur",
        "contrôle non destructif",
        "mécatronique",
        "automatisme",
        "usinage",
        "soudage",
        "métrologie",
        "maintenance industrielle",
        "supervision",
        "optimisation des procédés",
        "vision industrielle",
        "plasturgie",
    ),
    "mer": (
        "énergies marines",
        "océanographie",
        "biotechnologies marines",
        "construction navale",
        "robotique sous-marine",
        "pêche durable",
        "algues",
        "surveillance maritime",
        "acoustique sous-marine",
        "câbles sous-marins",
        "ports intelligents",
        "littoral",
        "hydrodynamique",
        "corrosion marine",
    ),
}

GENERIC_WORDS = (
    "conception",
    "développement",
    "prototypage",
    "essais",
    "industrialisation",
    "recherche",
    "expertise",
    "formation",
    "intégration",
    "validation",
    "modélisation",
    "simulation",
)

CATEGORIES = (
    ("company", 0.60),
    ("research", 0.14),
    ("higher_education", 0.08),
    ("consultancy", 0.06),
    ("business_organisation", 0.05),
    ("training_centre", 0.03),
    ("local_authority", 0.02),
    ("other_non_profit", 0.02),
)
COMPANY_SIZES = (("micro", 0.35), ("sme", 0.40), ("mid_size", 0.15), ("large", 0.10))

# INSEE codes of the 13 metropolitan regions, weighted roughly by economic weight.
REGIONS = (
    ("11", 0.22),
    ("84", 0.13),
    ("76", 0.09),
    ("75", 0.09),
    ("93", 0.08),
    ("44", 0.08),
    ("32", 0.07),
    ("52", 0.06),
    ("53", 0.05),
    ("28", 0.05),
    ("27", 0.04),
    ("24", 0.03),
    ("94", 0.01),
)

_TEMPLATES = (
    "Nous développons des solutions en {a}, {b} et {c}.",
    "Expertise en {a} et {b} ; {g} de systèmes pour {c}.",
    "Laboratoire spécialisé en {a}, {b}, {c}.",
    "{g} et {h} : {a}, {b}.",
    "Savoir-faire reconnu en {a} ; compétences en {b} et en {c}.",
)


@dataclass(frozen=True)
class SyntheticProgramme:
    """A generated data set: what `build_index` takes, plus the truth behind it."""

    profiles: list[Profile]
    edges: list[Edge]
    memberships: dict[str, set[str]]
    themes: dict[str, tuple[str, ...]]  # org id -> its themes
    cluster_regions: dict[str, str]


def _draw(rng: np.random.Generator, table: tuple[tuple[str, float], ...], size: int) -> np.ndarray:
    labels = np.array([label for label, _ in table])
    p = np.array([weight for _, weight in table])
    return labels[rng.choice(len(labels), size=size, p=p / p.sum())]


def generate(
    n_organisations: int = 40_000,
    n_clusters: int = 55,
    n_projects: int | None = None,
    seed: int = 2005,
) -> SyntheticProgramme:
    """Generate `n_organisations` profiles, cluster memberships and a project history.

    About one project per three organisations by default; each project has 3 to 9 partners,
    80 % of them drawn from one cluster, the rest from organisations sharing its theme.
    """
    rng = np.random.default_rng(seed)
    theme_names = tuple(THEMES)
    n_projects = n_organisations // 3 if n_projects is None else n_projects
    ids = [f"ORG{i:06d}" for i in range(n_organisations)]
    categories = _draw(rng, CATEGORIES, n_organisations)
    sizes = _draw(rng, COMPANY_SIZES, n_organisations)
    regions = _draw(rng, REGIONS, n_organisations)
    main_theme = rng.integers(len(theme_names), size=n_organisations)
    second_theme = np.where(
        rng.random(n_organisations) < 0.35, rng.integers(len(theme_names), size=n_organisations), -1
    )

    region_codes = [code for code, _ in REGIONS]
    cluster_regions = {f"CL{c:02d}": region_codes[c % len(region_codes)] for c in range(n_clusters)}
    cluster_theme = {cluster: theme_names[i % len(theme_names)] for i, cluster in enumerate(cluster_regions)}
    clusters_by_region_theme: dict[tuple[str, str], list[str]] = {}
    for cluster, region in cluster_regions.items():
        clusters_by_region_theme.setdefault((region, cluster_theme[cluster]), []).append(cluster)

    memberships: dict[str, set[str]] = {}
    org_themes: dict[str, tuple[str, ...]] = {}
    texts = []
    for i, org in enumerate(ids):
        themes = [theme_names[main_theme[i]]]
        if second_theme[i] >= 0 and second_theme[i] != main_theme[i]:
            themes.append(theme_names[second_theme[i]])
        org_themes[org] = tuple(themes)
        words = [kw for theme in themes for kw in THEMES[theme]]
        picks = rng.choice(len(words), size=min(len(words), 3 + int(rng.integers(0, 4))), replace=False)
        chosen = [words[p] for p in picks]
        generic = rng.choice(len(GENERIC_WORDS), size=2, replace=False)
        template = _TEMPLATES[int(rng.integers(len(_TEMPLATES)))]
        sentence = template.format(
            a=chosen[0],
            b=chosen[1],
            c=chosen[2],
            g=GENERIC_WORDS[generic[0]].capitalize(),
            h=GENERIC_WORDS[generic[1]],
        )
        texts.append(" ".join([sentence, *chosen[3:]]))
        for theme in themes:
            for cluster in clusters_by_region_theme.get((str(regions[i]), theme), []):
                if rng.random() < 0.6:
                    memberships.setdefault(org, set()).add(cluster)

    members_by_cluster: dict[str, list[int]] = {c: [] for c in cluster_regions}
    for org, org_clusters in memberships.items():
        for cluster in org_clusters:
            members_by_cluster[cluster].append(int(org[3:]))
    by_theme: dict[str, np.ndarray] = {t: np.flatnonzero(main_theme == k) for k, t in enumerate(theme_names)}
    clusters_with_members = [c for c in cluster_regions if len(members_by_cluster[c]) >= 3]

    edges: list[Edge] = []
    project_count = np.zeros(n_organisations, dtype=np.int64)
    for _ in range(n_projects):
        if not clusters_with_members:
            break
        cluster = clusters_with_members[int(rng.integers(len(clusters_with_members)))]
        members = members_by_cluster[cluster]
        size = int(rng.integers(3, 10))
        from_cluster = min(len(members), max(2, round(size * 0.8)))
        chosen_pos = {members[p] for p in rng.choice(len(members), size=from_cluster, replace=False)}
        pool = by_theme[cluster_theme[cluster]]
        for p in rng.choice(len(pool), size=max(0, size - from_cluster), replace=False):
            chosen_pos.add(int(pool[p]))
        year = int(rng.integers(2008, 2025))
        partners = sorted(chosen_pos)
        project_count[partners] += 1
        for x in range(len(partners)):
            for y in range(x + 1, len(partners)):
                edges.append((ids[partners[x]], ids[partners[y]], 1.0, year))

    profiles = [
        Profile(
            org_id=ids[i],
            text=texts[i],
            category=str(categories[i]),
            size=str(sizes[i]) if categories[i] == "company" else "",
            region=str(regions[i]),
            project_count=int(project_count[i]),
        )
        for i in range(n_organisations)
    ]
    return SyntheticProgramme(profiles, edges, memberships, org_themes, cluster_regions)


@dataclass(frozen=True)
class SyntheticQuery:
    """One benchmark query: a need, hard filters and the consortium so far."""

    need_text: str
    filters: SearchFilters | None
    consortium_so_far: tuple[str, ...]


def queries(programme: SyntheticProgramme, n: int = 200, seed: int = 7) -> list[SyntheticQuery]:
    """Realistic queries: 2-5 theme keywords, a consortium of 0-3 members, filters half the time."""
    rng = np.random.default_rng(seed)
    theme_names = tuple(THEMES)
    ids = [p.org_id for p in programme.profiles]
    regions = sorted(set(programme.cluster_regions.values()))
    clusters = sorted(programme.cluster_regions)
    out = []
    for _ in range(n):
        words = THEMES[theme_names[int(rng.integers(len(theme_names)))]]
        picks = rng.choice(len(words), size=int(rng.integers(2, 6)), replace=False)
        need = "Nous cherchons un partenaire en " + ", ".join(words[p] for p in picks)
        consortium = tuple(ids[p] for p in rng.choice(len(ids), size=int(rng.integers(0, 4)), replace=False))
        kind = int(rng.integers(4))
        if kind == 0:
            filters = SearchFilters(categories={"company"}, sizes={"micro", "sme"})
        elif kind == 1:
            filters = SearchFilters(
                regions={regions[int(rng.integers(len(regions)))]}, categories={"research"}
            )
        elif kind == 2:
            filters = SearchFilters(clusters={clusters[int(rng.integers(len(clusters)))]})
        else:
            filters = None
        out.append(SyntheticQuery(need, filters, consortium))
    return out
